from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def new_message_sid() -> str:
    return "SM" + uuid.uuid4().hex


class SandboxMessage(models.Model):
    """One text the sandbox accepted through its API, or one a patient "sent" from the sandbox page."""

    class Direction(models.TextChoices):
        OUTBOUND_API = "outbound-api", "Sent by the app"
        # What Twilio calls a message sent from a TwiML <Message> answer to an inbound text.
        OUTBOUND_REPLY = "outbound-reply", "TwiML reply"
        INBOUND = "inbound", "From the patient"

    class Status(models.TextChoices):
        ACCEPTED = "accepted"
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        DELIVERED = "delivered"
        UNDELIVERED = "undelivered"
        FAILED = "failed"
        RECEIVED = "received"

    sid = models.CharField(max_length=34, unique=True, default=new_message_sid, editable=False)
    account_sid = models.CharField(max_length=34)
    from_number = models.CharField(max_length=32, blank=True)
    to_number = models.CharField(max_length=32)
    messaging_service_sid = models.CharField(max_length=34, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices)
    direction = models.CharField(max_length=14, choices=Direction.choices)
    num_segments = models.PositiveSmallIntegerField(default=1)
    status_callback = models.URLField(max_length=4000, blank=True)
    error_code = models.PositiveIntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=255, blank=True)
    date_created = models.DateTimeField(db_index=True)
    date_updated = models.DateTimeField()
    date_sent = models.DateTimeField(null=True, blank=True)
    # Inbound only: the HTTP status the app's SMS webhook answered (None: it could not be reached).
    webhook_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["date_created", "id"]
        indexes = [
            models.Index(fields=["to_number", "date_created"]),
            models.Index(fields=["from_number", "date_created"]),
        ]

    def __str__(self) -> str:
        return self.sid

    @property
    def patient_number(self) -> str:
        """Return the number on the patient's side of this text."""
        return self.from_number if self.direction == self.Direction.INBOUND else self.to_number


class SandboxFailureRule(models.Model):
    """Make some API sends fail, the way Twilio can: refused at create ("api") or lost in delivery."""

    class Kind(models.TextChoices):
        API = "api", "Refuse at create (HTTP error)"
        DELIVERY = "delivery", "Accept, then fail delivery"
        # Twilio can time out or answer 5xx after it has created the message.
        AFTER_CREATE = "after_create", "Accept, then answer an HTTP error"

    class DeliveryStatus(models.TextChoices):
        UNDELIVERED = "undelivered"
        FAILED = "failed"

    to_number = models.CharField(max_length=32, blank=True, help_text="Blank: every number.")
    fraction = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Share of matching requests that fail, 0 to 1.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.API)
    http_status = models.PositiveSmallIntegerField(
        default=429,
        validators=[MinValueValidator(400), MaxValueValidator(599)],
        help_text="For 'api' and 'after_create' rules: the HTTP status answered (429, 500, 400...).",
    )
    error_code = models.PositiveIntegerField(default=20429, help_text="Twilio error code, e.g. 20429, 21610, 30003.")
    delivery_status = models.CharField(
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.UNDELIVERED,
        help_text="For 'delivery' rules: how the message ends.",
    )
    remaining = models.PositiveIntegerField(
        null=True, blank=True, help_text="Fail only this many more matching requests (blank: no limit)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fraction__gte=0.0, fraction__lte=1.0), name="sms_sandbox_rule_fraction_0_1"
            ),
        ]

    def __str__(self) -> str:
        target = self.to_number or "any number"
        return f"{self.kind} {self.error_code} for {target}"


class SandboxEmail(models.Model):
    """One email the app sent while the sandbox mailbox was its email backend (like Mailpit, no server)."""

    message_id = models.CharField(max_length=250, blank=True, db_index=True)
    from_email = models.CharField(max_length=254)
    to = models.CharField(max_length=1000, help_text="Comma-separated recipients.")
    subject = models.CharField(max_length=250)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, help_text="Every header of the message as sent.")
    raw = models.TextField(help_text="The whole message as it would go over SMTP.")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"
