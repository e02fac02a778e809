from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Who read or changed which record, when, from where. Never holds the record's content.

    Append-only: on PostgreSQL a trigger refuses every UPDATE and DELETE (migration 0003), and a
    staff account with events cannot be deleted, only deactivated, so the trail keeps its names.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="What changed, never the data itself.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.target_type}:{self.target_id}"


class SignInAddress(models.Model):
    """An address a staff member signed in from with the right password.

    While a username is being sprayed with guesses from many addresses, sign-in for it keeps
    working from these and is refused from anywhere else (accounts/signin_guard.py).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ip_address = models.GenericIPAddressField()
    last_signed_in_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ip_address"], name="sign_in_address_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.ip_address}"


class ApiToken(models.Model):
    """A staff API token. Only a hash of the key is kept: the key is shown once, when it is issued.

    `prefix` (the key's first characters) names a token in the admin without revealing it; a
    revoked token stays as a row so the admin shows when and by whom it was used.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, never the key.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StaffLocation(models.Model):
    """A location a staff member works at. Staff with none see every location; staff with some see only
    those locations' inquiries, patients and schedule (clinic admins always see all)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_locations")
    clinic = models.ForeignKey("core.Clinic", on_delete=models.CASCADE, related_name="+", verbose_name="location")

    class Meta:
        verbose_name = "staff location"
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="staff_location_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.clinic_id}"
