"""The public form is no oracle, consent belongs to the number it was given with, and keys bind to content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.intake.models import Inquiry, InquiryNote, InquirySubmission
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.sending import outbox_send
from clinic.patients.models import Patient
from tests.support.inquiries import INQUIRY_URL, inquiry_payload

pytestmark = pytest.mark.django_db
ApiAs = Callable[[AbstractBaseUser], APIClient]
STAFF = "/api/v1/staff/inquiries/"

VICTIM = {"first_name": "Dana", "last_name": "Whitlock", "phone": "(617) 555-0142", "email": "dana@example.com"}
PROBE = {"first_name": "Eve", "last_name": "Probe", "phone": "(617) 555-0199", "email": "dana@example.com"}


def _answer_shape(response: Any) -> tuple[int, list[str], list[str], str]:
    body = response.json()
    # Every header but the ones that carry a time of day; the reference is random by design.
    headers = sorted(name for name in response.headers if name.lower() not in ("date",))
    return response.status_code, sorted(body), headers, body["next_steps"]


def test_the_answer_is_the_same_whether_or_not_someone_has_an_open_inquiry(api: APIClient) -> None:
    probe = inquiry_payload(**PROBE, preferred_contact_method="phone", sms_consent=False)
    unknown = api.post(INQUIRY_URL, {**probe, "email": "nobody@example.com", "phone": "617-555-0177"}, format="json")
    victim = api.post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json")
    known = api.post(INQUIRY_URL, probe, format="json")

    assert _answer_shape(known) == _answer_shape(unknown)
    stored = Inquiry.objects.get(phone="+16175550142")
    assert known.json()["reference"] != stored.reference
    assert known.json()["reference"] != victim.json()["reference"]
    # The answer describes what was submitted (phone, no texts), not the stored inquiry (sms, texts).
    assert "by phone" in known.json()["next_steps"] and "text confirming" not in known.json()["next_steps"]


def test_the_contact_page_answers_the_same_whether_or_not_someone_has_an_open_inquiry(api: APIClient) -> None:
    api.post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json")
    browser = Client()
    form = {
        **PROBE,
        "preferred_contact_method": "phone",
        "privacy_acknowledged": "on",
        "is_adult": "on",
    }
    response = browser.post("/contact/", form)
    thanks = browser.get(response["Location"]).content.decode()

    stored = Inquiry.objects.get()
    assert stored.reference not in thanks
    assert "by phone" in thanks and "text confirming" not in thanks


def test_consent_posted_with_a_known_email_stays_with_the_number_it_came_with(api: APIClient) -> None:
    api.post(INQUIRY_URL, inquiry_payload(**VICTIM, sms_consent=False, preferred_contact_method="phone"), format="json")
    response = api.post(INQUIRY_URL, inquiry_payload(**PROBE, sms_consent=True), format="json")
    assert response.status_code == 201

    inquiry = Inquiry.objects.get()  # merged by email
    assert inquiry.phone == "+16175550142"
    assert inquiry.sms_consent is False and inquiry.sms_consent_at is None and inquiry.sms_consent_phone == ""
    assert inquiry.first_name == "Dana" and inquiry.preferred_contact_method == "phone"
    submission = InquirySubmission.objects.get(reference=response.json()["reference"])
    assert submission.phone == "+16175550199" and submission.sms_consent_at is not None
    # Staff see what was submitted, to review; the victim's number gets nothing.
    note = InquiryNote.objects.get(inquiry=inquiry).body
    assert "+16175550199" in note and "review" in note.lower()
    assert not OutboundMessage.objects.filter(to_number="+16175550142").exists()
    ack = OutboundMessage.objects.get()
    assert ack.to_number == "+16175550199"
    assert "Eve" in ack.body and "Dana" not in ack.body

    # At send time too: the acknowledgement passes the consent check for the number it was given with.
    outbox_claim_due(limit=10)
    assert outbox_send(message_id=ack.pk).result != "suppressed: no SMS consent"


def test_a_merge_never_changes_the_earlier_inquirys_contact_details_or_consent(api: APIClient) -> None:
    api.post(INQUIRY_URL, inquiry_payload(**{**VICTIM, "email": ""}, sms_consent=True), format="json")
    before = Inquiry.objects.values().get()
    api.post(
        INQUIRY_URL,
        inquiry_payload(
            phone=VICTIM["phone"], email="eve@example.com", sms_consent=False, preferred_contact_method="email"
        ),
        format="json",
    )
    after = Inquiry.objects.values().get()
    for name in ("phone", "email", "preferred_contact_method", "sms_consent", "sms_consent_at", "sms_consent_phone"):
        assert after[name] == before[name], name
    assert "eve@example.com" in InquiryNote.objects.get().body
    # One acknowledgement to the number given with consent; the repeat without consent sends none.
    texts = OutboundMessage.objects.filter(channel=OutboundMessage.Channel.SMS)
    assert list(texts.values_list("to_number", flat=True)) == ["+16175550142"]
    # The repeat chose email: acknowledged at the address it gave (consent from that submission alone).
    emails = OutboundMessage.objects.filter(channel=OutboundMessage.Channel.EMAIL)
    assert list(emails.values_list("to_email", "status")) == [("eve@example.com", "scheduled")]


def test_an_idempotency_key_reused_with_other_content_is_refused(api: APIClient) -> None:
    headers = {"Idempotency-Key": "shared-key-0001"}
    first = api.post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json", headers=headers)
    other = api.post(
        INQUIRY_URL,
        inquiry_payload(**{**PROBE, "email": "eve@example.com"}),
        format="json",
        headers=headers,
    )

    assert first.status_code == 201
    assert other.status_code == 422
    assert "idempotency_key" in other.json() and first.json()["reference"] not in other.content.decode()
    assert Inquiry.objects.count() == 1 and InquirySubmission.objects.count() == 1

    replay = api.post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json", headers=headers)
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_staff_changing_an_inquirys_phone_drops_its_consent_and_its_pending_text(
    api_as: ApiAs, front_desk: AbstractBaseUser
) -> None:
    reference = APIClient().post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json").json()["reference"]
    ack = OutboundMessage.objects.get()
    client = api_as(front_desk)

    response = client.patch(f"{STAFF}{reference}/", {"phone": "617-555-0188"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sms_consent"] is False
    inquiry = Inquiry.objects.get()
    assert inquiry.phone == "+16175550188" and inquiry.sms_consent_phone == ""
    ack.refresh_from_db()
    assert ack.status == OutboundMessage.Status.CANCELLED and ack.to_number == "+16175550142"

    # Converted later, the patient has no consent: none was given for the number they have.
    Inquiry.objects.filter(pk=inquiry.pk).update(status=Inquiry.Status.ELIGIBLE)
    converted = client.post(f"{STAFF}{reference}/convert/")
    assert converted.status_code == 201
    patient = Patient.objects.get()
    assert patient.phone == "+16175550188" and patient.sms_consent_at is None


def test_an_inquiry_converts_with_its_consent_for_the_same_number(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    reference = APIClient().post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json").json()["reference"]
    Inquiry.objects.update(status=Inquiry.Status.ELIGIBLE)
    assert api_as(front_desk).post(f"{STAFF}{reference}/convert/").status_code == 201
    patient = Patient.objects.get()
    assert patient.sms_consent_at is not None and patient.sms_consent_phone == patient.phone == "+16175550142"


def test_a_merged_submissions_reference_finds_the_inquiry_for_staff(
    api_as: ApiAs, front_desk: AbstractBaseUser
) -> None:
    api = APIClient()
    first = api.post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json").json()["reference"]
    second = api.post(INQUIRY_URL, inquiry_payload(**VICTIM, message="again"), format="json").json()["reference"]
    client = api_as(front_desk)

    assert client.get(f"{STAFF}{second}/").json()["reference"] == first
    assert [row["reference"] for row in client.get(STAFF, {"search": second}).json()["results"]] == [first]


def _admin_post_data(response: Any, **changes: str) -> dict[str, Any]:
    """The admin change form as the browser would send it back, with `changes` applied."""
    data: dict[str, Any] = {}

    def put(form: Any, name: str) -> None:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        elif value is not None:
            data[key] = str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                put(subform, name)
    data.update(changes)
    return data


def test_changing_an_inquirys_phone_in_the_admin_drops_its_consent(clinic_admin: AbstractBaseUser) -> None:
    APIClient().post(INQUIRY_URL, inquiry_payload(**VICTIM), format="json")
    inquiry = Inquiry.objects.get()
    ack = OutboundMessage.objects.get()
    client = Client()
    client.force_login(clinic_admin)
    url = f"/admin/intake/inquiry/{inquiry.pk}/change/"

    response = client.post(url, _admin_post_data(client.get(url), phone="(617) 555-0188"))
    assert response.status_code == 302, response.content.decode()[:3000]

    inquiry.refresh_from_db()
    assert inquiry.phone == "+16175550188"
    assert inquiry.sms_consent is False and inquiry.sms_consent_phone == ""
    ack.refresh_from_db()
    assert ack.status == OutboundMessage.Status.CANCELLED
