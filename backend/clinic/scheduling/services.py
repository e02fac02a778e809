"""Every write of the calendar: booking, rescheduling, cancelling and moving a session along.

The rules a booking must keep are checked here, for every database; on PostgreSQL the exclusion
constraints in models.py hold them too, so two requests racing for one slot cannot both win.

A session happens at its session type's location. Its provider must have working hours there that
cover the whole stay, read in that location's time zone; their hours at other locations do not count.
A provider is one person: bookings at two locations can never overlap (checked here, and by the
provider exclusion constraint). Travel time between sites is left to the clinic when it sets the hours.
"""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.patients.models import Patient

from . import events
from .availability import working_hours_contain
from .models import (
    OCCUPYING_STATUSES,
    PATIENT_OVERLAP_CONSTRAINT,
    PROVIDER_OVERLAP_CONSTRAINT,
    ROOM_OVERLAP_CONSTRAINT,
    Appointment,
    Provider,
    Room,
    Series,
    SessionType,
    TimeOff,
)
from .selectors import provider_works_at

Status = Appointment.Status

# The life of a session. Rescheduling is its own operation (it keeps the status "scheduled").
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.SCHEDULED: (Status.CONFIRMED, Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW),
    Status.CONFIRMED: (Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW),
    Status.CHECKED_IN: (Status.COMPLETED,),
    Status.COMPLETED: (),
    Status.CANCELLED: (),
    Status.NO_SHOW: (),
}
RESCHEDULABLE = (Status.SCHEDULED, Status.CONFIRMED)


class BookingConflict(Exception):
    """The time is taken: names what is busy and when, for a 409 answer."""

    def __init__(self, *, resource: str, starts_at: datetime.datetime, ends_at: datetime.datetime, tz: str) -> None:
        self.resource = resource
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.tz = tz  # the booking's location's zone
        local_start = starts_at.astimezone(zoneinfo.ZoneInfo(tz))
        local_end = ends_at.astimezone(zoneinfo.ZoneInfo(tz))
        self.message = f"{resource} is already booked from {local_start:%Y-%m-%d %H:%M} to {local_end:%H:%M} ({tz})."
        super().__init__(self.message)


@dataclass(frozen=True)
class Booking:
    """What a booking asks for; the service fills in the end and checks the rules."""

    patient: Patient
    provider: Provider
    session_type: SessionType
    starts_at: datetime.datetime
    room: Room | None = None


# Rules apps above scheduling add to every booking and move (registered in their ready()): what is wrong, by field.
BookingCheck = Callable[[Booking], dict[str, str]]
BOOKING_CHECKS: list[BookingCheck] = []


def booking_check_register(check: BookingCheck) -> None:
    if check not in BOOKING_CHECKS:
        BOOKING_CHECKS.append(check)


def _check_registered(booking: Booking) -> None:
    errors: dict[str, str] = {}
    for check in BOOKING_CHECKS:
        errors = {**check(booking), **errors}
    if errors:
        raise ValidationError(errors)


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """Normalise an aware time to UTC: arithmetic on a zoneinfo time is wall-clock time, wrong across DST."""
    if moment.tzinfo is None:
        raise ValidationError({"starts_at": "Give the time with its UTC offset or time zone."})
    return moment.astimezone(datetime.UTC)


def _tz(session_type: SessionType) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(session_type.clinic.timezone)


def _who_problems(booking: Booking) -> dict[str, str]:
    """What is wrong with the session type and the provider, by field: the provider must work at its location."""
    session_type, provider = booking.session_type, booking.provider
    errors: dict[str, str] = {}
    if not session_type.is_active:
        errors["session_type"] = "This session type is no longer offered."
    if not provider.is_active:
        errors["provider"] = "This provider is not taking bookings."
    elif not provider_works_at(provider=provider, clinic_id=session_type.clinic_id):
        errors["provider"] = (
            f"{provider.display_name} does not work at {session_type.clinic.name}: "
            "they have no working hours at this session type's location."
        )
    return errors


def _check_who(booking: Booking) -> None:
    errors = _who_problems(booking)
    if errors:
        raise ValidationError(errors)


