"""A crisis alert holds the check-ins of every patient it is about (all who share the number it came from).

Each alert held at most one patient so far, so the existing rows already satisfy the new constraint.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0006_alert_page_hold_permissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="checkinhold",
            name="alert",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="checkin_holds", to="checkins.alert"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkinhold",
            constraint=models.UniqueConstraint(fields=("alert", "patient"), name="checkin_hold_one_per_alert_patient"),
        ),
    ]
