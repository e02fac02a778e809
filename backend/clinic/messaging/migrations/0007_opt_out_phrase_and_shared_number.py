from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0006_outbox_reconcile_after")]

    operations = [
        migrations.AlterField(
            model_name="phonenumberstate",
            name="opt_out_keyword",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="inboundmessage",
            name="route_detail",
            field=models.CharField(blank=True, help_text="What the route recognised, for staff.", max_length=200),
        ),
        migrations.AddField(
            model_name="inboundmessage",
            name="shared_number",
            field=models.BooleanField(default=False),
        ),
    ]
