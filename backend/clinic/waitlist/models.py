"""The waitlist: patients who want a session sooner, the chairs that free up, and the offers we text.

An entry asks for a session type (optionally "earlier if possible" for a session already booked: it is
moved, never doubled), with preferred weekdays, day parts or time windows, and providers (none: any).
A freed slot is the time a cancelled or moved session left, at its provider and chair. An offer is one
text to one entry about one slot, with a 4-digit code the patient replies with (YES 4821).
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SessionType

# Day parts a patient can name, in the session's location time: [starts, ends).
DAY_PARTS: dict[str, tuple[datetime.time, datetime.time]] = {
    "morning": (datetime.time(0, 0), datetime.time(12, 0)),
    "afternoon": (datetime.time(12, 0), datetime.time(17, 0)),
    "evening": (datetime.time(17, 0), datetime.time(23, 59, 59)),
}
# A session an "earlier if possible" entry may still move.
MOVABLE = (Appointment.Status.SCHEDULED, Appointment.Status.CONFIRMED)
TIME_WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def time_window_bounds(value: str) -> tuple[datetime.time, datetime.time]:
    """The [start, end) of a day part ("morning") or a window ("09:30-13:00"); ValueError if neither."""
    if value in DAY_PARTS:
        return DAY_PARTS[value]
    match = TIME_WINDOW.match(value)
    if match is None:
        raise ValueError(value)
    hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
    starts, ends = datetime.time(hour1, minute1), datetime.time(hour2, minute2)
    if starts >= ends:
        raise ValueError(value)
    return starts, ends


def validate_weekdays(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(day, int) and 0 <= day <= 6 for day in value):
        raise ValidationError("List weekdays as numbers, 0 (Monday) to 6 (Sunday), e.g. [1, 3].")


def validate_times(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError('List day parts or windows, e.g. ["morning", "13:00-16:00"].')
    for item in value:
        try:
            time_window_bounds(item)
        except ValueError:
            raise ValidationError(
                f"{item!r} is neither a day part ({', '.join(DAY_PARTS)}) nor a window like 09:30-13:00."
            ) from None


class WaitlistSettings(models.Model):
    """How one location fills freed chairs from its waitlist."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="waitlist_settings", verbose_name="location"
    )
    is_enabled = models.BooleanField(default=False, help_text="Offer freed times to waitlisted patients by text.")
    min_notice_hours = models.PositiveIntegerField(
        default=12,
        help_text="An offer leaves at least this much notice, plus the session type's fasting hours "
        "(time to fast and to find a driver).",
    )
    offers_at_once = models.PositiveSmallIntegerField(
        default=3, help_text="How many patients are offered a time at once."
    )
    offer_minutes = models.PositiveIntegerField(default=30, help_text="How long an offer stays open.")

    class Meta:
        verbose_name = "waitlist settings"
        verbose_name_plural = "waitlist settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(offers_at_once__gte=1), name="waitlist_offers_at_least_one"),
            models.CheckConstraint(condition=models.Q(offer_minutes__gte=1), name="waitlist_offer_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"Waitlist at {self.clinic}"


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FULFILLED = "fulfilled", "Fulfilled"
        REMOVED = "removed", "Removed"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist_entries")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="waitlist_entries")
    appointment = models.ForeignKey(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        help_text="Earlier if possible: the booked session an accepted offer moves (none: a new booking).",
    )
    preferred_weekdays = models.JSONField(
        default=list, blank=True, validators=[validate_weekdays], help_text="0 Monday to 6 Sunday; empty: any day."
    )
    preferred_times = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_times],
        help_text='Day parts (morning, afternoon, evening) or windows ("09:30-13:00") in the location\'s time; '
        "empty: any time.",
    )
    providers = models.ManyToManyField(
        Provider, blank=True, related_name="waitlist_entries", help_text="Empty: any provider."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=20, help_text='Who asked: "staff", "patient_link".')
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            # One active request per patient and session type (new booking), and per booked session (move).
            models.UniqueConstraint(
                fields=["patient", "session_type"],
                condition=models.Q(status="active", appointment__isnull=True),
                name="waitlist_one_active_new_booking",
            ),
            models.UniqueConstraint(
                fields=["patient", "session_type", "appointment"],
                condition=models.Q(status="active", appointment__isnull=False),
                name="waitlist_one_active_move",
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist #{self.pk}: patient #{self.patient_id}, {self.session_type} ({self.get_status_display()})"


class FreedSlot(models.Model):
    """A time a cancelled or moved session left free, at its provider and chair."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FILLED = "filled", "Filled from the waitlist"
        GONE = "gone", "No longer free"
        UNFILLED = "unfilled", "Not filled in time"

    class Cause(models.TextChoices):
        CANCELLED = "cancelled", "Cancelled"
        RESCHEDULED = "rescheduled", "Moved"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="freed_slots", verbose_name="location")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="freed_slots")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="freed_slots")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="freed_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cause = models.CharField(max_length=12, choices=Cause.choices)
    freed_by = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="freed_slots"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    filled_by = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="filled_slots"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "starts_at"], name="freed_slot_status_start")]

    def __str__(self) -> str:
        return f"Freed {self.session_type} #{self.pk} ({self.get_status_display()})"


class WaitlistOffer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Sent, waiting for a reply"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        TAKEN = "taken", "Taken by another patient"
        FAILED = "failed", "Accepted, but the time no longer fitted"
        WITHDRAWN = "withdrawn", "Withdrawn (the time is no longer free)"

    slot = models.ForeignKey(FreedSlot, on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    to_number = models.CharField(max_length=20, help_text="E.164")
    code = models.CharField(max_length=4)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    round = models.PositiveSmallIntegerField(default=1, help_text="Which group of offers for this slot.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    outcome_detail = models.CharField(max_length=200, blank=True)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="What it booked."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "entry"], name="waitlist_offer_once_per_slot_and_entry"),
            # A code names one open offer to a number: "YES 4821" is never ambiguous.
            models.UniqueConstraint(
                fields=["to_number", "code"], condition=models.Q(status="open"), name="waitlist_offer_code_unique_open"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="waitlist_offer_status_expiry")]

    def __str__(self) -> str:
        return f"Offer #{self.pk} ({self.get_status_display()})"
