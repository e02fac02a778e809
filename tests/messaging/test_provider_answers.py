"""Whatever Twilio answers, a text is sent once and the dispatcher keeps going.

The real Twilio SDK talks HTTP to the sandbox (served by the live server), through a double at the
HTTP boundary where a test needs an answer the sandbox never gives (tests/support/provider_double.py).
The test process plays the worker (it calls the send service) and beat (it calls the dispatcher).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from pytest_django.fixtures import Settings

from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_enqueue
from clinic.messaging.sandbox.callbacks import sandbox_callbacks_drain
from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage
from clinic.messaging.sandbox.services import sandbox_failure_rule_create
from clinic.messaging.sandbox.smart_encoding import body_smart_encoded
from clinic.messaging.sending import OUTCOME_UNKNOWN, outbox_reconcile_stale, outbox_send
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import OTHER_PHONE, PHONE
from tests.support.provider_double import DROP, Exchange, ProviderDouble, is_create, is_list
from workers.tasks import outbox_dispatch

pytestmark = pytest.mark.django_db(transaction=True)
Status = OutboundMessage.Status


@pytest.fixture(autouse=True)
def _texting_all_day(transactional_db: None, settings: Settings) -> None:
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))
    settings.SMS_RATE_PER_SECOND = 0  # the test sends back to back


def patient(phone: str = PHONE) -> Patient:
    existing = Patient.objects.filter(phone=phone).first()
    return existing or PatientFactory(phone=phone, sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")


def text(key: str, body: str = "", *, to: str = PHONE) -> OutboundMessage:
    return outbox_enqueue(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number=to,
        body=body or f"Test text {key}",
        patient_id=patient(to).pk,
        idempotency_key=key,
    )


def send(message: OutboundMessage) -> str:
    """Play the worker: hand the row to the send service as a dispatched task would."""
    OutboundMessage.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(status=Status.QUEUED)
    return outbox_send(message_id=message.pk).result


def reconcile_when_due() -> dict[str, int]:
    """Play beat once the rows' reconciliation is due (their retry delay has passed)."""
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):
        return outbox_reconcile_stale()


def row(message: OutboundMessage) -> OutboundMessage:
    return OutboundMessage.objects.get(pk=message.pk)


def sandbox_sid(body: str) -> str:
    return SandboxMessage.objects.get(direction="outbound-api", body=body).sid


def created_answer(mangle: str) -> Any:
    """A rewrite that answers a successful create the way `mangle` says."""

    def rewrite(exchange: Exchange) -> tuple[int, bytes] | None:
        if not is_create(exchange) or exchange.status != 201:
            return None
        payload = json.loads(exchange.body)
        if mangle == "no sid":
            payload.pop("sid")
        elif mangle == "sid null":
            payload["sid"] = None
        elif mangle == "sid malformed":
            payload["sid"] = "SM123"
        elif mangle == "not JSON":
            return 201, b"<html><body>Created</body></html>"
        elif mangle == "a JSON list":
            return 201, b"[]"
        return 201, json.dumps(payload).encode()

    return rewrite


@pytest.mark.parametrize("mangle", ["no sid", "sid null", "sid malformed", "not JSON", "a JSON list"])
def test_a_created_answer_we_cannot_read_is_never_recorded_and_the_text_is_found_later(
    double: ProviderDouble, no_callbacks: None, mangle: str
) -> None:
    double.rewrite = created_answer(mangle)
    first, second = text("first"), text("second", to=OTHER_PHONE)

    # No exception (the second used to hit the unique SID the first stored as 'None').
    assert [send(first), send(second)] == [OUTCOME_UNKNOWN, OUTCOME_UNKNOWN]
    for message in (first, second):
        assert (row(message).status, row(message).provider_sid) == (Status.SENDING, None)

    double.rewrite = lambda exchange: None
    assert reconcile_when_due()["found"] == 2
    for message in (first, second):
        settled = row(message)
        assert (settled.status, settled.provider_sid) == (Status.SENT, sandbox_sid(message.body))
        assert settled.attempts == 1
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 2  # none sent twice


RFC_9457 = {"type": "https://www.twilio.com/docs/errors/21211", "title": "Invalid To", "status": 400, "code": 21211}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, json.dumps(RFC_9457).encode(), (Status.FAILED, 21211)),
        (400, b'{"code": [21211], "message": "odd"}', (Status.FAILED, None)),
        (400, b'{"code": "abc", "message": "odd"}', (Status.FAILED, None)),
        (503, b"<html>Service Unavailable</html>", (Status.SENDING, None)),
        (302, b"", (Status.SENDING, None)),
        (429, b"slow down", (Status.SCHEDULED, None)),
    ],
    ids=["RFC 9457 error", "code a list", "code not a number", "503 in HTML", "a redirect", "429 not JSON"],
)
def test_error_answers_of_any_shape_end_as_an_outcome_never_a_crash(
    double: ProviderDouble, status: int, body: bytes, expected: tuple[str, int | None]
) -> None:
    double.intercept = lambda exchange: (status, body) if is_create(exchange) else None
    message = text("odd-error")

    send(message)

    settled = row(message)
    assert (settled.status, settled.last_error_code) == expected
    assert settled.provider_sid is None
    if settled.status == Status.SENDING:
        # A refusal that does not prove nothing was created: asked about before it is sent again.
        assert settled.last_error_message.startswith(OUTCOME_UNKNOWN)
        assert reconcile_when_due()["resent"] == 1
        assert (row(message).status, row(message).attempts) == (Status.SCHEDULED, 1)


