from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from clinic.messaging.models import DeliveryReport, InboundMessage, OutboundMessage, PhoneNumberState
from tests.factories import PatientFactory
from tests.support.sandbox import SMS_PATH, STATUS_PATH, inbound_params, post_signed, twilio_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def test_signed_inbound_text_is_stored_linked_to_the_patient_and_goes_to_the_inbox(client: Client) -> None:
    patient = PatientFactory(phone="+16175550142")
    response = post_signed(client, SMS_PATH, inbound_params("Can I move my Tuesday visit?"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "<Message>" not in response.content.decode()
    message = InboundMessage.objects.get()
    assert message.patient == patient
    assert message.route == InboundMessage.Route.INBOX
    assert message.handled_at is None


@pytest.mark.parametrize(
    "signature",
    ["", "bm90IGEgc2lnbmF0dXJl", "!!!"],
    ids=["missing", "forged", "garbage"],
)
def test_unsigned_or_forged_webhooks_are_refused_and_change_nothing(client: Client, signature: str) -> None:
    for path, params in (
        (SMS_PATH, inbound_params("STOP")),
        (STATUS_PATH, {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered"}),
    ):
        response = post_signed(client, path, params, signature=signature)
        assert response.status_code == 403
        assert response.content == b""
    assert InboundMessage.objects.count() == 0
    assert DeliveryReport.objects.count() == 0
    assert PhoneNumberState.objects.count() == 0


def test_a_signature_for_other_parameters_is_refused(client: Client) -> None:
    real = inbound_params("hello")
    tampered = {**real, "Body": "STOP"}
    response = post_signed(client, SMS_PATH, tampered, signature=twilio_signature(SMS_PATH, real))
    assert response.status_code == 403
    assert not PhoneNumberState.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{}", "application/json"), ("\x00\xff" * 50, "application/octet-stream"), ("a=%ZZ&&&", "text/plain")],
)
def test_malformed_webhook_bodies_get_403_not_500(client: Client, body: str, content_type: str) -> None:
    for path in (SMS_PATH, STATUS_PATH):
        response = client.post(path, body, content_type=content_type, headers={"X-Twilio-Signature": "abc"})
        assert response.status_code == 403


def test_webhooks_accept_only_post(client: Client) -> None:
    assert client.get(SMS_PATH).status_code == 405
    assert client.get(STATUS_PATH).status_code == 405


def test_signed_request_missing_required_fields_is_a_400(client: Client) -> None:
    response = post_signed(client, SMS_PATH, {"Body": "hi"})
    assert response.status_code == 400
    assert InboundMessage.objects.count() == 0


def test_a_repeated_message_sid_is_stored_and_routed_once(client: Client) -> None:
    params = inbound_params("STOP")
    assert post_signed(client, SMS_PATH, params).status_code == 200
    PhoneNumberState.objects.update(opted_out_at=None)  # if it were routed again, it would opt out again
    assert post_signed(client, SMS_PATH, params).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert PhoneNumberState.objects.get().opted_out_at is None


@pytest.mark.parametrize(
    "body", ["STOP", "stop", "Stop.", " STOP! ", "unsubscribe", "Cancel", "end", "QUIT", "revoke", "OptOut", "stopall"]
)
def test_opt_out_keywords_in_any_case_and_punctuation(client: Client, body: str) -> None:
    response = post_signed(client, SMS_PATH, inbound_params(body))
    assert response.status_code == 200
    assert "<Message>" not in response.content.decode()
    state = PhoneNumberState.objects.get(phone="+16175550142")
    assert state.is_opted_out
    assert InboundMessage.objects.get().route == InboundMessage.Route.OPT_OUT


@pytest.mark.parametrize("body", ["Where do I stop in the parking lot?", "stop by tomorrow?", "Don't cancel my visit"])
def test_sentences_containing_keywords_are_not_opt_outs(client: Client, body: str) -> None:
    post_signed(client, SMS_PATH, inbound_params(body))
    assert not PhoneNumberState.objects.filter(opted_out_at__isnull=False).exists()
    assert InboundMessage.objects.get().route == InboundMessage.Route.INBOX


def test_start_and_yes_opt_back_in_but_yes_only_when_opted_out(client: Client) -> None:
    post_signed(client, SMS_PATH, inbound_params("YES", sid="SM" + "1" * 32))
    assert InboundMessage.objects.get(message_sid="SM" + "1" * 32).route != InboundMessage.Route.OPT_IN

    post_signed(client, SMS_PATH, inbound_params("STOP", sid="SM" + "2" * 32))
    response = post_signed(client, SMS_PATH, inbound_params("yes", sid="SM" + "3" * 32))
    assert "STOP" in response.content.decode()  # the opt-in answer says how to opt out again
    assert not PhoneNumberState.objects.get().is_opted_out

    post_signed(client, SMS_PATH, inbound_params("STOP", sid="SM" + "4" * 32))
    post_signed(client, SMS_PATH, inbound_params("Start", sid="SM" + "5" * 32))
    assert not PhoneNumberState.objects.get().is_opted_out


def test_help_answers_with_the_clinic_and_how_to_opt_out_without_phi(client: Client) -> None:
    from tests.factories import ClinicFactory

    ClinicFactory(short_name="Harbor Clinic", phone="+16175550100")
    PatientFactory(phone="+16175550142", first_name="Dana")
    response = post_signed(client, SMS_PATH, inbound_params("help"))
    text = response.content.decode()
    assert "Harbor Clinic" in text and "+16175550100" in text and "STOP" in text
    assert "Dana" not in text


@pytest.mark.parametrize(
    "body",
    [
        "I want to die",
        "i keep thinking about killing myself",
        "thinking of suicide",
        "feeling sucidal tonight",
        "I might overdose",
        "STOP I want to end my life",
        "i want to hurt myself",
    ],
)
def test_crisis_language_is_answered_with_crisis_resources_before_any_other_route(client: Client, body: str) -> None:
    response = post_signed(client, SMS_PATH, inbound_params(body))
    text = response.content.decode()
    assert "988" in text and "911" in text
    message = InboundMessage.objects.get()
    assert message.route == InboundMessage.Route.CRISIS
    assert message.handled_at is None  # stays in front of staff until someone handles it
    assert not PhoneNumberState.objects.filter(opted_out_at__isnull=False).exists()


def test_crisis_reply_is_sent_even_at_night(client: Client, time_machine: object) -> None:
    time_machine.move_to("2026-11-25 08:30Z")  # type: ignore[attr-defined]  # 03:30 in New York
    response = post_signed(client, SMS_PATH, inbound_params("I want to die"))
    assert "988" in response.content.decode()


def sent_message(sid: str, status: str = OutboundMessage.Status.SENT) -> OutboundMessage:
    return OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number="+16175550142",
        body="hello",
        idempotency_key=f"test:{sid}",
        send_after=timezone.now(),
        status=status,
        provider_sid=sid,
    )


def status_params(sid: str, status: str, error_code: str = "") -> dict[str, str]:
    params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status, "AccountSid": "AC1"}
    if error_code:
        params["ErrorCode"] = error_code
    return params


def test_status_callbacks_move_forward_only(client: Client) -> None:
    message = sent_message("SM" + "c" * 32)
    for status, expected in (
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("sent", "delivered"),
        ("queued", "delivered"),
    ):
        assert post_signed(client, STATUS_PATH, status_params(message.provider_sid or "", status)).status_code == 204
        message.refresh_from_db()
        assert message.status == expected
    assert message.delivered_at is not None


def test_a_callback_that_arrives_before_the_sid_is_saved_is_applied_later(client: Client) -> None:
    from clinic.messaging.sending import delivery_reports_apply

    sid = "SM" + "d" * 32
    post_signed(client, STATUS_PATH, status_params(sid, "delivered"))
    message = sent_message(sid)
    delivery_reports_apply(message_sid=sid)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DELIVERED


def test_permanent_delivery_failure_marks_the_number_for_staff(client: Client) -> None:
    message = sent_message("SM" + "e" * 32)
    post_signed(client, STATUS_PATH, status_params(message.provider_sid or "", "undelivered", "30006"))
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.UNDELIVERED
    assert message.last_error_code == 30006
    state = PhoneNumberState.objects.get(phone="+16175550142")
    assert state.undeliverable_code == 30006 and state.needs_staff_attention
    # A late "delivered" after the failure changes nothing.
    post_signed(client, STATUS_PATH, status_params(message.provider_sid or "", "delivered"))
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.UNDELIVERED


def test_signature_is_checked_against_the_public_url_not_the_host_behind_the_proxy(
    client: Client, settings: object
) -> None:
    from twilio.request_validator import RequestValidator

    settings.PUBLIC_BASE_URL = "https://clinic.example.org"  # type: ignore[attr-defined]
    params = inbound_params("hello")
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)  # type: ignore[attr-defined]
    # Twilio signs the public URL; the app itself is reached as http://testserver behind the proxy.
    public = validator.compute_signature("https://clinic.example.org" + SMS_PATH, params)
    internal = validator.compute_signature("http://testserver" + SMS_PATH, params)

    assert post_signed(client, SMS_PATH, params, signature=internal).status_code == 403
    assert post_signed(client, SMS_PATH, params, signature=public).status_code == 200


