"""Today's single clinic becomes the first location of an organization, with nothing lost.

Run through the real migrations on the historical schema: the database is taken back to before
locations, filled as a one-clinic installation was, then migrated forward.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [
    ("core", "0001_clinic_moved_from_scheduling"),
    ("scheduling", "0008_session_type_preparation_translations"),
    ("patients", "0004_patient_language"),
    ("intake", "0006_inquiry_preferred_language"),
]
AFTER = [
    ("core", "0002_locations_and_organization"),
    ("scheduling", "0009_working_hours_location"),
    ("patients", "0005_patient_home_location"),
    ("intake", "0007_inquiry_location"),
]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_the_clinic_becomes_the_first_location_and_every_row_keeps_its_place() -> None:
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    Clinic, User = old.get_model("core", "Clinic"), old.get_model("auth", "User")
    clinic = Clinic.objects.create(name="Harbor Mind Clinic", short_name="Harbor", timezone="America/New_York")
    provider = old.get_model("scheduling", "Provider").objects.create(
        user=User.objects.create(username="dr"), clinic=clinic, display_name="Dr. A"
    )
    hours = old.get_model("scheduling", "WorkingHours").objects.create(
        provider=provider, weekday=0, starts=datetime.time(9), ends=datetime.time(17)
    )
    patient = old.get_model("patients", "Patient").objects.create(
        first_name="Robin", last_name="Lee", phone="+16175550142", timezone="America/New_York"
    )
    inquiry = old.get_model("intake", "Inquiry").objects.create(
        first_name="Dana",
        last_name="Whitlock",
        phone="+16175550143",
        preferred_contact_method="phone",
        privacy_acknowledged_at=timezone.now(),
        adult_confirmed_at=timezone.now(),
    )

    new = migrate(AFTER).loader.project_state(AFTER).apps
    try:
        location = new.get_model("core", "Clinic").objects.get()
        assert location.pk == clinic.pk and location.is_active and location.name == "Harbor Mind Clinic"
        assert location.organization.name == "Harbor Mind Clinic"
        assert new.get_model("scheduling", "WorkingHours").objects.get(pk=hours.pk).clinic_id == clinic.pk
        assert new.get_model("patients", "Patient").objects.get(pk=patient.pk).clinic_id == clinic.pk
        assert new.get_model("intake", "Inquiry").objects.get(pk=inquiry.pk).clinic_id == clinic.pk
    finally:
        migrate([(app, name) for app, name in _leaves()])


def _leaves() -> list[tuple[str, str]]:
    """Every app's latest migration: the schema the rest of the suite expects."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
