"""Paging the on-call ladder about an urgent alert until a human acknowledges it.

Round 1, when the alert opens, pages the on-call clinician. Each ALERT_ESCALATE_MINUTES without an
acknowledgement starts a round that pages the next step up: the backup, then the medical director,
then the clinic's own on-call line if one is set (clinic.oncall.selectors). The on-call clinician and
backup are those of the shift of the alert's location (`alert_location`), else of the organization-wide
shift. A step that cannot be
paged (nobody on call, no consent, opted out, undeliverable, inactive) is recorded as skipped and
the next step is paged in the same round, at once. Once the ladder is climbed, every round pages
everyone on it who can be paged, until someone acknowledges. A round whose pages all failed does
not wait: the next round starts at the next sweep (every 30 s).

Pages carry a link to the alert and nothing about the patient. Each round is claimed with a
conditional UPDATE, so two beats (or a retried task) send it once; every step is a row (AlertPage).
"""

from __future__ import annotations

import datetime
import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from clinic.core.clinics import clinic_current, clinic_display_name
from clinic.core.languages import LANGUAGE_DEFAULT
from clinic.core.models import Clinic
from clinic.core.sweeps import sweep_row
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_enqueue
from clinic.messaging.texts import text_render
from clinic.oncall.selectors import CLINIC_LINE, STEP_NAMES, Rung, on_call_ladder

from .models import Alert, AlertPage, CheckIn

logger = logging.getLogger(__name__)
ALERT_RELATED_TYPE = Alert._meta.label_lower
# A page in one of these states reached nobody: the next step is paged without waiting.
PAGE_FAILED = (OutboundMessage.Status.FAILED, OutboundMessage.Status.UNDELIVERED, OutboundMessage.Status.SUPPRESSED)
NOBODY_STEP = "nobody"
SESSION_LOCATION = ("appointment__session_type__clinic",)


def alert_link(alert_id: int) -> str:
    return f"{settings.PUBLIC_BASE_URL}/admin/checkins/alert/{alert_id}/change/"


def alert_location(alert: Alert) -> Clinic | None:
    """The location an alert is about, whose on-call shift it pages: that of the session its check-in belongs
    to (the check-in answered, else the last one sent to the patient within the answer window before the
    alert opened: a crisis text usually comes in reply to one), else the patient's home location, else the
    location whose number the text came in on; None if none of these is known."""
    check_in: CheckIn | None = None
    if alert.answer_id is not None:
        check_in = CheckIn.objects.filter(answers__pk=alert.answer_id).select_related(*SESSION_LOCATION).first()
    if check_in is None and alert.patient_id is not None:
        since = alert.opened_at - datetime.timedelta(hours=settings.CHECKIN_ANSWER_WINDOW_HOURS)
        check_in = (
            CheckIn.objects.filter(
                patient_id=alert.patient_id, message__sent_at__gte=since, message__sent_at__lte=alert.opened_at
            )
            .select_related(*SESSION_LOCATION)
            .order_by("-message__sent_at", "-id")
            .first()
        )
    if check_in is not None:
        return check_in.appointment.session_type.clinic
    if alert.patient is not None and alert.patient.clinic_id is not None:
        return alert.patient.clinic
    if alert.inbound_message is not None and alert.inbound_message.clinic_id is not None:
        return alert.inbound_message.clinic
    return None


