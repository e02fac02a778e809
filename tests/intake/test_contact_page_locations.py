"""The /contact/ page names a location: asked when there are two or more open ones, in English and Spanish."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from clinic.core.models import Clinic
from clinic.intake.models import Inquiry
from tests.factories import ClinicFactory
from tests.support.contact_page import FormControls, valid_form

pytestmark = pytest.mark.django_db

URL = "/contact/"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}


@pytest.fixture
def sites() -> dict[str, Clinic]:
    return {
        "phoenix": ClinicFactory(
            name="Phoenix", timezone="America/Phoenix", postcode="85004", address="1 N Central Ave\nPhoenix, AZ 85004"
        ),
        "denver": ClinicFactory(
            name="Denver", timezone="America/Denver", postcode="80202", address="1600 Market St, Denver, CO 80202"
        ),
        "tucson": ClinicFactory(name="Tucson", timezone="America/Phoenix", postcode="85701", is_active=False),
    }


def page_in(client: Client, **headers: Any) -> str:
    response = client.get(URL, **headers)
    assert response.status_code == 200
    return response.content.decode()


def location_values(page: FormControls) -> list[str | None]:
    return [c.get("value") for c in page.controls if c.get("name") == "location"]


def test_with_two_open_locations_the_page_asks_which_one(client: Client, sites: dict[str, Clinic]) -> None:
    html = page_in(client)
    page = FormControls(html)

    assert "<h2>Our locations</h2>" in html
    assert '<legend class="label">Which location would you like to visit?</legend>' in html
    assert '<p class="hint" id="location-hint">If you are not sure, we will help you choose.</p>' in html
    # The open locations by name with their address on one line, then "Not sure", checked; never a closed one.
    denver, phoenix = sites["denver"].pk, sites["phoenix"].pk
    assert location_values(page) == [str(denver), str(phoenix), ""]
    assert (
        '<label for="id_location_0">Denver <span class="option-detail">1600 Market St, Denver, CO 80202</span></label>'
        in html
    )
    assert (
        '<label for="id_location_1">Phoenix <span class="option-detail">1 N Central Ave, Phoenix, AZ 85004</span>'
        "</label>" in html
    )
    assert '<label for="id_location_unsure">Not sure</label>' in html
    assert "checked" in page.control("location", "")
    assert "checked" not in page.control("location", str(denver))
    assert "Tucson" not in html
    assert '<label class="label" for="id_postcode">ZIP code (optional)</label>' in html
    assert (
        '<p class="hint" id="postcode-hint">If you are not sure which location to choose, your ZIP code helps us '
        "suggest the nearest one. For example: 85004.</p>"
    ) in html
    postcode = page.control("postcode")
    assert (postcode["type"], postcode["maxlength"], postcode["autocomplete"], postcode["inputmode"]) == (
        "text",
        "10",
        "postal-code",
        "numeric",
    )
    assert postcode["aria-describedby"] == "postcode-hint"
    for control in page.controls:
        if control.get("name") in ("location", "postcode"):
            assert control.get("id") in page.label_targets, f"{control} has no label"


def test_the_location_question_is_in_spanish(client: Client, sites: dict[str, Clinic]) -> None:
    html = page_in(client, **SPANISH)

    assert "<h2>Nuestras sedes</h2>" in html
    assert '<legend class="label">¿Qué sede le gustaría visitar?</legend>' in html
    assert '<p class="hint" id="location-hint">Si no lo sabe, le ayudaremos a elegir.</p>' in html
    assert '<label for="id_location_unsure">No lo sé</label>' in html
    assert '<label class="label" for="id_postcode">Código postal (opcional)</label>' in html
    assert (
        '<p class="hint" id="postcode-hint">Si no sabe qué sede elegir, su código postal nos ayuda a sugerirle la más '
        "cercana. Por ejemplo: 85004.</p>"
    ) in html
    for english in ("Our locations", "Which location", "Not sure", "ZIP code", "nearest"):
        assert english not in html, english


def test_with_one_open_location_nothing_is_asked_and_that_location_is_used(client: Client) -> None:
    only = ClinicFactory(name="Phoenix", postcode="85004")
    ClinicFactory(name="Tucson", postcode="85701", is_active=False)

    for html in (page_in(client), page_in(client, **SPANISH)):
        names = {c.get("name") for c in FormControls(html).controls}
        assert not {"location", "postcode"} & names
        assert "Our locations" not in html and "Nuestras sedes" not in html

    assert client.post(URL, valid_form()).status_code == 303
    assert Inquiry.objects.get().clinic == only


def test_without_any_open_location_the_inquiry_names_none(client: Client) -> None:
    ClinicFactory(name="Tucson", postcode="85701", is_active=False)

    assert client.post(URL, valid_form()).status_code == 303
    assert Inquiry.objects.get().clinic is None


def test_the_location_chosen_is_stored_and_wins_over_the_zip_code(client: Client, sites: dict[str, Clinic]) -> None:
    # A Denver ZIP code, but the person chose Phoenix.
    response = client.post(URL, valid_form(location=str(sites["phoenix"].pk), postcode="80202"))

    assert response.status_code == 303
    assert Inquiry.objects.get().clinic == sites["phoenix"]


@pytest.mark.parametrize(
    ("postcode", "nearest"),
    [("85281", "phoenix"), ("85281-1234", "phoenix"), ("80301", "denver"), (" 80202 ", "denver")],
)
def test_not_sure_takes_the_open_location_nearest_to_the_zip_code(
    client: Client, sites: dict[str, Clinic], postcode: str, nearest: str
) -> None:
    response = client.post(URL, valid_form(location="", postcode=postcode))

    assert response.status_code == 303
    assert Inquiry.objects.get().clinic == sites[nearest]


def test_a_closed_location_is_never_the_nearest(client: Client, sites: dict[str, Clinic]) -> None:
    # Tucson (closed) is nearest to 85705; Phoenix is the nearest open one.
    client.post(URL, valid_form(postcode="85705"))

    assert Inquiry.objects.get().clinic == sites["phoenix"]


@pytest.mark.parametrize("postcode", ["", "99999", "00000"])
def test_not_sure_without_a_known_zip_code_leaves_it_to_the_front_desk(
    client: Client, sites: dict[str, Clinic], postcode: str
) -> None:
    response = client.post(URL, valid_form(location="", postcode=postcode))

    assert response.status_code == 303
    assert Inquiry.objects.get().clinic is None


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "Choose one of our locations."), (SPANISH, "Elija una de nuestras sedes.")],
)
@pytest.mark.parametrize("location", ["tucson", "unknown", "junk"])
def test_a_closed_or_unknown_location_is_refused_beside_the_question(
    client: Client, sites: dict[str, Clinic], headers: dict[str, str], message: str, location: str
) -> None:
    value = {"tucson": str(sites["tucson"].pk), "unknown": "999999", "junk": "Phoenix"}[location]

    response = client.post(URL, valid_form(location=value, postcode="85004"), **headers)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<li><a href="#id_location_0">{escape(message)}</a></li>' in html
    assert (
        '<p class="error-message" id="location-error"><span class="visually-hidden">Error:</span> '
        f"{escape(message)}</p>"
    ) in html
    page = FormControls(html)
    assert page.control("location", str(sites["denver"].pk))["aria-invalid"] == "true"
    assert page.control("postcode")["value"] == "85004"  # the answers are kept
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Enter a ZIP code of 5 digits (or ZIP+4), for example 85004."),
        (SPANISH, "Escriba un código postal de 5 dígitos (o ZIP+4), por ejemplo 85004."),
    ],
)
@pytest.mark.parametrize("postcode", ["8500", "850041", "85004-12", "85004 1234", "abcde", "٨٥٠٠٤"])
def test_a_malformed_zip_code_is_refused_beside_its_field(
    client: Client, sites: dict[str, Clinic], headers: dict[str, str], message: str, postcode: str
) -> None:
    response = client.post(URL, valid_form(postcode=postcode, location=str(sites["phoenix"].pk)), **headers)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'<li><a href="#id_postcode">{escape(message)}</a></li>' in html
    page = FormControls(html)
    assert page.control("postcode")["aria-invalid"] == "true"
    assert page.control("postcode")["aria-describedby"] == "postcode-hint postcode-error"
    assert "checked" in page.control("location", str(sites["phoenix"].pk))  # the choice is kept
    assert Inquiry.objects.count() == 0


def test_a_location_sent_where_none_is_asked_is_refused_without_a_broken_link(client: Client) -> None:
    ClinicFactory(name="Phoenix")
    closed = ClinicFactory(name="Tucson", is_active=False)

    response = client.post(URL, valid_form(location=str(closed.pk), postcode="1"))

    assert response.status_code == 400
    html = response.content.decode()
    # No question on the page to point at: the summary says so in general words, once.
    assert html.count("<li>Please check the form and try again.</li>") == 1
    assert "id_location" not in html and "id_postcode" not in html
    assert Inquiry.objects.count() == 0


def test_the_thanks_page_names_no_location(client: Client, sites: dict[str, Clinic]) -> None:
    response = client.post(URL, valid_form(location=str(sites["phoenix"].pk), postcode="85281"), **SPANISH)

    thanks = client.get(response["Location"], **SPANISH).content.decode()

    assert Inquiry.objects.get().reference in thanks
    for said in ("Phoenix", "Denver", "85281", "Central Ave"):
        assert said not in thanks
