"""POST /api/v1/inquiries/ names a location: chosen, else the nearest to the ZIP code, else none; merges keep it."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from clinic.core.models import Clinic
from clinic.intake.models import Inquiry, InquiryNote
from clinic.intake.services import InquiryInput, inquiry_submit
from clinic.messaging.models import OutboundMessage
from tests.factories import ClinicFactory
from tests.support.inquiries import INQUIRY_URL, inquiry_payload

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}
LOCATION_ERROR = "Choose one of our locations."
POSTCODE_ERROR = "Enter a ZIP code of 5 digits (or ZIP+4), for example 85004."


@pytest.fixture
def sites() -> dict[str, Clinic]:
    return {
        "denver": ClinicFactory(
            name="Denver", short_name="Mile High", timezone="America/Denver", postcode="80202", phone="+13035550100"
        ),
        "phoenix": ClinicFactory(
            name="Phoenix", short_name="Desert", timezone="America/Phoenix", postcode="85004", phone="+16025550100"
        ),
        "tucson": ClinicFactory(name="Tucson", timezone="America/Phoenix", postcode="85701", is_active=False),
    }


def submit(api: APIClient, payload: dict[str, Any], **headers: Any) -> dict[str, Any]:
    response = api.post(INQUIRY_URL, payload, format="json", **headers)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def stored(reference: str) -> Inquiry:
    return Inquiry.objects.select_related("clinic").get(submissions__reference=reference)


def test_the_location_chosen_is_stored_and_the_answer_names_nothing(api: APIClient, sites: dict[str, Clinic]) -> None:
    response = api.post(
        INQUIRY_URL, inquiry_payload(location=sites["phoenix"].pk, postcode="80202"), format="json"
    )  # chosen wins over a Denver ZIP code

    assert response.status_code == 201
    assert set(response.json()) == {"reference", "status", "next_steps"}
    for said in ("Phoenix", "Desert", "80202", str(sites["phoenix"].pk) + ","):
        assert said not in response.content.decode()
    inquiry = stored(response.json()["reference"])
    assert inquiry.clinic == sites["phoenix"]
    # The acknowledgement goes out for that location (its name, its sender).
    ack = OutboundMessage.objects.get()
    assert ack.clinic == sites["phoenix"] and "Desert" in ack.body


@pytest.mark.parametrize("value", ["phoenix", "phoenix-as-text", "phoenix-padded"])
def test_a_location_id_may_be_a_number_or_digits(api: APIClient, sites: dict[str, Clinic], value: str) -> None:
    pk = sites["phoenix"].pk
    location = {"phoenix": pk, "phoenix-as-text": str(pk), "phoenix-padded": f" {pk} "}[value]

    body = submit(api, inquiry_payload(location=location))

    assert stored(body["reference"]).clinic == sites["phoenix"]


def test_form_encoded_location_and_postcode_are_read(api: APIClient, sites: dict[str, Clinic]) -> None:
    response = api.post(
        INQUIRY_URL,
        "first_name=Ana&last_name=Li&phone=6175550143&location=&postcode=85281&privacy_acknowledged=on&is_adult=on",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.content
    assert stored(response.json()["reference"]).clinic == sites["phoenix"]


@pytest.mark.parametrize(
    ("postcode", "nearest"),
    [("85281", "phoenix"), ("85281-0001", "phoenix"), ("87501", "denver"), ("80301", "denver")],
)
@pytest.mark.parametrize("location", ["absent", None, ""])
def test_without_a_choice_the_nearest_open_location_to_the_zip_code_is_taken(
    api: APIClient, sites: dict[str, Clinic], postcode: str, nearest: str, location: str | None
) -> None:
    payload = inquiry_payload(postcode=postcode)
    if location != "absent":
        payload["location"] = location

    body = submit(api, payload)

    assert stored(body["reference"]).clinic == sites[nearest]


@pytest.mark.parametrize("postcode", ["absent", "", "99999", "00000"])
def test_without_a_choice_or_a_known_zip_code_the_front_desk_decides(
    api: APIClient, sites: dict[str, Clinic], postcode: str
) -> None:
    payload = inquiry_payload() if postcode == "absent" else inquiry_payload(postcode=postcode)

    body = submit(api, payload)

    assert stored(body["reference"]).clinic is None


def test_with_one_open_location_that_one_is_used(api: APIClient) -> None:
    only = ClinicFactory(name="Phoenix", postcode="85004")
    closed = ClinicFactory(name="Denver", postcode="80202", is_active=False)

    # Even with a ZIP code nearer the closed location, or none at all.
    assert stored(submit(api, inquiry_payload(postcode="80202"))["reference"]).clinic == only
    assert stored(submit(api, inquiry_payload(phone="617-555-0177", email=""))["reference"]).clinic == only
    refused = api.post(INQUIRY_URL, inquiry_payload(location=closed.pk), format="json")
    assert refused.status_code == 400 and refused.json() == {"location": [LOCATION_ERROR]}


@pytest.mark.parametrize(
    "location",
    ["tucson", 999999, 0, -1, 2**31, 2**63, "abc", "1e3", "\u0661", True, 1.0, [1], {"id": 1}],
    ids=repr,
)
def test_a_location_that_is_not_an_open_one_is_a_400_naming_it(
    api: APIClient, sites: dict[str, Clinic], location: Any
) -> None:
    value = sites["tucson"].pk if location == "tucson" else location

    response = api.post(INQUIRY_URL, inquiry_payload(location=value), format="json")

    assert response.status_code == 400
    assert response.json() == {"location": [LOCATION_ERROR]}
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize("postcode", ["8500", "850041", "85004-12", "85004-", "85004 1234", "ABCDE", "٨٥٠٠٤", "8500٤"])
def test_a_malformed_postcode_is_a_400_naming_it(api: APIClient, sites: dict[str, Clinic], postcode: str) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(postcode=postcode), format="json")

    assert response.status_code == 400
    assert response.json() == {"postcode": [POSTCODE_ERROR]}
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize(("postcode", "fragment"), [(["85004"], "valid string"), ("85004-12345", "10 characters")])
def test_a_postcode_of_the_wrong_shape_is_a_400_naming_it(
    api: APIClient, sites: dict[str, Clinic], postcode: Any, fragment: str
) -> None:
    response = api.post(INQUIRY_URL, inquiry_payload(postcode=postcode), format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"postcode"} and fragment in response.json()["postcode"][0]


def test_both_fields_are_named_at_once_and_in_spanish(api: APIClient, sites: dict[str, Clinic]) -> None:
    response = api.post(
        INQUIRY_URL, inquiry_payload(location=sites["tucson"].pk, postcode="850"), format="json", **SPANISH
    )

    assert response.status_code == 400
    assert response.json() == {
        "location": ["Elija una de nuestras sedes."],
        "postcode": ["Escriba un código postal de 5 dígitos (o ZIP+4), por ejemplo 85004."],
    }


def test_a_location_closed_after_the_answer_was_checked_is_not_stored(api: APIClient, sites: dict[str, Clinic]) -> None:
    # The submission was checked while Phoenix was open; it closed before the inquiry was written.
    Clinic.objects.filter(pk=sites["phoenix"].pk).update(is_active=False)
    data = InquiryInput(
        first_name="Dana",
        last_name="Whitlock",
        phone="+16175550142",
        preferred_contact_method="phone",
        location_id=sites["phoenix"].pk,
        postcode="80301",
    )

    outcome = inquiry_submit(data=data, source="api")

    assert outcome.inquiry.clinic == sites["denver"]  # decided as if none had been chosen: the nearest open one


# Repeat submissions merged into the open inquiry.


def merge_note(inquiry: Inquiry) -> str:
    return InquiryNote.objects.get(inquiry=inquiry).body


def test_a_merge_keeps_the_inquirys_location_and_notes_the_other(api: APIClient, sites: dict[str, Clinic]) -> None:
    first = submit(api, inquiry_payload(location=sites["denver"].pk))
    second = submit(api, inquiry_payload(location=sites["phoenix"].pk, message="Phoenix is closer to work."))

    inquiry = stored(second["reference"])
    assert inquiry.reference == first["reference"]
    assert inquiry.clinic == sites["denver"]
    assert "Location: Phoenix (not applied: this inquiry stays at Denver)." in merge_note(inquiry).splitlines()
    # The answer is the same as to a first submission: nothing says what was stored before.
    assert set(second) == set(first) and second["next_steps"] == first["next_steps"]


def test_a_merge_into_an_inquiry_without_a_location_takes_the_new_one(api: APIClient, sites: dict[str, Clinic]) -> None:
    first = submit(api, inquiry_payload())  # not sure, no ZIP code
    assert stored(first["reference"]).clinic is None

    second = submit(api, inquiry_payload(postcode="85281"))

    inquiry = stored(second["reference"])
    assert inquiry.clinic == sites["phoenix"]
    assert "Location: Phoenix (the inquiry had none; taken from this submission)." in merge_note(inquiry).splitlines()


@pytest.mark.parametrize("again", [{"location": "denver"}, {}, {"postcode": "99999"}])
def test_a_merge_that_says_the_same_or_nothing_about_the_location_adds_no_location_line(
    api: APIClient, sites: dict[str, Clinic], again: dict[str, Any]
) -> None:
    submit(api, inquiry_payload(location=sites["denver"].pk))
    if again.get("location") == "denver":
        again = {"location": sites["denver"].pk}

    second = submit(api, inquiry_payload(message="Again.", **again))

    inquiry = stored(second["reference"])
    assert inquiry.clinic == sites["denver"]
    assert "Location" not in merge_note(inquiry)


def test_a_retry_with_the_same_key_replays_and_another_location_under_it_is_refused(
    api: APIClient, sites: dict[str, Clinic]
) -> None:
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-location-0001"}
    first = api.post(INQUIRY_URL, inquiry_payload(location=sites["denver"].pk), format="json", **key)
    again = api.post(INQUIRY_URL, inquiry_payload(location=sites["denver"].pk), format="json", **key)
    other = api.post(INQUIRY_URL, inquiry_payload(location=sites["phoenix"].pk), format="json", **key)

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json()["reference"] == first.json()["reference"] and again["Idempotent-Replayed"] == "true"
    assert set(other.json()) == {"idempotency_key"}
    assert list(Inquiry.objects.values_list("clinic__name", flat=True)) == ["Denver"]
