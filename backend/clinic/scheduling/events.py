"""What happens elsewhere when a session changes: the one place other apps hook into the calendar.

The booking services call these inside their transaction, so whatever a hook writes (reminders,
check-ins in the outbox) commits or rolls back with the change that caused it. Add a consequence
by calling it from here, not with a Django signal.
"""

from __future__ import annotations

import datetime
import logging

from clinic.checkins.services import checkins_cancel_for, checkins_start_for

from . import reminders
from .models import Appointment

logger = logging.getLogger(__name__)


def appointment_booked(*, appointment: Appointment) -> None:
    logger.info("appointment booked", extra={"appointment_id": appointment.pk})
    reminders.reminders_schedule(appointment=appointment)


def appointment_rescheduled(*, appointment: Appointment, previous_starts_at: datetime.datetime) -> None:
    logger.info("appointment rescheduled", extra={"appointment_id": appointment.pk})
    reminders.reminders_cancel(appointment=appointment, starts_at=previous_starts_at, reason="appointment moved")
    reminders.reminders_schedule(appointment=appointment)


def appointment_confirmed(*, appointment: Appointment) -> None:
    logger.info("appointment confirmed", extra={"appointment_id": appointment.pk})


def appointment_cancelled(*, appointment: Appointment) -> None:
    logger.info("appointment cancelled", extra={"appointment_id": appointment.pk})
    reminders.reminders_cancel(appointment=appointment, starts_at=appointment.starts_at, reason="appointment cancelled")
    checkins_cancel_for(appointment=appointment)


def appointment_missed(*, appointment: Appointment) -> None:
    logger.info("appointment marked no-show", extra={"appointment_id": appointment.pk})
    reminders.reminders_cancel(appointment=appointment, starts_at=appointment.starts_at, reason="appointment missed")
    checkins_cancel_for(appointment=appointment, reason="appointment missed")


def appointment_completed(*, appointment: Appointment) -> None:
    logger.info("appointment completed", extra={"appointment_id": appointment.pk})
    reminders.reminders_cancel(appointment=appointment, starts_at=appointment.starts_at, reason="appointment completed")
    checkins_start_for(appointment=appointment)
