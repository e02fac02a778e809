from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from celery import current_app
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.outbox import (
    SEND_BATCH_TASK,
    outbox_cancel_for,
    outbox_claim_due,
    outbox_enqueue,
    outbox_requeue_lost,
    urgent_queue_name,
)
from clinic.messaging.sandbox.models import SandboxMessage
from clinic.messaging.sending import outbox_send_batch
from clinic.messaging.texting_hours import texting_allowed_at, texting_next_allowed
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.clock import NY

Status = OutboundMessage.Status


def make(key: str, *, minutes_from_now: float = -1, **fields: Any) -> OutboundMessage:
    return outbox_enqueue(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number="+16175550142",
        body="hello",
        idempotency_key=key,
        send_after=timezone.now() + datetime.timedelta(minutes=minutes_from_now),
        **fields,
    )


@pytest.mark.django_db
def test_enqueue_with_the_same_key_writes_one_row() -> None:
    first = make("appointment:7:reminder-48h")
    second = make("appointment:7:reminder-48h")
    assert first.pk == second.pk
    assert OutboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_claim_takes_only_due_scheduled_rows_and_marks_them_queued(settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 1000
    due = [make(f"due-{n}") for n in range(3)]
    make("future", minutes_from_now=60)
    make("cancelled").__class__.objects.filter(idempotency_key="cancelled").update(status=Status.CANCELLED)

    claimed = outbox_claim_due()

    assert sorted(claimed) == sorted(m.pk for m in due)
    assert set(OutboundMessage.objects.filter(pk__in=claimed).values_list("status", flat=True)) == {Status.QUEUED}
    assert outbox_claim_due() == []  # claiming again finds nothing


@pytest.mark.django_db
def test_claim_is_bounded_by_the_send_rate(settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 1
    settings.SMS_DISPATCH_INTERVAL_SECONDS = 2
    for n in range(10):
        make(f"r-{n}")
    assert len(outbox_claim_due()) == 3  # an interval and a half at the rate
    assert outbox_claim_due() == []  # those are still in flight


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_never_claim_the_same_row(settings: Any) -> None:
    settings.SMS_RATE_PER_SECOND = 1000
    for n in range(300):
        make(f"c-{n}")
    results: list[list[int]] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        results.append(outbox_claim_due(limit=100))
        connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    claimed = [pk for batch in results for pk in batch]
    assert len(claimed) == len(set(claimed)) == 300


@pytest.mark.django_db
def test_cancelling_a_cause_cancels_only_its_pending_texts() -> None:
    pending = make("a:1", related_type="scheduling.appointment", related_id="5", minutes_from_now=600)
    sent = make("a:2", related_type="scheduling.appointment", related_id="5")
    OutboundMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)
    other = make("a:3", related_type="scheduling.appointment", related_id="6", minutes_from_now=600)

    assert outbox_cancel_for(related_type="scheduling.appointment", related_id="5", reason="appointment cancelled") == 1
    assert OutboundMessage.objects.get(pk=pending.pk).status == Status.CANCELLED
    assert OutboundMessage.objects.get(pk=sent.pk).status == Status.SENT
    assert OutboundMessage.objects.get(pk=other.pk).status == Status.SCHEDULED


SentTask = tuple[str, list[int], bool, str | None]


@pytest.fixture
def send_tasks(monkeypatch: pytest.MonkeyPatch) -> list[SentTask]:
    """The tasks the outbox enqueues, as (name, row ids, urgent, queue), kept here instead of reaching the broker."""
    tasks: list[SentTask] = []

    def send_task(name: str, args: Any = (), kwargs: Any = None, queue: str | None = None, **options: Any) -> None:
        tasks.append((name, list(args[0]) if args else [], bool((kwargs or {}).get("urgent")), queue))

    monkeypatch.setattr(current_app._get_current_object(), "send_task", send_task)
    return tasks


def consenting_text(key: str, *, kind: str = OutboundMessage.Kind.AD_HOC) -> OutboundMessage:
    person = Patient.objects.filter(phone="+16175550142").first() or PatientFactory(
        phone="+16175550142", sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1"
    )
    return outbox_enqueue(
        kind=kind, to_number=person.phone, body=f"Text {key}", patient_id=person.pk, idempotency_key=key
    )


def queued_long_ago(message: OutboundMessage) -> None:
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.QUEUED, queued_at=timezone.now() - datetime.timedelta(hours=1)
    )


def run(task: SentTask) -> dict[str, int]:
    """Play the worker: run a send task the outbox enqueued."""
    name, message_ids, urgent, _ = task
    assert name == SEND_BATCH_TASK
    return outbox_send_batch(message_ids=message_ids, urgent=urgent).counts


