from __future__ import annotations

from typing import Any

from django.db import migrations, models

# Frozen copy of messaging.models.PRIORITY_OF_KIND as it was when this migration was written.
_PRIORITY_OF_KIND = {
    "staff_alert": 0,
    "confirmation_reply": 1,
    "ad_hoc": 1,
    "reminder": 2,
    "checkin": 2,
    "inquiry_ack": 3,
}


def _priority_from_kind(apps: Any, schema_editor: Any) -> None:
    OutboundMessage = apps.get_model("messaging", "OutboundMessage")
    for kind, priority in _PRIORITY_OF_KIND.items():
        if priority != 2:
            OutboundMessage.objects.filter(kind=kind).update(priority=priority)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_outbox_queued_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundmessage",
            name="priority",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "Urgent (crisis answers, on-call pages, alert notifications)"),
                    (1, "Direct reply"),
                    (2, "Reminder or check-in"),
                    (3, "Bulk"),
                ],
                default=2,
                db_default=2,
                help_text="Set from the kind (PRIORITY_OF_KIND).",
            ),
        ),
        migrations.RunPython(_priority_from_kind, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="outboundmessage", name="outbox_scheduled_due"),
        migrations.AddIndex(
            model_name="outboundmessage",
            index=models.Index(
                condition=models.Q(("status", "scheduled")),
                fields=["priority", "send_after"],
                name="outbox_scheduled_due_prio",
            ),
        ),
    ]
