"""API tokens are kept as hashes, shown once and revocable; clinic admins manage staff within the three roles."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, Group, Permission, User
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.accounts.models import ApiToken, AuditEvent
from clinic.accounts.roles import CLINICIAN, FRONT_DESK
from tests.factories import UserFactory
from tests.support.user_admin_form import user_change_form

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
PASSWORD = "correct horse battery staple"


def _sign_in(username: str) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return str(response.json()["token"])


def _me(key: str) -> int:
    return APIClient().get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_a_token_is_kept_only_as_a_hash_and_each_sign_in_shows_a_new_one(front_desk: AbstractBaseUser) -> None:
    first, second = _sign_in("frontdesk"), _sign_in("frontdesk")
    assert first != second
    assert _me(first) == _me(second) == 200
    stored = list(ApiToken.objects.filter(user=front_desk).values())
    assert len(stored) == 2
    for row in stored:
        assert first not in str(row) and second not in str(row)
        assert row["prefix"] in (first[:8], second[:8])
    assert not Token.objects.exists()
    assert _me(first[:-1] + ("0" if first[-1] != "0" else "1")) == 401
    assert AuditEvent.objects.filter(actor=front_desk, target_type="accounts.ApiToken", action="create").count() == 2


def test_staff_revoke_their_own_token_and_no_one_else_s(
    front_desk: AbstractBaseUser, clinician: AbstractBaseUser
) -> None:
    mine, theirs = _sign_in("frontdesk"), _sign_in("clinician")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {mine}")
    assert api.post(REVOKE_URL, {"token": theirs}, format="json").status_code == 404
    assert _me(theirs) == 200
    assert api.post(REVOKE_URL, {}, format="json").status_code == 400
    assert api.post(REVOKE_URL, {"token": mine}, format="json").json() == {"revoked": True}
    assert _me(mine) == 401
    assert ApiToken.objects.get(prefix=mine[:8]).revoked_at is not None


def test_clinic_admins_list_tokens_by_prefix_and_revoke_them_in_the_admin(
    clinic_admin: AbstractBaseUser, front_desk: AbstractBaseUser
) -> None:
    key = _sign_in("frontdesk")
    admin = Client()
    admin.force_login(clinic_admin)
    page = admin.get("/admin/accounts/apitoken/")
    assert page.status_code == 200
    assert key[:8] in page.content.decode() and key not in page.content.decode()
    token = ApiToken.objects.get(prefix=key[:8])
    assert key not in admin.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    admin.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert _me(key) == 401
    assert AuditEvent.objects.filter(actor=clinic_admin, target_id=str(token.pk), action="update").exists()
    # DRF's own token page, which listed every key in clear text, is gone.
    assert admin.get("/admin/authtoken/tokenproxy/").status_code == 404


def test_tokens_issued_before_the_upgrade_are_hashed_and_keep_working(front_desk: AbstractBaseUser) -> None:
    from importlib import import_module

    migration = import_module("clinic.accounts.migrations.0005_api_tokens_hashed_from_drf")
    old = Token.objects.create(user=front_desk)
    assert migration.tokens_hash(apps) == 1
    assert not Token.objects.exists()
    assert _me(old.key) == 200


def test_a_clinic_admin_cannot_make_anyone_superuser_or_grant_raw_permissions(clinic_admin: User) -> None:
    client = Client()
    client.force_login(clinic_admin)
    every_permission = list(Permission.objects.values_list("pk", flat=True)[:50])
    for target in (clinic_admin, UserFactory(username="newdesk", role=FRONT_DESK)):
        url = f"/admin/auth/user/{target.pk}/change/"
        page = client.get(url).content.decode()
        assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
        answer = client.post(
            url, user_change_form(target, is_superuser="on", user_permissions=every_permission, first_name="Renamed")
        )
        assert answer.status_code == 302, answer.content.decode()[:2000]
        target.refresh_from_db()
        assert target.first_name == "Renamed"  # the form was taken ...
        assert not target.is_superuser  # ... without the superuser flag
        assert not target.user_permissions.exists()


def test_a_clinic_admin_assigns_only_the_three_roles(clinic_admin: User) -> None:
    client = Client()
    client.force_login(clinic_admin)
    target = UserFactory(username="newdesk", role=FRONT_DESK)
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.add(Permission.objects.get(codename="delete_auditevent"))
    roles = list(Group.objects.filter(name__in=[FRONT_DESK, CLINICIAN]).values_list("pk", flat=True))
    url = f"/admin/auth/user/{target.pk}/change/"
    refused = client.post(url, user_change_form(target, groups=[*roles, auditors.pk]))
    assert refused.status_code == 200  # the form says the group is not a choice
    assert not target.groups.filter(pk=auditors.pk).exists()
    assert client.post(url, user_change_form(target, groups=roles)).status_code == 302
    assert set(target.groups.values_list("name", flat=True)) == {FRONT_DESK, CLINICIAN}


def test_a_clinic_admin_cannot_open_or_reset_a_superuser(clinic_admin: User) -> None:
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(clinic_admin)
    listed = client.get("/admin/auth/user/")
    assert root not in listed.context["cl"].result_list
    assert client.get(f"/admin/auth/user/{root.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 404
    refused = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": "a new long passphrase", "password2": "a new long passphrase", "usable_password": "true"},
    )
    assert refused.status_code == 404
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_a_superuser_still_manages_everything(clinic_admin: User) -> None:
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(root)
    page = client.get(f"/admin/auth/user/{clinic_admin.pk}/change/").content.decode()
    assert 'name="is_superuser"' in page and 'name="user_permissions"' in page