@pytest.fixture
def _texting_all_day(transactional_db: None, settings: Any) -> None:
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))
    settings.SMS_RATE_PER_SECOND = 0  # the test sends back to back


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
def test_rows_whose_task_was_lost_are_handed_out_again(sandbox_live: str, send_tasks: list[SentTask]) -> None:
    message = consenting_text("lost")
    queued_long_ago(message)
    before = timezone.now()

    assert outbox_requeue_lost() == 1

    row = OutboundMessage.objects.get(pk=message.pk)
    # Still queued (a late first task may still claim it), and not handed out again at the next look.
    assert row.status == Status.QUEUED
    assert row.queued_at is not None and row.queued_at >= before
    assert send_tasks == [(SEND_BATCH_TASK, [message.pk], False, None)]
    assert outbox_requeue_lost() == 0
    assert len(send_tasks) == 1

    assert run(send_tasks[0]) == {"sent": 1}
    assert SandboxMessage.objects.filter(direction="outbound-api", body=message.body).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_page_is_handed_out_again_on_the_urgent_queue(send_tasks: list[SentTask]) -> None:
    page = outbox_enqueue(
        kind=OutboundMessage.Kind.STAFF_ALERT, to_number="+16175550199", body="Page", idempotency_key="page"
    )
    reminder = make("reminder")
    for message in (page, reminder):
        queued_long_ago(message)
    send_tasks.clear()  # the page's own dispatch task, enqueued as it was written

    assert outbox_requeue_lost() == 2

    assert send_tasks == [
        (SEND_BATCH_TASK, [page.pk], True, urgent_queue_name()),
        (SEND_BATCH_TASK, [reminder.pk], False, None),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_texting_all_day")
@pytest.mark.parametrize("first", ["the late original", "the one handed out again"])
def test_a_late_task_and_the_one_handed_out_again_send_the_text_once(
    sandbox_live: str, send_tasks: list[SentTask], settings: Any, first: str
) -> None:
    message = consenting_text("late")
    assert outbox_claim_due() == [message.pk]
    original = send_tasks[-1]
    # Its task waited in the broker behind a backlog for longer than SMS_QUEUED_STALE_SECONDS.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=settings.SMS_QUEUED_STALE_SECONDS + 1)):
        assert outbox_requeue_lost() == 1
    again = send_tasks[-1]
    assert again == original  # the same send task, once more

    runs = [run(original), run(again)] if first == "the late original" else [run(again), run(original)]

    assert runs == [{"sent": 1}, {"not queued": 1}]
    assert SandboxMessage.objects.filter(direction="outbound-api", body=message.body).count() == 1
    row = OutboundMessage.objects.get(pk=message.pk)
    assert row.status in (Status.SENT, Status.DELIVERED) and row.attempts == 1


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2026-11-24T12:59:00+00:00", False),  # 07:59 in New York
        ("2026-11-24T13:00:00+00:00", True),  # 08:00
        ("2026-11-25T01:59:00+00:00", True),  # 20:59
        ("2026-11-25T02:00:00+00:00", False),  # 21:00
    ],
)
def test_texting_hours_are_local_to_the_patient(moment: str, allowed: bool) -> None:
    assert texting_allowed_at(at(moment), tz=NY) is allowed


def test_a_night_text_moves_to_eight_in_the_morning_local_time() -> None:
    assert texting_next_allowed(at("2026-11-25T03:30:00+00:00"), tz=NY) == at("2026-11-25T13:00:00+00:00")
    assert texting_next_allowed(at("2026-11-25T10:00:00+00:00"), tz=NY) == at("2026-11-25T13:00:00+00:00")


def test_texting_hours_across_the_daylight_saving_change() -> None:
    # 2026-03-08: New York moves from UTC-5 to UTC-4 at 02:00 local time.
    assert texting_next_allowed(at("2026-03-08T05:00:00+00:00"), tz=NY) == at("2026-03-08T12:00:00+00:00")
    # 2026-11-01: back to UTC-5.
    assert texting_next_allowed(at("2026-11-01T05:00:00+00:00"), tz=NY) == at("2026-11-01T13:00:00+00:00")


API = "/api/v1/patients/{}/messages/"
ApiAs = Callable[[AbstractBaseUser], APIClient]


