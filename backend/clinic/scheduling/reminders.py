"""Reminder texts for a booked session: when each one goes out, and withdrawing them.

When a reminder goes out (the rule, in one place):

1. Each of the session type's `reminder_hours` (default 48 and 3) is due that long before the start.
2. A due time outside texting hours (the clinic's, in the patient's time zone) moves to the nearest
   allowed moment that is still before the session: the same morning's opening, or the evening
   before (30 minutes before texting hours end), whichever is closer.
3. Reminders whose time has already passed at booking are replaced by one reminder sent now (or
   at the next allowed moment), so a booking made today for tomorrow morning still gets its
   reminder this evening.
4. A reminder is only worth sending at least `REMINDER_MIN_LEAD_MINUTES` before the start, and two
   reminders less than that apart collapse into the later one. A reminder is planned a few minutes
   (`DISPATCH_ALLOWANCE`) earlier than that latest moment, so the seconds a send takes never cross it.
5. At send time the same rule holds again: a reminder that slipped (workers down, a backlog, a night
   of deferral) to less than `REMINDER_MIN_LEAD_MINUTES` before the start is suppressed, not sent.

Reminders go by text or by email (`reminder_channel_for`): the patient's choice, else text with SMS
consent and email with email consent. Rows are written to the outbox in the booking's transaction.
Each row names the start it was written for, so a row for a time that no longer holds (moved,
cancelled) is never sent. The date and time in the text are written by `session_time.session_time_values`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from clinic.core.clinics import clinic_text_values
from clinic.core.models import Clinic
from clinic.messaging.email.wording import email_render_content
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_cancel_for, outbox_enqueue
from clinic.messaging.selectors import patient_email_state, patient_phone_state
from clinic.messaging.texting_hours import TextingWindow, texting_window
from clinic.messaging.texts import text_render
from clinic.messaging.wording import preparation_for_text
from clinic.patients.models import Patient

from .models import Appointment
from .patient_links import reminder_added_values
from .session_time import session_time_values

# A reminder is caused by its session; its related_id also names the start it was written for.
REMINDER_RELATED_TYPE = Appointment._meta.label_lower
REMINDABLE = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)
EVENING_MARGIN = datetime.timedelta(minutes=30)
DISPATCH_ALLOWANCE = datetime.timedelta(minutes=5)


def reminder_min_lead() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.REMINDER_MIN_LEAD_MINUTES)


def reminder_related_id(appointment_id: int, starts_at: datetime.datetime) -> str:
    """The session's id, then "@" and the start (a Unix timestamp) the reminder was written for."""
    return f"{appointment_id}@{int(starts_at.timestamp())}"


def _last_allowed_before(moment: datetime.datetime, window: TextingWindow) -> datetime.datetime:
    """The evening slot (texting end minus a margin) on or before the local day of `moment`."""
    local = moment.astimezone(window.tz)
    day = local.date() if local.time() >= window.ends else local.date() - datetime.timedelta(days=1)
    return datetime.datetime.combine(day, window.ends, tzinfo=window.tz).astimezone(datetime.UTC) - EVENING_MARGIN


def reminder_send_time(
    *,
    due: datetime.datetime,
    starts_at: datetime.datetime,
    now: datetime.datetime,
    window: TextingWindow,
) -> datetime.datetime | None:
    """When a reminder due at `due` goes out, or None if no useful moment is left (rules 2 to 4)."""
    starts_at, due, now = (moment.astimezone(datetime.UTC) for moment in (starts_at, due, now))
    latest = starts_at - reminder_min_lead() - DISPATCH_ALLOWANCE
    due = max(due, now)

    if window.allows(due):
        return due if due <= latest else None
    candidates = [window.next_allowed(due), _last_allowed_before(due, window)]
    useful = [moment for moment in candidates if now <= moment <= latest and window.allows(moment)]
    if not useful:
        return None
    return min(useful, key=lambda moment: abs(moment - due))


def _clinic_of(appointment: Appointment) -> Clinic:
    return appointment.session_type.clinic


def reminder_times(
    *, appointment: Appointment, now: datetime.datetime | None = None
) -> list[tuple[int, datetime.datetime]]:
    """(hours before, send time) for each reminder this session gets, earliest first (rules 1 to 4)."""
    now = now or timezone.now()
    window = texting_window(timezone_name=appointment.patient.timezone, clinic=_clinic_of(appointment))
    planned: list[tuple[int, datetime.datetime]] = []
    starts_at = appointment.starts_at.astimezone(datetime.UTC)  # real hours, not wall-clock ones
    for hours in sorted(appointment.session_type.reminder_hours, reverse=True):
        at = reminder_send_time(
            due=starts_at - datetime.timedelta(hours=hours),
            starts_at=starts_at,
            now=now,
            window=window,
        )
        if at is not None:
            planned.append((hours, at))
    # Rule 4: reminders closer together than the minimum lead collapse into the later one.
    lead = reminder_min_lead()
    kept: list[tuple[int, datetime.datetime]] = []
    for hours, at in sorted(planned, key=lambda item: item[1]):
        if kept and at - kept[-1][1] < lead:
            kept.pop()
        kept.append((hours, at))
    return kept


def _format_values(appointment: Appointment) -> dict[str, str]:
    """The reminder's values; `{link}` (and any other value an app above adds) comes from patient_links."""
    preparation = appointment.session_type.preparation_in(appointment.patient.language)
    return {
        **clinic_text_values(_clinic_of(appointment)),
        "first_name": appointment.patient.first_name,
        **session_time_values(appointment),
        "preparation": f"{preparation} " if preparation else "",
        **reminder_added_values(appointment),
    }


