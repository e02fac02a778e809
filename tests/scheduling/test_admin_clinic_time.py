"""Staff read times in the admin in the clinic's time zone; the API keeps answering in UTC."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import AlertFactory, ClinicFactory
from tests.support.clock import NY

pytestmark = pytest.mark.django_db


def test_an_alert_opened_in_the_evening_shows_the_clinics_evening_not_utc_midnight(
    clinician: AbstractBaseUser,
) -> None:
    ClinicFactory(timezone="America/New_York")
    with time_machine.travel(datetime.datetime(2026, 12, 10, 19, 10, tzinfo=NY), tick=False):
        alert = AlertFactory()
    client = Client()
    client.force_login(clinician)

    page = client.get(f"/admin/checkins/alert/{alert.pk}/change/").content.decode()
    assert "Dec. 10, 2026, 7:10 p.m." in page
    assert "Dec. 11, 2026" not in page

    api = APIClient()
    api.force_authenticate(clinician)
    assert api.get(f"/api/v1/alerts/{alert.pk}/").json()["opened_at"] == "2026-12-11T00:10:00Z"
