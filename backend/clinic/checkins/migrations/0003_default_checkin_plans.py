"""Give every existing session type the default check-in plan (session types created later follow it in code)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import migrations

# Kept here as data: the migration must not change when plans.DEFAULT_PLAN is edited later.
DEFAULT_PLAN = (
    ("home_safe", 0, datetime.time(19, 0)),
    ("mood", 1, datetime.time(10, 0)),
    ("mood", 3, datetime.time(10, 0)),
    ("phq2", 7, datetime.time(10, 0)),
)


def plan_default(apps: Any, schema_editor: Any) -> None:
    SessionType = apps.get_model("scheduling", "SessionType")
    CheckInStep = apps.get_model("checkins", "CheckInStep")
    for session_type in SessionType.objects.all():
        if CheckInStep.objects.filter(session_type=session_type).exists():
            continue
        CheckInStep.objects.bulk_create(
            CheckInStep(session_type=session_type, kind=kind, day_offset=day, local_time=at)
            for kind, day, at in DEFAULT_PLAN
        )


class Migration(migrations.Migration):
    dependencies = [("checkins", "0002_checkins_alerts")]
    operations = [migrations.RunPython(plan_default, migrations.RunPython.noop)]
