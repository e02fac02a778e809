"""Reads: which sessions are REMS sessions, a location's limits, and each form's deadline in its location's zone."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from clinic.scheduling.models import Appointment

from .models import MonitoringRecord, RemsEnrollment, RemsLocationSettings, RemsSessionType


class FormState:
    SUBMITTED = "submitted"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"  # from the task day on
    OPEN = "open"

    CHOICES = (
        (OVERDUE, "Overdue"),
        (DUE_SOON, "Due soon"),
        (OPEN, "Not yet due"),
        (SUBMITTED, "Submitted"),
    )


def rems_settings_for(*, clinic_id: int) -> RemsLocationSettings:
    """The location's limits; the defaults (an unsaved row) when the location has none of its own."""
    found = RemsLocationSettings.objects.filter(clinic_id=clinic_id).first()
    return found if found is not None else RemsLocationSettings(clinic_id=clinic_id)


def session_type_is_rems(*, session_type_id: int) -> bool:
    return RemsSessionType.objects.filter(session_type_id=session_type_id).exists()


def patient_rems_enrollment(*, patient_id: int) -> RemsEnrollment | None:
    return RemsEnrollment.objects.filter(patient_id=patient_id).first()


def rems_appointments() -> QuerySet[Appointment]:
    return Appointment.objects.filter(session_type__rems__isnull=False)


@dataclass(frozen=True)
class FormDeadline:
    """When a session's form is due, in calendar days of the session's location (its own zone)."""

    session_day: datetime.date
    task_day: datetime.date
    due_day: datetime.date  # the last day it may be submitted
    today: datetime.date
    submitted: bool

    @property
    def days_left(self) -> int:
        return (self.due_day - self.today).days

    @property
    def state(self) -> str:
        if self.submitted:
            return FormState.SUBMITTED
        if self.today > self.due_day:
            return FormState.OVERDUE
        if self.today >= self.task_day:
            return FormState.DUE_SOON
        return FormState.OPEN


def form_deadline(
    *,
    appointment: Appointment,
    limits: RemsLocationSettings,
    submitted: bool,
    now: datetime.datetime | None = None,
) -> FormDeadline:
    """Days are counted on the location's calendar: a session on Monday is due by the end of the next
    Monday there (7 days), whatever the UTC offset does in between (a DST change included)."""
    zone = zoneinfo.ZoneInfo(appointment.session_type.clinic.timezone)
    session_day = appointment.starts_at.astimezone(zone).date()
    return FormDeadline(
        session_day=session_day,
        task_day=session_day + datetime.timedelta(days=limits.task_day),
        due_day=session_day + datetime.timedelta(days=limits.deadline_days),
        today=(now or timezone.now()).astimezone(zone).date(),
        submitted=submitted,
    )


@dataclass(frozen=True)
class TrackerRow:
    record: MonitoringRecord
    deadline: FormDeadline


def tracker_rows(records: Iterable[MonitoringRecord], *, now: datetime.datetime | None = None) -> list[TrackerRow]:
    """Each record with its deadline, read with each location's own limits."""
    now = now or timezone.now()
    limits: dict[int, RemsLocationSettings] = {}
    rows = []
    for record in records:
        clinic_id = record.appointment.session_type.clinic_id
        if clinic_id not in limits:
            limits[clinic_id] = rems_settings_for(clinic_id=clinic_id)
        deadline = form_deadline(
            appointment=record.appointment, limits=limits[clinic_id], submitted=record.is_submitted, now=now
        )
        rows.append(TrackerRow(record=record, deadline=deadline))
    return rows


def monitoring_records_tracked() -> QuerySet[MonitoringRecord]:
    """The records of completed sessions: what the tracker follows."""
    return MonitoringRecord.objects.filter(appointment__status=Appointment.Status.COMPLETED).select_related(
        "appointment__session_type__clinic", "appointment__patient", "submitted_by"
    )


def monitoring_record_ids_in_state(
    records: QuerySet[MonitoringRecord], *, state: str, now: datetime.datetime | None = None
) -> QuerySet[MonitoringRecord]:
    """The records in one tracker state. Deadlines depend on each location's zone and limits, so they are
    read in Python over the unsubmitted records (a clinic has tens a week)."""
    tracked = records.filter(appointment__status=Appointment.Status.COMPLETED)
    if state == FormState.SUBMITTED:
        return tracked.filter(submitted_at__isnull=False)
    unsubmitted = tracked.filter(submitted_at__isnull=True).select_related("appointment__session_type__clinic")
    ids = [row.record.pk for row in tracker_rows(unsubmitted, now=now) if row.deadline.state == state]
    return records.filter(pk__in=ids)