def _check_resources(booking: Booking) -> None:
    session_type, room = booking.session_type, booking.room
    errors = _who_problems(booking)
    if room is not None and not room.is_active:
        errors["room"] = "This room is not in use."
    elif room is not None and room.clinic_id != session_type.clinic_id:
        errors["room"] = "This room belongs to another location."
    elif session_type.needs_chair and room is None:
        errors["room"] = "This session needs a treatment chair: choose one."
    elif session_type.needs_chair and room is not None and not room.is_treatment_chair:
        errors["room"] = "This session needs a treatment chair; this room is not one."
    if errors:
        raise ValidationError(errors)


def _check_time(booking: Booking, ends_at: datetime.datetime, *, now: datetime.datetime) -> None:
    if booking.starts_at <= now:
        raise ValidationError({"starts_at": "That time has passed: choose a time in the future."})
    clinic, starts_at = booking.session_type.clinic, booking.starts_at
    if not working_hours_contain(provider=booking.provider, clinic=clinic, starts_at=starts_at, ends_at=ends_at):
        raise ValidationError(
            {
                "starts_at": (
                    f"{booking.provider.display_name} does not work then: the session and its monitoring "
                    f"must fit inside their working hours at {clinic.name} ({_tz(booking.session_type).key})."
                )
            }
        )
    off = TimeOff.objects.filter(provider=booking.provider, starts_at__lt=ends_at, ends_at__gt=booking.starts_at)
    if off.exists():
        raise ValidationError({"starts_at": f"{booking.provider.display_name} is off at that time."})


def _first_conflict(booking: Booking, ends_at: datetime.datetime, *, exclude_id: int | None) -> BookingConflict | None:
    """Find a booking that already holds the provider, the room or the patient at that time."""
    overlapping = Appointment.objects.filter(
        status__in=OCCUPYING_STATUSES, starts_at__lt=ends_at, ends_at__gt=booking.starts_at
    )
    if exclude_id is not None:
        overlapping = overlapping.exclude(pk=exclude_id)
    tz = booking.session_type.clinic.timezone
    checks: list[tuple[str, dict[str, object]]] = [(booking.provider.display_name, {"provider": booking.provider})]
    if booking.room is not None:
        checks.append((booking.room.name, {"room": booking.room}))
    checks.append(("The patient", {"patient": booking.patient}))
    for resource, lookup in checks:
        taken = overlapping.filter(**lookup).order_by("starts_at").first()
        if taken is not None:
            return BookingConflict(resource=resource, starts_at=taken.starts_at, ends_at=taken.ends_at, tz=tz)
    return None


def _raise_conflict_from(
    error: IntegrityError, booking: Booking, ends_at: datetime.datetime, exclude_id: int | None
) -> None:
    """Turn a lost race (an exclusion constraint violation) into the same 409 the check gives."""
    text = str(error)
    if not any(
        name in text for name in (PROVIDER_OVERLAP_CONSTRAINT, ROOM_OVERLAP_CONSTRAINT, PATIENT_OVERLAP_CONSTRAINT)
    ):
        raise error
    conflict = _first_conflict(booking, ends_at, exclude_id=exclude_id)
    if conflict is None:  # the winner has gone again; still, this request lost
        conflict = BookingConflict(
            resource="That time", starts_at=booking.starts_at, ends_at=ends_at, tz=booking.session_type.clinic.timezone
        )
    raise conflict from error


def appointment_check(
    booking: Booking, *, exclude_id: int | None = None, now: datetime.datetime | None = None
) -> datetime.datetime:
    """Check every booking rule; return when the session (with its monitoring) ends.

    Raises ValidationError for a request that can never work and BookingConflict for a taken time.
    """
    now = now or timezone.now()
    if booking.starts_at <= now:
        raise ValidationError({"starts_at": "That time has passed: choose a time in the future."})
    _check_resources(booking)
    _check_registered(booking)
    ends_at = booking.starts_at + datetime.timedelta(minutes=booking.session_type.occupies_minutes)
    _check_time(booking, ends_at, now=now)
    conflict = _first_conflict(booking, ends_at, exclude_id=exclude_id)
    if conflict is not None:
        raise conflict
    return ends_at


