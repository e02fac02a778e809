"""Check-ins after a completed session: writing them to the outbox, reading the answers, following up.

Every check-in text goes through the outbox with `send_after` at its due time; texting hours,
consent and opt-outs are checked when it is sent. A patient's reply is answered at once in the
webhook's TwiML (the second PHQ-2 question, a clarifying question, or thanks).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from clinic.core.clinics import clinic_text_values
from clinic.core.sweeps import sweep_row
from clinic.messaging.inbound import reply_language
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.outbox import outbox_cancel_for, outbox_enqueue
from clinic.messaging.texts import text_render
from clinic.scheduling.events import AppointmentChange, AppointmentEvent
from clinic.scheduling.models import Appointment
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_done_for_key, staff_task_open

from .alerts import alert_open
from .models import Alert, CheckIn, CheckInAnswer, CheckInKind
from .parsing import answer_parse
from .plans import checkin_due_at, checkin_plan_for, checkin_send_deadline, patient_zone
from .questions import (
    CHECKIN_RELATED_TYPE,
    CLARIFY_TEXTS,
    QUESTION_TEXTS,
    checkin_question_enqueue,
    checkin_text_values,
)
from .selectors import ANSWERABLE, checkin_answer_whose_unclear, checkin_awaiting_answer
from .suspension import checkin_hold_problem, checkins_held

logger = logging.getLogger(__name__)
Status = CheckIn.Status
__all__ = ["CHECKIN_RELATED_TYPE", "CLARIFY_TEXTS", "QUESTION_TEXTS"]  # importable from here as before
# Outbox states in which a text will never reach the patient.
NOT_DELIVERED = (
    OutboundMessage.Status.SUPPRESSED,
    OutboundMessage.Status.FAILED,
    OutboundMessage.Status.CANCELLED,
    OutboundMessage.Status.UNDELIVERED,
)
# Two plans rarely need the same question twice in a day (a series of sessions a few days apart).
SAME_QUESTION_SPACING = timedelta(hours=12)


def _already_asked_around(appointment: Appointment, kind: str, due: datetime.datetime) -> bool:
    return (
        CheckIn.objects.filter(
            patient_id=appointment.patient_id,
            kind=kind,
            status=Status.PENDING,
            due_at__gt=due - SAME_QUESTION_SPACING,
            due_at__lt=due + SAME_QUESTION_SPACING,
        )
        .exclude(appointment=appointment)
        .exists()
    )


def checkins_start_for(*, appointment: Appointment, now: datetime.datetime | None = None) -> list[CheckIn]:
    """Write the check-ins of a completed session to the outbox, in the caller's transaction. Safe to run twice.

    A step whose time passed more than CHECKIN_LATE_START_GRACE_HOURS ago (the session was marked
    completed late) is skipped; one whose time passed just now is sent now. A step another session's
    plan already asks the same question for within 12 hours is skipped too. While the patient's
    check-ins are held after a crisis text, new ones start held, with no text (suspension.py).
    """
    if appointment.status != Appointment.Status.COMPLETED:
        return []
    now = now or timezone.now()
    tz = patient_zone(appointment)
    held = checkins_held(patient_id=appointment.patient_id)
    started: list[CheckIn] = []
    for step in checkin_plan_for(session_type=appointment.session_type):
        existing = CheckIn.objects.filter(appointment=appointment, step_key=step.key).first()
        if existing is not None:
            started.append(existing)
            continue
        due = checkin_due_at(step=step, ends_at=appointment.ends_at, tz=tz)
        if now > checkin_send_deadline(due=due, appointment=appointment):
            continue
        due = max(due, now)
        if _already_asked_around(appointment, step.kind, due):
            continue
        check_in, created = CheckIn.objects.get_or_create(
            appointment=appointment,
            step_key=step.key,
            defaults={
                "patient_id": appointment.patient_id,
                "kind": step.kind,
                "due_at": due,
                "status": Status.SUSPENDED if held else Status.PENDING,
            },
        )
        if created and not held:
            check_in.message = checkin_question_enqueue(
                check_in=check_in, send_after=due, idempotency_key=f"checkin:{appointment.pk}:{step.key}"
            )
            check_in.save(update_fields=["message"])
        started.append(check_in)
    return started


def _withdraw_texts(check_in_id: int, *, reason: str) -> None:
    outbox_cancel_for(related_type=CHECKIN_RELATED_TYPE, related_id=str(check_in_id), reason=reason)


def checkins_cancel_for(*, appointment: Appointment, reason: str = "appointment cancelled") -> int:
    """Cancel a session's check-ins still waiting, and withdraw their texts not yet sent."""
    ids = list(CheckIn.objects.filter(appointment=appointment, status=Status.PENDING).values_list("pk", flat=True))
    cancelled = CheckIn.objects.filter(pk__in=ids, status=Status.PENDING).update(
        status=Status.CANCELLED, closed_at=timezone.now()
    )
    for check_in_id in ids:
        _withdraw_texts(check_in_id, reason=reason)
    return cancelled


