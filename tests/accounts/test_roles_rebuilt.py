"""Tests that run after a transactional test (which empties every table) still meet the roles the migrations made."""

from __future__ import annotations

import inspect

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations import RunPython
from django.db.migrations.loader import MigrationLoader

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from tests.factories import UserFactory
from tests.roles import migrations_in_order, permission_name_now, roles_rebuild


def grants_now() -> dict[str, set[str]]:
    return {
        group.name: {
            # Re-running a grant written before a model moved names the old label: compare names as they read today.
            permission_name_now(f"{p.content_type.app_label}.{p.codename}")
            for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.all()
    }


def grants_from_running_the_migrations() -> dict[str, set[str]]:
    """Run again, in order, the data migrations that touch the groups, as `migrate` did, on no groups at all."""
    Group.objects.all().delete()
    loader = MigrationLoader(connection)
    for node in migrations_in_order(loader):
        forwards = [op.code for op in loader.graph.nodes[node].operations if isinstance(op, RunPython)]
        if not any('get_model("auth", "Group")' in inspect.getsource(code) for code in forwards):
            continue
        state = loader.project_state(node, at_end=False)
        for code in forwards:
            code(state.apps, None)
    return grants_now()


@pytest.mark.django_db
def test_the_roles_tests_rebuild_are_exactly_what_the_migrations_grant() -> None:
    from_migrations = grants_from_running_the_migrations()
    assert "messaging.change_outboundmessage" in from_migrations[FRONT_DESK]
    assert "accounts.change_apitoken" in from_migrations[CLINIC_ADMIN]

    Group.objects.all().delete()
    roles_rebuild()

    assert grants_now() == from_migrations


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_roles_keep_the_grants_of_later_migrations() -> None:
    call_command("flush", interactive=False, verbosity=0)  # what a transactional test leaves behind
    assert not Group.objects.exists()

    front_desk = UserFactory(username="frontdesk", role=FRONT_DESK)
    clinician = UserFactory(username="clinician", role=CLINICIAN)
    clinic_admin = UserFactory(username="clinicadmin", role=CLINIC_ADMIN)

    # messaging 0008: staff cancel pending texts.
    assert all(user.has_perm("messaging.change_outboundmessage") for user in (front_desk, clinician, clinic_admin))
    # accounts 0005: clinic admins manage hashed API tokens, and no longer DRF's clear-text token admin.
    assert clinic_admin.has_perm("accounts.view_apitoken") and clinic_admin.has_perm("accounts.change_apitoken")
    assert not clinic_admin.has_perm("authtoken.view_tokenproxy")
    assert not front_desk.has_perm("accounts.view_apitoken")
