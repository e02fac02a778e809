"""Writing questionnaires: from the session type's plans as sessions are booked, moved and cancelled; sent
by a clinician; expired when their link ends. Every write happens in the caller's transaction, texts
included (the outbox), so a rolled-back booking leaves no questionnaire and no text behind.

What a session change does (the rule, in one function each):
- `questionnaires_follow_appointment` (booked, rescheduled, cancelled, missed): makes the session's
  questionnaires, its series' baseline and its series' follow-ups what the plans ask for now, creating,
  moving or cancelling them. Safe to run twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_text_values
from clinic.core.languages import language_supported
from clinic.core.link_tokens import link_token_digest, link_token_new
from clinic.core.models import Clinic
from clinic.core.sweeps import sweep_row
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_cancel_for, outbox_enqueue
from clinic.messaging.texting_hours import TextingWindow, texting_window
from clinic.messaging.texts import text_render
from clinic.patients.models import Patient
from clinic.scheduling.events import AppointmentChange
from clinic.scheduling.models import Appointment, Series, SessionType

from .instruments import INSTRUMENTS
from .models import MeasurePlan, QuestionnaireAssignment
from .texts import QUESTIONNAIRE_LINK, QUESTIONNAIRE_REMINDER
from .timing import Timing, timing_after_series, timing_before_session, timing_now

logger = logging.getLogger(__name__)

Assignment = QuestionnaireAssignment
Purpose = QuestionnaireAssignment.Purpose
Status = QuestionnaireAssignment.Status
RELATED_TYPE = QuestionnaireAssignment._meta.label_lower
# Sessions that are still coming: they get questionnaires before them.
COMING = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)
LINK_PATH = "/q/"
# A link text in one of these never reached the patient: its questionnaire may start again with a new link.
NOT_SENT = (OutboundMessage.Status.SCHEDULED, OutboundMessage.Status.CANCELLED, OutboundMessage.Status.SUPPRESSED)
TOKEN_BYTES = 24  # 32 URL-safe characters: guessing one is hopeless, and the text stays short


# --- The link ----------------------------------------------------------------------------------------


def questionnaire_link(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{LINK_PATH}{token}"


def _message_key(assignment_id: int, which: str) -> str:
    return f"questionnaire:{assignment_id}:{which}"


def _clinic_for(patient: Patient, appointment: Appointment | None) -> Clinic | None:
    return appointment.session_type.clinic if appointment is not None else patient.clinic


def _window(patient: Patient, clinic: Clinic | None) -> TextingWindow:
    return texting_window(timezone_name=patient.timezone, clinic=clinic)


def _texts_write(
    assignment: QuestionnaireAssignment, *, token: str, timing: Timing, clinic: Clinic | None
) -> list[OutboundMessage]:
    """Write the link's text and its one reminder to the outbox (the only place the token is kept)."""
    patient = assignment.patient
    values = {**clinic_text_values(clinic), "first_name": patient.first_name, "link": questionnaire_link(token)}
    sends = [(QUESTIONNAIRE_LINK, "link", timing.due_at)]
    if timing.remind_at is not None:
        sends.append((QUESTIONNAIRE_REMINDER, "reminder", timing.remind_at))
    return [
        outbox_enqueue(
            # A check-in kind: routine priority, and its body (the link) is for clinicians' eyes only.
            kind=OutboundMessage.Kind.CHECKIN,
            template=name,
            to_number=patient.phone,
            body=text_render(name, language=assignment.language, **values),
            language=assignment.language,
            clinic=clinic,
            idempotency_key=_message_key(assignment.pk, which),
            send_after=at,
            patient_id=patient.pk,
            related_type=RELATED_TYPE,
            related_id=str(assignment.pk),
            created_by=assignment.created_by,
        )
        for name, which, at in sends
    ]


def assignment_create(
    *,
    patient: Patient,
    instrument: str,
    purpose: str,
    timing: Timing,
    appointment: Appointment | None = None,
    series: Series | None = None,
    plan: MeasurePlan | None = None,
    weeks_after: int | None = None,
    created_by: User | None = None,
) -> QuestionnaireAssignment:
    """Create one questionnaire with a fresh link, and write its text and reminder to the outbox."""
    if instrument not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {instrument!r}")
    token = link_token_new(TOKEN_BYTES)
    assignment = QuestionnaireAssignment.objects.create(
        patient=patient,
        instrument=instrument,
        purpose=purpose,
        plan=plan,
        appointment=appointment,
        series=series,
        weeks_after=weeks_after,
        language=language_supported(patient.language),
        due_at=timing.due_at,
        expires_at=timing.expires_at,
        token_hash=link_token_digest(token),
        created_by=created_by,
    )
    _texts_write(assignment, token=token, timing=timing, clinic=_clinic_for(patient, appointment))
    return assignment