def _free_chair(booking: Booking, *, exclude_id: int | None = None) -> Room:
    """The first treatment chair free for the whole stay; a BookingConflict when every chair is taken."""
    ends_at = booking.starts_at + datetime.timedelta(minutes=booking.session_type.occupies_minutes)
    chairs = Room.objects.filter(
        clinic_id=booking.session_type.clinic_id, is_active=True, is_treatment_chair=True
    ).order_by("name")
    if not chairs.exists():
        raise ValidationError({"room": "This session needs a treatment chair, and none is in use."})
    busy = Appointment.objects.filter(
        status__in=OCCUPYING_STATUSES, starts_at__lt=ends_at, ends_at__gt=booking.starts_at, room__in=chairs
    )
    if exclude_id is not None:
        busy = busy.exclude(pk=exclude_id)
    chair = chairs.exclude(pk__in=busy.values("room_id")).first()
    if chair is None:
        taken = busy.order_by("starts_at").first()
        assert taken is not None  # every chair is busy, so some booking holds one
        raise BookingConflict(
            resource="Every treatment chair",
            starts_at=taken.starts_at,
            ends_at=taken.ends_at,
            tz=booking.session_type.clinic.timezone,
        )
    return chair


def _room_free(room: Room, booking: Booking, *, exclude_id: int) -> bool:
    ends_at = booking.starts_at + datetime.timedelta(minutes=booking.session_type.occupies_minutes)
    return not (
        Appointment.objects.filter(
            status__in=OCCUPYING_STATUSES, room=room, starts_at__lt=ends_at, ends_at__gt=booking.starts_at
        )
        .exclude(pk=exclude_id)
        .exists()
    )


# A request whose automatically chosen chair was taken by a concurrent booking tries another this often.
CHAIR_ATTEMPTS = 3


def _lock_calendar(booking: Booking) -> None:
    """Serialize bookings that touch the same provider, patient or chair until the transaction ends.

    Taken in one sorted order before any check, so racing requests queue instead of deadlocking
    inside the exclusion constraints, and each sees its predecessors' committed rows (PostgreSQL only;
    SQLite serializes every write transaction already).
    """
    if connection.vendor != "postgresql":
        return
    room_ids = [booking.room.pk] if booking.room is not None else []
    if booking.room is None and booking.session_type.needs_chair:
        room_ids = list(
            Room.objects.filter(clinic_id=booking.session_type.clinic_id, is_treatment_chair=True).values_list(
                "pk", flat=True
            )
        )
    names = [f"provider:{booking.provider.pk}", f"patient:{booking.patient.pk}", *(f"room:{pk}" for pk in room_ids)]
    keys = sorted(
        int.from_bytes(hashlib.sha256(f"calendar:{name}".encode()).digest()[:8], "big", signed=True) for name in names
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def appointment_book(
    *,
    actor: Actor,
    booking: Booking,
    series: Series | None = None,
    series_position: int | None = None,
) -> Appointment:
    """Book one session. A chair session without a chosen room gets the first free chair."""
    booking = replace(booking, starts_at=as_utc(booking.starts_at))
    _lock_calendar(booking)
    choose_chair = booking.room is None and booking.session_type.needs_chair and booking.starts_at > timezone.now()
    if choose_chair:
        _check_who(booking)  # a provider who does not work there is told so, before any chair is looked for
    for attempt in range(1, CHAIR_ATTEMPTS + 1):
        candidate = replace(booking, room=_free_chair(booking)) if choose_chair else booking
        ends_at = appointment_check(candidate)
        appointment = Appointment(
            patient=candidate.patient,
            provider=candidate.provider,
            room=candidate.room,
            session_type=candidate.session_type,
            starts_at=candidate.starts_at,
            ends_at=ends_at,
            series=series,
            series_position=series_position,
            created_by=actor.user_or_none,
            updated_by=actor.user_or_none,
        )
        try:
            with transaction.atomic():
                appointment.save()
            break
        except IntegrityError as error:
            if choose_chair and ROOM_OVERLAP_CONSTRAINT in str(error) and attempt < CHAIR_ATTEMPTS:
                continue  # another request took that chair a moment ago: pick again
            _raise_conflict_from(error, candidate, ends_at, exclude_id=None)
    audit_by(actor, action=AuditEvent.Action.CREATE, target=appointment, detail="booked")
    events.appointment_booked(appointment=appointment)
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("session_type__clinic", "provider", "room", "patient")
        .get(pk=appointment.pk)
    )


