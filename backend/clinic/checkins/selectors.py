"""Reads of check-ins, scores and alerts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone

from .models import Alert, CheckIn, CheckInAnswer, CheckInHold, CheckInKind

# A late answer still counts after the check-in was closed for want of one.
ANSWERABLE = (CheckIn.Status.PENDING, CheckIn.Status.NO_ANSWER)


def checkins_awaiting_answer(*, phone: str, now: datetime.datetime | None = None) -> QuerySet[CheckIn]:
    """Check-ins sent to this number still waiting for an answer within the answer window, most recently sent first.

    On a number several patients share (a couple, a parent and child), they may be different patients'.
    """
    since = (now or timezone.now()) - timedelta(hours=settings.CHECKIN_ANSWER_WINDOW_HOURS)
    return CheckIn.objects.filter(patient__phone=phone, status__in=ANSWERABLE, message__sent_at__gte=since).order_by(
        "-message__sent_at", "-id"
    )


def checkin_awaiting_answer(*, phone: str, now: datetime.datetime | None = None) -> CheckIn | None:
    """The most recently sent check-in still waiting for an answer from this number, within the answer window."""
    return checkins_awaiting_answer(phone=phone, now=now).first()


def checkin_answer_whose_unclear(*, phone: str, now: datetime.datetime | None = None) -> bool:
    """Whether check-ins of more than one patient wait for an answer from this (shared) number."""
    waiting = checkins_awaiting_answer(phone=phone, now=now).order_by()
    return waiting.values("patient_id").distinct().count() > 1


@dataclass(frozen=True)
class ScorePoint:
    at: datetime.datetime
    score: int
    check_in_id: int


@dataclass(frozen=True)
class Phq2Point:
    at: datetime.datetime
    total: int
    items: tuple[int, ...]
    check_in_id: int


@dataclass(frozen=True)
class HomeSafePoint:
    at: datetime.datetime
    safe: bool
    check_in_id: int


@dataclass(frozen=True)
class AlertMark:
    id: int
    at: datetime.datetime
    urgency: str
    reason: str
    is_open: bool


@dataclass
class PatientScores:
    mood: list[ScorePoint] = field(default_factory=list)
    phq2: list[Phq2Point] = field(default_factory=list)
    home_safe: list[HomeSafePoint] = field(default_factory=list)
    alerts: list[AlertMark] = field(default_factory=list)
    unanswered: int = 0


def patient_scores(*, patient_id: int) -> PatientScores:
    """A patient's check-in scores over time, oldest first, with the alerts raised along the way."""
    scores = PatientScores()
    answers = (
        CheckInAnswer.objects.filter(check_in__patient_id=patient_id, score__isnull=False)
        .select_related("check_in")
        .order_by("received_at", "id")
    )
    phq_items: dict[int, list[CheckInAnswer]] = {}
    for answer in answers:
        assert answer.score is not None  # filtered above
        kind = answer.check_in.kind
        if kind == CheckInKind.MOOD:
            scores.mood.append(ScorePoint(answer.received_at, answer.score, answer.check_in_id))
        elif kind == CheckInKind.HOME_SAFE:
            scores.home_safe.append(HomeSafePoint(answer.received_at, answer.score == 1, answer.check_in_id))
        else:
            phq_items.setdefault(answer.check_in_id, []).append(answer)
    for check_in_id, items in phq_items.items():
        if len(items) == 2:  # a PHQ-2 counts once both questions are answered
            values = tuple(item.score or 0 for item in sorted(items, key=lambda item: item.question_index))
            scores.phq2.append(Phq2Point(items[-1].received_at, sum(values), values, check_in_id))
    scores.phq2.sort(key=lambda point: point.at)
    scores.alerts = [
        AlertMark(alert.pk, alert.opened_at, alert.urgency, alert.reason, alert.is_open)
        for alert in Alert.objects.filter(patient_id=patient_id).order_by("opened_at")
    ]
    scores.unanswered = CheckIn.objects.filter(patient_id=patient_id, status=CheckIn.Status.NO_ANSWER).count()
    return scores


def alert_list(*, state: str = "") -> QuerySet[Alert]:
    """Alerts, open ones first, urgent before elevated, newest first; `state` is "open", "acknowledged" or ""."""
    alerts = Alert.objects.select_related(
        "patient", "acknowledged_by", "inbound_message", "answer__check_in"
    ).prefetch_related("pages__message", alert_holds_prefetch())
    if state == "open":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    return alerts.order_by(
        Case(When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
        Case(When(urgency=Alert.Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "-opened_at",
        "-id",
    )


def alert_holds_prefetch() -> Prefetch[str, QuerySet[CheckInHold], str]:
    """Prefetch each alert's check-in holds with their patients, for `alert_checkin_holds`."""
    return Prefetch("checkin_holds", queryset=CheckInHold.objects.select_related("patient", "resumed_by"))


def alert_checkin_holds(alert: Alert) -> list[CheckInHold]:
    """The holds an alert put on check-ins, one per patient, in the order they were made (oldest patient first)."""
    return sorted(alert.checkin_holds.all(), key=lambda hold: hold.pk)


def alert_number(alert: Alert) -> str:
    """The phone number an alert is about: the text's sender, else the patient's number."""
    if alert.inbound_message is not None:
        return alert.inbound_message.from_number
    return alert.patient.phone if alert.patient is not None else ""


@dataclass(frozen=True)
class OpenUrgentAlert:
    """An open urgent alert as the back office's home page shows it: never the patient or their words."""

    id: int
    reason: str
    opened_at: datetime.datetime
    age_minutes: int
    rounds: int
    paged: tuple[str, ...]
    nobody_paged: bool


def urgent_alerts_open(
    *, now: datetime.datetime | None = None, limit: int = 10, among: QuerySet[Alert] | None = None
) -> tuple[int, list[OpenUrgentAlert]]:
    """How many urgent alerts are open (of `among`, else all), and the oldest `limit` of them with who has
    been paged so far."""
    now = now or timezone.now()
    alerts = (Alert.objects.all() if among is None else among).filter(
        urgency=Alert.Urgency.URGENT, acknowledged_at__isnull=True
    )
    alerts = alerts.order_by("opened_at")
    count = alerts.count()
    shown: list[OpenUrgentAlert] = []
    for alert in alerts.prefetch_related("pages")[:limit]:
        paged: list[str] = []
        for page in alert.pages.all():
            if page.message_id is not None and page.who not in paged:
                paged.append(page.who)
        shown.append(
            OpenUrgentAlert(
                id=alert.pk,
                reason=alert.get_reason_display(),
                opened_at=alert.opened_at,
                age_minutes=max(0, int((now - alert.opened_at).total_seconds() // 60)),
                rounds=alert.notify_count,
                paged=tuple(paged),
                nobody_paged=not paged,
            )
        )
    return count, shown
