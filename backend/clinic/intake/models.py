from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy

from clinic.core.languages import LANGUAGE_DEFAULT, validate_language

# Crockford's base32 without I, L, O, U: easy to read out over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_inquiry_reference() -> str:
    return "INQ-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class Reason(models.Model):
    """Why someone asks about treatment; a fixed list seeded by a migration."""

    code = models.SlugField(max_length=30, primary_key=True)
    label = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.label


class Inquiry(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        SCREENING = "screening", "Screening"
        ELIGIBLE = "eligible", "Eligible"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        CONVERTED = "converted", "Converted to patient"
        CLOSED = "closed", "Closed"

    class ContactMethod(models.TextChoices):
        # Translated: the public form offers these in the visitor's language.
        SMS = "sms", gettext_lazy("Text message")
        PHONE = "phone", gettext_lazy("Phone call")
        EMAIL = "email", gettext_lazy("Email")

    class Source(models.TextChoices):
        WEB_FORM = "web_form", "Contact page"
        API = "api", "API"

    reference = models.CharField(max_length=12, unique=True, default=new_inquiry_reference, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, db_index=True, help_text="E.164")
    email = models.EmailField(blank=True, db_index=True)
    preferred_contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    clinic = models.ForeignKey(
        "core.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
        verbose_name="location",
        help_text="The location the person chose (or the nearest to their ZIP code); blank: not chosen.",
    )
    preferred_language = models.CharField(
        max_length=8,
        default=LANGUAGE_DEFAULT,
        db_default=LANGUAGE_DEFAULT,
        validators=[validate_language],
        help_text="The language the person asked to be written to in (e.g. en, es).",
    )
    best_time_to_reach = models.CharField(max_length=100, blank=True)
    reasons = models.ManyToManyField(Reason, blank=True, related_name="inquiries")
    prior_treatments = models.TextField(blank=True)
    message = models.TextField(blank=True)

    sms_consent = models.BooleanField(default=False)
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    sms_consent_version = models.CharField(max_length=40, blank=True)
    sms_consent_source = models.CharField(max_length=40, blank=True)
    # Consent belongs to a number: texts go only to this one, and only while it is still `phone`.
    sms_consent_phone = models.CharField(max_length=20, blank=True, help_text="The number consent was given for.")
    # Email consent: choosing email as the way to be reached, for the address given with it.
    email_consent_at = models.DateTimeField(null=True, blank=True)
    email_consent_version = models.CharField(max_length=40, blank=True)
    email_consent_source = models.CharField(max_length=40, blank=True)
    email_consent_address = models.EmailField(blank=True, help_text="The address consent was given for.")
    privacy_acknowledged_at = models.DateTimeField()
    adult_confirmed_at = models.DateTimeField()

    source = models.CharField(max_length=20, choices=Source.choices, default=Source.API)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_inquiries",
    )
    patient = models.OneToOneField(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="source_inquiry"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "inquiries"
        # A new inquiry looks up the same person's open one by phone or by email, case-insensitively.
        indexes = [models.Index(Upper("email"), name="intake_inquiry_email_upper")]
        permissions = [("convert_inquiry", "Can convert an inquiry into a patient")]

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class InquirySubmission(models.Model):
    """One accepted POST of the public form; several can land on one inquiry when merged."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="submissions")
    # Every submission has its own reference, so the answer never tells whether it was merged.
    reference = models.CharField(max_length=12, unique=True, default=new_inquiry_reference, editable=False)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    # A hash of the validated submission: a key reused with other content is refused, never replayed.
    content_hash = models.CharField(max_length=64, blank=True)
    # What this submission itself said: a merge never moves these onto the earlier inquiry.
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, as submitted")
    preferred_contact_method = models.CharField(max_length=10, choices=Inquiry.ContactMethod.choices, blank=True)
    sms_consent_at = models.DateTimeField(null=True, blank=True, help_text="Consent to texts at `phone`.")
    sms_consent_version = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True, help_text="As submitted")
    email_consent_at = models.DateTimeField(null=True, blank=True, help_text="Consent to emails at `email`.")
    email_consent_version = models.CharField(max_length=40, blank=True)
    merged = models.BooleanField(default=False, help_text="Added to an inquiry that was already open.")
    source = models.CharField(max_length=20, choices=Inquiry.Source.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"Submission to {self.inquiry_id} at {self.received_at:%Y-%m-%d %H:%M}"


class InquiryNote(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.inquiry_id} at {self.created_at:%Y-%m-%d %H:%M}"


class Screening(models.Model):
    """The intake contraindication checklist for one inquiry, and its result."""

    class Result(models.TextChoices):
        PENDING = "pending", "Pending"
        ELIGIBLE = "eligible", "Eligible"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"

    inquiry = models.OneToOneField(Inquiry, on_delete=models.CASCADE, related_name="screening")
    uncontrolled_hypertension = models.BooleanField(default=False)
    psychosis_or_mania_history = models.BooleanField(default=False)
    pregnancy = models.BooleanField(default=False)
    active_substance_use = models.BooleanField(default=False)
    vascular_disease_or_brain_haemorrhage = models.BooleanField(
        default=False, help_text="Aneurysmal vascular disease or history of brain haemorrhage."
    )
    result = models.CharField(max_length=20, choices=Result.choices, default=Result.PENDING)
    notes = models.TextField(blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    CONTRAINDICATIONS = (
        "uncontrolled_hypertension",
        "psychosis_or_mania_history",
        "pregnancy",
        "active_substance_use",
        "vascular_disease_or_brain_haemorrhage",
    )

    def __str__(self) -> str:
        return f"Screening of {self.inquiry_id}: {self.result}"

    @property
    def contraindications_present(self) -> list[str]:
        return [name for name in self.CONTRAINDICATIONS if getattr(self, name)]
