from __future__ import annotations

from typing import Any

from django.db import migrations

REASONS = [
    ("depression", "Depression"),
    ("anxiety", "Anxiety"),
    ("ptsd", "PTSD"),
    ("ocd", "OCD"),
    ("chronic_pain", "Chronic pain"),
    ("other", "Other"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Reason = apps.get_model("intake", "Reason")
    for position, (code, label) in enumerate(REASONS):
        Reason.objects.update_or_create(code=code, defaults={"label": label, "position": position})


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