def _page(alert: Alert, rung: Rung, *, round_number: int, now: datetime.datetime, location: Clinic | None) -> AlertPage:
    clinic = location or clinic_current()
    name = "alert_on_call" if round_number == 1 else "alert_on_call_again"
    minutes = int((now - alert.opened_at).total_seconds() // 60)
    # To staff: in the clinic's working language, English.
    body = text_render(
        name, language=LANGUAGE_DEFAULT, clinic=clinic_display_name(clinic), link=alert_link(alert.pk), minutes=minutes
    )
    message = outbox_enqueue(
        kind=OutboundMessage.Kind.STAFF_ALERT,
        template=name,
        to_number=rung.phone,
        body=body,
        idempotency_key=f"alert:{alert.pk}:notify:{round_number}:{rung.step}",
        send_after=now,
        related_type=ALERT_RELATED_TYPE,
        related_id=str(alert.pk),
        # A page to staff goes out at any hour.
        outside_texting_hours_ok=True,
    )
    return AlertPage.objects.create(
        alert=alert,
        round=round_number,
        step=rung.step,
        clinician=rung.clinician,
        who=rung.who[:150],
        to_number=rung.phone,
        message=message,
        created_at=now,
    )


def _skipped(alert: Alert, rung: Rung, *, round_number: int, now: datetime.datetime) -> AlertPage:
    return AlertPage.objects.create(
        alert=alert,
        round=round_number,
        step=rung.step,
        clinician=rung.clinician,
        who=rung.who[:150],
        skipped_reason=rung.problem[:40],
        created_at=now,
    )


def alert_page_round(alert: Alert, *, round_number: int, now: datetime.datetime) -> list[AlertPage]:
    """Page one round (claimed by the caller): the next step that can be paged, or everyone once climbed."""
    location = alert_location(alert)
    ladder = on_call_ladder(at=now, clinic=location)
    start = 0 if round_number == 1 else alert.escalation_level + 1
    rows: list[AlertPage] = []
    for index in range(start, len(ladder)):
        rung = ladder[index]
        if rung.pageable:
            rows.append(_page(alert, rung, round_number=round_number, now=now, location=location))
            alert.escalation_level = index
            break
        # Only steps a clinic uses are worth a line in the history: an unset clinic line is not.
        if rung.step != CLINIC_LINE or rung.phone:
            rows.append(_skipped(alert, rung, round_number=round_number, now=now))
    else:
        # The ladder is climbed (or nobody above could be paged): page everyone on it who can be.
        alert.escalation_level = len(ladder) - 1
        numbers: set[str] = {row.to_number for row in rows if row.was_paged}
        for rung in ladder:
            if rung.pageable and rung.phone not in numbers:
                numbers.add(rung.phone)
                rows.append(_page(alert, rung, round_number=round_number, now=now, location=location))
    Alert.objects.filter(pk=alert.pk).update(escalation_level=alert.escalation_level)
    if not any(row.was_paged for row in rows):
        rows.append(
            AlertPage.objects.create(
                alert=alert,
                round=round_number,
                step=NOBODY_STEP,
                who="nobody",
                skipped_reason="nobody on the ladder can be paged",
                created_at=now,
            )
        )
        logger.warning(
            "urgent alert %s: nobody on the on-call ladder can be paged; it shows in the admin and API only", alert.pk
        )
    return rows


def alert_page_first(alert: Alert, *, now: datetime.datetime) -> list[AlertPage]:
    """Round 1, when an urgent alert opens; claimed like every other round."""
    if Alert.objects.filter(pk=alert.pk, notify_count=0, acknowledged_at__isnull=True).update(
        notify_count=1, last_notified_at=now
    ):
        alert.notify_count, alert.last_notified_at = 1, now
        return alert_page_round(alert, round_number=1, now=now)
    return []


def _last_round_failed(alert: Alert) -> bool:
    statuses = list(
        AlertPage.objects.filter(alert=alert, round=alert.notify_count, message__isnull=False).values_list(
            "message__status", flat=True
        )
    )
    return bool(statuses) and all(status in PAGE_FAILED for status in statuses)


def alerts_escalate_due(*, now: datetime.datetime | None = None) -> int:
    """Start the next paging round of each open urgent alert whose time came, or whose last pages all failed."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.ALERT_ESCALATE_MINUTES)
    open_urgent = Alert.objects.filter(urgency=Alert.Urgency.URGENT, acknowledged_at__isnull=True)
    due = list(
        open_urgent.filter(
            Q(notify_count=0) | Q(last_notified_at__lte=cutoff) | Q(last_notified_at__isnull=True)
        ).order_by("opened_at")[:200]
    )
    due_ids = {alert.pk for alert in due}
    for alert in open_urgent.exclude(pk__in=due_ids).order_by("opened_at")[:200]:
        if _last_round_failed(alert):
            due.append(alert)
    rounds = 0
    for alert in due:
        # One alert whose round raises (its claim undone with it) never keeps the next from being paged.
        with sweep_row("alert escalation", alert.pk):
            claimed = Alert.objects.filter(
                pk=alert.pk, notify_count=alert.notify_count, acknowledged_at__isnull=True
            ).update(notify_count=alert.notify_count + 1, last_notified_at=now)
            if claimed != 1:
                continue  # another beat, or an acknowledgement, got there first
            alert.refresh_from_db(fields=["notify_count", "last_notified_at", "escalation_level"])
            alert_page_round(alert, round_number=alert.notify_count, now=now)
            rounds += 1
    return rounds


def alert_pages_who(alert: Alert) -> list[str]:
    """Everyone paged about this alert so far, in the order first paged ("Dr Reyes (on-call clinician)")."""
    seen: list[str] = []
    for page in AlertPage.objects.filter(alert=alert, message__isnull=False).order_by("round", "id"):
        label = f"{page.who} ({STEP_NAMES.get(page.step, page.step)})" if page.clinician_id else page.who
        if label not in seen:
            seen.append(label)
    return seen
