from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.utils.html import escape

from clinic.core.consent import CURRENT_SMS_CONSENT_VERSION, current_email_consent_wording, current_sms_consent_wording
from clinic.intake.api.public import InquirySubmitSerializer
from clinic.intake.models import Inquiry, InquirySubmission
from tests.factories import ClinicFactory
from tests.support.contact_page import FormControls, valid_form

URL = "/contact/"
THANKS_URL = "/contact/thanks/"

pytestmark = pytest.mark.django_db


def thanks_token(location: str) -> str:
    parts = urlsplit(location)
    assert parts.path == THANKS_URL
    return parse_qs(parts.query)["r"][0]


def test_form_offers_every_api_field_with_a_label_and_the_current_consent_wording(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    page = FormControls(html)
    names = {c.get("name") for c in page.controls}
    # Without two open locations there is no location to choose (test_contact_page_locations.py has the rest).
    assert set(InquirySubmitSerializer().fields) - {"location", "postcode"} <= names
    assert not {"location", "postcode"} & names
    assert "csrfmiddlewaretoken" in names
    for control in page.controls:
        if control.get("type") != "hidden" and control.get("name") != "website":
            assert control.get("id") in page.label_targets, f"{control} has no label"
    assert escape(current_sms_consent_wording()) in html
    assert escape(current_email_consent_wording()) in html  # what choosing email agrees to
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "call or text" in html and "988" in html and "911" in html
    assert html.count("<fieldset") == 3 and html.count("<legend") == 3
    assert {c.get("value") for c in page.controls if c.get("name") == "preferred_contact_method"} == {
        "sms",
        "phone",
        "email",
    }
    assert "checked" in page.control("preferred_contact_method", "phone")
    assert len([c for c in page.controls if c.get("name") == "reasons"]) == 6
    assert page.control("message")["maxlength"] == "2000"
    assert page.control("phone")["type"] == "tel"

    honeypot = page.control("website")
    assert honeypot["tabindex"] == "-1" and honeypot["autocomplete"] == "off"
    assert '<div class="honeypot" aria-hidden="true">' in html


def test_form_offers_the_clinic_phone_number_once_a_clinic_exists(client: Client) -> None:
    ClinicFactory(phone="+16175550100")

    html = client.get(URL).content.decode()

    assert '<a href="tel:+16175550100">(617) 555-0100</a>' in html


def test_invalid_post_shows_each_error_beside_its_field_keeps_the_answers_and_stores_nothing(client: Client) -> None:
    form = valid_form(phone="12345", privacy_acknowledged=None, is_adult=None, message="Line one\r\nline two")

    response = client.post(URL, form)

    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: Contact a doctor</title>" in html
    assert "Enter a valid phone number, including the area code." in html
    assert "Please confirm you have read the privacy notice." in html
    assert "Please confirm you are 18 or older." in html
    page = FormControls(html)
    assert {"#id_phone", "#id_privacy_acknowledged", "#id_is_adult"} <= set(page.links)
    phone = page.control("phone")
    assert phone["value"] == "12345"
    assert phone["aria-invalid"] == "true"
    assert phone["aria-describedby"] == "phone-hint phone-error"
    assert 'id="phone-error"' in html
    assert page.control("is_adult")["aria-describedby"] == "is_adult-error"
    assert page.control("first_name")["value"] == "Dana"
    assert "aria-invalid" not in page.control("first_name")
    assert page.control("email")["value"] == "dana@example.com"
    assert page.textareas["message"].strip() == "Line one\r\nline two"
    assert "checked" in page.control("preferred_contact_method", "sms")
    assert "checked" not in page.control("preferred_contact_method", "phone")
    assert "checked" in page.control("reasons", "ptsd")
    assert "checked" not in page.control("reasons", "anxiety")
    assert "checked" in page.control("sms_consent")
    assert "checked" not in page.control("is_adult")
    assert Inquiry.objects.count() == 0


def test_missing_names_and_phone_are_each_named(client: Client) -> None:
    response = client.post(URL, valid_form(first_name="  ", last_name=None, phone=""))

    assert response.status_code == 400
    html = response.content.decode()
    for message in (
        "Enter your first name.",
        "Enter your last name.",
        "Enter a phone number, including the area code.",
    ):
        # Once beside the field and once in the summary at the top.
        assert html.count(message) == 2, message
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"message": "x" * 2001}, "message", "Your message must be 2000 characters or fewer."),
        ({"first_name": "x" * 5000}, "first_name", "First name must be 100 characters or fewer."),
        ({"first_name": "Da\x00na"}, "first_name", "First name contains characters that are not valid text."),
        ({"reasons": ["depression", "boredom"]}, "reasons", "What you would like help with: choose from the options"),
        ({"preferred_contact_method": "fax"}, "preferred_contact_method", "How we should contact you: choose from"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"preferred_contact_method": "email", "email": ""}, "email", "Please give an email address"),
        ({"sms_consent": None}, "sms_consent", "Please agree to receive texts"),
    ],
)
def test_anything_a_browser_can_send_is_a_400_naming_the_field(
    client: Client, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = client.post(URL, valid_form(**overrides))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="{field}-error"' in html
    assert Inquiry.objects.count() == 0


def test_valid_post_stores_the_inquiry_and_shows_its_reference_without_personal_data(client: Client) -> None:
    response = client.post(URL, valid_form())

    assert response.status_code == 303
    inquiry = Inquiry.objects.get()
    assert inquiry.source == Inquiry.Source.WEB_FORM
    assert inquiry.phone == "+16175550142"
    assert inquiry.first_name == "Dana" and inquiry.email == "dana@example.com"
    assert inquiry.preferred_contact_method == "sms"
    assert sorted(inquiry.reasons.values_list("code", flat=True)) == ["depression", "ptsd"]
    assert inquiry.sms_consent is True
    assert inquiry.sms_consent_version == CURRENT_SMS_CONSENT_VERSION
    assert inquiry.sms_consent_at is not None
    assert inquiry.sms_consent_source == "web_form"
    assert inquiry.privacy_acknowledged_at is not None and inquiry.adult_confirmed_at is not None
    assert InquirySubmission.objects.get().source == "web_form"

    thanks = client.get(response["Location"])

    assert thanks.status_code == 200
    html = thanks.content.decode()
    assert f'<p class="reference">{inquiry.reference}</p>' in html
    assert "reach out by text" in html and "reply STOP" in html and "988" in html
    for personal in ("Dana", "Whitlock", "555", "dana@example.com", "epression", "SSRI", "candidate"):
        assert personal not in html
    assert "Dana" not in response["Location"]


def test_line_breaks_in_a_textarea_count_as_one_character(client: Client) -> None:
    # The browser's maxlength counts a line break once but sends it as CRLF.
    message = ("x" * 99 + "\r\n") * 19 + "x" * 100

    response = client.post(URL, valid_form(message=message))

    assert response.status_code == 303
    assert Inquiry.objects.get().message == message.replace("\r\n", "\n")


def test_thanks_page_without_consent_says_how_we_will_reach_out(client: Client) -> None:
    response = client.post(URL, valid_form(preferred_contact_method="phone", sms_consent=None))

    html = client.get(response["Location"]).content.decode()

    assert "reach out by phone" in html
    assert "reply STOP" not in html


def test_a_repeat_submission_is_merged_but_shows_its_own_reference(client: Client) -> None:
    first = client.post(URL, valid_form())
    again = client.post(URL, valid_form(message="Also, can I bring someone?"))

    inquiry = Inquiry.objects.get()
    assert inquiry.submissions.count() == 2
    shown = [client.get(response["Location"]).content.decode() for response in (first, again)]
    references = list(inquiry.submissions.order_by("received_at", "id").values_list("reference", flat=True))
    assert references[0] == inquiry.reference and references[1] != inquiry.reference
    # The thanks page after a merge looks like any other: it never reveals the stored inquiry's reference.
    assert references[0] in shown[0] and references[1] in shown[1]
    assert inquiry.reference not in shown[1]


def forged_tokens() -> list[str]:
    good = signing.dumps({"reference": "INQ-ABCDEFGH", "preferred_contact_method": "sms", "sms_consent": True})
    return [
        "",
        "garbage",
        "a:b:c",
        "\u00ff\u00fe",
        good,  # signed, but without the thanks page's salt
        signing.dumps({"reference": "INQ-ABCDEFGH"}, salt="intake.contact.thanks"),  # not a whole receipt
        signing.dumps(["INQ-ABCDEFGH"], salt="intake.contact.thanks"),
    ]


@pytest.mark.parametrize("token", forged_tokens())
def test_a_forged_thanks_link_shows_a_friendly_page_without_a_reference(client: Client, token: str) -> None:
    response = client.get(THANKS_URL, {"r": token})

    assert response.status_code == 400
    html = response.content.decode()
    assert "We cannot show this confirmation" in html
    assert "INQ-" not in html


def test_a_tampered_thanks_link_shows_no_reference(client: Client) -> None:
    token = thanks_token(client.post(URL, valid_form())["Location"])
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(THANKS_URL, {"r": tampered})

    assert response.status_code == 400
    assert Inquiry.objects.get().reference not in response.content.decode()
    assert client.get(THANKS_URL).status_code == 400


def test_a_thanks_link_expires_after_a_week(client: Client, time_machine: Any) -> None:
    time_machine.move_to("2026-03-02 12:00Z")
    location = client.post(URL, valid_form())["Location"]
    assert client.get(location).status_code == 200

    time_machine.move_to("2026-03-10 12:00Z")

    assert client.get(location).status_code == 400


def test_honeypot_answers_like_success_but_stores_nothing(client: Client) -> None:
    response = client.post(URL, valid_form(website="https://cheap-pills.example"))

    assert response.status_code == 303
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert '<p class="reference">INQ-' in thanks.content.decode()
    assert Inquiry.objects.count() == 0
    assert InquirySubmission.objects.count() == 0


def person(n: int) -> dict[str, Any]:
    """Return a valid form from someone else each time, so nothing is merged."""
    return valid_form(phone=f"617-555-01{n:02d}", email=f"person{n}@example.com")


def test_posts_are_throttled_per_address_like_the_api(client: Client) -> None:
    ClinicFactory(phone="+16175550100")
    statuses = [client.post(URL, person(n), REMOTE_ADDR="203.0.113.9").status_code for n in range(5)]
    assert statuses == [303] * 5

    refused = client.post(URL, person(77), REMOTE_ADDR="203.0.113.9")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert "Please call us instead" in html
    assert '<a href="tel:+16175550100">(617) 555-0100</a>' in html
    assert FormControls(html).control("phone")["value"] == "617-555-0177"
    assert Inquiry.objects.count() == 5

    other = client.post(URL, person(88), REMOTE_ADDR="203.0.113.10")
    assert other.status_code == 303


def test_the_form_carries_a_working_csrf_token_and_a_post_without_one_is_refused() -> None:
    browser = Client(enforce_csrf_checks=True)
    page = FormControls(browser.get(URL).content.decode())
    # The form and the language switch each carry the page's one token.
    tokens = {c["value"] for c in page.controls if c.get("name") == "csrfmiddlewaretoken"}
    assert len(tokens) == 1
    token = tokens.pop()

    assert browser.post(URL, valid_form()).status_code == 403
    assert browser.post(URL, {**valid_form(), "csrfmiddlewaretoken": token}).status_code == 303
    assert Inquiry.objects.count() == 1


def test_other_methods_are_not_allowed(client: Client) -> None:
    assert client.put(URL).status_code == 405
    assert client.post(THANKS_URL).status_code == 405
    assert client.head(URL).status_code == 200