def checkins_follow_appointment(change: AppointmentChange) -> None:
    """A session's change, as scheduling publishes it: completed starts its check-ins, cancelled or missed
    cancels those still waiting. Runs in the change's transaction."""
    if change.event == AppointmentEvent.COMPLETED:
        checkins_start_for(appointment=change.appointment)
    elif change.event == AppointmentEvent.CANCELLED:
        checkins_cancel_for(appointment=change.appointment)
    elif change.event == AppointmentEvent.MISSED:
        checkins_cancel_for(appointment=change.appointment, reason="appointment missed")


def checkin_cause_problem(related_id: str) -> str:
    """Checked at send time: a check-in text goes out only while its check-in waits, its session stands,
    and it is not too late to make sense (a "home safe?" two days after the session helps nobody),
    and the patient's check-ins are not held after a crisis text (that covers follow-ups too).
    """
    check_in = (
        CheckIn.objects.filter(pk=int(related_id))
        .select_related("appointment__session_type__clinic", "appointment__patient", "message", "follow_up_message")
        .first()
    )
    if check_in is None:
        return "check-in deleted"
    if check_in.status != Status.PENDING:
        return f"check-in {check_in.status}"
    if check_in.appointment.status != Appointment.Status.COMPLETED:
        return f"appointment {check_in.appointment.status}"
    held = checkin_hold_problem(patient_id=check_in.patient_id)
    if held:
        return held
    question, follow_up = check_in.message, check_in.follow_up_message
    # The follow-up is written only once the question went out: a sent question means this row is it.
    written_for = follow_up.created_at if question and question.sent_at and follow_up else check_in.due_at
    if timezone.now() > checkin_send_deadline(due=written_for, appointment=check_in.appointment):
        return f"too late: due over {settings.CHECKIN_LATE_START_GRACE_HOURS:g} h ago"
    return ""


# --- Answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinReply:
    """What we answer a reply to a check-in with, and what staff are shown the route recognised."""

    text: str
    detail: str = ""


def checkin_answer_receive(*, message: InboundMessage, now: datetime.datetime | None = None) -> CheckinReply | None:
    """Read a reply as the answer to the waiting check-in; return what to answer, or None if none waits.

    Crisis language was looked for before this is called, whoever the number belongs to.
    """
    now = now or timezone.now()
    waiting = checkin_awaiting_answer(phone=message.from_number, now=now)
    if waiting is None:
        return None
    if checkin_answer_whose_unclear(phone=message.from_number, now=now):
        # A number several patients share, with check-ins of more than one of them waiting: "7" could be
        # either's, and a score in the wrong chart misleads a clinician (a low one could alert about the
        # wrong person). As with C, R and RIDE, act for nobody and ask the sender to call; the text waits
        # in the inbox for a clinician, and the check-ins stay open, so one nobody answers still ends as a
        # task to contact that patient. When the waiting check-ins are one patient's, the reply answers a
        # question we asked that patient by name and is read as theirs, so their low score still alerts.
        return CheckinReply(
            text_render(
                "checkin_shared_number",
                language=reply_language(message),
                **clinic_text_values(waiting.appointment.session_type.clinic),
            ),
            detail="Number shared by patients with check-ins waiting: not attached to any; asked to call.",
        )
    reply = _answer_record(waiting.pk, message=message, now=now)
    if reply is None:
        return None
    shared = "Number shared by patients: read as the answer of the only one with a check-in waiting."
    return CheckinReply(reply, detail=shared if message.shared_number else "")


