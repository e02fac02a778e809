"""Staff see and filter inquiries by location: a column and a filter in the admin, `?clinic=` in the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.intake.models import Inquiry
from tests.factories import ClinicFactory, InquiryFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff/inquiries/"
CHANGELIST = "/admin/intake/inquiry/"
ApiAs = Callable[[AbstractBaseUser], APIClient]


@pytest.fixture
def inquiries() -> dict[str, Inquiry]:
    denver = ClinicFactory(name="Denver", postcode="80202")
    phoenix = ClinicFactory(name="Phoenix", postcode="85004")
    tucson = ClinicFactory(name="Tucson", postcode="85701", is_active=False)
    return {
        "denver": InquiryFactory(first_name="Ruth", clinic=denver),
        "phoenix": InquiryFactory(first_name="Sam", clinic=phoenix),
        "tucson": InquiryFactory(first_name="Ada", clinic=tucson),
        "none": InquiryFactory(first_name="Lee", clinic=None),
    }


def test_the_list_and_the_detail_show_the_location(
    api_as: ApiAs, front_desk: AbstractBaseUser, inquiries: dict[str, Inquiry]
) -> None:
    client = api_as(front_desk)

    rows = {row["reference"]: row for row in client.get(BASE).json()["results"]}

    phoenix = inquiries["phoenix"]
    assert (rows[phoenix.reference]["clinic"], rows[phoenix.reference]["clinic_name"]) == (phoenix.clinic_id, "Phoenix")
    assert (rows[inquiries["none"].reference]["clinic"], rows[inquiries["none"].reference]["clinic_name"]) == (
        None,
        None,
    )
    detail = client.get(f"{BASE}{phoenix.reference}/").json()
    assert (detail["clinic"], detail["clinic_name"]) == (phoenix.clinic_id, "Phoenix")


def test_the_list_filters_by_location(
    api_as: ApiAs, front_desk: AbstractBaseUser, inquiries: dict[str, Inquiry]
) -> None:
    client = api_as(front_desk)

    def refs(**params: Any) -> set[str]:
        response = client.get(BASE, params)
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    assert refs(clinic=inquiries["phoenix"].clinic_id) == {inquiries["phoenix"].reference}
    assert refs(clinic=str(inquiries["denver"].clinic_id)) == {inquiries["denver"].reference}
    # A closed location's inquiries stay findable.
    assert refs(clinic=inquiries["tucson"].clinic_id) == {inquiries["tucson"].reference}
    assert refs(clinic="none") == {inquiries["none"].reference}
    assert refs(clinic=inquiries["phoenix"].clinic_id, status="new") == {inquiries["phoenix"].reference}
    assert refs(clinic=inquiries["phoenix"].clinic_id, status="closed") == set()
    assert len(refs()) == 4
    assert len(refs(clinic="")) == 4  # an empty filter is no filter, as for every other one


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "999999", "99999999999", "NONE", "1,2", "\u0661"])
def test_an_invalid_location_filter_is_a_400_naming_it(
    api_as: ApiAs, front_desk: AbstractBaseUser, inquiries: dict[str, Inquiry], value: str
) -> None:
    response = api_as(front_desk).get(BASE, {"clinic": value})

    assert response.status_code == 400
    assert set(response.json()) == {"clinic"}


def test_the_admin_shows_a_location_column_and_filters_by_location(
    front_desk: AbstractBaseUser, inquiries: dict[str, Inquiry]
) -> None:
    client = Client()
    client.force_login(front_desk)

    page = client.get(CHANGELIST).content.decode()
    assert '<th scope="col" class="sortable column-clinic">' in page
    assert '<td class="field-clinic nowrap">Phoenix</td>' in page
    assert '<td class="field-clinic nowrap">Tucson</td>' in page
    assert page.count('<td class="field-clinic nowrap">-</td>') == 1  # the inquiry without a location
    assert "By location" in page

    def listed(**params: Any) -> set[str]:
        html = client.get(CHANGELIST, params).content.decode()
        return {ref for ref in (i.reference for i in inquiries.values()) if ref in html}

    assert listed(clinic__id__exact=inquiries["phoenix"].clinic_id) == {inquiries["phoenix"].reference}
    assert listed(clinic__isnull="True") == {inquiries["none"].reference}
    assert len(listed()) == 4
