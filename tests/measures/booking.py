"""Booking helpers for the questionnaire tests, and reading a questionnaire's link out of its text."""

from __future__ import annotations

import datetime
import re

from clinic.accounts.actor import Actor
from clinic.measures.models import QuestionnaireAssignment
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, SeriesPlan, SessionType
from clinic.scheduling.series import SeriesSession, series_book
from clinic.scheduling.services import Booking, appointment_book

LINK = re.compile(r"https?://[^\s]+/q/([A-Za-z0-9_-]+)")


def book(patient: Patient, provider: Provider, session_type: SessionType, starts_at: datetime.datetime) -> Appointment:
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(patient=patient, provider=provider, session_type=session_type, starts_at=starts_at),
    )


def book_series(
    patient: Patient, provider: Provider, plan: SeriesPlan, starts: list[datetime.datetime]
) -> list[Appointment]:
    _, appointments = series_book(
        actor=Actor(user=None),
        plan=plan,
        patient=patient,
        provider=provider,
        sessions=[SeriesSession(starts_at=start) for start in starts],
    )
    return appointments


def texts_of(assignment: QuestionnaireAssignment) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(
            related_type="measures.questionnaireassignment", related_id=str(assignment.pk)
        ).order_by("send_after")
    )


def token_of(assignment: QuestionnaireAssignment) -> str:
    """The token, as the patient reads it in the text (the database keeps only its hash)."""
    match = LINK.search(texts_of(assignment)[0].body)
    assert match is not None
    return match.group(1)
