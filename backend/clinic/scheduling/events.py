"""What happens elsewhere when a session changes: the one place other apps hook into the calendar.

The booking services call these inside their transaction, and so are the subscribers called: whatever a
subscriber writes (check-ins in the outbox, say) commits or rolls back with the change that caused it,
and a subscriber that raises rolls the change back. Not Django signals, whose receivers' failures can be
swallowed and whose order no one reads. Apps above scheduling subscribe in their AppConfig.ready().
"""

from __future__ import annotations

import datetime
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from . import reminders
from .models import Appointment

logger = logging.getLogger(__name__)


class AppointmentEvent(enum.StrEnum):
    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    MISSED = "missed"
    COMPLETED = "completed"


@dataclass(frozen=True)
class AppointmentChange:
    """What a subscriber hears: the event, the session as it is now, and (rescheduled) where it was: its
    start, provider and room before the move (the waitlist offers the time it left)."""

    event: AppointmentEvent
    appointment: Appointment
    previous_starts_at: datetime.datetime | None = None
    previous_provider_id: int | None = None
    previous_room_id: int | None = None


AppointmentSubscriber = Callable[[AppointmentChange], None]
SUBSCRIBERS: dict[AppointmentEvent, list[AppointmentSubscriber]] = {event: [] for event in AppointmentEvent}


def appointment_subscribe(event: AppointmentEvent, subscriber: AppointmentSubscriber) -> None:
    if subscriber not in SUBSCRIBERS[event]:
        SUBSCRIBERS[event].append(subscriber)


def _publish(change: AppointmentChange) -> None:
    logger.info("appointment %s", change.event.value, extra={"appointment_id": change.appointment.pk})
    for subscriber in SUBSCRIBERS[change.event]:
        subscriber(change)


def appointment_booked(*, appointment: Appointment) -> None:
    reminders.reminders_schedule(appointment=appointment)
    _publish(AppointmentChange(AppointmentEvent.BOOKED, appointment))


def appointment_rescheduled(
    *,
    appointment: Appointment,
    previous_starts_at: datetime.datetime,
    previous_provider_id: int | None = None,
    previous_room_id: int | None = None,
) -> None:
    reminders.reminders_cancel(appointment=appointment, starts_at=previous_starts_at, reason="appointment moved")
    reminders.reminders_schedule(appointment=appointment)
    _publish(
        AppointmentChange(
            AppointmentEvent.RESCHEDULED,
            appointment,
            previous_starts_at=previous_starts_at,
            previous_provider_id=previous_provider_id,
            previous_room_id=previous_room_id,
        )
    )


def appointment_confirmed(*, appointment: Appointment) -> None:
    _publish(AppointmentChange(AppointmentEvent.CONFIRMED, appointment))


def appointment_cancelled(*, appointment: Appointment) -> None:
    reminders.reminders_cancel(appointment=appointment, starts_at=appointment.starts_at, reason="appointment cancelled")
    _publish(AppointmentChange(AppointmentEvent.CANCELLED, appointment))


def appointment_missed(*, appointment: Appointment) -> None:
    reminders.reminders_cancel(appointment=appointment, starts_at=appointment.starts_at, reason="appointment missed")
    _publish(AppointmentChange(AppointmentEvent.MISSED, appointment))


def appointment_completed(*, appointment: Appointment) -> None:
    reminders.reminders_cancel(appointment=appointment, starts_at=appointment.starts_at, reason="appointment completed")
    _publish(AppointmentChange(AppointmentEvent.COMPLETED, appointment))
