"""A text's cause is named by its model's label_lower ("scheduling.appointment"), in every row.

Writers used ad-hoc names: "appointment_reminder" for a session's reminders, and the labels as
written ("checkins.CheckIn", "checkins.Alert", "intake.Inquiry"). Existing rows get the label the
code writes now, so cancelling a cause's pending texts and the send-time cause checks find them.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

# Old names that are not a label in another case; reminders keep their related_id ("12@1767225600").
AD_HOC_RELATED_TYPES = {"appointment_reminder": "scheduling.appointment"}
# What the code wrote before this migration, for each label: moving back restores it.
WRITTEN_BEFORE = {
    "scheduling.appointment": "appointment_reminder",
    "checkins.checkin": "checkins.CheckIn",
    "checkins.alert": "checkins.Alert",
    "intake.inquiry": "intake.Inquiry",
}


def related_type_label(related_type: str) -> str:
    """The model label for a cause as any earlier code named it ("" stays "")."""
    if related_type in AD_HOC_RELATED_TYPES:
        return AD_HOC_RELATED_TYPES[related_type]
    return related_type.lower() if "." in related_type else related_type


def related_types_rename(apps: Any, rename: Any) -> int:
    """Rewrite each distinct related_type the rows hold; how many rows changed."""
    OutboundMessage = apps.get_model("messaging", "OutboundMessage")
    changed = 0
    for old in OutboundMessage.objects.exclude(related_type="").values_list("related_type", flat=True).distinct():
        new = rename(old)
        if new != old:
            changed += OutboundMessage.objects.filter(related_type=old).update(related_type=new)
    return changed


def related_types_to_labels(apps: Any, schema_editor: Any) -> None:
    related_types_rename(apps, related_type_label)


def related_types_to_written_before(apps: Any, schema_editor: Any) -> None:
    related_types_rename(apps, lambda label: WRITTEN_BEFORE.get(label, label))


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0011_email_address_state_permissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboundmessage",
            name="related_id",
            field=models.CharField(blank=True, help_text="Its primary key, e.g. 12 (or 12@1767225600)", max_length=64),
        ),
        migrations.AlterField(
            model_name="outboundmessage",
            name="related_type",
            field=models.CharField(
                blank=True, help_text="The model label of what caused it, e.g. scheduling.appointment", max_length=64
            ),
        ),
        migrations.RunPython(related_types_to_labels, related_types_to_written_before),
    ]
