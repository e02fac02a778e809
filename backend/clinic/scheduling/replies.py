"""Patients' one-word answers about their next session: confirm (C), reschedule (R), ride arranged (RIDE).

Each answer refers to the patient's next upcoming session. A reply that has nothing to act on is
answered helpfully; it is never dropped in silence.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.core.clinics import clinic_current, clinic_text_values
from clinic.core.languages import LANGUAGE_DEFAULT
from clinic.core.sweeps import sweep_row
from clinic.messaging.inbound import Routed, keyword_of, reply_language
from clinic.messaging.models import InboundMessage
from clinic.messaging.texts import text_render
from clinic.patients.models import Patient
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_open

from .models import Appointment
from .services import appointment_confirm
from .session_time import session_time_values

CONFIRM_WORDS = frozenset({"C", "YES", "CONFIRM", "CONFIRMED"})
RESCHEDULE_WORDS = frozenset({"R", "RESCHEDULE"})
RIDE_WORDS = frozenset({"RIDE", "DRIVER"})
UPCOMING = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)


def route_appointment_reply(message: InboundMessage) -> Routed | None:
    """C / YES / CONFIRM, R / RESCHEDULE and RIDE about the patient's next session (an inbound route)."""
    word = keyword_of(message.body)
    language = reply_language(message)
    if word in CONFIRM_WORDS:
        return Routed(InboundMessage.Route.CONFIRMATION, reply_confirm(phone=message.from_number, language=language))
    if word in RESCHEDULE_WORDS:
        reply = reply_reschedule(phone=message.from_number, language=language)
        return Routed(InboundMessage.Route.CONFIRMATION, reply)
    if word in RIDE_WORDS:
        return Routed(InboundMessage.Route.CONFIRMATION, reply_ride(phone=message.from_number, language=language))
    return None


def _number_shared(phone: str) -> bool:
    """Several patients have this number (a couple, a parent): a one-word reply cannot say whose visit."""
    return Patient.objects.filter(phone=phone).count() > 1


def _ask_whose_visit(language: str) -> str:
    return text_render("appointment_shared_number", language=language, **_values(None, language))


def _next_appointment(phone: str, *, now: datetime.datetime) -> Appointment | None:
    return (
        Appointment.objects.filter(patient__phone=phone, status__in=UPCOMING, starts_at__gt=now)
        .select_related("patient", "session_type__clinic")
        .order_by("starts_at")
        .first()
    )


def _values(appointment: Appointment | None, language: str) -> dict[str, str]:
    clinic = appointment.session_type.clinic if appointment else clinic_current()
    values = clinic_text_values(clinic)
    if appointment is not None:
        values.update(first_name=appointment.patient.first_name, **session_time_values(appointment, language))
    return values


@transaction.atomic
def reply_confirm(*, phone: str, language: str = LANGUAGE_DEFAULT, now: datetime.datetime | None = None) -> str:
    """Confirm the next session for this number and say so; ask about the ride home when one is needed."""
    if _number_shared(phone):
        return _ask_whose_visit(language)  # act on nobody's visit rather than guess
    appointment = _next_appointment(phone, now=now or timezone.now())
    if appointment is None:
        return text_render("appointment_nothing_to_confirm", language=language, **_values(None, language))
    if appointment.status == Appointment.Status.CONFIRMED:
        return text_render("appointment_already_confirmed", language=language, **_values(appointment, language))
    appointment_confirm(actor=Actor(user=None), appointment=appointment)
    if appointment.session_type.needs_driver and not appointment.driver_confirmed:
        return text_render("appointment_confirmed_ride", language=language, **_values(appointment, language))
    return text_render("appointment_confirmed", language=language, **_values(appointment, language))


@transaction.atomic
def reply_reschedule(*, phone: str, language: str = LANGUAGE_DEFAULT, now: datetime.datetime | None = None) -> str:
    """Open a call-back task for front desk; the session stays booked until staff move it."""
    if _number_shared(phone):
        return _ask_whose_visit(language)  # act on nobody's visit rather than guess
    appointment = _next_appointment(phone, now=now or timezone.now())
    if appointment is None:
        patient = Patient.objects.filter(phone=phone).order_by("-created_at").first()
        if patient is not None:
            staff_task_open(
                kind=StaffTask.Kind.UNMATCHED_CONFIRMATION,
                patient=patient,
                key=f"reschedule-without-visit:{patient.pk}:{timezone.localdate()}",
                detail="Asked to reschedule but has no upcoming visit: please call back.",
            )
        return text_render("appointment_nothing_to_reschedule", language=language, **_values(None, language))
    staff_task_open(
        kind=StaffTask.Kind.RESCHEDULE_REQUEST,
        patient=appointment.patient,
        appointment_id=appointment.pk,
        key=f"reschedule:{appointment.pk}:{int(appointment.starts_at.timestamp())}",
        detail="Asked by text to reschedule: please call to find a new time.",
    )
    return text_render("appointment_reschedule_requested", language=language, **_values(appointment, language))


@transaction.atomic
def reply_ride(*, phone: str, language: str = LANGUAGE_DEFAULT, now: datetime.datetime | None = None) -> str:
    if _number_shared(phone):
        return _ask_whose_visit(language)  # act on nobody's visit rather than guess
    appointment = _next_appointment(phone, now=now or timezone.now())
    if appointment is None:
        return text_render("appointment_nothing_to_confirm", language=language, **_values(None, language))
    Appointment.objects.filter(pk=appointment.pk).update(driver_confirmed=True)
    return text_render("ride_confirmed", language=language, **_values(appointment, language))


def drivers_unconfirmed_flag(*, now: datetime.datetime | None = None) -> int:
    """Flag to front desk every session within the next day that needs a driver nobody confirmed.

    Each session in its own savepoint: one that cannot be flagged is logged and the others still are.
    """
    now = now or timezone.now()
    flagged = 0
    unconfirmed = (
        Appointment.objects.filter(
            status__in=UPCOMING,
            session_type__needs_driver=True,
            driver_confirmed=False,
            starts_at__gt=now,
            starts_at__lte=now + datetime.timedelta(hours=24),
        )
        .select_related("patient")
        .order_by("starts_at", "id")
    )
    for appointment in unconfirmed:
        with sweep_row("unconfirmed drivers", appointment.pk):
            staff_task_open(
                kind=StaffTask.Kind.DRIVER_UNCONFIRMED,
                patient=appointment.patient,
                appointment_id=appointment.pk,
                key=f"driver:{appointment.pk}:{int(appointment.starts_at.timestamp())}",
                detail="Ride home not confirmed for tomorrow's session: please call the patient.",
            )
            flagged += 1
    return flagged