def sending_message(key: str) -> OutboundMessage:
    """A text whose send ended with an unknown outcome: no SID recorded, a lookup due soon."""
    return OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.AD_HOC,
        to_number="+16175550142",
        body="hello",
        idempotency_key=key,
        send_after=timezone.now(),
        status=OutboundMessage.Status.SENDING,
        sending_started_at=timezone.now(),
        reconcile_after=timezone.now(),
        attempts=1,
    )


def test_a_status_callback_names_its_row_so_a_text_left_sending_learns_its_sid(client: Client) -> None:
    message = sending_message("left-sending")
    sid = "SM" + "1" * 32
    path = f"{STATUS_PATH}?ob={message.pk}"

    assert post_signed(client, path, status_params(sid, "sent")).status_code == 204
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (OutboundMessage.Status.SENT, sid)
    post_signed(client, path, status_params(sid, "delivered"))
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DELIVERED


def test_the_row_id_in_a_callback_url_is_covered_by_the_signature(client: Client) -> None:
    message = sending_message("unsigned-id")
    params = status_params("SM" + "2" * 32, "sent")
    # Signed for the URL without the id: adding one is a different URL, so the request is refused.
    signature = twilio_signature(STATUS_PATH, params)

    assert post_signed(client, f"{STATUS_PATH}?ob={message.pk}", params, signature=signature).status_code == 403
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (OutboundMessage.Status.SENDING, None)


