"""Hash every issued DRF token into accounts.ApiToken (so it keeps working), then delete the clear keys.

Clinic admins manage API tokens (list and revoke) instead of DRF's token admin, which showed every key.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANT = ["view_apitoken", "change_apitoken"]
DRF_TOKEN_PERMISSIONS = ["view_tokenproxy", "add_tokenproxy", "delete_tokenproxy", "change_tokenproxy"]
# What this grants and takes away, as every role migration declares it (tests rebuild the roles from these).
ROLES = {"Clinic admin": [f"accounts.{codename}" for codename in GRANT]}
REVOKED = {"Clinic admin": [f"authtoken.{codename}" for codename in DRF_TOKEN_PERMISSIONS]}


def tokens_hash(apps: Any) -> int:
    """Keep each DRF token as a hash (the same SHA-256 as accounts/tokens.py) and delete its clear key."""
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    moved = 0
    for token in Token.objects.all():
        ApiToken.objects.get_or_create(
            key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
            defaults={"user_id": token.user_id, "prefix": token.key[:8], "created_at": token.created},
        )
        moved += 1
    Token.objects.all().delete()
    return moved


def forward(apps: Any, schema_editor: Any) -> None:
    tokens_hash(apps)

    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Clinic admin"):
        group.permissions.add(*Permission.objects.filter(content_type__app_label="accounts", codename__in=GRANT))
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="authtoken", codename__in=DRF_TOKEN_PERMISSIONS)
        )


def backward(apps: Any, schema_editor: Any) -> None:
    # The clear keys are gone: staff sign in again for new tokens after a rollback.
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Clinic admin"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="accounts", codename__in=GRANT))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_api_tokens"),
        ("accounts", "0002_staff_roles"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]
    operations = [migrations.RunPython(forward, backward)]