def assignment_cancel(*, assignment: QuestionnaireAssignment, reason: str) -> bool:
    """Cancel an open questionnaire and its pending texts; False if it was no longer open."""
    changed = QuestionnaireAssignment.objects.filter(pk=assignment.pk, status__in=Assignment.OPEN_STATUSES).update(
        status=Status.CANCELLED
    )
    outbox_cancel_for(related_type=RELATED_TYPE, related_id=str(assignment.pk), reason=reason)
    if changed:
        assignment.status = Status.CANCELLED
    return bool(changed)


def _link_sent(assignment: QuestionnaireAssignment) -> bool:
    return (
        OutboundMessage.objects.filter(idempotency_key=_message_key(assignment.pk, "link"))
        .exclude(status__in=NOT_SENT)
        .exists()
    )


def assignment_move(
    *, assignment: QuestionnaireAssignment, timing: Timing, appointment: Appointment | None = None
) -> QuestionnaireAssignment:
    """Follow a moved session (or series). Before its text went out, the questionnaire starts again with a
    new link and new texts; after, its link keeps working until the new end and its reminder follows."""
    target = appointment or assignment.appointment
    if (assignment.due_at, assignment.expires_at, assignment.appointment_id) == (
        timing.due_at,
        timing.expires_at,
        target.pk if target else None,
    ):
        return assignment
    assignment.appointment = target
    assignment.expires_at = timing.expires_at
    if assignment.status == Status.SCHEDULED and not _link_sent(assignment):
        outbox_cancel_for(related_type=RELATED_TYPE, related_id=str(assignment.pk), reason="questionnaire moved")
        # The cancelled rows keep their idempotency keys, so the moved questionnaire is a new row and link.
        assignment.status = Status.CANCELLED
        assignment.save(update_fields=["status"])
        return assignment_create(
            patient=assignment.patient,
            instrument=assignment.instrument,
            purpose=assignment.purpose,
            timing=timing,
            appointment=target,
            series=assignment.series,
            plan=assignment.plan,
            weeks_after=assignment.weeks_after,
            created_by=assignment.created_by,
        )
    assignment.save(update_fields=["appointment", "expires_at"])
    reminder = OutboundMessage.objects.filter(
        idempotency_key=_message_key(assignment.pk, "reminder"), status=OutboundMessage.Status.SCHEDULED
    )
    if timing.remind_at is not None:
        reminder.update(send_after=timing.remind_at)
    else:
        reminder.update(
            status=OutboundMessage.Status.CANCELLED, suppressed_reason="questionnaire moved", finished_at=timezone.now()
        )
    return assignment


# --- Following the calendar ------------------------------------------------------------------------------


def _plans(session_type: SessionType, when: str) -> list[MeasurePlan]:
    return list(
        MeasurePlan.objects.filter(session_type=session_type, when=when, is_active=True).order_by(
            "instrument", "weeks_after"
        )
    )


def _open(queryset: Iterable[QuestionnaireAssignment]) -> list[QuestionnaireAssignment]:
    return [assignment for assignment in queryset if assignment.is_open]


def _baseline_target(appointment: Appointment) -> Appointment | None:
    """The session a baseline goes before: the series' first coming session, or (no series) the patient's
    first session of this type, if it is still coming."""
    if appointment.series_id is not None:
        candidates = Appointment.objects.filter(series_id=appointment.series_id)
    else:
        candidates = Appointment.objects.filter(
            patient_id=appointment.patient_id, session_type_id=appointment.session_type_id
        )
    first = (
        # A session missed does not count: the next one still needs the baseline the patient never gave.
        candidates.exclude(status__in=(Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW))
        .select_related("patient", "session_type__clinic")
        .order_by("starts_at", "pk")
        .first()
    )
    return first if first is not None and first.status in COMING else None


def _baselines_existing(appointment: Appointment, instrument: str) -> list[QuestionnaireAssignment]:
    found = QuestionnaireAssignment.objects.filter(
        patient_id=appointment.patient_id, instrument=instrument, purpose=Purpose.BASELINE
    ).exclude(status=Status.CANCELLED)
    if appointment.series_id is not None:
        found = found.filter(series_id=appointment.series_id)
    else:
        found = found.filter(series__isnull=True, appointment__session_type_id=appointment.session_type_id)
    return list(found.select_for_update().order_by("pk"))


