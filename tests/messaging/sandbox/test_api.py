"""The sandbox speaks Twilio's Messages API: the real Twilio SDK talks HTTP to it through a live server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from clinic.messaging.sandbox.callbacks import sandbox_callbacks_drain
from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage
from clinic.messaging.twilio_client import ApiUrlHttpClient

pytestmark = pytest.mark.django_db(transaction=True)

PATIENT = "+15551230001"
OTHER_PATIENT = "+15551230002"
SERVICE_SID = "MG" + "a" * 32


def test_create_with_from_answers_like_twilio(twilio: Client) -> None:
    message = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="See you Tuesday at 9:00.")

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.account_sid == settings.TWILIO_ACCOUNT_SID
    assert message.status == "queued"
    assert message.direction == "outbound-api"
    assert message.num_segments == "1"
    assert message.num_media == "0"
    assert message.from_ == settings.TWILIO_FROM_NUMBER
    assert message.to == PATIENT
    assert message.messaging_service_sid is None
    assert message.price is None and message.price_unit == "USD"
    assert message.error_code is None and message.error_message is None
    assert message.api_version == "2010-04-01"
    assert message.uri == f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/{message.sid}.json"
    assert isinstance(message.date_created, dt.datetime)
    assert message.date_sent is None
    assert SandboxMessage.objects.get(sid=message.sid).body == "See you Tuesday at 9:00."


def test_create_with_messaging_service_is_accepted_then_sent_from_the_pool(twilio: Client) -> None:
    message = twilio.messages.create(to=PATIENT, messaging_service_sid=SERVICE_SID, body="Hello")

    assert message.status == "accepted"
    assert message.messaging_service_sid == SERVICE_SID
    assert message.from_ is None

    assert sandbox_callbacks_drain(5.0)
    fetched = twilio.messages(message.sid).fetch()
    assert fetched.status == "delivered"
    assert fetched.from_ == settings.TWILIO_FROM_NUMBER
    assert isinstance(fetched.date_sent, dt.datetime)


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, "1"),
        ("a" * 161, "2"),
        ("a" * 306, "2"),
        ("a" * 307, "3"),
        ("é" * 160, "1"),  # é is in the GSM-7 alphabet
        ("ć" * 70, "1"),  # ć is not: UCS-2
        ("ć" * 71, "2"),
        ("ć" * 135, "3"),
    ],
)
def test_num_segments_follow_gsm7_and_ucs2(twilio: Client, body: str, segments: str) -> None:
    message = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body=body)

    assert message.num_segments == segments


def test_fetch_returns_the_message_and_its_progress(twilio: Client) -> None:
    created = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")
    assert sandbox_callbacks_drain(5.0)

    fetched = twilio.messages(created.sid).fetch()

    assert fetched.sid == created.sid
    assert fetched.body == "Hi"
    assert fetched.status == "delivered"
    assert isinstance(fetched.date_sent, dt.datetime)


def test_fetch_unknown_sid_is_twilio_404(twilio: Client) -> None:
    with pytest.raises(TwilioRestException) as raised:
        twilio.messages("SM" + "0" * 32).fetch()

    assert raised.value.status == 404
    assert raised.value.code == 20404


def test_list_filters_by_to_and_date_sent_after(twilio: Client) -> None:
    sent = [twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body=f"m{i}") for i in range(3)]
    twilio.messages.create(to=OTHER_PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="other")
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    SandboxMessage.objects.create(
        account_sid=settings.TWILIO_ACCOUNT_SID,
        from_number=settings.TWILIO_FROM_NUMBER,
        to_number=PATIENT,
        body="old",
        status="delivered",
        direction="outbound-api",
        date_created=two_days_ago,
        date_updated=two_days_ago,
        date_sent=two_days_ago,
    )

    to_patient = twilio.messages.list(to=PATIENT)
    recent = twilio.messages.list(to=PATIENT, date_sent_after=timezone.now() - dt.timedelta(days=1))
    older = twilio.messages.list(to=PATIENT, date_sent_before=timezone.now() - dt.timedelta(days=1))

    assert [m.body for m in to_patient] == ["m2", "m1", "m0", "old"]  # newest first, as Twilio lists
    assert [m.sid for m in recent] == [m.sid for m in reversed(sent)]
    assert [m.body for m in older] == ["old"]


def test_list_pages_follow_next_and_previous(twilio: Client) -> None:
    for i in range(5):
        twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body=f"m{i}")

    everything = twilio.messages.list(to=PATIENT, page_size=2)
    first = twilio.messages.page(to=PATIENT, page_size=2)
    second = first.next_page()
    assert second is not None
    back = second.previous_page()
    assert back is not None

    assert [m.body for m in everything] == ["m4", "m3", "m2", "m1", "m0"]
    assert [m.body for m in first] == ["m4", "m3"]
    assert [m.body for m in second] == ["m2", "m1"]
    assert [m.body for m in back] == ["m4", "m3"]
    assert twilio.messages.list(to=PATIENT, limit=3) and len(twilio.messages.list(to=PATIENT, limit=3)) == 3


def test_list_answers_twilio_page_json(sandbox_url: str) -> None:
    import requests

    auth = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    url = f"{sandbox_url}/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    for body in ("a", "b", "c"):
        created = requests.post(
            url, data={"To": PATIENT, "From": settings.TWILIO_FROM_NUMBER, "Body": body}, auth=auth, timeout=5
        )
        assert created.status_code == 201
        assert created.headers["Content-Type"] == "application/json"

    page = requests.get(url, params={"To": PATIENT, "PageSize": 2}, auth=auth, timeout=5).json()

    assert set(page) == {
        "messages",
        "first_page_uri",
        "next_page_uri",
        "previous_page_uri",
        "page",
        "page_size",
        "start",
        "end",
        "uri",
    }
    assert (page["page"], page["page_size"], page["start"], page["end"]) == (0, 2, 0, 1)
    assert page["previous_page_uri"] is None
    assert page["next_page_uri"].startswith(f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json?")
    assert "PageToken=PA" in page["next_page_uri"] and "Page=1" in page["next_page_uri"]
    assert page["messages"][0]["num_segments"] == "1"


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param((settings.TWILIO_ACCOUNT_SID, "wrong-token"), id="wrong-token"),
        pytest.param(("AC" + "f" * 32, settings.TWILIO_AUTH_TOKEN), id="other-account"),
    ],
)
def test_wrong_credentials_are_twilio_401(sandbox_url: str, credentials: tuple[str, str]) -> None:
    client = Client(*credentials, http_client=ApiUrlHttpClient(sandbox_url, timeout=5))

    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")

    assert raised.value.status == 401
    assert raised.value.code == 20003
    assert not SandboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"to": "", "from_": "+15005550006", "body": "Hi"}, 21604, id="missing-to"),
        pytest.param({"to": PATIENT, "from_": "+15005550006"}, 21602, id="missing-body"),
        pytest.param({"to": "555-123-4567", "from_": "+15005550006", "body": "Hi"}, 21211, id="invalid-to"),
        pytest.param({"to": PATIENT, "body": "Hi"}, 21603, id="no-from-nor-service"),
        pytest.param({"to": PATIENT, "from_": "+15005550006", "body": "a" * 1601}, 21617, id="body-too-long"),
        pytest.param(
            {"to": PATIENT, "from_": "+15005550006", "body": "Hi", "status_callback": "not a url"},
            21609,
            id="bad-status-callback",
        ),
    ],
)
def test_validation_errors_carry_twilio_codes(twilio: Client, fields: dict[str, str], code: int) -> None:
    with pytest.raises(TwilioRestException) as raised:
        twilio.messages.create(**fields)

    assert raised.value.status == 400
    assert raised.value.code == code
    assert not SandboxMessage.objects.exists()


def test_api_failure_rule_refuses_with_429(twilio: Client) -> None:
    SandboxFailureRule.objects.create(kind="api", fraction=1.0, http_status=429, error_code=20429)

    with pytest.raises(TwilioRestException) as raised:
        twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")

    assert raised.value.status == 429
    assert raised.value.code == 20429
    assert not SandboxMessage.objects.exists()


def test_api_failure_rule_with_remaining_fails_twice_then_succeeds(twilio: Client) -> None:
    rule = SandboxFailureRule.objects.create(kind="api", http_status=500, error_code=20500, remaining=2)
    outcomes: list[int | str] = []

    for _ in range(3):
        try:
            message = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")
        except TwilioRestException as error:
            outcomes.append(error.status)
        else:
            outcomes.append(message.status)

    assert outcomes == [500, 500, "queued"]
    rule.refresh_from_db()
    assert rule.remaining == 0


def test_after_create_rule_answers_the_error_yet_keeps_and_delivers_the_text(twilio: Client) -> None:
    SandboxFailureRule.objects.create(kind="after_create", http_status=500, error_code=20500, remaining=1)

    with pytest.raises(TwilioRestException) as raised:
        twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")

    assert (raised.value.status, raised.value.code) == (500, 20500)
    assert sandbox_callbacks_drain(5.0)
    assert list(SandboxMessage.objects.values_list("body", "status")) == [("Hi", "delivered")]


def test_smart_encoding_rewrites_look_alike_characters_as_twilio_does(twilio: Client, settings: Any) -> None:
    curly = "It\u2019s \u201cTuesday\u201d \u2013 9:00\u2026"

    asked = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body=curly, smart_encoded=True)
    plain = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body=curly)
    settings.SMS_SANDBOX_SMART_ENCODING = True
    always = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body=curly)

    assert asked.body == always.body == 'It\'s "Tuesday" - 9:00...'
    assert (asked.num_segments, plain.body, plain.num_segments) == ("1", curly, "1")


def test_failure_rule_matches_only_its_number(twilio: Client) -> None:
    SandboxFailureRule.objects.create(kind="api", to_number=OTHER_PATIENT, http_status=400, error_code=21610)

    delivered = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")
    with pytest.raises(TwilioRestException) as raised:
        twilio.messages.create(to=OTHER_PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")

    assert delivered.status == "queued"
    assert (raised.value.status, raised.value.code) == (400, 21610)


def test_rule_with_fraction_zero_never_fires(twilio: Client) -> None:
    SandboxFailureRule.objects.create(kind="api", fraction=0.0, http_status=429, error_code=20429)

    message = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")

    assert message.status == "queued"


def test_other_methods_answer_twilio_405(twilio: Client) -> None:
    created = twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi")

    with pytest.raises(TwilioRestException) as raised:
        twilio.messages(created.sid).delete()

    assert raised.value.status == 405
