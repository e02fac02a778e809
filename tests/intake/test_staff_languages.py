"""Staff see each inquiry's preferred language and filter by it, in the API and the admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.intake.models import Inquiry
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, InquiryFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff/inquiries/"
CHANGELIST = "/admin/intake/inquiry/"
ApiAs = Callable[[AbstractBaseUser], APIClient]


def test_the_list_and_the_detail_show_the_language(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory(preferred_language="es")
    client = api_as(front_desk)

    listed = client.get(BASE).json()["results"]
    shown = client.get(f"{BASE}{inquiry.reference}/").json()

    assert [(row["reference"], row["preferred_language"]) for row in listed] == [(inquiry.reference, "es")]
    assert shown["preferred_language"] == "es"


def test_the_list_filters_by_language_and_is_audited(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    spanish = InquiryFactory.create_batch(2, preferred_language="es")
    english = InquiryFactory(preferred_language="en")
    client = api_as(front_desk)

    def refs(**params: str) -> set[str]:
        response = client.get(BASE, params, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    assert refs(preferred_language="es") == {i.reference for i in spanish}
    assert refs(preferred_language="en") == {english.reference}
    assert refs(preferred_language="es", status="contacted") == set()
    events = AuditEvent.objects.filter(action="list", actor=front_desk).order_by("id")
    assert [e.detail for e in events] == ["2 inquiries listed", "1 inquiries listed", "0 inquiries listed"]


# (An empty value is no filter, as for every filter here: DRF reads a blank query parameter as absent.)
@pytest.mark.parametrize("value", ["fr", "ES", "spanish", "es,en"])
def test_a_bad_language_filter_is_a_400_naming_it(api_as: ApiAs, front_desk: AbstractBaseUser, value: str) -> None:
    response = api_as(front_desk).get(BASE, {"preferred_language": value})

    assert response.status_code == 400
    assert set(response.json()) == {"preferred_language"}


def test_staff_cannot_change_the_language_through_the_api(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory(preferred_language="es")

    response = api_as(front_desk).patch(
        f"{BASE}{inquiry.reference}/", {"preferred_language": "en", "best_time_to_reach": "mornings"}, format="json"
    )

    assert response.status_code == 200
    inquiry.refresh_from_db()
    assert (inquiry.preferred_language, inquiry.best_time_to_reach) == ("es", "mornings")


def test_a_converted_inquiry_gives_the_patient_its_language(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    ClinicFactory()
    inquiry = InquiryFactory(status=Inquiry.Status.ELIGIBLE, preferred_language="es")

    response = api_as(front_desk).post(f"{BASE}{inquiry.reference}/convert/")

    assert response.status_code == 201, response.content
    assert Patient.objects.get(pk=response.json()["patient_id"]).language == "es"


def test_the_admin_list_shows_and_filters_the_language(front_desk: AbstractBaseUser) -> None:
    spanish = InquiryFactory(preferred_language="es", last_name="Moreno")
    english = InquiryFactory(preferred_language="en", last_name="Berg")
    client = Client()
    client.force_login(front_desk)

    page = client.get(CHANGELIST).content.decode()
    assert '<td class="field-preferred_language_name">Spanish</td>' in page
    assert '<td class="field-preferred_language_name">English</td>' in page
    assert '<a href="?preferred_language=es">Spanish</a>' in page  # the filter names each language for staff

    filtered = client.get(CHANGELIST, {"preferred_language": "es"}).content.decode()
    assert spanish.reference in filtered and english.reference not in filtered
    assert AuditEvent.objects.filter(actor=front_desk, action="list", detail="1 listed in admin").exists()

    opened = client.get(f"{CHANGELIST}{spanish.pk}/change/").content.decode()
    assert '<div class="readonly">Spanish</div>' in opened