def _baseline_sync(appointment: Appointment, now: datetime.datetime) -> set[tuple[int, str]]:
    """Make the baselines what the plans ask; return the (session, instrument) pairs they cover."""
    covered: set[tuple[int, str]] = set()
    target = _baseline_target(appointment)
    for plan in _plans(appointment.session_type, MeasurePlan.When.BASELINE):
        existing = _baselines_existing(appointment, plan.instrument)
        done = [a for a in existing if a.status == Status.COMPLETED]
        if done:
            covered.update((a.appointment_id, plan.instrument) for a in done if a.appointment_id is not None)
            continue
        timing = (
            timing_before_session(
                starts_at=target.starts_at, window=_window(target.patient, target.session_type.clinic), now=now
            )
            if target is not None
            else None
        )
        current = _open(existing)
        if timing is None or target is None:
            for assignment in current:
                assignment_cancel(assignment=assignment, reason="no coming session for a baseline")
            continue
        covered.add((target.pk, plan.instrument))
        if current:
            assignment_move(assignment=current[0], timing=timing, appointment=target)
            for extra in current[1:]:
                assignment_cancel(assignment=extra, reason="a second baseline")
        else:
            assignment_create(
                patient=target.patient,
                instrument=plan.instrument,
                purpose=Purpose.BASELINE,
                timing=timing,
                appointment=target,
                series=target.series,
                plan=plan,
            )
    return covered


def _pre_session_sync(appointment: Appointment, covered: set[tuple[int, str]], now: datetime.datetime) -> None:
    existing = list(
        QuestionnaireAssignment.objects.select_for_update()
        .filter(appointment=appointment, purpose=Purpose.PRE_SESSION)
        .exclude(status=Status.CANCELLED)
    )
    timing = None
    if appointment.status in COMING:
        timing = timing_before_session(
            starts_at=appointment.starts_at,
            window=_window(appointment.patient, appointment.session_type.clinic),
            now=now,
        )
    wanted = {
        plan.instrument: plan
        for plan in _plans(appointment.session_type, MeasurePlan.When.BEFORE_EACH)
        # The baseline before this session asks the same questions: once is enough.
        if (appointment.pk, plan.instrument) not in covered
    }
    for assignment in _open(existing):
        if timing is None or assignment.instrument not in wanted:
            assignment_cancel(assignment=assignment, reason=f"appointment {appointment.status}")
        else:
            assignment_move(assignment=assignment, timing=timing)
    if timing is None:
        return
    have = {assignment.instrument for assignment in existing}
    for instrument, plan in wanted.items():
        if instrument not in have:
            assignment_create(
                patient=appointment.patient,
                instrument=instrument,
                purpose=Purpose.PRE_SESSION,
                timing=timing,
                appointment=appointment,
                series=appointment.series,
                plan=plan,
            )


def _follow_ups_sync(appointment: Appointment, now: datetime.datetime) -> None:
    """Follow-ups go N weeks after the series' last session (not cancelled); none for a session outside a series."""
    if appointment.series_id is None:
        return
    last = (
        Appointment.objects.filter(series_id=appointment.series_id)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "session_type__clinic")
        .order_by("-starts_at", "-pk")
        .first()
    )
    existing = list(
        QuestionnaireAssignment.objects.select_for_update()
        .filter(series_id=appointment.series_id, purpose=Purpose.FOLLOW_UP)
        .exclude(status=Status.CANCELLED)
    )
    plans = _plans(appointment.session_type, MeasurePlan.When.AFTER_SERIES)
    for plan in plans:
        weeks = plan.weeks_after or 0
        mine = [a for a in existing if a.instrument == plan.instrument and a.weeks_after == weeks]
        if any(a.status == Status.COMPLETED for a in mine):
            continue
        timing = None
        if last is not None:
            timing = timing_after_series(
                last_starts_at=last.starts_at,
                weeks_after=weeks,
                window=_window(last.patient, last.session_type.clinic),
                now=now,
            )
        current = _open(mine)
        if timing is None or last is None:
            for assignment in current:
                assignment_cancel(assignment=assignment, reason="series cancelled")
        elif current:
            assignment_move(assignment=current[0], timing=timing, appointment=last)
        else:
            assignment_create(
                patient=last.patient,
                instrument=plan.instrument,
                purpose=Purpose.FOLLOW_UP,
                timing=timing,
                appointment=last,
                series=last.series,
                plan=plan,
                weeks_after=weeks,
            )
    planned = {(plan.instrument, plan.weeks_after) for plan in plans}
    for assignment in _open(existing):
        if (assignment.instrument, assignment.weeks_after) not in planned:
            assignment_cancel(assignment=assignment, reason="no longer planned")


def questionnaires_follow_appointment(change: AppointmentChange) -> None:
    """Make a session's questionnaires (and its series') what the plans ask, after it was booked, moved,
    cancelled or missed. Runs inside the booking's transaction."""
    appointment = Appointment.objects.select_related("patient", "session_type__clinic", "series").get(
        pk=change.appointment.pk
    )
    now = timezone.now()
    covered = _baseline_sync(appointment, now)
    _pre_session_sync(appointment, covered, now)
    # A baseline that moved to another session of the series replaces that session's "before each".
    for other_id in sorted({pk for pk, _ in covered} - {appointment.pk}):
        other = Appointment.objects.select_related("patient", "session_type__clinic", "series").get(pk=other_id)
        _pre_session_sync(other, covered, now)
    _follow_ups_sync(appointment, now)


