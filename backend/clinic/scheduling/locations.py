"""The schedule by location (accounts/locations.py): what belongs to a location, and a day's calendar as a
staff member limited to some locations reads it.

A session belongs to the location of its session type; a provider to the locations they work at (home,
or any block of working hours). A clinician sees their own sessions wherever they are, and every patient
they are booked with as provider ("clinicians see their patients"): any session's patient, any status.
"""

from __future__ import annotations

import dataclasses

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from clinic.accounts.locations import Reader, location_is_limited, location_limit, location_scope_register

from .calendar import DaySchedule, ScheduleColumn
from .models import Appointment, Provider, Room, WorkingHours


def _appointment_scope(reader: Reader) -> Q:
    return Q(session_type__clinic_id__in=reader.location_ids) | Q(provider__user_id=reader.user.pk)


def _patient_seen_scope(reader: Reader) -> Q:
    return Q(pk__in=Appointment.objects.filter(_appointment_scope(reader)).values("patient_id"))


def _located_here(reader: Reader) -> Q:
    return Q(clinic_id__in=reader.location_ids)


def _provider_scope(reader: Reader) -> Q:
    working_here = WorkingHours.objects.filter(clinic_id__in=reader.location_ids).values("provider_id")
    return _located_here(reader) | Q(pk__in=working_here) | Q(user_id=reader.user.pk)


def _provider_part_scope(reader: Reader) -> Q:
    return Q(provider__in=reader.visible(Provider.objects.all()))


def _series_scope(reader: Reader) -> Q:
    own = Appointment.objects.filter(provider__user_id=reader.user.pk, series__isnull=False).values("series_id")
    return Q(plan__clinic_id__in=reader.location_ids) | Q(pk__in=own)


def location_scopes_register() -> None:
    location_scope_register(model="scheduling.appointment", scope=_appointment_scope)
    location_scope_register(model="patients.patient", scope=_patient_seen_scope)
    location_scope_register(model="scheduling.provider", scope=_provider_scope)
    location_scope_register(model="scheduling.timeoff", scope=_provider_part_scope)
    for model in ("scheduling.room", "scheduling.sessiontype", "scheduling.seriesplan", "scheduling.workinghours"):
        location_scope_register(model=model, scope=_located_here)
    location_scope_register(model="scheduling.series", scope=_series_scope)


def day_schedule_limit(schedule: DaySchedule, *, user: User | AnonymousUser | object) -> DaySchedule:
    """A day's calendar with only the sessions, providers and rooms of the user's locations."""
    if not location_is_limited(user):
        return schedule
    blocks = {block.appointment_id for column in (*schedule.providers, *schedule.rooms) for block in column.blocks}
    sessions = set(location_limit(Appointment.objects.filter(pk__in=blocks), user=user).values_list("pk", flat=True))
    ids = {column.id for column in schedule.providers}
    providers = set(location_limit(Provider.objects.filter(pk__in=ids), user=user).values_list("pk", flat=True))
    ids = {column.id for column in schedule.rooms}
    rooms = set(location_limit(Room.objects.filter(pk__in=ids), user=user).values_list("pk", flat=True))

    def kept(column: ScheduleColumn) -> ScheduleColumn:
        return dataclasses.replace(column, blocks=tuple(b for b in column.blocks if b.appointment_id in sessions))

    return dataclasses.replace(
        schedule,
        providers=tuple(kept(column) for column in schedule.providers if column.id in providers),
        rooms=tuple(
            kept(column)
            for column in schedule.rooms
            if column.id in rooms or (column.id is None and any(b.appointment_id in sessions for b in column.blocks))
        ),
    )


def schedule_filters_visible(
    *, provider_id: int | None, room_id: int | None, user: User | AnonymousUser
) -> dict[str, str]:
    """Name each filter that points at another location's provider or room, as one that points at nothing."""
    errors: dict[str, str] = {}
    if provider_id is not None and not location_limit(Provider.objects.filter(pk=provider_id), user=user).exists():
        errors["provider"] = "No provider has this id."
    if room_id is not None and not location_limit(Room.objects.filter(pk=room_id), user=user).exists():
        errors["room"] = "No room has this id."
    return errors
