"""Self-booking of the first consultation: the clinic's settings, the offers made after an inquiry, the bookings.

Settings: a session type marked self-bookable (`SelfBookableType`: only a remote consultation, never a
chair or dosing session) and, per location, whether self-booking is on, which type it offers, and which
form answers leave it to a phone call (`SelfBookingLocation`). An offer is made per accepted submission
(`SelfBookingOffer`, its link token stored hashed); a booking (`SelfBooking`) holds one appointment, at
most one per inquiry (a unique column: the database refuses a second).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from clinic.core.models import Clinic
from clinic.intake.models import Inquiry, InquirySubmission
from clinic.scheduling.models import Appointment, SessionType

from .rules import excluded_reasons_problems, self_bookable_problems


def validate_excluded_reasons(value: object) -> None:
    problems = excluded_reasons_problems(value)
    if problems:
        raise ValidationError(problems)


class SelfBookableType(models.Model):
    """A session type new patients may book for themselves after an inquiry: a video or phone consultation."""

    class Confirmation(models.TextChoices):
        REQUESTED = "requested", "Requested: front desk confirms the time"
        CONFIRMED = "confirmed", "Confirmed at once"

    session_type = models.OneToOneField(SessionType, on_delete=models.CASCADE, related_name="self_booking")
    confirmation = models.CharField(
        max_length=10,
        choices=Confirmation.choices,
        default=Confirmation.REQUESTED,
        help_text="Requested: the slot is held and front desk confirms it. Confirmed: booked as chosen.",
    )
    earliest_hours = models.PositiveIntegerField(default=24, help_text="Offer times from this many hours ahead.")
    latest_days = models.PositiveIntegerField(default=14, help_text="...up to this many days ahead.")
    slots_shown = models.PositiveSmallIntegerField(default=6, help_text="How many times to offer at once.")
    link_valid_hours = models.PositiveIntegerField(
        default=72, help_text="How long the link in the acknowledgement (and the thanks page) can be used."
    )

    class Meta:
        verbose_name = "self-bookable session type"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest_days__gte=1, latest_days__lte=90), name="selfbooking_latest_days_range"
            ),
            models.CheckConstraint(
                condition=models.Q(slots_shown__gte=1, slots_shown__lte=20), name="selfbooking_slots_shown_range"
            ),
            models.CheckConstraint(
                condition=models.Q(link_valid_hours__gte=1, link_valid_hours__lte=24 * 30),
                name="selfbooking_link_valid_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type} (self-bookable)"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.session_type_id is not None:
            problems = self_bookable_problems(self.session_type)
            if problems:
                errors["session_type"] = problems
        if self.earliest_hours >= self.latest_days * 24:
            errors["earliest_hours"] = ["The first time offered must come before the last day offered."]
        if errors:
            raise ValidationError(errors)


class SelfBookingLocation(models.Model):
    """Self-booking at one location: on or off, the consultation it offers, and which answers rule it out."""

    location = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="self_booking")
    enabled = models.BooleanField(default=False, help_text="Offer times after an inquiry for this location.")
    consult = models.ForeignKey(
        SelfBookableType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name="consultation offered",
    )
    excluded_reasons = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_excluded_reasons],
        help_text='Reasons on the contact form that leave the person to a phone call, e.g. ["other"].',
    )

    class Meta:
        verbose_name = "self-booking at a location"
        verbose_name_plural = "self-booking at locations"

    def __str__(self) -> str:
        return f"Self-booking at {self.location}"

    def clean(self) -> None:
        consult_elsewhere = (
            self.consult is not None
            and self.location_id is not None
            and self.consult.session_type.clinic_id != self.location_id
        )
        if consult_elsewhere:
            raise ValidationError({"consult": "Choose a consultation held at this location."})
        if self.enabled and self.consult_id is None:
            raise ValidationError({"consult": "Choose the consultation to offer before turning self-booking on."})


class SelfBookingOffer(models.Model):
    """The times offered after one accepted submission, reached by a random link token (stored hashed)."""

    submission = models.OneToOneField(InquirySubmission, on_delete=models.CASCADE, related_name="self_booking_offer")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="self_booking_offers")
    location = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    consult = models.ForeignKey(SelfBookableType, on_delete=models.PROTECT, related_name="offers")
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=8)
    # Made for a repeat submission folded into an open inquiry: a time chosen goes to front desk, never booked.
    merged = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    chosen_starts_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "self-booking offer"

    def __str__(self) -> str:
        return f"Self-booking offer for inquiry {self.inquiry_id}"


class SelfBooking(models.Model):
    """A first consultation a person booked for themselves; one per inquiry."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested (front desk confirms)"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled or missed"

    inquiry = models.OneToOneField(Inquiry, on_delete=models.CASCADE, related_name="self_booking")
    offer = models.OneToOneField(SelfBookingOffer, on_delete=models.PROTECT, related_name="booking")
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="self_booking")
    state = models.CharField(max_length=10, choices=State.choices, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "self-booked consultation"

    def __str__(self) -> str:
        return f"Self-booked consultation for inquiry {self.inquiry_id} ({self.get_state_display()})"
