"""The patient's side of a questionnaire: finding it by its link, saving each answer as it is given, sending it.

A link opens exactly one open, unexpired questionnaire; anything else (unknown, used, expired, cancelled)
is "no questionnaire" to the caller, who answers every case alike. Each answer is saved at once (closing
the page and opening the link again resumes), and an urgent answer (PHQ-9 item 9 above 0) opens the urgent
alert when it is saved, not when the questionnaire is sent. Sending is single use: a conditional UPDATE
that only one request, on one device, can win.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from clinic.checkins.alerts import alert_open
from clinic.checkins.models import Alert
from clinic.core.link_tokens import link_token_digest, link_token_well_formed

from .instruments import AnswerError, Instrument, Score, answers_check, instrument_get, instrument_score
from .models import QuestionnaireAssignment
from .services import RELATED_TYPE

logger = logging.getLogger(__name__)

Status = QuestionnaireAssignment.Status
OPEN = QuestionnaireAssignment.OPEN_STATUSES


@dataclass(frozen=True)
class Saved:
    assignment: QuestionnaireAssignment
    urgent: bool  # an urgent answer is among the saved ones: the page shows 988 and 911 at once


def assignment_by_token(token: str, *, now: datetime.datetime | None = None) -> QuestionnaireAssignment | None:
    """The open, unexpired questionnaire this link opens, or None (unknown, used, expired, cancelled alike).

    Looked up by the token's sha256 through a unique index: the stored value is never compared with the
    token itself, and the time taken does not depend on how much of a guess was right.
    """
    if not link_token_well_formed(token or ""):
        return None
    now = now or timezone.now()
    return (
        QuestionnaireAssignment.objects.filter(token_hash=link_token_digest(token), status__in=OPEN, expires_at__gt=now)
        .select_related("patient")
        .first()
    )


def assignment_urgent(assignment: QuestionnaireAssignment) -> bool:
    return bool(instrument_get(assignment.instrument).urgent_answers(assignment.answers))


def _urgent_alert_open(assignment: QuestionnaireAssignment, instrument: Instrument, *, now: datetime.datetime) -> None:
    """Open the urgent alert once per questionnaire, through the crisis pathway (pages the on-call clinician)."""
    if assignment.urgent_alert_id is not None:
        return
    rules = instrument.urgent_answers(assignment.answers)
    if not rules:
        return
    labels = {option.value: option.label_in("en") for option in instrument.options}
    detail = "; ".join(f"{rule.reason}: answered {labels[assignment.answers[rule.link_id]]}" for rule in rules)
    alert = alert_open(
        key=f"questionnaire:{assignment.pk}",
        urgency=Alert.Urgency.URGENT,
        # The crisis pathway: urgent, so paged at any hour like a crisis text.
        reason=Alert.Reason.SELF_HARM_ITEM,
        patient=assignment.patient,
        detail=f"From a questionnaire by link ({instrument.code.upper()}, #{assignment.pk}). {detail}",
        now=now,
    )
    QuestionnaireAssignment.objects.filter(pk=assignment.pk, urgent_alert__isnull=True).update(urgent_alert=alert)
    assignment.urgent_alert = alert
    logger.info(
        "questionnaire %s opened urgent alert %s", assignment.pk, alert.pk, extra={"related_type": RELATED_TYPE}
    )


def answer_save(*, assignment_id: int, link_id: str, value: int, now: datetime.datetime | None = None) -> Saved | None:
    """Save one answer of an open questionnaire (AnswerError for an unknown item or value); None if the
    questionnaire is no longer open (sent from another device, expired, cancelled)."""
    now = now or timezone.now()
    with transaction.atomic():
        assignment = (
            QuestionnaireAssignment.objects.select_for_update()
            .filter(pk=assignment_id, status__in=OPEN, expires_at__gt=now)
            .select_related("patient")
            .first()
        )
        if assignment is None:
            return None
        instrument = instrument_get(assignment.instrument)
        answers = answers_check(instrument, {**assignment.answers, link_id: value})
        assignment.answers = answers
        assignment.status = Status.IN_PROGRESS
        assignment.opened_at = assignment.opened_at or now
        assignment.save(update_fields=["answers", "status", "opened_at"])
        _urgent_alert_open(assignment, instrument, now=now)
    return Saved(assignment=assignment, urgent=bool(instrument.urgent_answers(answers)))


def assignment_opened(*, assignment: QuestionnaireAssignment, now: datetime.datetime | None = None) -> None:
    """Note the first time the link was opened (a text that went out and was read)."""
    now = now or timezone.now()
    QuestionnaireAssignment.objects.filter(pk=assignment.pk, opened_at__isnull=True).update(opened_at=now)


def assignment_submit(*, assignment_id: int, now: datetime.datetime | None = None) -> Score | None:
    """Send a complete questionnaire: score it and close its link. Single use: of two devices sending at
    once, one wins; the other (and any later request) gets None. AnswerError if answers are missing."""
    now = now or timezone.now()
    with transaction.atomic():
        assignment = (
            QuestionnaireAssignment.objects.select_for_update()
            .filter(pk=assignment_id, status__in=OPEN, expires_at__gt=now)
            .first()
        )
        if assignment is None:
            return None
        instrument = instrument_get(assignment.instrument)
        score = instrument_score(instrument, assignment.answers)
        if not score.complete:
            raise AnswerError(f"{len(instrument.items) - score.answered} questions are not answered")
        claimed = QuestionnaireAssignment.objects.filter(pk=assignment.pk, status__in=OPEN, expires_at__gt=now).update(
            status=Status.COMPLETED, completed_at=now, total=score.total, band=score.band_code
        )
        if claimed != 1:
            return None  # another request got there first
        _urgent_alert_open(assignment, instrument, now=now)
    return score
