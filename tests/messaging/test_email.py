"""Email through the outbox: consent per address, what goes by email, the footer, unsubscribing, crashes.

Sent through the sandbox mailbox (the development email backend); tests/messaging/test_email_smtp.py
sends through a real SMTP server.
"""

from __future__ import annotations

import ast
import base64
import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.core.consent import CURRENT_EMAIL_CONSENT_VERSION
from clinic.intake.models import Inquiry
from clinic.messaging.email.addresses import email_state, email_state_ensure
from clinic.messaging.email.sending import RESENT_AFTER_UNKNOWN, email_message_id
from clinic.messaging.email.unsubscribe import unsubscribe_token
from clinic.messaging.models import DeliveryAttempt, EmailAddressState, OutboundMessage
from clinic.messaging.outbox import outbox_claim_due, outbox_enqueue
from clinic.messaging.sending import outbox_reconcile_stale, outbox_send_batch
from clinic.messaging.wording import forbidden_words_in
from clinic.patients.models import Patient
from clinic.patients.services import patient_update
from tests.factories import ClinicFactory, PatientFactory
from tests.support.sandbox import sandbox_emails_to

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status
EMAIL = OutboundMessage.Channel.EMAIL
INQUIRY_URL = "/api/v1/inquiries/"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def mailbox(settings: Settings) -> None:
    # pytest-django swaps in Django's locmem backend; these tests read the sandbox mailbox, as `make run` uses.
    settings.EMAIL_BACKEND = settings.SANDBOX_EMAIL_BACKEND


@pytest.fixture(autouse=True)
def clinic(db: None) -> None:
    # A clinic that writes at any hour keeps these tests independent of the time they run at.
    ClinicFactory(texting_starts=datetime.time(0, 0), texting_ends=datetime.time(23, 59, 59, 999999))


def payload(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": "Dana",
        "last_name": "Whitlock",
        "phone": "(617) 555-0142",
        "email": "Dana@Example.com",
        "preferred_contact_method": "email",
        "reasons": ["depression", "ptsd"],
        "message": "Is ketamine right for me?",
        "sms_consent": False,
        "privacy_acknowledged": True,
        "is_adult": True,
    }
    data.update(overrides)
    return data


def send_due() -> dict[str, int]:
    ids = outbox_claim_due(limit=100, enqueue=False)
    return outbox_send_batch(message_ids=ids).counts


def email_patient(address: str = "pat@example.com", **fields: object) -> Patient:
    return PatientFactory(
        email=address,
        email_consent_at=timezone.now(),
        email_consent_version="2026-12-email-v1",
        email_consent_source="staff",
        email_consent_address=address,
        **fields,
    )


def an_email(patient: Patient, key: str = "one") -> OutboundMessage:
    return outbox_enqueue(
        kind=OutboundMessage.Kind.REMINDER,
        channel=EMAIL,
        to_email=patient.email,
        subject="Harbor Clinic: a note",
        body=f"Hi {patient.first_name},\n\nA note from us.",
        patient_id=patient.pk,
        idempotency_key=key,
    )


def test_an_inquiry_that_chose_email_is_acknowledged_by_email_with_consent_recorded(api: APIClient) -> None:
    response = api.post(INQUIRY_URL, payload(), format="json")

    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get()
    assert inquiry.email_consent_at is not None and inquiry.email_consent_source == "api"
    assert inquiry.email_consent_version == CURRENT_EMAIL_CONSENT_VERSION
    assert inquiry.submissions.get().email_consent_version == CURRENT_EMAIL_CONSENT_VERSION
    assert inquiry.email_consent_address == "Dana@Example.com"
    row = OutboundMessage.objects.get()
    assert (row.channel, row.to_email, row.to_number, row.status) == (EMAIL, "Dana@Example.com", "", Status.SCHEDULED)
    # It answers the person's own action: not held for texting hours.
    assert row.outside_texting_hours_ok

    assert send_due().get("sent") == 1
    [email] = sandbox_emails_to("dana@example.com")
    assert email.subject == "Harbor Clinic: we received your message"
    for part in (email.subject, email.text_body, email.html_body):
        assert forbidden_words_in(part) == [], part
        assert "ketamine" not in part.lower()
    for must in ("988", "911", "+16175550100", "not read", "at night"):
        assert must in email.text_body and must in email.html_body
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.headers["List-Unsubscribe"].startswith(f"<{settings.PUBLIC_BASE_URL}/email/unsubscribe/")
    assert OutboundMessage.objects.get().status == Status.SENT


def test_the_public_answer_does_not_depend_on_email_being_chosen_or_stored(api: APIClient) -> None:
    first = api.post(INQUIRY_URL, payload(), format="json").json()
    again = api.post(INQUIRY_URL, payload(), format="json").json()  # merged into the first inquiry
    assert set(first) == set(again) == {"reference", "status", "next_steps"}
    assert (first["status"], first["next_steps"]) == (again["status"], again["next_steps"])


