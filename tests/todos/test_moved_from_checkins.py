"""Staff tasks moved from the check-ins app: the same table, and grants that follow the content type."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework.test import APIClient

from clinic.accounts.roles import FRONT_DESK
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_done_for_key, staff_task_open
from tests.factories import PatientFactory
from tests.roles import models_moved, roles_ensure

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("clinic.todos.migrations.0002_stafftask_content_type_from_checkins")


@pytest.fixture(autouse=True)
def _fresh_content_type_cache() -> None:
    ContentType.objects.clear_cache()


def test_tasks_keep_the_table_they_had_in_the_check_ins_app() -> None:
    task = staff_task_open(kind=StaffTask.Kind.NO_ANSWER, patient=PatientFactory(), key="no-answer:1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, is_clinical FROM checkins_stafftask WHERE id = %s", [task.pk])
        assert cursor.fetchone() == ("no-answer:1", True)


def test_moving_renames_the_old_content_type_and_keeps_its_permission_rows() -> None:
    roles_ensure()  # a transactional test before this one may have emptied the groups
    ContentType.objects.filter(app_label="todos", model="stafftask").update(app_label="checkins")
    view = Permission.objects.get(content_type__app_label="checkins", codename="view_stafftask")
    desk = Group.objects.get(name=FRONT_DESK)
    assert desk.permissions.filter(pk=view.pk).exists()  # granted by checkins 0004 under the old name

    MIGRATION.content_types_move(apps, None)
    MIGRATION.content_types_move(apps, None)  # running it again changes nothing

    assert not ContentType.objects.filter(app_label="checkins", model="stafftask").exists()
    view.refresh_from_db()
    assert (view.content_type.app_label, view.content_type.model) == ("todos", "stafftask")
    assert desk.permissions.filter(pk=view.pk).exists()


def test_moving_onto_a_content_type_that_exists_moves_group_and_personal_grants() -> None:
    old = ContentType.objects.create(app_label="checkins", model="stafftask")
    old_view = Permission.objects.create(content_type=old, codename="view_stafftask", name="Can view staff task")
    old_delete = Permission.objects.create(content_type=old, codename="delete_stafftask", name="Can delete")
    group = Group.objects.create(name="Night desk")
    group.permissions.add(old_view)
    person = User.objects.create(username="locum")
    person.user_permissions.add(old_delete)

    MIGRATION.content_types_move(apps, None)

    assert not ContentType.objects.filter(app_label="checkins", model="stafftask").exists()
    person = User.objects.get(pk=person.pk)
    assert person.has_perm("todos.delete_stafftask") and not person.has_perm("todos.view_stafftask")
    assert [f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()] == ["todos.view_stafftask"]


def test_moving_back_returns_the_content_type_to_the_check_ins_app() -> None:
    MIGRATION.content_types_move_back(apps, None)
    assert ContentType.objects.filter(app_label="checkins", model="stafftask").exists()
    assert not ContentType.objects.filter(app_label="todos", model="stafftask").exists()


def test_the_roles_helpers_know_the_move() -> None:
    assert models_moved()["checkins.stafftask"] == "todos.stafftask"


def test_closing_by_key_closes_the_open_task_once() -> None:
    patient = PatientFactory()
    staff_task_open(kind=StaffTask.Kind.DRIVER_UNCONFIRMED, patient=patient, key="driver:7", detail="Call")
    assert staff_task_done_for_key(key="driver:7") == 1
    assert staff_task_done_for_key(key="driver:7") == 0
    assert StaffTask.objects.get(key="driver:7").done_at is not None


def test_the_task_api_keeps_its_urls(
    front_desk: AbstractBaseUser, api_as: Callable[[AbstractBaseUser], APIClient]
) -> None:
    task = staff_task_open(kind=StaffTask.Kind.RESCHEDULE_REQUEST, patient=PatientFactory(), key="reschedule:3")
    client = api_as(front_desk)
    listed = client.get("/api/v1/tasks/", {"state": "open"})
    assert [row["id"] for row in listed.json()["results"]] == [task.pk]
    done = client.post(f"/api/v1/tasks/{task.pk}/done/")
    assert done.status_code == 200 and done.json()["done_by"]["username"] == "frontdesk"
