"""Reads: Twilio's message list (filters and pages), and the sandbox page's numbers and conversations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

from django.db.models import Case, Count, F, Max, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .errors import TwilioApiError
from .models import SandboxEmail, SandboxFailureRule, SandboxMessage

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 1000
# Page tokens name the message a page continues after ("PA") or before ("PB"), as Twilio's do.
PAGE_AFTER_PREFIX = "PA"
PAGE_BEFORE_PREFIX = "PB"


@dataclass(frozen=True)
class MessageFilters:
    to: str = ""
    from_: str = ""
    date_sent: str = ""
    date_sent_before: str = ""
    date_sent_after: str = ""


@dataclass(frozen=True)
class MessagePage:
    messages: list[SandboxMessage]
    page: int
    page_size: int
    next_token: str | None
    previous_token: str | None


def _sent_bound(value: str, parameter: str) -> tuple[dt.datetime, bool]:
    """Parse a DateSent value: (the instant, whether it named a whole day)."""
    try:
        moment = parse_datetime(value)
        day = None if moment is not None else parse_date(value)
    except ValueError:
        moment, day = None, None
    if moment is not None:
        return (moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)), False
    if day is not None:
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC), True
    raise TwilioApiError(status=400, code=20001, message=f"Invalid {parameter}: {value}")


def sandbox_message_filter(*, account_sid: str, filters: MessageFilters) -> QuerySet[SandboxMessage]:
    """Messages of an account, newest first, filtered like Twilio's list.

    A message not yet sent has no date_sent; it is matched by its creation time, so that a
    "what did I send since" query made right after a send (a reconciliation) still finds it.
    """
    messages = SandboxMessage.objects.filter(account_sid=account_sid).annotate(
        sent_at=Coalesce("date_sent", "date_created")
    )
    if filters.to:
        messages = messages.filter(to_number=filters.to)
    if filters.from_:
        messages = messages.filter(from_number=filters.from_)
    if filters.date_sent:
        start, whole_day = _sent_bound(filters.date_sent, "DateSent")
        span = dt.timedelta(days=1) if whole_day else dt.timedelta(seconds=1)
        messages = messages.filter(sent_at__gte=start, sent_at__lt=start + span)
    if filters.date_sent_after:
        start, _ = _sent_bound(filters.date_sent_after, "DateSent>")
        messages = messages.filter(sent_at__gte=start)
    if filters.date_sent_before:
        end, whole_day = _sent_bound(filters.date_sent_before, "DateSent<")
        # "On or before": a whole day counts up to its end.
        messages = (
            messages.filter(sent_at__lt=end + dt.timedelta(days=1)) if whole_day else messages.filter(sent_at__lte=end)
        )
    return messages.order_by("-date_created", "-id")


def sandbox_message_page(
    *, account_sid: str, filters: MessageFilters, page_size: int, page: int, page_token: str
) -> MessagePage:
    messages = sandbox_message_filter(account_sid=account_sid, filters=filters)
    if page_token:
        anchor = SandboxMessage.objects.filter(sid=page_token[2:]).first()
        if anchor is None or page_token[:2] not in (PAGE_AFTER_PREFIX, PAGE_BEFORE_PREFIX):
            raise TwilioApiError(status=400, code=20001, message=f"Invalid PageToken: {page_token}")
        newer = Q(date_created__gt=anchor.date_created) | Q(date_created=anchor.date_created, id__gt=anchor.id)
        older = Q(date_created__lt=anchor.date_created) | Q(date_created=anchor.date_created, id__lt=anchor.id)
        if page_token.startswith(PAGE_AFTER_PREFIX):
            rows = list(messages.filter(older)[: page_size + 1])
            has_next, has_previous = len(rows) > page_size, True
            rows = rows[:page_size]
        else:
            rows = list(messages.filter(newer).order_by("date_created", "id")[: page_size + 1])
            has_next, has_previous = True, len(rows) > page_size
            rows = rows[:page_size][::-1]
    else:
        offset = page * page_size
        rows = list(messages[offset : offset + page_size + 1])
        has_next, has_previous = len(rows) > page_size, offset > 0
        rows = rows[:page_size]
    return MessagePage(
        messages=rows,
        page=page,
        page_size=page_size,
        next_token=PAGE_AFTER_PREFIX + rows[-1].sid if rows and has_next else None,
        previous_token=PAGE_BEFORE_PREFIX + rows[0].sid if rows and has_previous else None,
    )


def sandbox_message_get(*, account_sid: str, sid: str) -> SandboxMessage | None:
    return SandboxMessage.objects.filter(account_sid=account_sid, sid=sid).first()


class NumberActivity(TypedDict):
    number: str
    total: int
    inbound: int
    outbound: int
    last_activity: dt.datetime


def sandbox_number_list() -> list[NumberActivity]:
    """Every patient number with texts in either direction, most recently active first."""
    patient = Case(
        When(direction=SandboxMessage.Direction.INBOUND, then=F("from_number")),
        default=F("to_number"),
    )
    rows = (
        SandboxMessage.objects.values(patient=patient)
        .annotate(
            total=Count("id"),
            inbound=Count("id", filter=Q(direction=SandboxMessage.Direction.INBOUND)),
            last_activity=Max("date_created"),
        )
        .order_by("-last_activity")
    )
    return [
        NumberActivity(
            number=row["patient"],
            total=row["total"],
            inbound=row["inbound"],
            outbound=row["total"] - row["inbound"],
            last_activity=row["last_activity"],
        )
        for row in rows
    ]


def sandbox_conversation(*, number: str) -> QuerySet[SandboxMessage]:
    """The texts between the clinic and this number, oldest first."""
    inbound = Q(direction=SandboxMessage.Direction.INBOUND)
    return SandboxMessage.objects.filter((inbound & Q(from_number=number)) | (~inbound & Q(to_number=number))).order_by(
        "date_created", "id"
    )


def sandbox_failure_rule_list() -> QuerySet[SandboxFailureRule]:
    return SandboxFailureRule.objects.order_by("id")


def sandbox_email_list(*, limit: int = 200) -> list[SandboxEmail]:
    """The mailbox, newest first."""
    return list(SandboxEmail.objects.order_by("-received_at", "-id")[:limit])


def sandbox_email_get(*, email_id: int) -> SandboxEmail | None:
    return SandboxEmail.objects.filter(id=email_id).first()
