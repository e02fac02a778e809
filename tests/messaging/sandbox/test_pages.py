"""The sandbox pages, used as a browser would: read a number's texts, reply as the patient, add failure rules."""

from __future__ import annotations

import re

import pytest
import requests
from django.conf import settings
from pytest_django.fixtures import Settings
from twilio.rest import Client

from clinic.messaging.sandbox.models import SandboxFailureRule, SandboxMessage

from .urls import SMS_WEBHOOK_PATH, received

pytestmark = pytest.mark.django_db(transaction=True)

PATIENT = "+15551230001"
BANNER = "Development sandbox — not Twilio"


def _csrf_post(
    session: requests.Session, page_url: str, data: dict[str, str], action_url: str | None = None
) -> requests.Response:
    """Load the page, then submit one of its forms with the CSRF token, as a browser does."""
    page = session.get(page_url, timeout=5)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    return session.post(action_url or page_url, data={"csrfmiddlewaretoken": token.group(1), **data}, timeout=15)


def test_reply_as_patient_reaches_the_webhook_signed_and_shows_the_twiml_answer(sandbox_url: str) -> None:
    session = requests.Session()
    page_url = f"{sandbox_url}/sandbox/{PATIENT}/"

    answer = _csrf_post(session, page_url, {"body": "YES"})

    assert answer.status_code == 200  # after the redirect back to the conversation
    assert answer.url == page_url
    webhooks = received(SMS_WEBHOOK_PATH)
    assert len(webhooks) == 1
    webhook = webhooks[0]
    assert webhook.signature_valid
    inbound = SandboxMessage.objects.get(direction="inbound")
    assert webhook.params == {
        "MessageSid": inbound.sid,
        "SmsMessageSid": inbound.sid,
        "SmsSid": inbound.sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": PATIENT,
        "To": settings.TWILIO_FROM_NUMBER,
        "Body": "YES",
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        "FromCountry": "US",
        "ToCountry": "US",
    }
    assert inbound.sid.startswith("SM") and inbound.webhook_status == 200
    reply = SandboxMessage.objects.get(direction="outbound-reply")
    assert (reply.to_number, reply.from_number, reply.body, reply.status) == (
        PATIENT,
        settings.TWILIO_FROM_NUMBER,
        "Thanks",
        "delivered",
    )
    assert BANNER in answer.text
    assert answer.text.index(">YES<") < answer.text.index(">Thanks<")
    assert "The webhook answered HTTP 200 with 1 TwiML reply" in answer.text


def test_reply_includes_messaging_service_sid_when_configured(sandbox_url: str, settings: Settings) -> None:
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "b" * 32

    _csrf_post(requests.Session(), f"{sandbox_url}/sandbox/{PATIENT}/", {"body": "STOP"})

    assert received(SMS_WEBHOOK_PATH)[0].params["MessagingServiceSid"] == "MG" + "b" * 32
    assert received(SMS_WEBHOOK_PATH)[0].signature_valid


def test_reply_when_the_webhook_is_down_says_so(sandbox_url: str, settings: Settings, closed_port_url: str) -> None:
    page_url = f"{sandbox_url}/sandbox/{PATIENT}/"
    session = requests.Session()
    session.get(page_url, timeout=5)
    settings.PUBLIC_BASE_URL = closed_port_url

    answer = _csrf_post(session, page_url, {"body": "hello?"})

    assert "could not be reached" in answer.text
    inbound = SandboxMessage.objects.get(direction="inbound")
    assert inbound.webhook_status is None
    assert not SandboxMessage.objects.filter(direction="outbound-reply").exists()


def test_reply_form_refuses_without_csrf_token(sandbox_url: str) -> None:
    answer = requests.post(f"{sandbox_url}/sandbox/{PATIENT}/", data={"body": "YES"}, timeout=5)

    assert answer.status_code == 403
    assert not SandboxMessage.objects.exists()


def test_numbers_page_lists_both_directions_with_counts(sandbox_url: str, twilio: Client) -> None:
    twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Reminder")
    twilio.messages.create(to="+15551230009", from_=settings.TWILIO_FROM_NUMBER, body="Other")
    _csrf_post(requests.Session(), f"{sandbox_url}/sandbox/{PATIENT}/", {"body": "C"})

    page = requests.get(f"{sandbox_url}/sandbox/", timeout=5)

    assert page.status_code == 200
    assert BANNER in page.text
    row = re.search(rf'<tr>\s*<td><a href="/sandbox/\{PATIENT}/">\{PATIENT}</a></td>(.*?)</tr>', page.text, re.S)
    assert row is not None
    assert re.findall(r"<td>(\d+)</td>", row.group(1)) == ["3", "2", "1"]  # total, from clinic, from patient
    assert page.text.index(PATIENT) < page.text.index("+15551230009")  # most recent activity first


def test_conversation_page_shows_status_and_error_code(sandbox_url: str, twilio: Client) -> None:
    from clinic.messaging.sandbox.callbacks import sandbox_callbacks_drain

    SandboxFailureRule.objects.create(kind="delivery", error_code=30006)
    twilio.messages.create(to=PATIENT, from_=settings.TWILIO_FROM_NUMBER, body="Your visit is at 9:00")
    assert sandbox_callbacks_drain(5.0)

    page = requests.get(f"{sandbox_url}/sandbox/{PATIENT}/", timeout=5)

    assert "Your visit is at 9:00" in page.text
    assert "undelivered" in page.text
    assert "30006 Landline or unreachable carrier" in page.text


def test_open_number_form_and_bad_numbers(sandbox_url: str) -> None:
    opened = requests.get(f"{sandbox_url}/sandbox/", params={"number": PATIENT}, timeout=5)
    bad = requests.get(f"{sandbox_url}/sandbox/", params={"number": "555"}, timeout=5)
    not_a_number = requests.get(f"{sandbox_url}/sandbox/not-a-number/", timeout=5)

    assert opened.url == f"{sandbox_url}/sandbox/{PATIENT}/"
    assert "No texts with this number yet." in opened.text
    assert "Use E.164 form" in bad.text
    assert not_a_number.status_code == 404


def test_failure_rules_page_adds_and_removes_rules(sandbox_url: str) -> None:
    session = requests.Session()
    page_url = f"{sandbox_url}/sandbox/failures/"

    added = _csrf_post(
        session,
        page_url,
        {
            "to_number": PATIENT,
            "kind": "api",
            "fraction": "1",
            "http_status": "429",
            "error_code": "20429",
            "delivery_status": "undelivered",
            "remaining": "2",
        },
    )
    rule = SandboxFailureRule.objects.get()
    invalid = _csrf_post(session, page_url, {"kind": "api", "fraction": "2", "http_status": "200", "error_code": "1"})
    removed = _csrf_post(session, page_url, {}, action_url=f"{page_url}{rule.id}/delete/")

    assert added.status_code == 200 and "Failure rule added." in added.text
    assert (rule.to_number, rule.kind, rule.error_code, rule.remaining) == (PATIENT, "api", 20429, 2)
    assert invalid.status_code == 400
    assert SandboxFailureRule.objects.count() == 0
    assert removed.url == page_url and "Failure rule removed." in removed.text