def test_an_email_is_sent_once_however_often_the_batch_runs() -> None:
    row = an_email(email_patient())
    ids = outbox_claim_due(limit=10, enqueue=False)
    outbox_send_batch(message_ids=ids)
    outbox_send_batch(message_ids=ids)  # a redelivered task
    assert len(sandbox_emails_to("pat@example.com")) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1


def test_an_address_without_consent_is_suppressed_when_written_and_again_at_send_time() -> None:
    stranger = PatientFactory(email="other@example.com")
    assert an_email(stranger, "no-consent").suppressed_reason == "no email consent"

    patient = email_patient()
    row = an_email(patient)
    assert row.status == Status.SCHEDULED
    # The address changes before the send: consent was for the old one.
    Patient.objects.filter(pk=patient.pk).update(email="new@example.com")
    row.to_email = "new@example.com"
    row.save(update_fields=["to_email"])
    send_due()
    row.refresh_from_db()
    assert (row.status, row.suppressed_reason) == (Status.SUPPRESSED, "no email consent")
    assert sandbox_emails_to("new@example.com") == []


def test_unsubscribing_works_without_signing_in_and_stops_every_email() -> None:
    patient = email_patient()
    pending = an_email(patient, "pending")
    state = email_state_ensure(patient.email)
    url = f"/email/unsubscribe/{unsubscribe_token(state)}/"
    client = Client(enforce_csrf_checks=True)

    page = client.get(url)
    assert page.status_code == 200 and b"Unsubscribe</button>" in page.content
    assert email_state(patient.email).unsubscribed_at is None  # GET (a link scanner) changes nothing

    # RFC 8058 one-click: a POST with that body, no CSRF token, no session.
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    state.refresh_from_db()
    assert state.unsubscribed_at is not None and state.unsubscribe_source == "one-click"
    pending.refresh_from_db()
    assert (pending.status, pending.suppressed_reason) == (Status.CANCELLED, "unsubscribed")
    assert an_email(patient, "after").suppressed_reason == "unsubscribed"
    assert client.post(url).status_code == 200  # twice is fine


def test_the_unsubscribe_token_carries_no_address_and_a_bad_one_gets_a_polite_400() -> None:
    state = email_state_ensure("pat@example.com")
    token = unsubscribe_token(state)
    readable = base64.urlsafe_b64decode(token.split(":")[0] + "==").decode(errors="replace")
    assert "pat" not in readable and "example" not in readable

    client = Client()
    for bad in (token[:-2] + "xx", "nonsense", token.replace(token[0], "Z" if token[0] != "Z" else "Y", 1)):
        response = client.get(f"/email/unsubscribe/{bad}/")
        assert response.status_code == 400 and b"not valid" in response.content
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.EMAIL_UNSUBSCRIBE_MAX_AGE_DAYS + 1)):
        assert client.post(f"/email/unsubscribe/{token}/").status_code == 400
    assert not EmailAddressState.objects.filter(unsubscribed_at__isnull=False).exists()


def test_the_patient_page_shows_when_the_address_can_no_longer_be_emailed(
    front_desk: AbstractBaseUser, api_as: Callable[[AbstractBaseUser], APIClient]
) -> None:
    patient = email_patient()
    url = f"/api/v1/patients/{patient.pk}/"
    before = api_as(front_desk).get(url).json()["email_state"]
    assert (before["can_email"], before["unsubscribed"], before["why_not"]) == (True, False, "")

    client = Client()
    client.post(f"/email/unsubscribe/{unsubscribe_token(email_state_ensure(patient.email))}/")
    after = api_as(front_desk).get(url).json()["email_state"]
    assert (after["can_email"], after["unsubscribed"], after["why_not"]) == (False, True, "unsubscribed")
    assert after["unsubscribed_at"] is not None


