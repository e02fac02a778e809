from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import F

import clinic.intake.models


def fill(apps: Any, schema_editor: Any) -> None:
    """Consent so far was given for the inquiry's number; each submission gets a reference of its own."""
    Inquiry = apps.get_model("intake", "Inquiry")
    InquirySubmission = apps.get_model("intake", "InquirySubmission")
    Inquiry.objects.filter(sms_consent=True).update(sms_consent_phone=F("phone"))
    first_seen: set[int] = set()
    for submission in InquirySubmission.objects.select_related("inquiry").order_by("received_at", "id"):
        # The first submission keeps the reference its sender was given; later ones were merged.
        if submission.inquiry_id not in first_seen:
            submission.reference = submission.inquiry.reference
            first_seen.add(submission.inquiry_id)
        else:
            submission.reference = clinic.intake.models.new_inquiry_reference()
        submission.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_inquiry_email_upper_index")]

    operations = [
        migrations.AddField(
            model_name="inquiry",
            name="sms_consent_phone",
            field=models.CharField(blank=True, help_text="The number consent was given for.", max_length=20),
        ),
        migrations.AddField(
            model_name="inquirysubmission",
            name="reference",
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
        migrations.AddField(
            model_name="inquirysubmission",
            name="content_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="inquirysubmission",
            name="phone",
            field=models.CharField(blank=True, help_text="E.164, as submitted", max_length=20),
        ),
        migrations.AddField(
            model_name="inquirysubmission",
            name="preferred_contact_method",
            field=models.CharField(
                blank=True,
                choices=[("sms", "Text message"), ("phone", "Phone call"), ("email", "Email")],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="inquirysubmission",
            name="sms_consent_at",
            field=models.DateTimeField(blank=True, help_text="Consent to texts at `phone`.", null=True),
        ),
        migrations.AddField(
            model_name="inquirysubmission",
            name="sms_consent_version",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="inquirysubmission",
            name="reference",
            field=models.CharField(
                default=clinic.intake.models.new_inquiry_reference, editable=False, max_length=12, unique=True
            ),
        ),
    ]
