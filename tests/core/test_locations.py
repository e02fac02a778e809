"""The nearest open location to a ZIP code, from the ZIP codes' centre points (no outside service)."""

from __future__ import annotations

import pytest

from clinic.core.locations import location_nearest, miles_between, zip_point
from clinic.core.models import Clinic
from tests.factories import ClinicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites() -> dict[str, Clinic]:
    return {
        "denver": ClinicFactory(name="Denver", timezone="America/Denver", postcode="80202"),
        "phoenix": ClinicFactory(name="Phoenix", timezone="America/Phoenix", postcode="85004"),
        "no postcode": ClinicFactory(name="Boulder", timezone="America/Denver", postcode=""),
    }


def test_distances_are_real_miles() -> None:
    denver, phoenix = zip_point("80202"), zip_point("85004")
    assert denver is not None and phoenix is not None
    assert 580 < miles_between(denver, phoenix) < 610  # Denver to Phoenix is about 590 miles as the crow flies


@pytest.mark.parametrize(
    ("postcode", "nearest"),
    [
        ("85281", "phoenix"),  # Tempe
        ("86001", "phoenix"),  # Flagstaff
        ("80301", "denver"),  # Boulder: the Boulder location has no postcode, so it is never suggested
        ("87501", "denver"),  # Santa Fe, NM: closer to Denver than to Phoenix
        ("80202-1234", "denver"),  # ZIP+4
    ],
)
def test_the_nearest_open_location_is_suggested(sites: dict[str, Clinic], postcode: str, nearest: str) -> None:
    assert location_nearest(postcode) == sites[nearest]


@pytest.mark.parametrize("postcode", ["", "abcde", "1234", "00000", "99999"])
def test_an_unknown_code_suggests_nothing(sites: dict[str, Clinic], postcode: str) -> None:
    assert location_nearest(postcode) is None


def test_a_closed_location_is_never_suggested(sites: dict[str, Clinic]) -> None:
    Clinic.objects.filter(pk=sites["phoenix"].pk).update(is_active=False)
    assert location_nearest("85281") == sites["denver"]
