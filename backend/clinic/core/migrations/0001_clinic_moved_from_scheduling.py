"""The Clinic model moves from the scheduling app to core (the ground floor every app may import).

Nothing moves in the database: the table keeps its name. Its content type is relabelled, so the
permissions granted on it (and the groups holding them) stay the same rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import migrations, models

import clinic.core.timezones

# Read by tests/roles.py, which rebuilds role grants written before the move: "old label": "new label".
MOVED_MODELS = {"scheduling.clinic": "core.clinic"}


def _content_type_relabel(apps: Any, *, old_label: str, new_label: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    old_app, model = old_label.split(".")
    new_app, _ = new_label.split(".")
    if not content_type.objects.filter(app_label=new_app, model=model).exists():
        content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)


def forwards(apps: Any, schema_editor: Any) -> None:
    for old_label, new_label in MOVED_MODELS.items():
        _content_type_relabel(apps, old_label=old_label, new_label=new_label)


def backwards(apps: Any, schema_editor: Any) -> None:
    for old_label, new_label in MOVED_MODELS.items():
        _content_type_relabel(apps, old_label=new_label, new_label=old_label)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("scheduling", "0006_session_type_mode"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Clinic",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=120)),
                        (
                            "short_name",
                            models.CharField(help_text="How texts name the clinic; keep it neutral.", max_length=30),
                        ),
                        (
                            "timezone",
                            models.CharField(max_length=64, validators=[clinic.core.timezones.validate_timezone_name]),
                        ),
                        ("phone", models.CharField(help_text="E.164, e.g. +16175550100", max_length=20)),
                        ("address", models.TextField(blank=True)),
                        ("texting_starts", models.TimeField(default=datetime.time(8, 0))),
                        ("texting_ends", models.TimeField(default=datetime.time(21, 0))),
                        (
                            "on_call_phone",
                            models.CharField(
                                blank=True,
                                help_text="E.164 number of the on-call clinician, texted for urgent alerts.",
                                max_length=20,
                            ),
                        ),
                    ],
                    options={"db_table": "scheduling_clinic"},
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
