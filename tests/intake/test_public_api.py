from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from clinic.core.consent import CURRENT_SMS_CONSENT_VERSION
from clinic.intake.models import Inquiry, InquiryNote, InquirySubmission
from tests.support.inquiries import INQUIRY_URL, inquiry_payload

pytestmark = pytest.mark.django_db


def test_valid_json_inquiry_is_stored_and_answered_without_personal_data(api: APIClient) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"reference", "status", "next_steps"}
    assert body["reference"].startswith("INQ-") and len(body["reference"]) == 12
    text = response.content.decode()
    for personal in ("Dana", "Whitlock", "555", "dana@example.com", "depression"):
        assert personal not in text
    inquiry = Inquiry.objects.get(reference=body["reference"])
    assert inquiry.phone == "+16175550142"
    assert inquiry.status == Inquiry.Status.NEW
    assert sorted(inquiry.reasons.values_list("code", flat=True)) == ["depression", "ptsd"]
    assert inquiry.sms_consent is True
    assert inquiry.sms_consent_version == CURRENT_SMS_CONSENT_VERSION
    assert inquiry.sms_consent_at is not None
    assert inquiry.sms_consent_source == "api"
    assert inquiry.privacy_acknowledged_at is not None and inquiry.adult_confirmed_at is not None
    assert "text" in body["next_steps"] and "988" in body["next_steps"]


def test_form_encoded_inquiry_with_repeated_reasons_is_accepted(api: APIClient) -> None:
    payload = inquiry_payload(
        sms_consent="on", privacy_acknowledged="true", is_adult="1", preferred_contact_method="phone"
    )
    response = api.post(INQUIRY_URL, payload)  # multipart form, reasons sent as repeated keys

    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get(reference=response.json()["reference"])
    assert sorted(inquiry.reasons.values_list("code", flat=True)) == ["depression", "ptsd"]

    urlencoded = (
        "first_name=Ana&last_name=Li&phone=6175550143&reasons=ocd&reasons=anxiety&privacy_acknowledged=on&is_adult=on"
    )
    response = api.post(INQUIRY_URL, urlencoded, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get(reference=response.json()["reference"])
    assert inquiry.preferred_contact_method == "phone"
    assert inquiry.sms_consent is False and inquiry.sms_consent_at is None
    assert sorted(inquiry.reasons.values_list("code", flat=True)) == ["anxiety", "ocd"]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"phone": "12345"}, "phone", "valid phone number"),
        ({"phone": "not a phone"}, "phone", "valid phone number"),
        ({"phone": ""}, "phone", ""),
        ({"first_name": ""}, "first_name", ""),
        ({"email": "nope"}, "email", "email"),
        ({"preferred_contact_method": "email", "email": ""}, "email", "email address"),
        ({"preferred_contact_method": "sms", "sms_consent": False}, "sms_consent", "agree to receive texts"),
        ({"preferred_contact_method": "fax"}, "preferred_contact_method", "not a valid choice"),
        ({"reasons": ["depression", "boredom"]}, "reasons", "not a valid choice"),
        ({"reasons": "depression"}, "reasons", "list"),
        ({"privacy_acknowledged": False}, "privacy_acknowledged", "privacy"),
        ({"is_adult": False}, "is_adult", "18"),
        ({"message": "x" * 2001}, "message", "2000"),
        ({"first_name": {"nested": "dict"}}, "first_name", "valid string"),
        ({"sms_consent": "maybe"}, "sms_consent", "valid boolean"),
    ],
)
def test_each_bad_field_gets_its_own_message(
    api: APIClient, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(**overrides), format="json")

    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    assert fragment.lower() in " ".join(errors[field]).lower()
    assert Inquiry.objects.count() == 0


def test_missing_required_fields_are_each_named(api: APIClient) -> None:
    response = api.post(INQUIRY_URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"first_name", "last_name", "phone", "privacy_acknowledged", "is_adult"}


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2, 3]", "application/json", 400),
        ('"just a string"', "application/json", 400),
        ("null", "application/json", 400),
        ("<xml/>", "application/xml", 415),
        (json.dumps({"first_name": "Zo\u00eb \u6f22\u5b57 \U0001f600"}), "application/json", 400),
        ('{"first_name": "\\ud800", "last_name": "x"}', "application/json", 400),
        ('{"first_name": "a\\u0000b"}', "application/json", 400),
    ],
)
def test_malformed_bodies_get_a_4xx_never_a_500(api: APIClient, body: str, content_type: str, expected: int) -> None:
    response = api.generic("POST", INQUIRY_URL, body, content_type=content_type)

    assert response.status_code == expected
    assert Inquiry.objects.count() == 0


def test_lone_surrogate_is_a_field_error(api: APIClient) -> None:
    body = json.dumps(inquiry_payload()).replace('"Dana"', '"\\ud800Dana"')
    response = api.generic("POST", INQUIRY_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert "first_name" in response.json()


def test_unicode_names_are_stored_as_given(api: APIClient) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(first_name="Zoë", last_name="Ōkubo-Nguyễn"), format="json")

    assert response.status_code == 201
    inquiry = Inquiry.objects.get(reference=response.json()["reference"])
    assert (inquiry.first_name, inquiry.last_name) == ("Zoë", "Ōkubo-Nguyễn")


