"""Fuzzing Twilio's two webhooks: whatever arrives, the answer is never a 500, and a refusal changes nothing.

Two kinds of traffic. Requests not correctly signed (junk, forged or replayed signatures, other content
types, raw bytes, huge bodies) must be refused, untouched. Requests correctly signed with Twilio's
RequestValidator but malformed (fields missing, twice, empty, huge, junk statuses, odd numbers, NUL
bytes) come from whoever holds the auth token: they may be stored if they make sense, and are refused
with a 4xx that changes nothing otherwise. Every table a webhook can touch is compared before and after.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import hypothesis
import pytest
from django.conf import settings
from django.db.models import Model
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.test.client import encode_multipart
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import strategies as st

from clinic.accounts.models import AuditEvent
from clinic.checkins.models import Alert, CheckIn, CheckInAnswer
from clinic.messaging.models import DeliveryReport, InboundMessage, OutboundMessage, PhoneNumberState
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment
from clinic.todos.models import StaffTask
from tests.factories import ClinicFactory, CompletedAppointmentFactory, PatientFactory, SessionTypeFactory
from tests.support.phones import PHONE
from tests.support.sandbox import twilio_signature

pytestmark = pytest.mark.django_db

SMS_PATH = "/webhooks/twilio/sms/"
STATUS_PATH = "/webhooks/twilio/status/"
FORM = "application/x-www-form-urlencoded"
SENT_SID = "SM" + "5" * 32

# Every table a webhook may write, directly or through routing (opt-outs, alerts, tasks, answers, audit).
WATCHED: tuple[type[Model], ...] = (
    InboundMessage,
    OutboundMessage,
    DeliveryReport,
    PhoneNumberState,
    Patient,
    Appointment,
    CheckIn,
    CheckInAnswer,
    Alert,
    StaffTask,
    AuditEvent,
)
Pairs = list[tuple[str, str]]
Snapshot = dict[str, list[tuple[Any, ...]]]

FUZZ_SETTINGS = hypothesis.settings(
    derandomize=True,
    deadline=None,
    database=None,
    # State builds up across examples on purpose (repeated SIDs, opt-outs); each example compares before/after.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def snapshot() -> Snapshot:
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in WATCHED}


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def signature_for(path: str, pairs: Iterable[tuple[str, str]]) -> str:
    params = QueryDict(mutable=True)
    for name, value in pairs:
        params.appendlist(name, value)
    return twilio_signature(path, params)


def post_raw(
    client: Client, path: str, body: bytes, *, content_type: str | None, signature: str | None, **extra: str
) -> HttpResponse:
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    # Set even for an empty body, which the test client would otherwise send without a content type.
    extra.setdefault("CONTENT_TYPE", content_type or "")
    return client.generic("POST", path, body, headers=headers, **extra)  # type: ignore[return-value]


def _usable(value: str, max_length: int) -> bool:
    return 0 < len(value) <= max_length and "\x00" not in value


def refused_answer(body: bytes) -> int:
    """What either webhook answers a request not correctly signed: 413 past the size limit (refused before
    anything reads it), else 403."""
    return 413 if len(body) > settings.REQUEST_BODY_MAX_BYTES else 403


def inbound_answer(body: bytes) -> int:
    """What the SMS webhook answers a correctly signed form: 413 past the size limit; 400 without a MessageSid of
    1 to 40 characters or a From of 1 to 20, or with a NUL in any of them or in To; else 200 (TwiML)."""
    if len(body) > settings.REQUEST_BODY_MAX_BYTES:
        return 413
    fields = QueryDict(body)
    usable = _usable(fields.get("MessageSid", ""), 40) and _usable(fields.get("From", ""), 20)
    return 200 if usable and "\x00" not in fields.get("To", "") else 400


def status_callback_answer(body: bytes) -> int:
    """What the status webhook answers a correctly signed form: 413 past the size limit; 400 without a MessageSid
    of 1 to 40 characters or a MessageStatus of 1 to 20, or with a NUL in either; else 204."""
    if len(body) > settings.REQUEST_BODY_MAX_BYTES:
        return 413
    fields = QueryDict(body)
    usable = _usable(fields.get("MessageSid", ""), 40) and _usable(fields.get("MessageStatus", ""), 20)
    return 204 if usable else 400


def assert_answered_safely(response: HttpResponse) -> None:
    """No server error, and nothing of the inside shown: no traceback, no HTML debug page."""
    content = response.content
    assert response.status_code < 500, content[:500]
    assert b"Traceback" not in content
    assert b"<html" not in content.lower() and b"<!doctype" not in content.lower()


@dataclass
class Clinic:
    """A patient with a session tomorrow, a mood check-in waiting for an answer, and a text on its way."""

    patient: Patient
    sent: OutboundMessage


@pytest.fixture
def clinic_world(db: None) -> Clinic:
    clinic = ClinicFactory(on_call_phone="+16175550199")
    session_type = SessionTypeFactory(clinic=clinic)
    now = timezone.now()
    patient = PatientFactory(first_name="Robin", phone=PHONE, sms_consent_at=now)
    done = CompletedAppointmentFactory(patient=patient, session_type=session_type)
    CompletedAppointmentFactory(
        patient=patient,
        session_type=session_type,
        provider=done.provider,
        starts_at=now + datetime.timedelta(days=1),
        status=Appointment.Status.SCHEDULED,
    )
    question = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.CHECKIN,
        to_number=PHONE,
        body="How are you feeling today, 0 to 10?",
        patient=patient,
        status=OutboundMessage.Status.SENT,
        send_after=now,
        sent_at=now,
        provider_sid="SM" + "4" * 32,
        idempotency_key="fuzz:checkin-question",
    )
    CheckIn.objects.create(
        appointment=done, patient=patient, step_key="mood:d1", kind=CheckIn.Kind.MOOD, due_at=now, message=question
    )
    sent = OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.REMINDER,
        to_number=PHONE,
        body="See you tomorrow.",
        patient=patient,
        status=OutboundMessage.Status.SENT,
        send_after=now,
        sent_at=now,
        provider_sid=SENT_SID,
        idempotency_key="fuzz:reminder",
    )
    return Clinic(patient=patient, sent=sent)


@pytest.fixture
def client() -> Client:
    # A 500 comes back as a response (and is asserted on) instead of being raised inside the test.
    return Client(raise_request_exception=False)


# --- Strategies ---------------------------------------------------------------------------------

NASTY = [
    "STOP",
    "7",
    "YES",
    "I want to end it all",
    "HELP",
    "C",
    "",
    " ",
    "\x00",
    "STOP\x00",
    "\ufeffSTOP",
    "\u202eSTOP",
    "\uff33\uff34\uff2f\uff30",  # STOP in full-width letters
    "Stop.",
    "START",
    "R",
    "RIDE",
    "²",
    "٣",
    "9" * 400,
    "-1e999",
    "1" * 5000,
    "s" * 1600,
    "kill " * 300,
    "%00%ZZ&=&&",
    "<Response><Message>hi</Message></Response>",
    "'; DROP TABLE messaging_inboundmessage; --",
    "😀" * 800,
    "\r\n\r\n",
]
PHONES = [
    PHONE,
    "+15005550006",
    "+1617555014",
    "6175550142",
    "+",
    "abc",
    "+1" + "9" * 30,
    "+٦١٧٥٥٥٠١٤٢",
    "+1617555\x000142",
    "whatsapp:+16175550142",
]
SIDS = ["SM" + "a" * 32, "SM" + "b" * 32, SENT_SID, "", "SM", "X" * 41, "SM\x00" + "c" * 31, "SM" + "é" * 32]
STATUSES = ["queued", "sent", "delivered", "undelivered", "failed", "read", "canceled", "receiving", "DELIVERED"]
ERROR_CODES = ["", "30003", "21610", "30006", "0", "-1", "²", "٣", "1e5", "99999999999", " 30003", "30003\x00"]

short_text = st.text(max_size=30)
text_values = st.one_of(short_text, st.sampled_from(NASTY))
# Large values are repeated small ones: generating tens of kilobytes of random text is slow and no better.
big_values = st.builds(lambda piece, count: piece * count, st.text(min_size=1, max_size=4), st.integers(200, 4000))


def field_values(known: list[str], *, likely: int = 3) -> st.SearchStrategy[str]:
    # Mostly plausible values (the first few known ones), so enough requests get into routing and storage.
    kinds = [st.sampled_from(known[:likely])] * 6 + [st.sampled_from(known), text_values, text_values, big_values]
    return st.integers(0, len(kinds) - 1).flatmap(lambda kind: kinds[kind])


@st.composite
def pairs_with(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[str]]) -> Pairs:
    """Twilio-like form fields: each named field absent, once or twice, plus random extra fields, in any order."""
    pairs: Pairs = []
    for name, values in fields.items():
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 1, 1, 1, 1, 1, 2]))):
            pairs.append((name, draw(values)))
    pairs += draw(st.lists(st.tuples(short_text, text_values), max_size=4))
    return draw(st.permutations(pairs))


# Mostly new SIDs, so most accepted texts are stored and routed rather than dropped as repeats; the
# placeholder becomes a SID never used before when the request is made (Hypothesis would repeat its numbers).
FRESH_SID = "<fresh sid>"
_fresh_numbers = itertools.count(1)
INBOUND_FIELDS = {
    "MessageSid": field_values([FRESH_SID] * 3 + SIDS),
    "AccountSid": st.just(settings.TWILIO_ACCOUNT_SID),
    "From": field_values(PHONES),
    "To": field_values(PHONES),
    "Body": field_values(NASTY, likely=6),
    "NumMedia": st.sampled_from(["0", "1", "-1", "x"]),
}
STATUS_FIELDS = {
    "MessageSid": field_values(SIDS),
    "MessageStatus": field_values(STATUSES),
    "ErrorCode": field_values(ERROR_CODES),
    "To": field_values(PHONES),
}
inbound_pairs = pairs_with(INBOUND_FIELDS)
status_pairs = pairs_with(STATUS_FIELDS)
any_pairs = st.one_of(inbound_pairs, status_pairs)


# A field no generated request carries, so a signature over it (or a body with it added) never matches by chance.
TAMPERED = ("Tampered-Field", "tampered-8f41c2")


@dataclass(frozen=True)
class Delivery:
    """One request as sent: body bytes, content type (None: no header) and signature (None: no header)."""

    path: str
    body: bytes
    content_type: str | None
    signature: str | None
    description: str


@st.composite
def unsigned_deliveries(draw: st.DrawFn) -> Delivery:
    """A request that is not a correctly signed form post: each one must be refused."""
    path = draw(st.sampled_from([SMS_PATH, STATUS_PATH]))
    pairs = draw(any_pairs)
    encoding = draw(st.sampled_from(["form", "json", "multipart", "text", "none", "bytes"]))
    if encoding == "form":
        body, content_type = urlencode(pairs).encode(), FORM
    elif encoding == "json":
        body, content_type = json.dumps(dict(pairs)).encode(), "application/json"
    elif encoding == "multipart":
        body, content_type = encode_multipart("fuzzboundary", dict(pairs)), "multipart/form-data; boundary=fuzzboundary"
    elif encoding == "text":
        body, content_type = urlencode(pairs).encode(), "text/plain"
    elif encoding == "none":
        body, content_type = urlencode(pairs).encode(), None
    else:
        body = draw(st.binary(max_size=300))
        content_type = draw(st.sampled_from([FORM, "application/octet-stream", None]))

    other_path = STATUS_PATH if path == SMS_PATH else SMS_PATH
    forgeries = ["missing", "junk", "other-body", "other-path", "other-token", "right-but-not-a-form"]
    forged = draw(st.sampled_from([*forgeries, "right-then-tampered"]))
    if forged == "missing":
        signature = None
    elif forged == "junk":
        signature = draw(st.one_of(st.text(max_size=40), st.sampled_from(["", "=", "bm90IGEgc2ln", "A" * 28 + "="])))
    elif forged == "other-body":
        signature = signature_for(path, [*pairs, TAMPERED])
    elif forged == "other-path":
        signature = signature_for(other_path, pairs)
    elif forged == "other-token":
        signature = twilio_signature(path, QueryDict(urlencode(pairs)), token="not-our-token")
    elif forged == "right-but-not-a-form":
        # Signed over the fields, but sent as something other than a form: not how Twilio posts.
        signature = signature_for(path, pairs)
        if content_type == FORM:
            content_type = draw(st.sampled_from(["application/json", "text/plain", None]))
    else:
        signature = signature_for(path, pairs)
        body = body + b"&" + urlencode([TAMPERED]).encode() if content_type == FORM else body + b"\x00"
        if content_type != FORM:
            content_type = draw(st.sampled_from(["application/json", "text/plain", None]))
    return Delivery(path, body, content_type, signature, f"{encoding} body, {forged} signature")


# --- Property tests -----------------------------------------------------------------------------


@hypothesis.settings(FUZZ_SETTINGS, max_examples=400)
@hypothesis.given(delivery=unsigned_deliveries())
def test_requests_not_correctly_signed_are_refused_and_change_nothing(
    client: Client, clinic_world: Clinic, delivery: Delivery
) -> None:
    before = snapshot()
    response = post_raw(
        client, delivery.path, delivery.body, content_type=delivery.content_type, signature=delivery.signature
    )
    assert_answered_safely(response)
    hypothesis.event(f"{response.status_code}: {delivery.description}")
    assert response.status_code == refused_answer(delivery.body), delivery.description
    assert changed_tables(before, snapshot()) == [], delivery.description


@hypothesis.settings(FUZZ_SETTINGS, max_examples=500)
@hypothesis.given(pairs=inbound_pairs, content_type=st.sampled_from([FORM, FORM + "; charset=utf-8"]))
def test_signed_inbound_texts_are_stored_once_or_refused_without_a_trace(
    client: Client, clinic_world: Clinic, pairs: Pairs, content_type: str
) -> None:
    pairs = [(name, f"SM{next(_fresh_numbers):032x}" if value == FRESH_SID else value) for name, value in pairs]
    before = snapshot()
    body = urlencode(pairs).encode()
    response = post_raw(client, SMS_PATH, body, content_type=content_type, signature=signature_for(SMS_PATH, pairs))
    assert_answered_safely(response)
    hypothesis.event(f"status {response.status_code}")
    after = snapshot()
    assert response.status_code == inbound_answer(body)
    if response.status_code != 200:
        assert changed_tables(before, after) == []
        return
    assert response["Content-Type"].startswith("application/xml")
    added = len(after["InboundMessage"]) - len(before["InboundMessage"])
    assert added in (0, 1)  # a repeated SID is stored once
    hypothesis.event(f"routed to {InboundMessage.objects.latest('id').route}" if added else "a repeated SID")
    assert "Patient" not in changed_tables(before, after)
    assert "DeliveryReport" not in changed_tables(before, after)


@hypothesis.settings(FUZZ_SETTINGS, max_examples=400)
@hypothesis.given(pairs=status_pairs)
def test_signed_status_callbacks_only_move_a_message_forward_or_are_refused(
    client: Client, clinic_world: Clinic, pairs: Pairs
) -> None:
    rank = {"sending": 0, "sent": 1, "delivered": 2, "undelivered": 2, "failed": 2}
    status_before = OutboundMessage.objects.get(pk=clinic_world.sent.pk).status
    before = snapshot()
    body = urlencode(pairs).encode()
    response = post_raw(client, STATUS_PATH, body, content_type=FORM, signature=signature_for(STATUS_PATH, pairs))
    assert_answered_safely(response)
    hypothesis.event(f"status {response.status_code}")
    after = snapshot()
    assert response.status_code == status_callback_answer(body)
    if response.status_code != 204:
        assert changed_tables(before, after) == []
        return
    assert len(after["DeliveryReport"]) == len(before["DeliveryReport"]) + 1
    assert set(changed_tables(before, after)) <= {"DeliveryReport", "OutboundMessage", "PhoneNumberState"}
    status_after = OutboundMessage.objects.get(pk=clinic_world.sent.pk).status
    assert rank[status_after] >= rank[status_before]
    sent_status = QueryDict(body).get("MessageStatus", "")
    if QueryDict(body).get("MessageSid") != SENT_SID or sent_status not in STATUSES[:6]:
        assert status_after == status_before  # another message's report, or a status we do not know


WAITING_ID = "<the waiting row's id>"


@hypothesis.settings(FUZZ_SETTINGS, max_examples=200)
@hypothesis.given(
    outbox_id=st.one_of(st.just(WAITING_ID), st.text(max_size=40), st.integers().map(str)), pairs=status_pairs
)
def test_a_row_id_in_the_status_callback_url_is_read_only_as_the_id_we_wrote(
    client: Client, clinic_world: Clinic, outbox_id: str, pairs: Pairs
) -> None:
    waiting, _ = OutboundMessage.objects.get_or_create(
        idempotency_key="fuzz:waiting",
        defaults={
            "kind": OutboundMessage.Kind.AD_HOC,
            "to_number": PHONE,
            "body": "Waiting for its SID.",
            "status": OutboundMessage.Status.SENDING,
            "send_after": timezone.now(),
            "sending_started_at": timezone.now(),
            "reconcile_after": timezone.now(),
        },
    )
    outbox_id = str(waiting.pk) if outbox_id == WAITING_ID else outbox_id
    path = f"{STATUS_PATH}?{urlencode({'ob': outbox_id})}"
    body = urlencode(pairs).encode()
    response = post_raw(client, path, body, content_type=FORM, signature=signature_for(path, pairs))
    assert_answered_safely(response)
    assert response.status_code == status_callback_answer(body)
    waiting.refresh_from_db()
    sid = QueryDict(body).get("MessageSid", "")
    if waiting.provider_sid is not None:
        # Only the id we wrote, with a well-formed SID no other row had, ever settles the row.
        assert outbox_id == str(waiting.pk) and waiting.provider_sid == sid and sid != SENT_SID
        OutboundMessage.objects.filter(pk=waiting.pk).update(status=OutboundMessage.Status.SENDING, provider_sid=None)
    assert OutboundMessage.objects.get(pk=clinic_world.sent.pk).provider_sid == SENT_SID


# --- The nastiest inputs, by hand ---------------------------------------------------------------


def inbound(body: str, *, sid: str = "SM" + "e" * 32, from_number: str = PHONE) -> Pairs:
    return [
        ("MessageSid", sid),
        ("AccountSid", settings.TWILIO_ACCOUNT_SID),
        ("From", from_number),
        ("To", "+15005550006"),
        ("Body", body),
    ]


def post_signed_pairs(client: Client, path: str, pairs: Pairs) -> HttpResponse:
    return post_raw(client, path, urlencode(pairs).encode(), content_type=FORM, signature=signature_for(path, pairs))


def test_an_absurdly_long_number_as_a_checkin_answer_is_passed_to_staff_not_a_crash(
    client: Client, clinic_world: Clinic
) -> None:
    response = post_signed_pairs(client, SMS_PATH, inbound("9" * 400))
    assert response.status_code == 200
    answer = CheckInAnswer.objects.get()
    assert answer.score is None  # unreadable: the patient is asked once more, then a clinician reads it
    assert InboundMessage.objects.get().route == InboundMessage.Route.CHECKIN


def test_a_superscript_digit_error_code_is_recorded_as_no_code(client: Client, clinic_world: Clinic) -> None:
    pairs = [("MessageSid", SENT_SID), ("MessageStatus", "failed"), ("ErrorCode", "²")]
    response = post_signed_pairs(client, STATUS_PATH, pairs)
    assert response.status_code == 204
    report = DeliveryReport.objects.get()
    assert (report.status, report.error_code) == ("failed", None)
    assert OutboundMessage.objects.get(pk=clinic_world.sent.pk).status == OutboundMessage.Status.FAILED


def test_a_nul_byte_in_a_text_is_dropped_and_the_text_kept(client: Client, clinic_world: Clinic) -> None:
    response = post_signed_pairs(client, SMS_PATH, inbound("Running late\x00, sorry"))
    assert response.status_code == 200
    assert InboundMessage.objects.get().body == "Running late, sorry"


@pytest.mark.parametrize(
    ("path", "pairs"),
    [
        (SMS_PATH, inbound("hi", from_number="+1617555\x000142")),
        (SMS_PATH, inbound("hi", sid="SM\x00" + "f" * 31)),
        (STATUS_PATH, [("MessageSid", "SM\x00" + "f" * 31), ("MessageStatus", "delivered")]),
        (STATUS_PATH, [("MessageSid", SENT_SID), ("MessageStatus", "deliv\x00ered")]),
    ],
    ids=["inbound-from", "inbound-sid", "status-sid", "status-name"],
)
def test_a_nul_byte_in_an_identifier_is_refused_and_changes_nothing(
    client: Client, clinic_world: Clinic, path: str, pairs: Pairs
) -> None:
    before = snapshot()
    response = post_signed_pairs(client, path, pairs)
    assert response.status_code == 400
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("over", [-1, 0, 1, 4096])
def test_a_signed_body_at_and_past_the_size_limit(client: Client, clinic_world: Clinic, over: int) -> None:
    limit = settings.REQUEST_BODY_MAX_BYTES
    padding = limit + over - len(urlencode(inbound("")).encode())
    pairs = inbound("x" * padding)
    assert len(urlencode(pairs).encode()) == limit + over
    before = snapshot()
    response = post_signed_pairs(client, SMS_PATH, pairs)
    assert_answered_safely(response)
    if over > 0:
        assert response.status_code == 413
        assert changed_tables(before, snapshot()) == []
    else:
        assert response.status_code == 200
        assert InboundMessage.objects.get().body == "x" * 1600  # stored up to the longest SMS Twilio delivers


def test_bytes_that_are_not_utf8_in_a_signed_text_are_read_as_django_reads_them(
    client: Client, clinic_world: Clinic
) -> None:
    body = b"MessageSid=SM" + b"f" * 32 + b"&From=%2B16175550142&To=%2B15005550006&Body=caf%E9+\xff\xfe+ok"
    as_read = [(name, value) for name, values in QueryDict(body).lists() for value in values]
    response = post_raw(client, SMS_PATH, body, content_type=FORM, signature=signature_for(SMS_PATH, as_read))
    assert_answered_safely(response)
    assert response.status_code == 200
    stored = InboundMessage.objects.get().body
    # Percent-encoded bytes that are not UTF-8 become U+FFFD; raw bytes (never valid in a form) read as Latin-1.
    assert stored == QueryDict(body)["Body"] == "caf\ufffd \xff\xfe ok"


def test_a_declared_length_that_is_not_a_number_is_refused(client: Client, clinic_world: Clinic) -> None:
    pairs = inbound("STOP")
    body = urlencode(pairs).encode()
    before = snapshot()
    response = post_raw(
        client, SMS_PATH, body, content_type=FORM, signature=signature_for(SMS_PATH, pairs), CONTENT_LENGTH="12abc"
    )
    assert response.status_code == 400
    assert changed_tables(before, snapshot()) == []


def test_too_many_fields_even_if_signed_are_refused(client: Client, clinic_world: Clinic) -> None:
    pairs = inbound("STOP") + [(f"Extra{index}", "1") for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)]
    before = snapshot()
    response = post_signed_pairs(client, SMS_PATH, pairs)
    assert_answered_safely(response)
    # Django will not read so many fields, so there is no form to check the signature against: refused as unsigned.
    assert response.status_code == 403
    assert changed_tables(before, snapshot()) == []


def test_a_body_hash_query_parameter_cannot_stand_in_for_the_form_signature(
    client: Client, clinic_world: Clinic
) -> None:
    """Twilio signs JSON bodies by URL and body hash; a form post must still be signed over its fields."""
    body = urlencode(inbound("STOP")).encode()
    path = SMS_PATH + "?bodySHA256=" + hashlib.sha256(body).hexdigest()
    before = snapshot()
    response = post_raw(client, path, body, content_type=FORM, signature=signature_for(path, []))
    assert_answered_safely(response)
    assert response.status_code == 403
    assert changed_tables(before, snapshot()) == []


def test_duplicate_fields_signed_as_sent_are_read_once(client: Client, clinic_world: Clinic) -> None:
    pairs = [*inbound("STOP"), ("Body", "hello"), ("MessageSid", "SM" + "d" * 32)]
    response = post_signed_pairs(client, SMS_PATH, pairs)
    assert response.status_code == 200
    assert InboundMessage.objects.count() == 1


def test_webhooks_answer_other_methods_with_405(client: Client, clinic_world: Clinic) -> None:
    for path in (SMS_PATH, STATUS_PATH):
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            response = client.generic(method, path)
            assert response.status_code == 405
            assert_answered_safely(response)