@pytest.mark.parametrize("outbox_id", ["abc", "0", "-1", "1e3", "9" * 30, "", "%EF%BC%91", "%00"])
def test_a_row_id_we_did_not_write_is_ignored(client: Client, outbox_id: str) -> None:
    message = sending_message("junk-id")
    sid = "SM" + "3" * 32

    response = post_signed(client, f"{STATUS_PATH}?ob={outbox_id}", status_params(sid, "sent"))

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.provider_sid is None
    assert DeliveryReport.objects.filter(message_sid=sid).exists()


def test_a_callback_never_gives_a_row_a_second_sid_or_another_rows_sid(client: Client) -> None:
    settled = sent_message("SM" + "4" * 32)
    waiting = sending_message("waiting")
    # Another row's SID, a malformed SID, and a second SID for a row that has one: all ignored.
    post_signed(client, f"{STATUS_PATH}?ob={waiting.pk}", status_params(settled.provider_sid or "", "delivered"))
    post_signed(client, f"{STATUS_PATH}?ob={waiting.pk}", status_params("SM-not-a-sid", "sent"))
    post_signed(client, f"{STATUS_PATH}?ob={settled.pk}", status_params("SM" + "5" * 32, "sent"))

    waiting.refresh_from_db()
    settled.refresh_from_db()
    assert (waiting.status, waiting.provider_sid) == (OutboundMessage.Status.SENDING, None)
    assert (settled.provider_sid, settled.status) == ("SM" + "4" * 32, OutboundMessage.Status.DELIVERED)
