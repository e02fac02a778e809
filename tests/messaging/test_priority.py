"""Who goes first: the priority table, the claim order, the rate limit's precedence for urgent sends,
and batch sending (each row once, one row's failure never stopping the others)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from clinic.messaging.models import PRIORITY_OF_KIND, OutboundMessage, priority_of_kind
from clinic.messaging.outbox import outbox_claim_due, outbox_enqueue
from clinic.messaging.rate_limit import send_slots_acquire
from clinic.messaging.sandbox.models import SandboxMessage
from clinic.messaging.sandbox.services import sandbox_failure_rule_create
from clinic.messaging.sending import CAUSE_CHECKS, outbox_send_batch
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import phone_number

Kind = OutboundMessage.Kind
Priority = OutboundMessage.Priority
Status = OutboundMessage.Status


def make(key: str, *, kind: str, seconds_ago: float = 60, to: Patient | None = None, **fields: Any) -> OutboundMessage:
    return outbox_enqueue(
        kind=kind,
        to_number=to.phone if to else "+16175550142",
        body=f"Text {key}",
        patient_id=to.pk if to else None,
        idempotency_key=key,
        send_after=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        **fields,
    )


def test_every_kind_has_a_priority_and_pages_come_first() -> None:
    assert set(PRIORITY_OF_KIND) == set(Kind.values)
    assert priority_of_kind(Kind.STAFF_ALERT) == Priority.URGENT
    assert (
        priority_of_kind(Kind.STAFF_ALERT)
        < priority_of_kind(Kind.CONFIRMATION_REPLY)
        == priority_of_kind(Kind.AD_HOC)
        < priority_of_kind(Kind.REMINDER)
        == priority_of_kind(Kind.CHECKIN)
        < priority_of_kind(Kind.INQUIRY_ACK)
    )


@pytest.mark.django_db
def test_the_outbox_row_carries_its_kinds_priority() -> None:
    assert make("p1", kind=Kind.REMINDER).priority == Priority.ROUTINE
    assert make("p2", kind=Kind.STAFF_ALERT).priority == Priority.URGENT
    assert make("p3", kind=Kind.INQUIRY_ACK).priority == Priority.BULK


@pytest.mark.django_db
def test_claim_takes_the_most_urgent_due_rows_first(settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 1000
    bulk = make("bulk", kind=Kind.INQUIRY_ACK, seconds_ago=3600)
    reminders = [make(f"reminder-{n}", kind=Kind.REMINDER, seconds_ago=600 - n) for n in range(5)]
    reply = make("reply", kind=Kind.CONFIRMATION_REPLY, seconds_ago=5)
    page = make("page", kind=Kind.STAFF_ALERT, seconds_ago=1)
    make("future-page", kind=Kind.STAFF_ALERT, seconds_ago=-3600)

    assert outbox_claim_due(limit=3) == [page.pk, reply.pk, reminders[0].pk]
    assert outbox_claim_due(limit=100) == [r.pk for r in reminders[1:]] + [bulk.pk]
    assert outbox_claim_due(limit=100) == []


@pytest.mark.django_db
def test_the_dispatcher_keeps_a_little_over_one_interval_in_flight_and_pages_never_wait_for_it(settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 2
    settings.SMS_DISPATCH_INTERVAL_SECONDS = 2  # 4 per look; 6 kept in flight
    reminders = [make(f"r-{n}", kind=Kind.REMINDER, seconds_ago=600 - n) for n in range(10)]

    assert outbox_claim_due(enqueue=False) == [r.pk for r in reminders[:6]]
    assert outbox_claim_due(enqueue=False) == []  # six still in flight: nothing more for now
    page = make("page-now", kind=Kind.STAFF_ALERT, seconds_ago=1)
    assert outbox_claim_due(enqueue=False) == [page.pk]

    OutboundMessage.objects.filter(pk__in=[page.pk] + [r.pk for r in reminders[:3]]).update(status=Status.SENT)
    assert outbox_claim_due(enqueue=False) == [r.pk for r in reminders[6:9]]

    # Rows handed out long ago may have lost their task: they do not hold up the rest.
    OutboundMessage.objects.filter(status=Status.QUEUED).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert outbox_claim_due(enqueue=False) == [reminders[9].pk]


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    # In the middle of a rate window, so the whole test stays in one window and the next.
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, 0, 0, 500_000, tzinfo=datetime.UTC), tick=False) as t:
        yield t


@pytest.mark.django_db
def test_the_rate_limit_lets_an_urgent_send_through_a_window_full_of_others(frozen: time_machine.Traveller) -> None:
    sender = "+15005550006"
    assert send_slots_acquire(sender=sender, wanted=10, rate_per_second=10).granted == 10
    refused = send_slots_acquire(sender=sender, wanted=5, rate_per_second=10)
    assert refused.granted == 0 and 0 < refused.wait <= 1.0

    # The page borrows from the next window, which routine sends cannot touch until it comes.
    assert send_slots_acquire(sender=sender, wanted=1, urgent=True, rate_per_second=10).granted == 1

    frozen.shift(1.0)
    assert send_slots_acquire(sender=sender, wanted=20, rate_per_second=10).granted == 9  # the rate still holds


@pytest.mark.django_db
def test_a_partly_full_window_grants_what_is_left_and_hands_back_the_rest(frozen: time_machine.Traveller) -> None:
    sender = "+15005550006"
    assert send_slots_acquire(sender=sender, wanted=7, rate_per_second=10).granted == 7
    assert send_slots_acquire(sender=sender, wanted=7, rate_per_second=10).granted == 3
    assert send_slots_acquire(sender=sender, wanted=1, rate_per_second=10).granted == 0


def consenting(phone: str) -> Patient:
    return PatientFactory(phone=phone, sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")


def queued(patients: list[Patient], count: int, *, tag: str, **fields: Any) -> list[int]:
    rows = [make(f"{tag}-{n}", kind=Kind.REMINDER, to=patients[n % len(patients)], **fields).pk for n in range(count)]
    OutboundMessage.objects.filter(pk__in=rows).update(status=Status.QUEUED, queued_at=timezone.now())
    return rows


@pytest.fixture
def _texting_all_day(db: None) -> None:
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_a_batch_sent_twice_sends_each_row_once(sandbox_live: str, settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 0
    people = [consenting(phone_number(n)) for n in range(5)]
    ids = queued(people, 30, tag="twice")

    first = outbox_send_batch(message_ids=ids)
    second = outbox_send_batch(message_ids=ids)

    assert (first.counts, first.waiting) == ({"sent": 30}, [])
    assert second.counts == {"not queued": 30}
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 30
    assert set(OutboundMessage.objects.values_list("attempts", flat=True)) == {1}
    # Sent, or already delivered: the sandbox's status callbacks come back within milliseconds.
    assert set(OutboundMessage.objects.values_list("status", flat=True)) <= {Status.SENT, Status.DELIVERED}
    sids = set(OutboundMessage.objects.values_list("provider_sid", flat=True))
    assert sids == set(SandboxMessage.objects.values_list("sid", flat=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_two_senders_given_the_same_batch_at_once_send_each_row_once(sandbox_live: str, settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 0
    people = [consenting(phone_number(n)) for n in range(5)]
    ids = queued(people, 60, tag="race")
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def send(order: list[int]) -> None:
        try:
            barrier.wait()
            results.append(outbox_send_batch(message_ids=order).counts)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(order,)) for order in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sum(counts.get("sent", 0) for counts in results) == 60
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 60
    assert set(OutboundMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_one_row_failing_in_a_batch_does_not_stop_the_others(sandbox_live: str, settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 0
    people = [consenting(phone_number(n)) for n in range(4)]
    ids = queued(people, 12, tag="ok")
    broken = queued(people[:1], 1, tag="broken", related_type="tests.broken", related_id="1")
    bad_number = consenting("+16175559999")
    refused = queued([bad_number], 1, tag="refused")
    sandbox_failure_rule_create(kind="api", error_code=21211, http_status=400, to_number=bad_number.phone)

    def explode(related_id: str) -> str:
        raise RuntimeError("a cause check that fails")

    CAUSE_CHECKS["tests.broken"] = explode
    try:
        outcome = outbox_send_batch(message_ids=[*ids[:6], *broken, *refused, *ids[6:]])
    finally:
        del CAUSE_CHECKS["tests.broken"]

    assert outcome.counts == {"sent": 12, "retry scheduled": 1, "failed": 1}
    assert OutboundMessage.objects.filter(pk__in=ids, status__in=(Status.SENT, Status.DELIVERED)).count() == 12
    again = OutboundMessage.objects.get(pk=broken[0])
    assert again.status == Status.SCHEDULED and again.send_after > timezone.now()
    assert OutboundMessage.objects.get(pk=refused[0]).last_error_code == 21211
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_rows_without_a_send_slot_are_handed_back_not_waited_for(sandbox_live: str, settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 10
    ids = queued([consenting("+16175550142")], 15, tag="rate")
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, 0, 0, 500_000, tzinfo=datetime.UTC), tick=False):
        outcome = outbox_send_batch(message_ids=ids)

    assert outcome.counts == {"sent": 10}
    assert outcome.waiting == ids[10:] and 0 < outcome.retry_in <= 1.0
    assert set(OutboundMessage.objects.filter(pk__in=ids[10:]).values_list("status", flat=True)) == {Status.QUEUED}


@pytest.mark.django_db
def test_with_priority_off_the_claim_is_first_come_first_served(settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 1000
    settings.SMS_PRIORITY = False
    reminder = make("old-reminder", kind=Kind.REMINDER, seconds_ago=60)
    page = make("new-page", kind=Kind.STAFF_ALERT, seconds_ago=1)
    assert outbox_claim_due(limit=10) == [reminder.pk, page.pk]
