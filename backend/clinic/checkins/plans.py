"""Check-in plans: which check-ins a session type sends, and when each one is due.

The rule, in one place: a step is due on the local day the session ended plus `day_offset`, at
`local_time` in the patient's time zone (the clinic's if the patient has none), and never sooner
than `CHECKIN_MIN_MINUTES_AFTER_SESSION` after the session (monitoring included) ends. Texting
hours are enforced when the text is sent, so a due time late at night goes out the next morning.

A check-in makes sense only close to its time: none goes out later than
`CHECKIN_LATE_START_GRACE_HOURS` after the first moment texting hours allowed it (a session marked
completed late skips those steps; a text held up by an outage is suppressed when it is finally sent).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings

from clinic.messaging.texting_hours import texting_window
from clinic.patients.selectors import patient_timezone
from clinic.scheduling.models import Appointment, SessionType

from .models import CheckInKind, CheckInStep


@dataclass(frozen=True)
class PlanStep:
    kind: str
    day_offset: int
    local_time: datetime.time

    @property
    def key(self) -> str:
        return f"{self.kind}:d{self.day_offset}"


# Same evening "home safe?", mood the next day and on day 3, PHQ-2 on day 7.
DEFAULT_PLAN: tuple[PlanStep, ...] = (
    PlanStep(CheckInKind.HOME_SAFE, 0, datetime.time(19, 0)),
    PlanStep(CheckInKind.MOOD, 1, datetime.time(10, 0)),
    PlanStep(CheckInKind.MOOD, 3, datetime.time(10, 0)),
    PlanStep(CheckInKind.PHQ2, 7, datetime.time(10, 0)),
)


def checkin_plan_for(*, session_type: SessionType) -> list[PlanStep]:
    """The session type's own active steps; the default plan if it has none at all."""
    steps = list(CheckInStep.objects.filter(session_type=session_type).order_by("day_offset", "local_time"))
    if not steps:
        return list(DEFAULT_PLAN)
    return [PlanStep(step.kind, step.day_offset, step.local_time) for step in steps if step.is_active]


def patient_zone(appointment: Appointment) -> zoneinfo.ZoneInfo:
    return patient_timezone(appointment.patient, appointment.session_type.clinic)


def checkin_due_at(*, step: PlanStep, ends_at: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """When a step is due for a session that ended at `ends_at` (see the module docstring)."""
    day = ends_at.astimezone(tz).date() + datetime.timedelta(days=step.day_offset)
    # Built as wall-clock time in the zone, so a DST change between the session and the step is honoured.
    due = datetime.datetime.combine(day, step.local_time, tzinfo=tz).astimezone(datetime.UTC)
    earliest = ends_at + datetime.timedelta(minutes=settings.CHECKIN_MIN_MINUTES_AFTER_SESSION)
    return max(due, earliest)


def checkin_send_deadline(*, due: datetime.datetime, appointment: Appointment) -> datetime.datetime:
    """The last moment a check-in text written for `due` is still worth sending (see the module docstring)."""
    window = texting_window(timezone_name=appointment.patient.timezone, clinic=appointment.session_type.clinic)
    first_chance = window.next_allowed(due)
    return first_chance + datetime.timedelta(hours=settings.CHECKIN_LATE_START_GRACE_HOURS)