def _answer_record(check_in_id: int, *, message: InboundMessage, now: datetime.datetime) -> str | None:
    """Store the reply as the check-in's next answer and move the check-in on; return what to answer."""
    check_in = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("patient", "appointment__session_type__clinic")
        .get(pk=check_in_id)
    )
    if check_in.status not in ANSWERABLE:
        return None  # answered by a text that arrived a moment earlier
    score = answer_parse(kind=check_in.kind, text=message.body)
    answer = CheckInAnswer.objects.create(
        check_in=check_in,
        question_index=check_in.next_question,
        raw_text=message.body,
        score=score,
        inbound_message=message,
        received_at=now,
    )
    if score is None:
        return _unreadable(check_in, now=now)
    check_in.last_activity_at = now
    if check_in.next_question + 1 < check_in.question_count:
        check_in.next_question += 1
        check_in.save(update_fields=["next_question", "last_activity_at"])
        return text_render(
            QUESTION_TEXTS[check_in.kind][check_in.next_question],
            language=check_in.patient.language,
            **checkin_text_values(check_in),
        )

    late = check_in.status == Status.NO_ANSWER
    check_in.status = Status.ANSWERED
    check_in.answered_at = check_in.closed_at = now
    check_in.save(update_fields=["status", "answered_at", "closed_at", "last_activity_at"])
    _withdraw_texts(check_in.pk, reason="check-in answered")
    if late:
        staff_task_done_for_key(key=_no_answer_key(check_in))
    concern = _alerts_for(check_in, answer, now=now)
    values = checkin_text_values(check_in)
    if check_in.kind == CheckInKind.HOME_SAFE:
        return text_render(
            "checkin_home_not_safe" if concern else "checkin_home_safe_thanks",
            language=check_in.patient.language,
            **values,
        )
    return text_render(
        "checkin_thanks_concern" if concern else "checkin_thanks", language=check_in.patient.language, **values
    )


def _unreadable(check_in: CheckIn, *, now: datetime.datetime) -> str:
    """Ask once more; the second unreadable answer goes to a clinician."""
    if check_in.clarification_sent_at is None:
        check_in.clarification_sent_at = check_in.last_activity_at = now
        check_in.save(update_fields=["clarification_sent_at", "last_activity_at"])
        return text_render(CLARIFY_TEXTS[check_in.kind], language=check_in.patient.language)
    check_in.status = Status.UNREADABLE
    check_in.closed_at = check_in.last_activity_at = now
    check_in.save(update_fields=["status", "closed_at", "last_activity_at"])
    _withdraw_texts(check_in.pk, reason="check-in passed to staff")
    staff_task_open(
        kind=StaffTask.Kind.UNPARSED_ANSWER,
        patient=check_in.patient,
        appointment_id=check_in.appointment_id,
        key=f"checkin-unreadable:{check_in.pk}",
        detail="A check-in answer could not be read: please read it on the check-in and follow up.",
    )
    return text_render("checkin_to_staff", language=check_in.patient.language, **checkin_text_values(check_in))


def _alerts_for(check_in: CheckIn, answer: CheckInAnswer, *, now: datetime.datetime) -> bool:
    """Open the alerts a completed check-in calls for; True if it gave cause for concern."""
    score = answer.score
    assert score is not None  # only read answers complete a check-in

    def open_alert(reason: str, detail: str) -> None:
        alert_open(
            key=f"checkin:{check_in.pk}:{reason}",
            urgency=Alert.Urgency.ELEVATED,
            reason=reason,
            patient=check_in.patient,
            detail=detail,
            answer=answer,
            now=now,
        )

    if check_in.kind == CheckInKind.HOME_SAFE:
        if score == 0:
            open_alert(Alert.Reason.NOT_HOME_SAFE, "Answered the home-safe check-in with a no or a request for a call.")
        return score == 0
    if check_in.kind == CheckInKind.PHQ2:
        items = list(
            check_in.answers.filter(score__isnull=False).order_by("question_index").values_list("score", flat=True)
        )
        total = sum(value or 0 for value in items)
        if total >= settings.CHECKIN_PHQ2_POSITIVE_MIN:
            open_alert(Alert.Reason.PHQ2_POSITIVE, f"PHQ-2 total {total} (items {', '.join(map(str, items))}).")
            return True
        return False
    previous = list(
        CheckInAnswer.objects.filter(
            check_in__patient_id=check_in.patient_id, check_in__kind=CheckInKind.MOOD, score__isnull=False
        )
        .exclude(pk=answer.pk)
        .order_by("-received_at", "-id")
        .values_list("score", flat=True)[:3]
    )
    before = f" Previous: {', '.join(str(value) for value in reversed(previous))}." if previous else ""
    if score <= settings.CHECKIN_LOW_MOOD_MAX:
        open_alert(Alert.Reason.LOW_MOOD, f"Mood {score}/10.{before}")
        return True
    if previous:
        average = sum(value or 0 for value in previous) / len(previous)
        if average - score >= settings.CHECKIN_SHARP_DROP_POINTS:
            open_alert(Alert.Reason.SHARP_DROP, f"Mood {score}/10, down from an average of {average:.1f}.{before}")
            return True
    return False