def test_bad_unsubscribe_links_are_throttled_per_client_address_and_valid_ones_never_are() -> None:
    client = Client()
    limit = 30  # EMAIL_UNSUBSCRIBE_THROTTLE's default, per minute
    # A forged X-Forwarded-For (no trusted proxy) does not make each guess a new client.
    answers = [
        client.get("/email/unsubscribe/nonsense/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(limit + 1)
    ]
    assert {answer.status_code for answer in answers[:limit]} == {400}
    assert answers[limit].status_code == 429

    # One mail provider's address unsubscribes many people at once (RFC 8058 one-click): none is refused.
    for n in range(limit + 5):
        state = email_state_ensure(f"person{n}@example.com")
        response = client.post(
            f"/email/unsubscribe/{unsubscribe_token(state)}/",
            {"List-Unsubscribe": "One-Click"},
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 200
    assert EmailAddressState.objects.filter(unsubscribed_at__isnull=False).count() == limit + 5


def test_a_dead_worker_s_email_is_sent_again_once_with_the_same_message_id_then_left_to_staff() -> None:
    row = an_email(email_patient())
    outbox_claim_due(limit=10, enqueue=False)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS + 5)
    # The worker claimed it and died (it may or may not have handed the email over).
    OutboundMessage.objects.filter(id=row.id).update(status=Status.SENDING, sending_started_at=long_ago, attempts=1)

    assert outbox_reconcile_stale()["resent"] == 1
    row.refresh_from_db()
    assert (row.status, row.last_error_message, row.attempts) == (Status.SCHEDULED, RESENT_AFTER_UNKNOWN, 0)
    send_due()
    [email] = sandbox_emails_to("pat@example.com")
    assert email.message_id == email_message_id(row)  # the same on every attempt: a receiver can de-duplicate

    # Had the resend died too, a third copy is not risked: staff check with the patient.
    OutboundMessage.objects.filter(id=row.id).update(
        status=Status.SENDING, sending_started_at=long_ago, last_error_message=RESENT_AFTER_UNKNOWN
    )
    assert outbox_reconcile_stale()["failed"] == 1
    row.refresh_from_db()
    assert row.status == Status.FAILED and "may have arrived" in row.last_error_message


def test_a_retry_after_the_resend_does_not_earn_a_third_copy() -> None:
    row = an_email(email_patient())
    outbox_claim_due(limit=10, enqueue=False)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS + 5)
    OutboundMessage.objects.filter(id=row.id).update(status=Status.SENDING, sending_started_at=long_ago, attempts=1)
    assert outbox_reconcile_stale()["resent"] == 1

    # The resend met a busy server (a temporary failure rewrites the row's last error), then its worker died.
    OutboundMessage.objects.filter(id=row.id).update(
        status=Status.SENDING, sending_started_at=long_ago, last_error_message="mail server: temporary failure 451"
    )
    assert outbox_reconcile_stale()["failed"] == 1
    row.refresh_from_db()
    assert row.status == Status.FAILED and "may have arrived" in row.last_error_message
    assert [attempt.outcome for attempt in row.delivery_attempts.all()] == [DeliveryAttempt.Outcome.NOT_FOUND]


def test_email_off_writes_every_email_suppressed(settings: Settings) -> None:
    settings.EMAIL_ENABLED = False
    assert an_email(email_patient()).suppressed_reason == "email is off (no EMAIL_URL)"


def test_check_ins_crisis_answers_and_pages_stay_texts() -> None:
    """Only the inquiry acknowledgement and reminders may be written as emails (email is not watched at 2 a.m.)."""
    writers_of_email = set()
    for path in (REPO / "backend" / "clinic").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "outbox_enqueue"
                and any(keyword.arg == "channel" for keyword in node.keywords)
            ):
                writers_of_email.add(str(path.relative_to(REPO)))
    assert writers_of_email == {"backend/clinic/intake/services.py", "backend/clinic/scheduling/reminders.py"}


@pytest.mark.parametrize(
    "kind", sorted(set(OutboundMessage.Kind.values) - {OutboundMessage.Kind.INQUIRY_ACK, OutboundMessage.Kind.REMINDER})
)
def test_the_outbox_refuses_an_email_of_any_kind_but_acknowledgements_and_reminders(kind: str) -> None:
    patient = email_patient()
    with pytest.raises(ValueError, match="stay on SMS"):
        outbox_enqueue(
            kind=kind,
            channel=EMAIL,
            to_email=patient.email,
            subject="s",
            body="b",
            patient_id=patient.pk,
            idempotency_key=f"refused:{kind}",
        )
    assert not OutboundMessage.objects.exists()


def test_the_sandbox_page_lists_the_mailbox_next_to_the_texts() -> None:
    an_email(email_patient())
    send_due()
    [email] = sandbox_emails_to("pat@example.com")
    client = Client()
    listing = client.get("/sandbox/")
    assert listing.status_code == 200 and b"Mailbox" in listing.content and b"Harbor Clinic: a note" in listing.content
    detail = client.get(f"/sandbox/mail/{email.pk}/")
    assert detail.status_code == 200 and b"A note from us." in detail.content and b"srcdoc" in detail.content


@pytest.mark.parametrize(
    ("new_address", "consent_again", "expected"),
    [
        ("Pat@Example.com", None, (Status.SCHEDULED, "pat@example.com")),  # the same address, other capitals
        ("new@example.com", True, (Status.SCHEDULED, "new@example.com")),  # consent for the new one given too
        ("new@example.com", None, (Status.CANCELLED, "pat@example.com")),  # no consent for the new address
    ],
)
def test_pending_emails_follow_an_address_change_only_with_consent_for_the_new_address(
    front_desk: AbstractBaseUser, new_address: str, consent_again: bool | None, expected: tuple[str, str]
) -> None:
    patient = email_patient()
    pending = an_email(patient, "pending")
    changes: dict[str, object] = {"email": new_address}
    if consent_again is not None:
        changes["email_consent"] = consent_again

    patient_update(actor=Actor(user=front_desk), patient=patient, changes=changes)

    pending.refresh_from_db()
    assert (pending.status, pending.to_email.lower()) == expected