def _text_body(values: dict[str, str], language: str) -> str:
    """The reminder text: long preparation instructions are cut to fit the text (the link's page has them whole)."""
    preparation = preparation_for_text(values["preparation"].strip(), language)
    return text_render(
        "appointment_reminder", language=language, **{**values, "preparation": f"{preparation} " if preparation else ""}
    )


def reminder_channel_for(patient: Patient) -> str:
    """How this patient's reminders go: their choice, or (automatic) text with SMS consent, else email with
    email consent, else text (written, and suppressed at send time as before, so staff see why)."""
    Channel = OutboundMessage.Channel
    choice = patient.reminder_channel
    if choice in (Channel.SMS, Channel.EMAIL):
        return str(choice)
    if patient_phone_state(patient).can_text:
        return Channel.SMS
    return Channel.EMAIL if patient_email_state(patient).can_email else Channel.SMS


def _reminder_email(appointment: Appointment, values: dict[str, str]) -> tuple[str, str]:
    preparation = values["preparation"].strip()
    return email_render_content(
        "appointment_reminder",
        language=appointment.patient.language,
        **{**values, "preparation": f"{preparation}\n\n" if preparation else ""},
    )


def reminders_schedule(*, appointment: Appointment, now: datetime.datetime | None = None) -> list[OutboundMessage]:
    """Write this session's reminders to the outbox (in the caller's transaction). Safe to run twice."""
    if appointment.status not in REMINDABLE:
        return []
    times = reminder_times(appointment=appointment, now=now)
    if not times:
        return []
    values = _format_values(appointment)
    related_id = reminder_related_id(appointment.pk, appointment.starts_at)
    if reminder_channel_for(appointment.patient) == OutboundMessage.Channel.EMAIL:
        subject, body = _reminder_email(appointment, values)
        return [
            outbox_enqueue(
                kind=OutboundMessage.Kind.REMINDER,
                template="appointment_reminder",
                channel=OutboundMessage.Channel.EMAIL,
                to_email=appointment.patient.email,
                subject=subject,
                body=body,
                language=appointment.patient.language,
                clinic=appointment.session_type.clinic,
                idempotency_key=f"reminder:{related_id}:{hours}h:email",
                send_after=at,
                patient_id=appointment.patient_id,
                related_type=REMINDER_RELATED_TYPE,
                related_id=related_id,
            )
            for hours, at in times
        ]
    body = _text_body(values, appointment.patient.language)
    return [
        outbox_enqueue(
            kind=OutboundMessage.Kind.REMINDER,
            template="appointment_reminder",
            to_number=appointment.patient.phone,
            body=body,
            language=appointment.patient.language,
            clinic=appointment.session_type.clinic,
            idempotency_key=f"reminder:{related_id}:{hours}h",
            send_after=at,
            patient_id=appointment.patient_id,
            related_type=REMINDER_RELATED_TYPE,
            related_id=related_id,
        )
        for hours, at in times
    ]


def reminders_rewrite_for_patient(*, patient_id: int, language: str) -> int:
    """Write the patient's reminders that wait in the outbox again, in `language` (their language changed).

    Only rows still scheduled: one a worker may hold already goes as it is. Returns how many were rewritten.
    """
    rewritten = 0
    upcoming = Appointment.objects.filter(patient_id=patient_id, status__in=REMINDABLE).select_related(
        "patient", "session_type__clinic"
    )
    for appointment in upcoming:
        waiting = OutboundMessage.objects.filter(
            related_type=REMINDER_RELATED_TYPE,
            related_id=reminder_related_id(appointment.pk, appointment.starts_at),
            status=OutboundMessage.Status.SCHEDULED,
        )
        if not waiting.exists():
            continue
        values = _format_values(appointment)
        body = _text_body(values, language)
        rewritten += waiting.filter(channel=OutboundMessage.Channel.SMS).update(body=body, language=language)
        subject, email_body = _reminder_email(appointment, values)
        rewritten += waiting.filter(channel=OutboundMessage.Channel.EMAIL).update(
            subject=subject, body=email_body, language=language
        )
    return rewritten


def reminders_cancel(*, appointment: Appointment, starts_at: datetime.datetime, reason: str) -> int:
    """Withdraw the reminders written for the session at `starts_at` that have not gone out yet."""
    return outbox_cancel_for(
        related_type=REMINDER_RELATED_TYPE, related_id=reminder_related_id(appointment.pk, starts_at), reason=reason
    )


def reminder_cause_problem(related_id: str) -> str:
    """Checked again at send time: is the session still on, at that time, and far enough away (rule 5)?"""
    appointment_id, _, timestamp = related_id.partition("@")
    appointment = Appointment.objects.filter(pk=int(appointment_id)).only("status", "starts_at").first()
    if appointment is None:
        return "appointment deleted"
    if appointment.status not in REMINDABLE:
        return f"appointment {appointment.status}"
    if timestamp and str(int(appointment.starts_at.timestamp())) != timestamp:
        return "appointment moved"
    now = timezone.now()
    if appointment.starts_at <= now:
        return "too late: appointment already started"
    if appointment.starts_at - now < reminder_min_lead():
        # e.g. the row waited out a worker outage: a reminder minutes before the session helps nobody.
        return f"too late: starts within {settings.REMINDER_MIN_LEAD_MINUTES} min"
    return ""