# --- No answer: one gentle follow-up, then a staff task ---------------------------------------------


def _no_answer_key(check_in: CheckIn) -> str:
    return f"checkin-no-answer:{check_in.pk}"


def _close_unanswered(check_in: CheckIn, *, status: str, now: datetime.datetime) -> None:
    check_in.status = status
    check_in.closed_at = now
    check_in.save(update_fields=["status", "closed_at"])
    _withdraw_texts(check_in.pk, reason=f"check-in {status}")
    if status == Status.NO_ANSWER:
        staff_task_open(
            kind=StaffTask.Kind.NO_ANSWER,
            patient=check_in.patient,
            appointment_id=check_in.appointment_id,
            key=_no_answer_key(check_in),
            detail="No answer to a check-in, even after a follow-up: please contact the patient.",
        )


def _follow_up_step(check_in: CheckIn, *, now: datetime.datetime) -> bool:
    """Move one waiting check-in along if its time has come; True if it changed."""
    question = check_in.message
    assert question is not None  # selected by message state
    if question.status in NOT_DELIVERED or question.sent_at is None:
        _close_unanswered(check_in, status=Status.NOT_SENT, now=now)
        return True
    asked = max(question.sent_at, check_in.last_activity_at or question.sent_at)
    follow_up = check_in.follow_up_message
    if follow_up is None:
        if now - asked < timedelta(hours=settings.CHECKIN_FOLLOW_UP_HOURS):
            return False
        check_in.follow_up_message = outbox_enqueue(
            kind=OutboundMessage.Kind.CHECKIN,
            template="checkin_follow_up",
            to_number=check_in.patient.phone,
            body=text_render("checkin_follow_up", language=check_in.patient.language, **checkin_text_values(check_in)),
            language=check_in.patient.language,
            clinic=check_in.appointment.session_type.clinic,
            idempotency_key=f"checkin:{check_in.appointment_id}:{check_in.step_key}:follow-up",
            send_after=now,
            patient_id=check_in.patient_id,
            related_type=CHECKIN_RELATED_TYPE,
            related_id=str(check_in.pk),
        )
        check_in.save(update_fields=["follow_up_message"])
        return True
    if follow_up.status in NOT_DELIVERED:
        _close_unanswered(check_in, status=Status.NO_ANSWER, now=now)
        return True
    if follow_up.sent_at is None:
        return False  # still waiting for texting hours
    if now - max(follow_up.sent_at, asked) < timedelta(hours=settings.CHECKIN_NO_ANSWER_HOURS):
        return False
    _close_unanswered(check_in, status=Status.NO_ANSWER, now=now)
    return True


def checkins_follow_up_due(*, now: datetime.datetime | None = None) -> int:
    """Follow up each check-in left unanswered; give up on it (and open a staff task) after that. Safe to run twice.

    Each check-in in its own savepoint: one that raises is logged and left as it was; the others go on.
    """
    now = now or timezone.now()
    waiting = (
        CheckIn.objects.filter(status=Status.PENDING, message__isnull=False)
        .filter(Q(message__sent_at__isnull=False) | Q(message__status__in=NOT_DELIVERED))
        .order_by("due_at")
        .values_list("pk", flat=True)
    )
    changed = 0
    for check_in_id in list(waiting[:1000]):
        with sweep_row("check-in follow-up", check_in_id):
            check_in = (
                CheckIn.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("message", "follow_up_message", "patient", "appointment__session_type__clinic")
                .filter(pk=check_in_id, status=Status.PENDING)
                .first()
            )
            if check_in is not None and _follow_up_step(check_in, now=now):
                changed += 1
    return changed