def series_spacing_rule(appointment: Appointment) -> Callable[[datetime.datetime], str]:
    """Why a new start for this session would break its series' rules (spacing to its neighbours, total span),
    or "" if it keeps them: the series is read once, for checking many starts."""
    if appointment.series_id is None:
        return lambda starts_at: ""
    plan = Series.objects.select_related("plan").get(pk=appointment.series_id).plan
    siblings = list(
        Appointment.objects.filter(series_id=appointment.series_id, status__in=OCCUPYING_STATUSES)
        .exclude(pk=appointment.pk)
        .values_list("starts_at", flat=True)
    )
    gap, span = datetime.timedelta(hours=plan.min_gap_hours), datetime.timedelta(days=plan.max_span_days)

    def problem(starts_at: datetime.datetime) -> str:
        if any(abs(other - starts_at) < gap for other in siblings):
            return f"Sessions of this series must be at least {plan.min_gap_hours} hours apart."
        starts = [*siblings, starts_at]
        if max(starts) - min(starts) > span:
            return f"The whole series must fit within {plan.max_span_days} days."
        return ""

    return problem


def _check_series_spacing(appointment: Appointment, starts_at: datetime.datetime) -> None:
    """Keep a series' rules when one of its sessions moves: spacing to its neighbours and total span."""
    problem = series_spacing_rule(appointment)(starts_at)
    if problem:
        raise ValidationError({"starts_at": problem})


@transaction.atomic
def appointment_reschedule(
    *,
    actor: Actor,
    appointment: Appointment,
    starts_at: datetime.datetime,
    provider: Provider | None = None,
    room: Room | None = None,
) -> Appointment:
    """Move a session (optionally to another provider or room); it needs confirming again."""
    appointment = _lock(appointment)
    starts_at = as_utc(starts_at)
    problem = appointment_reschedule_problem(appointment)
    if problem:
        raise ValidationError({"status": problem})
    booking = Booking(
        patient=appointment.patient,
        provider=provider or appointment.provider,
        session_type=appointment.session_type,
        starts_at=starts_at,
        room=room or appointment.room,
    )
    _lock_calendar(replace(booking, room=room))
    # Keep the session's chair if it is free at the new time, else take the first free one.
    needs_other_chair = booking.room is None or not _room_free(booking.room, booking, exclude_id=appointment.pk)
    if room is None and booking.session_type.needs_chair and starts_at > timezone.now() and needs_other_chair:
        _check_who(booking)
        booking = replace(booking, room=_free_chair(booking, exclude_id=appointment.pk))
    ends_at = appointment_check(booking, exclude_id=appointment.pk)
    _check_series_spacing(appointment, starts_at)
    previous_starts_at, previous_provider_id, previous_room_id = (
        appointment.starts_at,
        appointment.provider_id,
        appointment.room_id,
    )
    appointment.starts_at, appointment.ends_at = starts_at, ends_at
    appointment.provider, appointment.room = booking.provider, booking.room
    appointment.status = Status.SCHEDULED
    appointment.driver_confirmed = False
    appointment.updated_by = actor.user_or_none
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        _raise_conflict_from(error, booking, ends_at, exclude_id=appointment.pk)
    audit_by(
        actor, action=AuditEvent.Action.UPDATE, target=appointment, detail="rescheduled: starts_at, provider, room"
    )
    events.appointment_rescheduled(
        appointment=appointment,
        previous_starts_at=previous_starts_at,
        previous_provider_id=previous_provider_id,
        previous_room_id=previous_room_id,
    )
    return appointment


def _clock(moment: datetime.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%a %Y-%m-%d %H:%M} ({tz.key})"