@pytest.mark.django_db
def test_staff_send_an_ad_hoc_text_only_with_consent(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    consenting = PatientFactory(sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")
    silent = PatientFactory()
    client = api_as(front_desk)

    response = client.post(API.format(consenting.pk), {"body": "Your ride form is ready at the desk."})
    assert response.status_code == 201
    message = OutboundMessage.objects.get()
    assert (message.kind, message.patient, message.created_by) == ("ad_hoc", consenting, front_desk)

    refused = client.post(API.format(silent.pk), {"body": "Hello"})
    assert refused.status_code == 400 and "patient" in refused.json()
    assert client.post(API.format(consenting.pk), {"body": " "}).status_code == 400
    assert client.post(API.format(consenting.pk), {"body": "x" * 500}).status_code == 400
    # Three parts hold 459 plain characters; once one accent makes the text Unicode, 67 a part, so the same
    # reading takes seven parts (469 characters) and no more.
    assert client.post(API.format(consenting.pk), {"body": "x" * 459}).status_code == 201
    assert client.post(API.format(consenting.pk), {"body": "Envíe: " + "x" * 462}).status_code == 201
    accented = client.post(API.format(consenting.pk), {"body": "Envíe: " + "x" * 463})
    assert accented.status_code == 400 and "8 SMS parts" in accented.json()["body"][0]
    named = client.post(API.format(consenting.pk), {"body": "Your ketamine session is moved."})
    assert named.status_code == 400 and "ketamine" in named.json()["body"][0]
    assert client.post(API.format(999999), {"body": "Hello"}).status_code == 404
    assert OutboundMessage.objects.count() == 3


@pytest.mark.django_db
def test_conversation_shows_both_directions_in_order(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    patient = PatientFactory(phone="+16175550142", sms_consent_at=timezone.now())
    outbox_enqueue(
        kind="ad_hoc",
        to_number=patient.phone,
        body="See you Tuesday",
        patient_id=patient.pk,
        idempotency_key="conv-1",
        send_after=timezone.now() - datetime.timedelta(minutes=5),
    )
    InboundMessage.objects.create(
        message_sid="SM1", from_number=patient.phone, to_number="+1", body="Thanks!", route="inbox"
    )

    entries = api_as(front_desk).get(API.format(patient.pk)).json()
    assert [(e["direction"], e["body"]) for e in entries] == [("outbound", "See you Tuesday"), ("inbound", "Thanks!")]


@pytest.mark.django_db
def test_inbox_lists_crisis_first_and_handled_is_idempotent(api_as: ApiAs, clinician: AbstractBaseUser) -> None:
    InboundMessage.objects.create(
        message_sid="SM1", from_number="+16175550001", to_number="+1", body="question", route="inbox"
    )
    crisis = InboundMessage.objects.create(
        message_sid="SM2", from_number="+16175550002", to_number="+1", body="I want to die", route="crisis"
    )
    InboundMessage.objects.create(
        message_sid="SM3", from_number="+16175550003", to_number="+1", body="STOP", route="opt_out"
    )
    client = api_as(clinician)

    rows = client.get("/api/v1/messaging/inbox/").json()
    assert [r["body"] for r in rows] == ["I want to die", "question"]

    first = client.post(f"/api/v1/messaging/inbox/{crisis.pk}/handled/").json()
    second = client.post(f"/api/v1/messaging/inbox/{crisis.pk}/handled/").json()
    assert first["handled_at"] == second["handled_at"] is not None
    assert [r["body"] for r in client.get("/api/v1/messaging/inbox/").json()] == ["question"]


@pytest.mark.django_db
def test_messaging_api_refuses_anonymous_callers() -> None:
    client = APIClient()
    assert client.get("/api/v1/messaging/inbox/").status_code == 401
    assert client.post(API.format(1), {"body": "x"}).status_code == 401


def test_without_a_rate_limit_the_dispatcher_claims_whole_batches(settings: Any) -> None:
    from clinic.messaging.outbox import dispatch_batch_size

    settings.SMS_DISPATCH_BATCH = 500
    settings.SMS_DISPATCH_INTERVAL_SECONDS = 2
    settings.SMS_RATE_PER_SECOND = 0
    assert dispatch_batch_size() == 500
    settings.SMS_RATE_PER_SECOND = 1
    assert dispatch_batch_size() == 3  # one and a half intervals' worth


def test_the_dispatcher_tops_up_what_is_in_flight_to_a_little_over_one_interval(settings: Any) -> None:
    from clinic.messaging.outbox import dispatch_batch_size

    settings.SMS_DISPATCH_BATCH = 500
    settings.SMS_DISPATCH_INTERVAL_SECONDS = 2
    settings.SMS_RATE_PER_SECOND = 100
    assert dispatch_batch_size(in_flight=0) == 300
    assert dispatch_batch_size(in_flight=120) == 180
    assert dispatch_batch_size(in_flight=400) == 0
