"""Reads behind a session's page: the link's session, the location's rules for changes, and the times offered."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from clinic.core.clinics import clinic_timezone
from clinic.core.link_tokens import link_token_digest, link_token_well_formed
from clinic.core.models import Clinic
from clinic.scheduling.availability import Slot, availability_for
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_reschedule_problem, series_spacing_rule

from .models import VisitLink, VisitLinkPolicy

UPCOMING = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)
# Other times are offered a week at a time, so a phone shows a short list.
DAYS_PER_PAGE = 7


def visit_link_find(token: str, *, now: datetime.datetime | None = None) -> VisitLink | None:
    """The link this token opens, or None: unknown, malformed, or its session has started (expired).

    The caller answers every None the same way: nobody learns whether a token ever existed.
    """
    if not link_token_well_formed(token):
        return None
    link = (
        VisitLink.objects.select_related(
            "appointment__patient", "appointment__session_type__clinic", "appointment__provider", "appointment__room"
        )
        .filter(token_hash=link_token_digest(token))
        .first()
    )
    if link is None or link.appointment.starts_at <= (now or timezone.now()):
        return None  # a link works until its session starts (its current start, after any move)
    return link


def visit_policy(clinic: Clinic) -> VisitLinkPolicy:
    """The location's rules for changes by link; the defaults when it has set none."""
    policy = VisitLinkPolicy.objects.filter(clinic=clinic).first()
    return policy if policy is not None else VisitLinkPolicy(clinic=clinic)


def visit_change_is_late(
    appointment: Appointment, policy: VisitLinkPolicy, *, now: datetime.datetime | None = None
) -> bool:
    """Is cancelling or moving this session now inside the location's cancellation window?"""
    window = datetime.timedelta(hours=policy.cancellation_window_hours)
    return appointment.starts_at - (now or timezone.now()) < window


@dataclass(frozen=True)
class VisitState:
    """What the page may offer for this session now."""

    upcoming: bool  # scheduled or confirmed, and not started
    late: bool  # inside the cancellation window
    changes_by_phone: bool  # late, and the location asks for a call


def visit_state(
    appointment: Appointment, policy: VisitLinkPolicy, *, now: datetime.datetime | None = None
) -> VisitState:
    now = now or timezone.now()
    upcoming = appointment.status in UPCOMING and appointment_reschedule_problem(appointment, now=now) == ""
    late = upcoming and visit_change_is_late(appointment, policy, now=now)
    return VisitState(
        upcoming=upcoming, late=late, changes_by_phone=late and policy.late_change == VisitLinkPolicy.LateChange.CALL
    )


def visit_times(
    appointment: Appointment,
    policy: VisitLinkPolicy,
    *,
    page: int = 0,
    now: datetime.datetime | None = None,
) -> list[Slot]:
    """Free times for this session within the location's horizon, one week (`page`) at a time.

    The same session type, provider and chair rules as the session (scheduling.availability), free for the
    patient too, and for a session of a series only times that keep the series' spacing and span.
    """
    now = now or timezone.now()
    tz = clinic_timezone(appointment.session_type.clinic)
    today = now.astimezone(tz).date()
    last_day = today + datetime.timedelta(days=policy.horizon_days)
    first = today + datetime.timedelta(days=DAYS_PER_PAGE * page)
    if page < 0 or first > last_day:
        return []
    slots = availability_for(
        session_type=appointment.session_type,
        provider=appointment.provider,
        date_from=first,
        date_to=min(first + datetime.timedelta(days=DAYS_PER_PAGE - 1), last_day),
        patient_id=appointment.patient_id,
        exclude_appointment_id=appointment.pk,
        now=now,
    )
    keeps_series = series_spacing_rule(appointment)
    return [slot for slot in slots if slot.starts_at != appointment.starts_at and not keeps_series(slot.starts_at)]


def visit_time_pages(policy: VisitLinkPolicy) -> int:
    """How many weeks of times the horizon spans."""
    return policy.horizon_days // DAYS_PER_PAGE + 1


def visit_time_page(appointment: Appointment, starts_at: datetime.datetime, *, now: datetime.datetime) -> int:
    """Which week of times (see visit_times) lists `starts_at`."""
    tz = clinic_timezone(appointment.session_type.clinic)
    return max((starts_at.astimezone(tz).date() - now.astimezone(tz).date()).days, 0) // DAYS_PER_PAGE


def visit_time_offered(
    appointment: Appointment,
    policy: VisitLinkPolicy,
    starts_at: datetime.datetime,
    *,
    now: datetime.datetime | None = None,
) -> bool:
    """Would the page offer `starts_at` now? Only a time it offers can be picked: real, free, within the horizon."""
    now = now or timezone.now()
    page = visit_time_page(appointment, starts_at, now=now)
    return any(slot.starts_at == starts_at for slot in visit_times(appointment, policy, page=page, now=now))
