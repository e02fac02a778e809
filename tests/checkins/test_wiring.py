"""The pieces around the services: the default-plan migration, beat's tasks, and the role grants."""

from __future__ import annotations

import importlib

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from clinic.checkins.models import CheckInStep
from clinic.checkins.plans import DEFAULT_PLAN
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from tests.factories import CheckInStepFactory, SessionTypeFactory
from tests.support.clock import local
from tests.support.sandbox import patient_texts
from workers import tasks

pytestmark = pytest.mark.django_db


def test_the_data_migration_gives_existing_session_types_the_default_plan_once(clinic: Clinic) -> None:
    migration = importlib.import_module("clinic.checkins.migrations.0003_default_checkin_plans")
    bare = SessionTypeFactory(clinic=clinic)
    planned = SessionTypeFactory(clinic=clinic)
    CheckInStepFactory(session_type=planned, day_offset=2)

    migration.plan_default(apps, None)
    migration.plan_default(apps, None)

    steps = CheckInStep.objects.filter(session_type=bare).order_by("day_offset")
    assert [(s.kind, s.day_offset, s.local_time) for s in steps] == [
        (step.kind, step.day_offset, step.local_time) for step in DEFAULT_PLAN
    ]
    assert CheckInStep.objects.filter(session_type=planned).count() == 1
    in_code = tuple((step.kind, step.day_offset, step.local_time) for step in DEFAULT_PLAN)
    assert in_code == migration.DEFAULT_PLAN  # the migration keeps its own copy; they agree today


def test_beat_runs_the_follow_up_and_escalation_sweeps(client: Client, clinic: Clinic) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["checkins-follow-up"] == {"task": "workers.tasks.checkins_follow_up", "schedule": 60.0}
    assert schedule["alerts-escalate"] == {"task": "workers.tasks.alerts_escalate", "schedule": 30.0}

    with time_machine.travel(local(2026, 12, 8, 3), tick=False):
        patient_texts(client, "i want to die")
    with time_machine.travel(local(2026, 12, 8, 3, 11), tick=False):
        assert tasks.alerts_escalate() == 1
        assert tasks.checkins_follow_up() == 0
    assert OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT).count() == 2


@pytest.mark.parametrize(
    ("role", "can_see"),
    [("front_desk", False), ("clinician", True), ("clinic_admin", True)],
)
def test_roles_get_check_in_permissions_from_the_migration(
    role: str, can_see: bool, request: pytest.FixtureRequest
) -> None:
    user: AbstractBaseUser = request.getfixturevalue(role)
    clinical = ("checkins.view_alert", "checkins.change_alert", "checkins.view_checkin", "checkins.view_checkinanswer")
    assert [user.has_perm(name) for name in clinical] == [can_see] * len(clinical)
    assert user.has_perm("todos.view_stafftask") and user.has_perm("todos.change_stafftask")
    assert user.has_perm("checkins.change_checkinstep") is (role == "clinic_admin")


def test_admin_lists_are_audited(clinician: AbstractBaseUser) -> None:
    from clinic.accounts.models import AuditEvent

    client = Client()
    client.force_login(clinician)
    assert client.get("/admin/checkins/alert/").status_code == 200
    assert AuditEvent.objects.filter(actor=clinician, action="list", target_type="checkins.Alert").exists()