def test_a_500_after_the_provider_created_the_text_is_found_and_never_sent_twice(
    sandbox_live: str, no_callbacks: None
) -> None:
    sandbox_failure_rule_create(kind=SandboxFailureRule.Kind.AFTER_CREATE, error_code=20500, http_status=500)
    message = text("created-then-500")

    assert send(message) == OUTCOME_UNKNOWN
    assert row(message).status == Status.SENDING  # not scheduled for a blind retry

    assert reconcile_when_due()["found"] == 1
    settled = row(message)
    assert (settled.status, settled.provider_sid, settled.attempts) == (Status.SENT, sandbox_sid(message.body), 1)
    assert send(message) == "not queued"
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 1


def test_a_status_callback_names_its_row_so_a_500_after_create_settles_without_a_lookup(
    double: ProviderDouble,
) -> None:
    sandbox_failure_rule_create(kind=SandboxFailureRule.Kind.AFTER_CREATE, error_code=20500, http_status=500)
    message = text("created-then-500")

    assert send(message) == OUTCOME_UNKNOWN
    assert sandbox_callbacks_drain(30.0)

    settled = row(message)
    assert (settled.status, settled.provider_sid) == (Status.DELIVERED, sandbox_sid(message.body))
    callback_url = SandboxMessage.objects.get(sid=settled.provider_sid).status_callback
    assert callback_url.endswith(f"/webhooks/twilio/status/?ob={message.pk}")  # an id, no personal data
    assert not [exchange for exchange in double.exchanges if is_list(exchange)]
    assert outbox_reconcile_stale() == {"found": 0, "resent": 0, "failed": 0, "unknown": 0, "skipped": 0, "errors": 0}


CURLY = "Hi Ana, it\u2019s Lakeside: \u201cTuesday 9:00 AM\u201d \u2013 reply YES to confirm"


def test_a_text_the_provider_rewrote_is_still_found_after_the_answer_was_lost(
    double: ProviderDouble, no_callbacks: None, settings: Settings
) -> None:
    settings.SMS_SANDBOX_SMART_ENCODING = True
    # The sandbox creates the text; the connection drops before its answer comes back.
    double.rewrite = lambda exchange: DROP if is_create(exchange) else None
    message = text("rewritten", CURLY)

    assert send(message) == OUTCOME_UNKNOWN
    stored = SandboxMessage.objects.get(direction="outbound-api")
    assert stored.body == body_smart_encoded(CURLY) != CURLY

    double.rewrite = lambda exchange: None
    assert reconcile_when_due()["found"] == 1
    assert (row(message).status, row(message).provider_sid) == (Status.SENT, stored.sid)
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 1


def test_texts_to_one_number_in_one_window_each_get_their_own_sid(
    sandbox_live: str, no_callbacks: None, settings: Settings
) -> None:
    settings.SMS_SANDBOX_SMART_ENCODING = True
    # The first 500 comes before anything was created; the next two after the text was created.
    sandbox_failure_rule_create(kind=SandboxFailureRule.Kind.API, error_code=20500, http_status=500, remaining=1)
    sandbox_failure_rule_create(
        kind=SandboxFailureRule.Kind.AFTER_CREATE, error_code=20500, http_status=500, remaining=2
    )
    never_created = text("never-created", "Lakeside: your \u201cintake form\u201d is ready, reply HELP for help")
    reminder = text("reminder", CURLY)
    checkin = text("checkin", "How are you feeling today, 0 to 10? It\u2019s Lakeside \u2013 reply with a number")

    assert [send(never_created), send(reminder), send(checkin)] == [OUTCOME_UNKNOWN] * 3

    counts = reconcile_when_due()
    assert (counts["found"], counts["resent"]) == (2, 1)
    for message in (reminder, checkin):
        assert row(message).provider_sid == sandbox_sid(body_smart_encoded(message.body))
    # Not matched to a neighbour's SID: it goes out again, its attempt counted.
    assert (row(never_created).status, row(never_created).provider_sid) == (Status.SCHEDULED, None)
    assert row(never_created).attempts == 1
    assert SandboxMessage.objects.filter(direction="outbound-api").count() == 2


def garbled_list(kind: str) -> Any:
    def rewrite(exchange: Exchange) -> tuple[int, bytes] | None:
        if not is_list(exchange) or exchange.query.get("To") != [PHONE]:
            return None
        if kind == "not JSON":
            return 200, b"<html>Bad gateway</html>"
        if kind == "no records key":
            return 200, b'{"a": [], "b": []}'
        payload = json.loads(exchange.body)
        payload["messages"] = [{"sid": "SM" + "0" * 32, "to": PHONE, "date_created": 12, "body": "x"}]
        return 200, json.dumps(payload).encode()

    return rewrite


@pytest.mark.parametrize("kind", ["not JSON", "no records key", "a date that is a number"])
def test_a_list_answer_we_cannot_read_holds_back_neither_other_rows_nor_due_texts(
    double: ProviderDouble, no_callbacks: None, settings: Settings, kind: str
) -> None:
    settings.SMS_DISPATCH_BATCH = 100
    double.rewrite = garbled_list(kind)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    # Two rows whose workers died long ago, the first to a number whose lookup answers garbage.
    garbled, other = text("garbled"), text("other", to=OTHER_PHONE)
    OutboundMessage.objects.filter(pk__in=[garbled.pk, other.pk]).update(
        status=Status.SENDING, sending_started_at=long_ago, attempts=1
    )
    page = text("on-call-page", to="+16175550199")

    outbox_dispatch()  # one beat tick

    assert row(garbled).status == Status.SENDING  # left for the next look
    assert row(other).status == Status.QUEUED  # settled (not at the provider), then claimed again
    assert row(page).status == Status.QUEUED  # claimed despite the garbage
    assert send(page) == "sent"
    assert SandboxMessage.objects.filter(to_number="+16175550199").count() == 1
