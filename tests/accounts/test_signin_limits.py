"""Sign-in limits: per username and real client address (django-axes), and slower per username.

Behind a proxy, every request arrives from the proxy's address: the lockout must follow the client
address the proxy appended. Guesses spread over many addresses (password spraying) must be
stopped without letting anyone lock a clinician out from the places they sign in from.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.2"


def token_status(address: str, password: str, *, username: str = "frontdesk") -> int:
    """Ask for a token from `address`, as the one trusted proxy forwards it."""
    client = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json").status_code


def admin_status(address: str, password: str) -> int:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    return client.post(LOGIN_URL, {"username": "frontdesk", "password": password}).status_code


@pytest.fixture
def behind_one_proxy(settings: Settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.mark.usefixtures("behind_one_proxy")
def test_misses_from_one_client_lock_that_client_not_the_clinician_elsewhere_behind_the_same_proxy(
    front_desk: AbstractBaseUser,
) -> None:
    statuses = [token_status("203.0.113.66", "guess") for _ in range(5)]

    assert statuses == [400, 400, 400, 400, 429]
    assert token_status("203.0.113.66", PASSWORD) == 429
    assert token_status("198.51.100.20", PASSWORD) == 200
    assert admin_status("198.51.100.21", PASSWORD) == 302


@pytest.mark.usefixtures("behind_one_proxy")
def test_the_admin_login_locks_per_client_address_behind_a_proxy(front_desk: AbstractBaseUser) -> None:
    assert [admin_status("203.0.113.67", "guess") for _ in range(5)] == [200, 200, 200, 200, 429]

    assert admin_status("203.0.113.67", PASSWORD) == 429
    assert admin_status("198.51.100.22", PASSWORD) == 302


@pytest.fixture
def sprayed(front_desk: AbstractBaseUser, settings: Settings, behind_one_proxy: None) -> AbstractBaseUser:
    """Front desk signed in from the office once; then one guess each from many addresses."""
    settings.SIGNIN_USERNAME_FAILURE_LIMIT = 6
    assert token_status("198.51.100.20", PASSWORD) == 200  # the office
    guesses = [token_status(f"203.0.113.{n}", f"guess-{n}") for n in range(1, 7)]
    assert guesses == [400] * 6  # no single address reached axes' limit
    return front_desk


def test_a_sprayed_username_is_refused_from_new_addresses_even_with_the_right_password(sprayed: Any) -> None:
    assert token_status("203.0.113.99", PASSWORD) == 429
    assert token_status("203.0.113.100", "guess-again") == 429
    assert admin_status("203.0.113.101", PASSWORD) == 429


def test_a_sprayed_user_still_signs_in_from_where_they_signed_in_before(sprayed: Any) -> None:
    assert token_status("198.51.100.20", PASSWORD) == 200
    assert admin_status("198.51.100.20", PASSWORD) == 302


def test_refusals_do_not_count_and_the_limit_lifts_as_misses_age_out(sprayed: Any, time_machine: Any) -> None:
    for n in range(20):
        assert token_status(f"192.0.2.{n + 1}", "more-guesses") == 429

    time_machine.move_to(timezone.now() + datetime.timedelta(hours=24, minutes=1))

    assert token_status("203.0.113.99", PASSWORD) == 200


def test_other_usernames_are_not_limited_by_one_being_sprayed(sprayed: Any, clinician: AbstractBaseUser) -> None:
    assert token_status("203.0.113.99", PASSWORD, username="clinician") == 200


def test_an_address_known_long_ago_no_longer_counts(sprayed: Any, settings: Settings, time_machine: Any) -> None:
    settings.SIGNIN_USERNAME_FAILURE_WINDOW_HOURS = 24 * 200
    time_machine.move_to(timezone.now() + datetime.timedelta(days=91))

    assert token_status("198.51.100.20", PASSWORD) == 429