def appointment_time_problem(appointment: Appointment, to_status: str, *, now: datetime.datetime) -> str:
    """Why the clock forbids moving this session to `to_status` now, or "" if it allows it.

    The rules, in one place: confirm or cancel only before the start; check in only on the session's
    day (in the clinic's time zone); complete or mark a no-show only once the start has passed.
    """
    starts_at, tz = appointment.starts_at, _tz(appointment.session_type)
    started = starts_at <= now
    if to_status == Status.CONFIRMED and started:
        return f"This session started at {_clock(starts_at, tz)}: it can no longer be confirmed."
    if to_status == Status.CANCELLED and started:
        return (
            f"This session started at {_clock(starts_at, tz)}: it can no longer be cancelled; "
            "mark it a no-show if the patient did not come."
        )
    if to_status == Status.CHECKED_IN:
        day, today = starts_at.astimezone(tz).date(), now.astimezone(tz).date()
        if today < day:
            return f"A session can only be checked in on its day: this one is on {day:%a %Y-%m-%d} ({tz.key})."
        if today > day:
            return f"This session was on {day:%a %Y-%m-%d} ({tz.key}): it can no longer be checked in."
    if to_status == Status.COMPLETED and not started:
        return f"A session cannot be completed before it starts ({_clock(starts_at, tz)})."
    if to_status == Status.NO_SHOW and not started:
        return f"A session that has not started yet cannot be a no-show (it starts {_clock(starts_at, tz)})."
    return ""


def appointment_transition_problem(
    appointment: Appointment, to_status: str, *, now: datetime.datetime | None = None
) -> str:
    """Why this session cannot become `to_status` now (its status, then the clock), or "" if it can."""
    if to_status not in ALLOWED_TRANSITIONS[appointment.status]:
        return f"A {appointment.get_status_display().lower()} session cannot become {Status(to_status).label.lower()}."
    return appointment_time_problem(appointment, to_status, now=now or timezone.now())


def appointment_reschedule_problem(appointment: Appointment, *, now: datetime.datetime | None = None) -> str:
    """Why this session cannot be moved now, or "" if it can (a late patient's session can still move)."""
    if appointment.status not in RESCHEDULABLE:
        return f"A {appointment.get_status_display().lower()} session cannot be moved."
    if appointment.ends_at <= (now or timezone.now()):
        return "This session is over: mark it a no-show, then book a new time."
    return ""


def _move(
    actor: Actor,
    appointment: Appointment,
    to_status: str,
    *,
    detail: str,
    now: datetime.datetime | None,
    cancellation_reason: str = "",
) -> Appointment:
    appointment = _lock(appointment)
    problem = appointment_transition_problem(appointment, to_status, now=now)
    if problem:
        raise ValidationError({"status": problem})
    previous = appointment.status
    appointment.status = to_status
    appointment.cancellation_reason = cancellation_reason
    appointment.updated_by = actor.user_or_none
    appointment.save(update_fields=["status", "cancellation_reason", "updated_by", "updated_at"])
    audit_by(
        actor, action=AuditEvent.Action.UPDATE, target=appointment, detail=f"status {previous} -> {to_status}{detail}"
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, actor: Actor, appointment: Appointment, reason: str, now: datetime.datetime | None = None
) -> Appointment:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the session is cancelled."})
    appointment = _move(
        actor,
        appointment,
        Status.CANCELLED,
        detail=", cancellation_reason",
        now=now,
        cancellation_reason=reason[:200],
    )
    events.appointment_cancelled(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_confirm(*, actor: Actor, appointment: Appointment, now: datetime.datetime | None = None) -> Appointment:
    appointment = _move(actor, appointment, Status.CONFIRMED, detail="", now=now)
    events.appointment_confirmed(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_check_in(
    *, actor: Actor, appointment: Appointment, now: datetime.datetime | None = None
) -> Appointment:
    return _move(actor, appointment, Status.CHECKED_IN, detail="", now=now)


@transaction.atomic
def appointment_complete(
    *, actor: Actor, appointment: Appointment, now: datetime.datetime | None = None
) -> Appointment:
    appointment = _move(actor, appointment, Status.COMPLETED, detail="", now=now)
    events.appointment_completed(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_mark_no_show(
    *, actor: Actor, appointment: Appointment, now: datetime.datetime | None = None
) -> Appointment:
    appointment = _move(actor, appointment, Status.NO_SHOW, detail="", now=now)
    events.appointment_missed(appointment=appointment)
    return appointment
