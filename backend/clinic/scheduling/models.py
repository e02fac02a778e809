from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from clinic.core.languages import LANGUAGE_DEFAULT, language_codes
from clinic.core.models import Clinic
from clinic.messaging.wording import PREPARATION_TRANSLATION_MAX_CHARS, forbidden_words_in

# Appointments in these states hold their provider, room and patient; cancelled and no-show ones free them.
OCCUPYING_STATUSES = ("scheduled", "confirmed", "checked_in", "completed")
PROVIDER_OVERLAP_CONSTRAINT = "appointment_provider_no_overlap"
ROOM_OVERLAP_CONSTRAINT = "appointment_room_no_overlap"
PATIENT_OVERLAP_CONSTRAINT = "appointment_patient_no_overlap"


class Provider(models.Model):
    """A clinician taking bookings. `clinic` is their home location; they work wherever their working
    hours say (a block of hours names its location)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="providers", verbose_name="home location")
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. MD, NP, LCSW")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class Room(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=60)
    is_treatment_chair = models.BooleanField(default=False, help_text="Can host a dosing session.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="room_name_unique_per_clinic")]

    def __str__(self) -> str:
        return self.name


def default_reminder_hours() -> list[int]:
    return [48, 3]


def validate_reminder_hours(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(hours, int) and 1 <= hours <= 336 for hours in value):
        raise ValidationError("List whole hours before the session, each from 1 to 336, e.g. [48, 3].")
    if len(set(value)) != len(value):
        raise ValidationError("Each reminder time may appear once.")


def validate_text_safe(value: str) -> None:
    forbidden = forbidden_words_in(value)
    if forbidden:
        raise ValidationError(f"This is sent by text: it must not name a drug or a diagnosis ({', '.join(forbidden)}).")


def validate_preparation_translations(value: object) -> None:
    """{"es": "..."}: one wording per other language, each text-safe and short enough for a UCS-2 text."""
    others = [code for code in language_codes() if code != LANGUAGE_DEFAULT]
    if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
        raise ValidationError('Give one text per language, e.g. {"es": "..."}.')
    unknown = sorted(set(value) - set(others))
    if unknown:
        raise ValidationError(
            f"Languages this clinic does not offer: {', '.join(unknown)} (offered: {', '.join(others)})."
        )
    for code, text in value.items():
        if len(text) > PREPARATION_TRANSLATION_MAX_CHARS:
            raise ValidationError(f"{code}: at most {PREPARATION_TRANSLATION_MAX_CHARS} characters.")
        validate_text_safe(text)


class SessionType(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video"
        PHONE = "phone", "Phone"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="session_types")
    name = models.CharField(max_length=80, help_text="Staff-facing; never sent in a text.")
    slug = models.SlugField(max_length=60)
    duration_minutes = models.PositiveIntegerField()
    monitoring_minutes = models.PositiveIntegerField(default=0, help_text="Observation after the session.")
    mode = models.CharField(
        max_length=10,
        choices=Mode.choices,
        default=Mode.IN_PERSON,
        help_text="Where the patient is: texts write an in-person session's time in the clinic's zone, "
        "a video or phone session's in the patient's own.",
    )
    needs_chair = models.BooleanField(default=False)
    needs_clinician = models.BooleanField(default=True)
    needs_driver = models.BooleanField(default=False)
    fasting_hours = models.PositiveIntegerField(default=0, help_text="No food for this long before.")
    preparation_instructions = models.TextField(
        blank=True, max_length=300, validators=[validate_text_safe], help_text="Generic; sent in reminder texts."
    )
    preparation_translations = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_preparation_translations],
        help_text='The preparation instructions in the other languages, e.g. {"es": "..."}; '
        f"at most {PREPARATION_TRANSLATION_MAX_CHARS} characters each. Without one, the English is sent.",
    )
    reminder_hours = models.JSONField(
        default=default_reminder_hours,
        validators=[validate_reminder_hours],
        help_text="Hours before the session when a reminder is sent, e.g. [48, 3].",
    )
    color = models.CharField(max_length=7, default="#4a7bd0")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "slug"], name="session_type_slug_unique_per_clinic")]

    def __str__(self) -> str:
        return self.name

    def preparation_in(self, language: str) -> str:
        """The preparation instructions in `language`, else in English (better than none)."""
        translated = (self.preparation_translations or {}).get(language, "").strip()
        return translated or self.preparation_instructions.strip()

    @property
    def occupies_minutes(self) -> int:
        return self.duration_minutes + self.monitoring_minutes

    @property
    def is_remote(self) -> bool:
        return self.mode != self.Mode.IN_PERSON


class WorkingHours(models.Model):
    """One block of a provider's week at one location, in that location's time zone (split shifts, or a
    morning here and an afternoon there, are two blocks)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="working_hours")
    clinic = models.ForeignKey(
        Clinic,
        blank=True,
        on_delete=models.PROTECT,
        related_name="working_hours",
        verbose_name="location",
        help_text="Blank: the provider's home location.",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["provider", "weekday", "starts"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")), name="working_hours_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.clinic_id is None:  # hours given without a location are worked at home
            self.clinic_id = self.provider.clinic_id
        super().save(*args, **kwargs)


class TimeOff(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True, help_text="Staff-facing, e.g. 'conference'.")

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="time_off_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        starts, ends = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{self.provider} off {starts:%Y-%m-%d %H:%M} to {ends:%Y-%m-%d %H:%M %Z}"


class SeriesPlan(models.Model):
    """A protocol booked as a unit, e.g. six IV sessions at least 48 hours apart within 21 days."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="series_plans")
    name = models.CharField(max_length=80)
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="series_plans")
    sessions = models.PositiveSmallIntegerField()
    min_gap_hours = models.PositiveIntegerField(help_text="Least time from one session's start to the next's.")
    max_span_days = models.PositiveIntegerField(help_text="First to last session start, at most.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(sessions__gte=1), name="series_plan_has_sessions"),
        ]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    plan = models.ForeignKey(SeriesPlan, on_delete=models.PROTECT, related_name="series")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="series")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.plan} for patient #{self.patient_id}"


class ExclusionConstraintOnPostgres(ExclusionConstraint):
    """An exclusion constraint that PostgreSQL enforces and SQLite skips.

    SQLite has no exclusion constraints; there the same rule is checked by the booking service
    (see services.appointment_conflicts), so a developer on the default database still gets a clear error.
    """

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS) -> None:
        if connections[using].vendor != "postgresql":
            return
        super().validate(model, instance, exclude=exclude, using=using)


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _no_overlap(name: str, column: str) -> ExclusionConstraintOnPostgres:
    """No two occupying appointments share `column` over overlapping [starts_at, ends_at) ranges."""
    return ExclusionConstraintOnPostgres(
        name=name,
        expressions=[(TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS), (column, RangeOperators.EQUAL)],
        condition=models.Q(status__in=OCCUPYING_STATUSES),
    )


class Appointment(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CONFIRMED = "confirmed", "Confirmed"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(
        help_text="Start + duration + monitoring: the chair and provider are busy until then."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    series_position = models.PositiveSmallIntegerField(null=True, blank=True)
    driver_confirmed = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        permissions = [("view_calendar", "Can view the clinic calendar and iCalendar feeds")]
        indexes = [
            models.Index(fields=["provider", "starts_at"], name="appointment_provider_start"),
            models.Index(fields=["room", "starts_at"], name="appointment_room_start"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="appointment_start_before_end"
            ),
            ExclusionConstraintOnPostgres(
                name=PROVIDER_OVERLAP_CONSTRAINT,
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("provider", RangeOperators.EQUAL),
                ],
                condition=models.Q(status__in=OCCUPYING_STATUSES),
            ),
            ExclusionConstraintOnPostgres(
                name=ROOM_OVERLAP_CONSTRAINT,
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=models.Q(status__in=OCCUPYING_STATUSES),
            ),
            ExclusionConstraintOnPostgres(
                name=PATIENT_OVERLAP_CONSTRAINT,
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("patient", RangeOperators.EQUAL),
                ],
                condition=models.Q(status__in=OCCUPYING_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        # In the zone of the session's location, named: staff see sessions of several locations side by side.
        starts = self.starts_at.astimezone(zoneinfo.ZoneInfo(self.session_type.clinic.timezone))
        return f"{self.session_type} on {starts:%Y-%m-%d %H:%M %Z} ({self.get_status_display()})"
