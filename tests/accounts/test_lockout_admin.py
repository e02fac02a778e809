"""A clinic admin lets a locked-out colleague sign in again from the admin; front desk cannot, and it is audited."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.66"
LIST_URL = "/admin/axes/accessattempt/"


def token_status(password: str) -> int:
    client = APIClient(REMOTE_ADDR=ADDRESS)
    return client.post(
        "/api/v1/auth/token/", {"username": "frontdesk", "password": password}, format="json"
    ).status_code


@pytest.fixture
def locked_out(front_desk: AbstractBaseUser) -> AccessAttempt:
    assert [token_status("guess") for _ in range(5)] == [400, 400, 400, 400, 429]
    assert token_status("correct horse battery staple") == 429
    return AccessAttempt.objects.get(username="frontdesk")


def signed_in_as(user: AbstractBaseUser) -> Client:
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(user)
    return client


def offered_actions(client: Client) -> set[str]:
    response = client.get(LIST_URL)
    assert response.status_code == 200
    return {name for name, _ in response.context["action_form"].fields["action"].choices if name}


def test_a_clinic_admin_clears_a_lockout_and_the_trail_names_the_account(
    locked_out: AccessAttempt, clinic_admin: AbstractBaseUser, front_desk: AbstractBaseUser
) -> None:
    admin = signed_in_as(clinic_admin)
    assert {"clear_lockout", "cleanup_expired_attempts"} <= offered_actions(admin)

    response = admin.post(LIST_URL, {"action": "clear_lockout", "_selected_action": [locked_out.pk]}, follow=True)

    assert "Lockout cleared for 1 sign-in" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert token_status("correct horse battery staple") == 200
    trail = AuditEvent.objects.filter(actor=clinic_admin, action=AuditEvent.Action.UPDATE)
    assert trail.filter(target_type="axes.AccessAttempt", target_id=str(locked_out.pk)).exists()
    assert trail.filter(target_type="auth.User", target_id=str(front_desk.pk), detail__contains="lockout").exists()
    assert all(event.ip_address == "198.51.100.7" for event in trail)


@pytest.mark.parametrize("role", ["front_desk", "clinician"])
def test_other_roles_cannot_clear_a_lockout(
    locked_out: AccessAttempt, role: str, request: pytest.FixtureRequest
) -> None:
    client = signed_in_as(request.getfixturevalue(role))

    assert client.get(LIST_URL).status_code == 403
    refused = client.post(LIST_URL, {"action": "clear_lockout", "_selected_action": [locked_out.pk]})

    assert refused.status_code == 403
    assert AccessAttempt.objects.filter(pk=locked_out.pk).exists()
    assert token_status("correct horse battery staple") == 429


def test_a_clinic_admin_cleans_up_expired_attempts_only(
    locked_out: AccessAttempt, clinic_admin: AbstractBaseUser
) -> None:
    expired = AccessAttempt.objects.create(
        username="someone-else",
        ip_address="192.0.2.1",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/admin/login/",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=expired.pk).update(attempt_time=timezone.now() - datetime.timedelta(hours=2))

    signed_in_as(clinic_admin).post(
        LIST_URL, {"action": "cleanup_expired_attempts", "_selected_action": [locked_out.pk]}
    )

    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [locked_out.pk]
    assert AuditEvent.objects.filter(actor=clinic_admin, target_type="axes.AccessAttempt").exists()