def questionnaires_rewrite_for_patient(*, patient_id: int, language: str) -> int:
    """Write the patient's questionnaire texts that wait in the outbox again, in `language` (their language
    changed), with the same link; the page follows the new language too. Returns how many were rewritten."""
    language = language_supported(language)
    rewritten = 0
    open_ones = QuestionnaireAssignment.objects.filter(patient_id=patient_id, status__in=Assignment.OPEN_STATUSES)
    for assignment in open_ones.select_related("patient", "appointment__session_type__clinic"):
        QuestionnaireAssignment.objects.filter(pk=assignment.pk).update(language=language)
        values = {
            **clinic_text_values(_clinic_for(assignment.patient, assignment.appointment)),
            "first_name": assignment.patient.first_name,
        }
        waiting = OutboundMessage.objects.filter(
            related_type=RELATED_TYPE, related_id=str(assignment.pk), status=OutboundMessage.Status.SCHEDULED
        )
        for message in waiting:
            # The token lives only in the text: the new wording carries the link the old one had.
            link = next((word for word in message.body.split() if f"{LINK_PATH}" in word), "")
            if not link:
                continue
            body = text_render(message.template, language=language, **values, link=link)
            rewritten += OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SCHEDULED).update(
                body=body, language=language
            )
    return rewritten


# --- Sent by a clinician ---------------------------------------------------------------------------------


def assignment_send_now(*, actor: Actor, patient: Patient, instrument: str) -> QuestionnaireAssignment:
    """Send a questionnaire now (texting hours permitting), on a clinician's request; audited."""
    now = timezone.now()
    with transaction.atomic():
        assignment = assignment_create(
            patient=patient,
            instrument=instrument,
            purpose=Purpose.ON_DEMAND,
            timing=timing_now(window=_window(patient, patient.clinic), now=now),
            created_by=actor.user_or_none,
        )
        audit_by(actor, action=AuditEvent.Action.CREATE, target=assignment, detail="questionnaire sent now")
    return assignment


# --- The sweep: expired links, links sent ------------------------------------------------------------------


def questionnaires_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Mark questionnaires whose link went out as sent (and when their reminder went), and open ones whose link
    ended as expired."""
    now = now or timezone.now()
    expired = 0
    for assignment_id in QuestionnaireAssignment.objects.filter(
        status__in=Assignment.OPEN_STATUSES, expires_at__lte=now
    ).values_list("pk", flat=True)[:500]:
        with sweep_row("questionnaire expiry", assignment_id):
            claimed = QuestionnaireAssignment.objects.filter(
                pk=assignment_id, status__in=Assignment.OPEN_STATUSES, expires_at__lte=now
            ).update(status=Status.EXPIRED)
            if claimed:
                outbox_cancel_for(
                    related_type=RELATED_TYPE, related_id=str(assignment_id), reason="questionnaire expired"
                )
                expired += 1
    waiting = QuestionnaireAssignment.objects.filter(status=Status.SCHEDULED, due_at__lte=now)
    keys = [_message_key(pk, "link") for pk in waiting.values_list("pk", flat=True)[:500]]
    went_out = OutboundMessage.objects.filter(idempotency_key__in=keys).exclude(status__in=NOT_SENT)
    sent_ids = [int(related_id) for related_id in went_out.values_list("related_id", flat=True)]
    sent = waiting.filter(pk__in=sent_ids).update(status=Status.SENT)
    # The one reminder: note when it went out (staff see "reminded"), for those still unanswered.
    unreminded = QuestionnaireAssignment.objects.filter(
        status__in=Assignment.OPEN_STATUSES, reminded_at__isnull=True, due_at__lte=now
    )
    keys = [_message_key(pk, "reminder") for pk in unreminded.values_list("pk", flat=True)[:500]]
    for related_id, finished_at in (
        OutboundMessage.objects.filter(idempotency_key__in=keys)
        .exclude(status__in=NOT_SENT)
        .values_list("related_id", "finished_at")
    ):
        unreminded.filter(pk=int(related_id)).update(reminded_at=finished_at or now)
    return {"expired": expired, "sent": sent}


def questionnaire_cause_problem(related_id: str) -> str:
    """Checked at send time: is the questionnaire still waiting for answers, and its link still good?"""
    assignment = (
        QuestionnaireAssignment.objects.filter(pk=int(related_id)).only("status", "expires_at").first()
        if related_id.isdigit()
        else None
    )
    if assignment is None:
        return "questionnaire deleted"
    if not assignment.is_open:
        return f"questionnaire {assignment.status}"
    if assignment.expires_at - timezone.now() < datetime.timedelta(minutes=30):
        return "questionnaire link ends too soon"
    return ""
