"""The Clinic model now lives in core (see core/migrations/0001): only Django's picture of the models
changes here; the table and its foreign keys stay as they are."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_clinic_moved_from_scheduling"),
        ("scheduling", "0006_session_type_mode"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model_name,
                    name="clinic",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name=related_name, to="core.clinic"
                    ),
                )
                for model_name, related_name in (
                    ("provider", "providers"),
                    ("room", "rooms"),
                    ("sessiontype", "session_types"),
                    ("seriesplan", "series_plans"),
                )
            ]
            + [migrations.DeleteModel(name="Clinic")],
        ),
    ]
