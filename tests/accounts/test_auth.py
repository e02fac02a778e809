from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser, Group
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "correct horse battery staple"


def test_roles_exist_with_the_permissions_their_work_needs() -> None:
    def perms(role: str) -> set[str]:
        group = Group.objects.get(name=role)
        return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}

    front_desk, clinician, admin = perms(FRONT_DESK), perms(CLINICIAN), perms(CLINIC_ADMIN)
    assert {"intake.view_inquiry", "intake.change_inquiry", "intake.convert_inquiry"} <= front_desk
    assert "intake.view_screening" not in front_desk
    assert {"intake.view_screening", "intake.change_screening"} <= clinician
    assert front_desk < clinician < admin
    assert {"auth.add_user", "accounts.view_auditevent"} <= admin
    assert "accounts.view_auditevent" not in clinician


def test_token_for_valid_credentials_works_on_the_staff_api(front_desk: AbstractBaseUser) -> None:
    api = APIClient()
    response = api.post(TOKEN_URL, {"username": "frontdesk", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["roles"] == [FRONT_DESK]
    assert api.get("/api/v1/staff/inquiries/").status_code == 200


def test_wrong_password_gets_400_without_a_token(front_desk: AbstractBaseUser) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "frontdesk", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_repeated_failures_lock_out_the_token_endpoint_even_with_the_right_password(
    front_desk: AbstractBaseUser,
) -> None:
    api = APIClient(REMOTE_ADDR="203.0.113.50")
    statuses = [
        api.post(TOKEN_URL, {"username": "frontdesk", "password": "guess"}, format="json").status_code for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    response = api.post(TOKEN_URL, {"username": "frontdesk", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()

    # The lockout is per username and address: the same person elsewhere is not locked out.
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.99")
    assert elsewhere.post(TOKEN_URL, {"username": "frontdesk", "password": PASSWORD}).status_code == 200


def test_repeated_failures_lock_out_the_admin_login(front_desk: AbstractBaseUser) -> None:
    client = Client(REMOTE_ADDR="203.0.113.51")
    statuses = [
        client.post("/admin/login/", {"username": "frontdesk", "password": "guess"}).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the login form again, then the lockout page
    response = client.post("/admin/login/", {"username": "frontdesk", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_session_login_through_admin_reaches_the_staff_api(front_desk: AbstractBaseUser) -> None:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "frontdesk", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/staff/inquiries/").status_code == 200
    assert client.get("/admin/intake/inquiry/").status_code == 200


def test_anonymous_can_reach_public_form_health_schema_and_docs() -> None:
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/contact/").status_code == 200
    assert client.get("/admin/").status_code == 302  # to the login page
