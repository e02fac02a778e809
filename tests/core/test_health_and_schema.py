from __future__ import annotations

import pytest
import yaml
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_stores(django_assert_num_queries: object) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_broker_ok_against_real_postgres_and_redis() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["checks"] == {"database": "ok", "broker": "ok"}
    assert body["down"] == []


def test_openapi_schema_is_openapi_3_and_documents_the_intake() -> None:
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/inquiries/" in schema["paths"]
    post = schema["paths"]["/api/v1/inquiries/"]["post"]
    assert "201" in post["responses"]
    assert {"first_name", "phone", "privacy_acknowledged", "is_adult"} <= set(
        schema["components"]["schemas"]["InquirySubmitRequest"]["properties"]
    )
    assert "/api/v1/staff/inquiries/{reference}/transition/" in schema["paths"]


def test_api_docs_are_served_without_a_cdn() -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
