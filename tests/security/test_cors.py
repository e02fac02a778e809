"""Cross-origin calls: a clinic website may post the public form from its own origin, and nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from pytest_django.fixtures import Settings

pytestmark = pytest.mark.django_db

CLINIC_SITE = "https://www.example-clinic.com"


@pytest.fixture(autouse=True)
def _clinic_site_allowed(settings: Settings) -> None:
    settings.CORS_ALLOWED_ORIGINS = [CLINIC_SITE]


def preflight(path: str, origin: str) -> dict[str, str]:
    response = Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key",
    )
    return dict(response.headers)


def test_the_clinic_site_may_post_the_public_form() -> None:
    headers = preflight("/api/v1/inquiries/", CLINIC_SITE)
    assert headers["access-control-allow-origin"] == CLINIC_SITE
    assert "POST" in headers["access-control-allow-methods"]
    assert "idempotency-key" in headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in headers

    answer = Client().post("/api/v1/inquiries/", {}, content_type="application/json", HTTP_ORIGIN=CLINIC_SITE)
    assert answer.status_code == 400
    assert answer.headers["access-control-allow-origin"] == CLINIC_SITE


def test_any_other_site_gets_no_cross_origin_permission() -> None:
    headers = preflight("/api/v1/inquiries/", "https://evil.example.net")
    assert "access-control-allow-origin" not in headers


def test_staff_endpoints_never_answer_cross_origin_even_to_the_clinic_site(front_desk: AbstractBaseUser) -> None:
    assert "access-control-allow-origin" not in preflight("/api/v1/patients/", CLINIC_SITE)
    client = Client()
    client.force_login(front_desk)
    response = client.get("/api/v1/patients/", HTTP_ORIGIN=CLINIC_SITE)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_with_no_origins_configured_nobody_gets_permission(settings: Settings) -> None:
    settings.CORS_ALLOWED_ORIGINS = []
    assert "access-control-allow-origin" not in preflight("/api/v1/inquiries/", CLINIC_SITE)
