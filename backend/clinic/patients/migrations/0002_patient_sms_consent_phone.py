from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import F


def consent_to_the_current_number(apps: Any, schema_editor: Any) -> None:
    """Consent recorded so far was given for the number on file when it was recorded."""
    Patient = apps.get_model("patients", "Patient")
    Patient.objects.filter(sms_consent_at__isnull=False).update(sms_consent_phone=F("phone"))


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="sms_consent_phone",
            field=models.CharField(blank=True, help_text="The number consent was given for.", max_length=20),
        ),
        migrations.RunPython(consent_to_the_current_number, migrations.RunPython.noop),
    ]
