"""What else the admin day schedule shows per appointment: apps above scheduling register a reader.

A reader gets the request (whose user decides what they may see, and who is audited) and the day's
appointments, and answers short notes per appointment id; the page lists them under each session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.http import HttpRequest

from .models import Appointment


@dataclass(frozen=True)
class ScheduleNote:
    text: str
    warning: bool = False  # drawn as a warning (e.g. a missing baseline)
    url: str = ""  # where the note's details are, if anywhere


ScheduleNoteReader = Callable[[HttpRequest, Sequence[Appointment]], Mapping[int, Sequence[ScheduleNote]]]

# Filled from apps' AppConfig.ready(): "measures" (latest scores and change from baseline before each session).
SCHEDULE_NOTE_READERS: dict[str, ScheduleNoteReader] = {}


def schedule_note_register(*, name: str, reader: ScheduleNoteReader) -> None:
    SCHEDULE_NOTE_READERS[name] = reader


def schedule_notes(request: HttpRequest, appointments: Sequence[Appointment]) -> dict[int, list[ScheduleNote]]:
    """Every registered reader's notes, per appointment id, in registration order."""
    notes: dict[int, list[ScheduleNote]] = {}
    if not appointments:
        return notes
    for reader in SCHEDULE_NOTE_READERS.values():
        for appointment_id, found in reader(request, appointments).items():
            notes.setdefault(appointment_id, []).extend(found)
    return notes
