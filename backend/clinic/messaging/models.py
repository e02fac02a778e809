from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from clinic.core.languages import LANGUAGE_DEFAULT, validate_language

from .wording import TEXTS, text_problems


class PhoneNumberState(models.Model):
    """Our own suppression list: what a phone number told us (STOP/START) or what carriers said of it."""

    phone = models.CharField(max_length=20, unique=True, help_text="E.164")
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # The keyword, or the words recognised as an opt-out ("stop texting me").
    opt_out_keyword = models.CharField(max_length=100, blank=True)
    opted_in_at = models.DateTimeField(null=True, blank=True)
    undeliverable_at = models.DateTimeField(
        null=True, blank=True, help_text="A carrier said texts to this number cannot be delivered."
    )
    undeliverable_code = models.IntegerField(null=True, blank=True)
    needs_staff_attention = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "phone number state"

    def __str__(self) -> str:
        return self.phone

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None


class EmailAddressState(models.Model):
    """Our email suppression list, like PhoneNumberState: who unsubscribed, which addresses bounce.

    `unsubscribe_key` is what an unsubscribe link carries (signed): a random key, never the address.
    """

    email = models.EmailField(max_length=254, unique=True, help_text="Lower-cased.")
    unsubscribe_key = models.CharField(max_length=32, unique=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Where the unsubscribe came from: "link", "one-click", "staff".
    unsubscribe_source = models.CharField(max_length=20, blank=True)
    undeliverable_at = models.DateTimeField(
        null=True, blank=True, help_text="The receiving mail server refused this address for good (5xx)."
    )
    undeliverable_code = models.IntegerField(null=True, blank=True)
    needs_staff_attention = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "email address state"

    def __str__(self) -> str:
        return self.email

    @property
    def is_unsubscribed(self) -> bool:
        return self.unsubscribed_at is not None


class OutboundMessage(models.Model):
    """The outbox: every text or email we send is first a row here, written with the change that caused it."""

    class Channel(models.TextChoices):
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"

    class Kind(models.TextChoices):
        INQUIRY_ACK = "inquiry_ack", "Inquiry acknowledgement"
        REMINDER = "reminder", "Reminder"
        CONFIRMATION_REPLY = "confirmation_reply", "Confirmation reply"
        CHECKIN = "checkin", "Check-in"
        STAFF_ALERT = "staff_alert", "Staff alert"
        AD_HOC = "ad_hoc", "Ad-hoc"

    class Priority(models.IntegerChoices):
        """Who goes first when texts wait for the sender: claimed and let through the rate limit in this order."""

        URGENT = 0, "Urgent (crisis answers, on-call pages, alert notifications)"
        REPLY = 1, "Direct reply"
        ROUTINE = 2, "Reminder or check-in"
        BULK = 3, "Bulk"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Undelivered"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SUPPRESSED = "suppressed", "Suppressed"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    template = models.CharField(max_length=60, blank=True)
    # db_default too: rows written by code that predates this column (a rolling deploy) are texts.
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS, db_default=Channel.SMS)
    to_number = models.CharField(max_length=20, db_index=True, blank=True, help_text="E.164 (texts)")
    to_email = models.EmailField(max_length=254, blank=True, help_text="Emails only.")
    subject = models.CharField(max_length=200, blank=True, help_text="Emails only.")
    body = models.TextField(help_text="The text, or an email's plain-text part (its HTML part is built from it).")
    language = models.CharField(
        max_length=8,
        default=LANGUAGE_DEFAULT,
        db_default=LANGUAGE_DEFAULT,
        help_text="The language it is written in; an email's footer is added in it at send time.",
    )
    clinic = models.ForeignKey(
        "core.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="location",
        help_text="The location it is sent for: its number sends it. Blank: the organization's sender.",
    )
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="outbound_messages"
    )
    inquiry = models.ForeignKey(
        "intake.Inquiry", null=True, blank=True, on_delete=models.CASCADE, related_name="outbound_messages"
    )
    # What caused the text, as a model label and a primary key: "scheduling.appointment" and "12". After
    # the key, "@" may name which version of the cause it was written for (a reminder: the session's start).
    related_type = models.CharField(
        max_length=64, blank=True, help_text="The model label of what caused it, e.g. scheduling.appointment"
    )
    related_id = models.CharField(max_length=64, blank=True, help_text="Its primary key, e.g. 12 (or 12@1767225600)")
    idempotency_key = models.CharField(max_length=120, unique=True)
    send_after = models.DateTimeField()
    # db_default too: rows written by code that predates this column (a rolling deploy) count as routine.
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices,
        default=Priority.ROUTINE,
        db_default=Priority.ROUTINE,
        help_text="Set from the kind (PRIORITY_OF_KIND).",
    )
    outside_texting_hours_ok = models.BooleanField(
        default=False, help_text="Only for the direct answer to a patient's own message, or alerts to staff."
    )

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    suppressed_reason = models.CharField(max_length=60, blank=True)
    provider_sid = models.CharField(max_length=40, null=True, blank=True, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error_code = models.IntegerField(null=True, blank=True)
    last_error_message = models.CharField(max_length=300, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    reconcile_after = models.DateTimeField(
        null=True, blank=True, help_text="Sending: when to ask the provider whether it has the text (outcome unknown)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dispatcher reads only due rows, most urgent first (one range per priority); a partial index
            # keeps that cost independent of the backlog.
            models.Index(
                fields=["priority", "send_after"], name="outbox_scheduled_due_prio", condition=Q(status="scheduled")
            ),
            models.Index(fields=["sending_started_at"], name="outbox_sending", condition=Q(status="sending")),
            # Lost queued rows are looked for every tick; the index keeps that independent of history too.
            models.Index(fields=["queued_at"], name="outbox_queued", condition=Q(status="queued")),
            models.Index(fields=["related_type", "related_id"], name="outbox_related"),
        ]
        constraints = [
            # Each row has the address its channel needs, and only that one.
            models.CheckConstraint(
                condition=(Q(channel="sms") & ~Q(to_number="") & Q(to_email=""))
                | (Q(channel="email") & ~Q(to_email="") & Q(to_number="")),
                name="outbox_address_for_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} to {self.address} ({self.status})"

    @property
    def address(self) -> str:
        return self.to_email if self.channel == self.Channel.EMAIL else self.to_number


class DeliveryAttempt(models.Model):
    """One call to the provider about one text: a send, or a look for it after an unknown outcome.

    Written by the code that makes the call (sending.py) as soon as the call returns or raises, before
    the text's own row moves on: history, never the text's state. It holds no body and no number.
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        TEMPORARY_FAILURE = "temporary_failure", "Temporary failure (retryable)"
        PERMANENT_FAILURE = "permanent_failure", "Permanent failure"
        UNKNOWN = "unknown", "Outcome unknown (the provider is asked later)"
        FOUND = "found", "Found at the provider"
        NOT_FOUND = "not_found", "Not at the provider"

    # Not `attempts`: that name is the message's own count of tries (OutboundMessage.attempts).
    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    started_at = models.DateTimeField()
    latency_ms = models.PositiveIntegerField(null=True, blank=True, help_text="How long the provider took to answer.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    code = models.CharField(max_length=20, blank=True, help_text="The provider's error code, if it gave one.")
    detail = models.CharField(max_length=200, blank=True, help_text="Never the text or the number.")
    provider_message_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.started_at:%Y-%m-%d %H:%M:%S}"


_P = OutboundMessage.Priority
_K = OutboundMessage.Kind
# The one table of who goes first. A patient's own answer (confirmation reply, a text staff write by
# hand) beats the scheduled reminders and check-ins; the inquiry acknowledgement is bulk: anyone on
# the internet can cause it, so a flood of web-form submissions must never delay patients in care.
PRIORITY_OF_KIND: dict[str, int] = {
    _K.STAFF_ALERT: _P.URGENT,
    _K.CONFIRMATION_REPLY: _P.REPLY,
    _K.AD_HOC: _P.REPLY,
    _K.REMINDER: _P.ROUTINE,
    _K.CHECKIN: _P.ROUTINE,
    _K.INQUIRY_ACK: _P.BULK,
}


# What may go by email. Check-ins, crisis answers and pages stay texts: nobody watches email at 2 a.m.
EMAIL_KINDS = frozenset({_K.INQUIRY_ACK, _K.REMINDER})


def priority_of_kind(kind: str) -> int:
    """The send priority of a kind of text; a kind missing from the table counts as routine."""
    return PRIORITY_OF_KIND.get(kind, _P.ROUTINE)


class InboundMessage(models.Model):
    """A text a person sent us, stored once per Twilio MessageSid, and where it was routed."""

    class Route(models.TextChoices):
        CRISIS = "crisis", "Crisis language"
        OPT_OUT = "opt_out", "Opt-out"
        OPT_IN = "opt_in", "Opt-in"
        HELP = "help", "Help"
        CONFIRMATION = "confirmation", "Appointment confirmation"
        CHECKIN = "checkin", "Check-in answer"
        INBOX = "inbox", "Staff inbox"

    message_sid = models.CharField(max_length=40, unique=True)
    from_number = models.CharField(max_length=20, db_index=True)
    to_number = models.CharField(max_length=20)
    body = models.TextField(blank=True)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    route = models.CharField(max_length=16, choices=Route.choices, blank=True)
    route_detail = models.CharField(max_length=200, blank=True, help_text="What the route recognised, for staff.")
    # Several patients have this number: `patient` stays empty rather than guessing one of them.
    shared_number = models.BooleanField(default=False)
    reply = models.TextField(blank=True, help_text="What we answered, if anything.")
    language = models.CharField(
        max_length=8, blank=True, help_text="The language the text is written in, as recognised (e.g. en, es)."
    )
    clinic = models.ForeignKey(
        "core.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="location",
        help_text="The location whose number it was sent to. Blank: the organization's own number.",
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at"], name="inbox_unhandled", condition=Q(handled_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.message_sid} from {self.from_number} ({self.route})"


class DeliveryReport(models.Model):
    """One status callback as Twilio sent it; applied to the outbox row with that SID (even if it came first)."""

    message_sid = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=20)
    error_code = models.IntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.message_sid}: {self.status}"


class MessageTemplate(models.Model):
    """A clinic's own wording for one of the texts in texts.TEXTS, checked before it is saved."""

    name = models.CharField(max_length=60, help_text="Which text this rewords.")
    language = models.CharField(
        max_length=8,
        default=LANGUAGE_DEFAULT,
        validators=[validate_language],
        help_text="The language of this wording: each language has its own (e.g. en, es).",
    )
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "language"]
        verbose_name = "text wording"
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="message_template_one_per_language"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.name not in TEXTS:
            raise ValidationError({"name": f"There is no text called {self.name!r}."})
        problems = text_problems(self.name, self.body, self.language)
        if problems:
            raise ValidationError({"body": problems})
