"""One client address for throttles, sign-in lockouts and the audit trail, read through TRUSTED_PROXY_COUNT.

X-Forwarded-For is written by whoever sends the request; only the entries that trusted proxies
appended are believed. With none configured (the default) the header is ignored.
"""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from pytest_django.fixtures import Settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from clinic.accounts.models import AuditEvent
from clinic.core.client_ip import client_ip
from tests.factories import ClinicFactory

pytestmark = pytest.mark.django_db

INQUIRY_URL = "/api/v1/inquiries/"
PROXY = "10.0.0.2"


def payload(n: int) -> dict[str, Any]:
    return {
        "first_name": "Dana",
        "last_name": "Whitlock",
        "phone": f"617-555-01{n:02d}",
        "email": f"person{n}@example.com",
        "preferred_contact_method": "phone",
        "privacy_acknowledged": True,
        "is_adult": True,
    }


def forged(n: int) -> str:
    return f"198.51.100.{n + 1}"


def test_a_new_forwarded_header_per_request_does_not_escape_the_public_form_throttle(api: APIClient) -> None:
    statuses = [
        api.post(
            INQUIRY_URL, payload(n), format="json", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forged(n)
        ).status_code
        for n in range(8)
    ]

    assert statuses == [201] * 5 + [429] * 3


def test_the_contact_page_counts_the_same_address_whatever_the_header_says(client: Client) -> None:
    ClinicFactory(phone="+16175550100")
    form = {**payload(0), "reasons": ["depression"]}
    statuses = [
        client.post(
            "/contact/",
            {**form, "phone": f"617-555-01{n:02d}"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=forged(n),
        ).status_code
        for n in range(6)
    ]

    assert statuses[-1] == 429, statuses


def test_behind_one_trusted_proxy_the_address_it_appended_is_the_client(api: APIClient, settings: Settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges a new left-hand entry each time; the proxy appends the address it saw.
    statuses = [
        api.post(
            INQUIRY_URL, payload(n), format="json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{forged(n)}, 203.0.113.9"
        ).status_code
        for n in range(6)
    ]
    assert statuses == [201] * 5 + [429]

    # Someone else behind the same proxy has a budget of their own.
    other = api.post(INQUIRY_URL, payload(40), format="json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 201


@pytest.mark.parametrize(
    ("proxies", "remote", "header", "expected"),
    [
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        (0, "203.0.113.9", "", "203.0.113.9"),
        (1, PROXY, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (1, PROXY, "", PROXY),  # a health check from inside the network
        (2, PROXY, "198.51.100.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, PROXY, "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies
        (1, PROXY, "198.51.100.1, not-an-address", PROXY),
        (1, PROXY, "198.51.100.1,  2001:DB8::0001 ", "2001:db8::1"),
        (0, "garbage", "", ""),
    ],
)
def test_client_ip_believes_only_what_trusted_proxies_wrote(
    settings: Settings, proxies: int, remote: str, header: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)

    assert client_ip(request) == expected


def _views(patterns: list[URLPattern | URLResolver]) -> list[type[APIView]]:
    found: list[type[APIView]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern.url_patterns)
            continue
        view_class = getattr(pattern.callback, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            found.append(view_class)
    return found


@pytest.mark.parametrize("proxies", [0, 1])
def test_every_throttle_of_every_api_view_counts_the_client_address(settings: Settings, proxies: int) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    throttles = {throttle for view in _views(get_resolver().url_patterns) for throttle in view.throttle_classes}
    throttles |= set(api_settings.DEFAULT_THROTTLE_CLASSES)
    assert throttles, "no throttles found: the generator is broken"
    request = RequestFactory().post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")

    for throttle in throttles:
        assert throttle().get_ident(request) == client_ip(request), throttle


def test_drf_reads_the_same_number_of_proxies_for_any_plain_throttle() -> None:
    from django.conf import settings

    # None would make DRF join the whole header into the throttle key.
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT


def test_the_audit_trail_records_the_client_address_not_a_forged_header(
    api_as: Any, front_desk: AbstractBaseUser
) -> None:
    api_as(front_desk).get("/api/v1/staff/inquiries/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert AuditEvent.objects.filter(actor=front_desk).values_list("ip_address", flat=True).get() == "203.0.113.9"


def test_sign_in_failures_are_recorded_against_the_client_address(
    front_desk: AbstractBaseUser, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient(REMOTE_ADDR=PROXY)
    client.post(
        "/api/v1/auth/token/",
        {"username": "frontdesk", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
    )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]
