"""Writes from a session's link: issuing the link, and the patient confirming, cancelling or moving the session.

The work is done by the same services as the staff API (scheduling.services): they check the rules, write the
audit trail (naming the patient, by link, as the actor) and re-plan the reminders. What is added here is what
only a link needs: the location's cancellation window, the times the page offered, and a move made from a page
that is out of date.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.core.clinics import clinic_text_values
from clinic.core.link_tokens import link_token_digest, link_token_new
from clinic.messaging.texts import text_render
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_cancel, appointment_confirm, appointment_reschedule
from clinic.scheduling.session_time import session_time_values
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_open
from clinic.waitlist.models import WaitlistEntry
from clinic.waitlist.selectors import waitlist_enabled_for
from clinic.waitlist.services import waitlist_join, waitlist_remove

from .models import VisitLink, VisitLinkPolicy
from .selectors import UPCOMING, visit_policy, visit_state, visit_time_offered
from .tokens import visit_link_url

# How the audit trail names who acted from a link (no staff member did).
PATIENT_BY_LINK = "the patient, by link"
# How a waitlist entry made from the page names who asked (WaitlistEntry.source).
WAITLIST_SOURCE = "patient_link"


class ChangeRefused(Exception):
    """The page asked for something this session cannot have now; `reason` says which page to show."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def visit_link_issue(*, appointment: Appointment, purpose: str) -> str:
    """Make a new link to this session and return it (the token is shown once, here; only its hash is kept)."""
    token = link_token_new()
    VisitLink.objects.create(appointment=appointment, token_hash=link_token_digest(token), purpose=purpose)
    return visit_link_url(token)


def patient_actor(ip: str | None) -> Actor:
    return Actor(user=None, ip=ip, via=PATIENT_BY_LINK)


def _locked(link: VisitLink) -> tuple[Appointment, VisitLinkPolicy]:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("session_type__clinic", "patient", "provider", "room")
        .get(pk=link.appointment_id)
    )
    return appointment, visit_policy(appointment.session_type.clinic)


def _touch(link: VisitLink) -> None:
    VisitLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


@transaction.atomic
def visit_confirm(*, link: VisitLink, ip: str | None) -> Appointment:
    appointment, policy = _locked(link)
    if not visit_state(appointment, policy).upcoming:
        raise ChangeRefused("not_upcoming")
    if appointment.status == Appointment.Status.CONFIRMED:
        return appointment  # a second tap (or a second tab) changes nothing
    _touch(link)
    return appointment_confirm(actor=patient_actor(ip), appointment=appointment)


@transaction.atomic
def visit_cancel(*, link: VisitLink, ip: str | None) -> Appointment:
    """Cancel from the link, unless it is inside the cancellation window and the location asks for a call."""
    appointment, policy = _locked(link)
    state = visit_state(appointment, policy)
    if not state.upcoming:
        raise ChangeRefused("not_upcoming")
    if state.changes_by_phone:
        raise ChangeRefused("late")
    reason = "Cancelled by the patient from their link"
    if state.late:
        reason += f" (late: within {policy.cancellation_window_hours} h of the start)"
    _touch(link)
    return appointment_cancel(actor=patient_actor(ip), appointment=appointment, reason=reason)


@transaction.atomic
def visit_move(
    *, link: VisitLink, ip: str | None, starts_at: datetime.datetime, seen_starts_at: datetime.datetime
) -> Appointment:
    """Move the session to a time the page offered.

    `seen_starts_at` is the session's start the page was showing: if it moved meanwhile (another tab, front
    desk), nothing is changed ("changed"). A time no longer free is "taken"; the caller shows fresh times.
    Raises BookingConflict when another booking won the time in the same instant (the scheduling service's
    calendar lock and PostgreSQL's exclusion constraints decide: one winner).
    """
    appointment, policy = _locked(link)
    state = visit_state(appointment, policy)
    if not state.upcoming:
        raise ChangeRefused("not_upcoming")
    if appointment.starts_at != seen_starts_at:
        raise ChangeRefused("changed")
    if state.changes_by_phone:
        raise ChangeRefused("late")
    if not visit_time_offered(appointment, policy, starts_at):
        raise ChangeRefused("taken")
    try:
        moved = appointment_reschedule(actor=patient_actor(ip), appointment=appointment, starts_at=starts_at)
    except ValidationError as error:  # a rule the offer could not foresee (the clock, the series): not this time
        raise ChangeRefused("taken") from error
    _touch(link)
    return moved


@transaction.atomic
def visit_earlier_set(*, link: VisitLink, ip: str | None, wanted: bool) -> bool:
    """Tick or untick "earlier if possible": the session waits on the location's waitlist for an earlier time
    with the same provider (clinic.waitlist offers it by text). Returns whether it is now on the list."""
    appointment, policy = _locked(link)
    if not visit_state(appointment, policy).upcoming or not waitlist_enabled_for(appointment.session_type.clinic_id):
        raise ChangeRefused("not_upcoming")
    actor = patient_actor(ip)
    _touch(link)
    if wanted:
        try:
            waitlist_join(
                actor=actor,
                patient=appointment.patient,
                session_type=appointment.session_type,
                appointment=appointment,
                providers=[appointment.provider],
                source=WAITLIST_SOURCE,
            )
        except ValidationError as error:  # e.g. the provider stopped taking bookings
            raise ChangeRefused("not_upcoming") from error
        return True
    for entry in visit_earlier_entries(appointment):
        waitlist_remove(actor=actor, entry=entry, reason="unticked by the patient on their link")
    return False


def visit_earlier_entries(appointment: Appointment) -> list[WaitlistEntry]:
    """The session's active "earlier if possible" entries."""
    return list(WaitlistEntry.objects.filter(appointment=appointment, status=WaitlistEntry.Status.ACTIVE))


@transaction.atomic
@transaction.atomic
def visit_call_back_request(*, link: VisitLink) -> None:
    """No offered time suits the patient (or none keeps the series' spacing): front desk calls them."""
    appointment, policy = _locked(link)
    if not visit_state(appointment, policy).upcoming:
        raise ChangeRefused("not_upcoming")
    _touch(link)
    staff_task_open(
        kind=StaffTask.Kind.RESCHEDULE_REQUEST,
        patient=appointment.patient,
        appointment_id=appointment.pk,
        key=f"reschedule:{appointment.pk}:{int(appointment.starts_at.timestamp())}",
        detail="Asked from their visit link for another time: please call to find one.",
    )


def visit_link_reminder_values(appointment: Appointment) -> dict[str, str]:
    """`{link}` for a reminder text (registered with scheduling.patient_links)."""
    return {"link": visit_link_issue(appointment=appointment, purpose=VisitLink.Purpose.REMINDER)}


def visit_link_reschedule_answer(appointment: Appointment, language: str) -> str:
    """The answer to "R" / "can we move it" for one patient's coming session: its link (registered with
    scheduling.patient_links); "" for a session the link cannot change, so front desk calls back."""
    if appointment.status not in UPCOMING or appointment.starts_at <= timezone.now():
        return ""
    link = visit_link_issue(appointment=appointment, purpose=VisitLink.Purpose.REPLY)
    values = {
        **clinic_text_values(appointment.session_type.clinic),
        **session_time_values(appointment, language),
        "link": link,
    }
    return text_render("visit_link_reschedule", language=language, **values)
