from __future__ import annotations

from django.db import migrations, models
from django.db.models.functions import Upper


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_seed_reasons")]

    operations = [
        # The merge lookup matches email case-insensitively; without this it reads every recent inquiry.
        migrations.AddIndex(
            model_name="inquiry",
            index=models.Index(Upper("email"), name="intake_inquiry_email_upper"),
        ),
    ]
