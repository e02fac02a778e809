"""Staff tasks, moved here from the check-ins app: the model only, on the table it already has.

A database made before the move keeps its table and rows; a new one gets the table from
checkins 0001, which runs first.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("checkins", "0008_staff_task_moves_to_todos"),
        ("patients", "0002_patient_sms_consent_phone"),
        ("scheduling", "0006_session_type_mode"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffTask",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("reschedule_request", "Patient asked to reschedule"),
                                    ("driver_unconfirmed", "Ride home not confirmed"),
                                    ("unparsed_answer", "Check-in answer needs reading"),
                                    ("no_answer", "Check-in not answered"),
                                    ("unmatched_confirmation", "Reply with nothing to confirm"),
                                ],
                                max_length=24,
                            ),
                        ),
                        ("key", models.CharField(max_length=120, unique=True)),
                        (
                            "detail",
                            models.CharField(
                                blank=True, help_text="What to do; never the patient's words.", max_length=200
                            ),
                        ),
                        ("is_clinical", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "appointment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="staff_tasks",
                                to="scheduling.appointment",
                            ),
                        ),
                        (
                            "done_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="staff_tasks",
                                to="patients.patient",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "checkins_stafftask",
                        "ordering": ["done_at", "-created_at"],
                        "indexes": [models.Index(fields=["done_at", "is_clinical"], name="staff_task_open")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
