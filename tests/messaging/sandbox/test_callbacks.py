"""Status callbacks: signed like Twilio's, sent off the request thread, in order, failures included."""

from __future__ import annotations

import logging
import threading

import pytest
from django.conf import settings
from pytest_django.fixtures import Settings
from twilio.rest import Client

from clinic.messaging.sandbox.callbacks import sandbox_callbacks_drain
from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage

from .urls import STATUS_CALLBACK_PATH, received

pytestmark = pytest.mark.django_db(transaction=True)

PATIENT = "+15551230001"


def test_callbacks_arrive_signed_sent_then_delivered(twilio: Client, sandbox_url: str) -> None:
    message = twilio.messages.create(
        to=PATIENT,
        from_=settings.TWILIO_FROM_NUMBER,
        body="Hi",
        status_callback=sandbox_url + STATUS_CALLBACK_PATH + "?ref=42",
    )
    assert sandbox_callbacks_drain(5.0)

    callbacks = received(STATUS_CALLBACK_PATH)
    assert [c.params["MessageStatus"] for c in callbacks] == ["sent", "delivered"]
    assert all(c.signature_valid for c in callbacks)
    assert callbacks[-1].params == {
        "MessageSid": message.sid,
        "SmsSid": message.sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": settings.TWILIO_FROM_NUMBER,
        "To": PATIENT,
        "MessageStatus": "delivered",
        "SmsStatus": "delivered",
        "ApiVersion": "2010-04-01",
    }
    assert SandboxMessage.objects.get(sid=message.sid).status == "delivered"


def test_api_answers_before_its_callbacks(twilio: Client, sandbox_url: str, settings: Settings) -> None:
    settings.SMS_SANDBOX_CALLBACK_DELAY_SECONDS = 0.5

    message = twilio.messages.create(
        to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi", status_callback=sandbox_url + STATUS_CALLBACK_PATH
    )

    assert message.status == "queued"
    assert received(STATUS_CALLBACK_PATH) == []
    assert sandbox_callbacks_drain(5.0)
    assert len(received(STATUS_CALLBACK_PATH)) == 2


def test_delivery_rule_ends_undelivered_with_error_code(twilio: Client, sandbox_url: str) -> None:
    SandboxFailureRule.objects.create(kind="delivery", error_code=30003, delivery_status="undelivered")

    message = twilio.messages.create(
        to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi", status_callback=sandbox_url + STATUS_CALLBACK_PATH
    )
    assert message.status == "queued"  # accepted with 201: the failure comes later
    assert sandbox_callbacks_drain(5.0)

    callbacks = received(STATUS_CALLBACK_PATH)
    assert [c.params["MessageStatus"] for c in callbacks] == ["sent", "undelivered"]
    assert callbacks[-1].params["ErrorCode"] == "30003"
    assert "ErrorCode" not in callbacks[0].params
    assert all(c.signature_valid for c in callbacks)
    fetched = twilio.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)
    assert fetched.error_message == "Unreachable destination handset"


def test_delivery_rule_failed_skips_sent(twilio: Client, sandbox_url: str) -> None:
    SandboxFailureRule.objects.create(kind="delivery", error_code=30007, delivery_status="failed", remaining=1)

    first = twilio.messages.create(
        to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi", status_callback=sandbox_url + STATUS_CALLBACK_PATH
    )
    second = twilio.messages.create(
        to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Hi", status_callback=sandbox_url + STATUS_CALLBACK_PATH
    )
    assert sandbox_callbacks_drain(5.0)

    by_sid: dict[str, list[str]] = {}
    for callback in received(STATUS_CALLBACK_PATH):
        by_sid.setdefault(callback.params["MessageSid"], []).append(callback.params["MessageStatus"])
    assert by_sid == {first.sid: ["failed"], second.sid: ["sent", "delivered"]}


def test_unreachable_callback_is_logged_without_phi_and_dropped(
    twilio: Client, closed_port_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="clinic.messaging.sandbox")

    message = twilio.messages.create(
        to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Private words", status_callback=closed_port_url + "/cb"
    )
    assert sandbox_callbacks_drain(5.0)

    assert SandboxMessage.objects.get(sid=message.sid).status == "delivered"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert message.sid in logged and "ConnectionError" in logged
    assert PATIENT not in logged and "Private words" not in logged


def test_many_messages_share_one_delivery_thread(twilio: Client, sandbox_url: str) -> None:
    sids = [
        twilio.messages.create(
            to=PATIENT,
            from_=settings.TWILIO_FROM_NUMBER,
            body=f"m{i}",
            status_callback=sandbox_url + STATUS_CALLBACK_PATH,
        ).sid
        for i in range(30)
    ]

    workers = [t for t in threading.enumerate() if t.name == "sms-sandbox-delivery"]
    assert len(workers) == 1 and workers[0].daemon
    assert sandbox_callbacks_drain(10.0)
    assert len(received(STATUS_CALLBACK_PATH)) == 60
    assert set(SandboxMessage.objects.filter(sid__in=sids).values_list("status", flat=True)) == {"delivered"}
