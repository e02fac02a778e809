"""Keep every call to the provider about a text as a row of its own (its history, newest first)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0008_outbox_cancel_permission"),
    ]

    operations = [
        migrations.CreateModel(
            name="DeliveryAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField()),
                (
                    "latency_ms",
                    models.PositiveIntegerField(
                        blank=True, help_text="How long the provider took to answer.", null=True
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("accepted", "Accepted"),
                            ("temporary_failure", "Temporary failure (retryable)"),
                            ("permanent_failure", "Permanent failure"),
                            ("unknown", "Outcome unknown (the provider is asked later)"),
                            ("found", "Found at the provider"),
                            ("not_found", "Not at the provider"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "code",
                    models.CharField(blank=True, help_text="The provider's error code, if it gave one.", max_length=20),
                ),
                ("detail", models.CharField(blank=True, help_text="Never the text or the number.", max_length=200)),
                ("provider_message_id", models.CharField(blank=True, max_length=40)),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="delivery_attempts",
                        to="messaging.outboundmessage",
                    ),
                ),
            ],
            options={
                "ordering": ["-started_at", "-id"],
            },
        ),
    ]