def test_huge_body_is_refused_with_413_before_it_is_read(api: APIClient) -> None:
    body = json.dumps(inquiry_payload(message="x" * 200_000))
    response = api.generic("POST", INQUIRY_URL, body, content_type="application/json")

    assert response.status_code == 413
    assert Inquiry.objects.count() == 0


def test_public_endpoint_never_lists_or_returns_inquiries(api: APIClient) -> None:
    reference = api.post(INQUIRY_URL, inquiry_payload(), format="json").json()["reference"]

    assert api.get(INQUIRY_URL).status_code == 405
    assert api.get(f"{INQUIRY_URL}{reference}/").status_code == 404
    assert api.put(INQUIRY_URL, inquiry_payload(), format="json").status_code == 405
    assert api.delete(INQUIRY_URL).status_code == 405


def test_honeypot_answers_like_success_but_stores_nothing(api: APIClient) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(website="http://spam.example"), format="json")

    assert response.status_code == 201
    assert response.json()["reference"].startswith("INQ-")
    assert Inquiry.objects.count() == 0


def test_idempotency_key_replays_the_first_answer_and_stores_once(api: APIClient) -> None:
    headers = {"Idempotency-Key": "form-7f3a9c21-retry"}
    first = api.post(INQUIRY_URL, inquiry_payload(), format="json", headers=headers)
    second = api.post(INQUIRY_URL, inquiry_payload(), format="json", headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Inquiry.objects.count() == 1
    assert InquirySubmission.objects.count() == 1


def test_malformed_idempotency_key_is_a_400(api: APIClient) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(), format="json", headers={"Idempotency-Key": "x"})

    assert response.status_code == 400
    assert "idempotency_key" in response.json()


def test_same_person_within_a_day_is_merged_into_the_open_inquiry(api: APIClient) -> None:
    first = api.post(INQUIRY_URL, inquiry_payload(reasons=["depression"]), format="json").json()
    second = api.post(
        INQUIRY_URL,
        inquiry_payload(phone="+1 617 555 0142", reasons=["anxiety"], message="Also, evenings work."),
        format="json",
    ).json()

    # Merged, yet the answer does not say so: each submission has its own reference.
    assert first["reference"] != second["reference"]
    inquiry = Inquiry.objects.get()
    assert inquiry.reference == first["reference"]
    assert inquiry.submissions.filter(reference=second["reference"]).exists()
    assert sorted(inquiry.reasons.values_list("code", flat=True)) == ["anxiety", "depression"]
    assert inquiry.message == "I would like to learn whether I am a candidate."
    assert inquiry.submissions.count() == 2
    note = InquiryNote.objects.get(inquiry=inquiry)
    assert "merged" in note.body and "Also, evenings work." in note.body and "anxiety" in note.body


def test_same_email_different_phone_is_merged(api: APIClient) -> None:
    api.post(INQUIRY_URL, inquiry_payload(), format="json")
    api.post(INQUIRY_URL, inquiry_payload(phone="617-555-0199", email="DANA@example.com"), format="json")

    assert Inquiry.objects.count() == 1


def test_resubmission_after_a_day_or_after_closing_opens_a_new_inquiry(api: APIClient, time_machine: Any) -> None:
    time_machine.move_to("2026-11-20 10:00Z")
    api.post(INQUIRY_URL, inquiry_payload(), format="json")
    time_machine.move_to("2026-11-21 10:01Z")
    api.post(INQUIRY_URL, inquiry_payload(), format="json")
    assert Inquiry.objects.count() == 2

    Inquiry.objects.update(status=Inquiry.Status.CLOSED)
    api.post(INQUIRY_URL, inquiry_payload(), format="json")
    assert Inquiry.objects.count() == 3


def test_a_different_person_is_not_merged(api: APIClient) -> None:
    api.post(INQUIRY_URL, inquiry_payload(), format="json")
    api.post(INQUIRY_URL, inquiry_payload(phone="617-555-0177", email="other@example.com"), format="json")

    assert Inquiry.objects.count() == 2


def test_submissions_are_throttled_per_client_address(api: APIClient) -> None:
    statuses = [
        api.post(
            INQUIRY_URL, inquiry_payload(phone=f"617-555-01{n:02d}"), format="json", REMOTE_ADDR="203.0.113.9"
        ).status_code
        for n in range(6)
    ]
    assert statuses == [201] * 5 + [429]

    other = api.post(INQUIRY_URL, inquiry_payload(phone="617-555-0188"), format="json", REMOTE_ADDR="203.0.113.10")
    assert other.status_code == 201


def test_consent_queues_one_acknowledgement_text_and_no_consent_queues_none(api: APIClient) -> None:
    from clinic.messaging.models import OutboundMessage

    api.post(INQUIRY_URL, inquiry_payload(), format="json")
    api.post(INQUIRY_URL, inquiry_payload(message="again"), format="json")  # merged: still one text
    api.post(
        INQUIRY_URL,
        inquiry_payload(phone="617-555-0190", email="", sms_consent=False, preferred_contact_method="phone"),
        format="json",
    )

    message = OutboundMessage.objects.get()
    assert message.kind == "inquiry_ack" and message.to_number == "+16175550142"
    assert "Dana" in message.body and "STOP" in message.body
    for forbidden in ("ketamine", "depression", "ptsd", "whitlock"):
        assert forbidden not in message.body.lower()
