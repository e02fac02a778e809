"""Availability benchmark: 30 days of free slots for a provider with a long history, against a scan of it all.

    PYTHONPATH=backend:. DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic \\
        REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/availability.py [--windows N]

What runs, all in this process:

- PostgreSQL database `clinic_bench_availability` on DATABASE_URL's server (dropped, created and
  migrated at the start, dropped at the end unless --keep-database). Redis is not used; REDIS_URL
  (database 9 there, or BENCH_REDIS_URL) only has to be set for the settings to load.
- One provider working every day 07:00-21:00 (America/New_York) with two treatment chairs, and a
  history of 15-minute sessions, 28 a day on a random half of the day's quarter hours (5 % cancelled,
  5 % no-shows, a day off every 30 days), filled backwards from the end of 2027: 10,000 of them are
  a year. They are inserted with bulk_create, and the exclusion constraints check every row.
- Measured: `availability_for` (the service) for a 30-minute chair session. Baseline, in the same
  run: an independent implementation that loads every appointment of the provider and of the chairs
  (and all time off) into Python, keeps what touches the window, and computes the same slots. Both
  must return identical slots; every window is checked.
- `now` is passed as 2020-01-01 so that no window is cut short by "the past" and every window
  computes all its slots.
- Figures: median over --windows 30-day windows spread over the year (10,000 appointments); the
  median for 7-, 30- and 90-day windows; and one fixed 30-day window with 1,000, 10,000 and 50,000
  appointments in the history (the history grows backwards; the window's own days stay the same).
  Target: a 30-day median under 50 ms, growing with the window asked, not with the history.
- Per location, first, on the empty database: an organization whose measured location (America/Denver)
  has two providers, each with a chair of their own and a full calendar over the window, and a third
  who works there Monday to Wednesday and at another location the other days. Measured:
  `availability_at_location` (every provider working there, as the availability API asks it) for a
  30-minute chair session over the fixed 30 days, with that location alone (the baseline), then
  again once --locations other locations (each two providers, two chairs and full calendars, in four
  time zones; the shared provider booked there on their days) are added: about 80,000 appointments
  that are not the measured location's; then alone again, the others' appointments deleted (the
  baseline is the mean of the two "alone" medians, so a change in the machine's load weighs on both
  sides). All three must return identical slots. Target: at most 1.3x the one-location time. The
  case's appointments are then removed, so the cases above run as before.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import os
import random
import sys
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    at_most,
    bench_stores_choose,
    bench_stores_release,
    django_setup,
    figure,
    heading,
    machine_load,
    median,
    met_text,
    postgres_database_recreate,
    quick_mode,
    say,
    summary_row_write,
    table_format,
    timed,
)

from tests.support.phones import CLINIC_PHONE, phone_number

BENCHMARK = "availability"
BENCH_DATABASE = "clinic_bench_availability"
BENCH_REDIS_DB = 9  # as the other benchmarks; nothing is written there
TZ = zoneinfo.ZoneInfo("America/New_York")
LAST_DAY = datetime.date(2027, 12, 31)
NOW = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
OPENS, CLOSES = datetime.time(7), datetime.time(21)
QUARTERS_A_DAY = 56  # 07:00-21:00
SESSIONS_A_DAY = 28
YEAR_SIZE = 10_000
TARGET_MS = 50.0
# The fixed window of the history comparison: 30 days near the end, inside even the smallest history.
FIXED_WINDOW = (LAST_DAY - datetime.timedelta(days=34), LAST_DAY - datetime.timedelta(days=5))
WINDOW_LENGTHS = (7, 30, 90)
MS = 1000.0
# The per-location case: its locations' zones (the measured one first), and the days its calendars fill.
LOCATION_ZONES = ("America/Denver", "America/Phoenix", "America/New_York", "America/Los_Angeles", "America/Chicago")
CALENDAR_DAYS = 35  # the fixed window and a few days after it, so every window day is full
POOL = 12  # patients of one calendar
LOCATION_TARGET = 1.3


@dataclass(frozen=True)
class Options:
    windows: int
    sizes: tuple[int, ...]
    seed: int
    keep_database: bool
    database: str
    locations: int
    location_size: int


def options_parse(argv: Sequence[str] | None) -> Options:
    quick = quick_mode()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=10 if quick else 30, help="windows per median (default 30)")
    parser.add_argument(
        "--largest", type=int, default=20_000 if quick else 50_000, help="largest history (default 50,000)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed for the history and the windows")
    parser.add_argument("--keep-database", action="store_true", help="leave the database in place at the end")
    parser.add_argument(
        "--database",
        default=BENCH_DATABASE,
        help=f"the PostgreSQL database to create and drop (default {BENCH_DATABASE})",
    )
    parser.add_argument(
        "--locations",
        type=int,
        default=20 if quick else 40,
        help="other locations in the per-location case (default 40)",
    )
    parser.add_argument(
        "--location-size",
        type=int,
        default=500 if quick else 1_000,
        help="appointments in each provider's calendar in the per-location case (default 1,000)",
    )
    args = parser.parse_args(argv)
    if args.windows < 1 or args.largest <= YEAR_SIZE:
        parser.error(f"--windows must be at least 1 and --largest above {YEAR_SIZE:,}")
    if args.locations < 1 or args.location_size < 1_000 // 2:
        parser.error("--locations must be at least 1 and --location-size at least 500 (the window must be full)")
    return Options(
        windows=args.windows,
        sizes=(1_000, YEAR_SIZE, args.largest),
        seed=args.seed,
        keep_database=args.keep_database,
        database=args.database,
        locations=args.locations,
        location_size=args.location_size,
    )


# --- The baseline: everything into Python, then the same slots ---------------------------------


def _merged(intervals: list[tuple[datetime.datetime, datetime.datetime]]) -> tuple[list[Any], list[Any]]:
    starts: list[datetime.datetime] = []
    ends: list[datetime.datetime] = []
    for start, end in sorted(intervals):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _free(busy: tuple[list[Any], list[Any]], start: datetime.datetime, end: datetime.datetime) -> bool:
    starts, ends = busy
    index = bisect.bisect_left(starts, end) - 1
    return index < 0 or ends[index] <= start


def availability_by_scanning_everything(
    *, session_type: Any, provider: Any, date_from: datetime.date, date_to: datetime.date, now: datetime.datetime
) -> list[Any]:
    """Compute the same slots as availability_for, from the provider's and chairs' whole history."""
    from django.conf import settings

    from clinic.scheduling.availability import Slot
    from clinic.scheduling.models import OCCUPYING_STATUSES, Appointment, Room, TimeOff

    chairs: list[Any] = []
    if session_type.needs_chair:
        chairs = list(Room.objects.filter(clinic_id=session_type.clinic_id, is_active=True, is_treatment_chair=True))
    # The whole history, no window in the query: this is what the scan costs.
    provider_rows = list(
        Appointment.objects.filter(provider=provider, status__in=OCCUPYING_STATUSES).values_list("starts_at", "ends_at")
    )
    off_rows = list(TimeOff.objects.filter(provider=provider).values_list("starts_at", "ends_at"))
    chair_rows = list(
        Appointment.objects.filter(room__in=chairs, status__in=OCCUPYING_STATUSES).values_list(
            "room_id", "starts_at", "ends_at"
        )
    )
    hours = list(provider.working_hours.values_list("weekday", "starts", "ends"))

    occupies = datetime.timedelta(minutes=session_type.occupies_minutes)
    step = datetime.timedelta(minutes=settings.SCHEDULING_SLOT_MINUTES)
    window_start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=TZ).astimezone(datetime.UTC)
    window_end = (
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=TZ).astimezone(
            datetime.UTC
        )
        + occupies
    )

    def touches(start: datetime.datetime, end: datetime.datetime) -> bool:
        return start < window_end and end > window_start

    provider_busy = _merged([(s, e) for s, e in [*provider_rows, *off_rows] if touches(s, e)])
    chair_busy = {
        chair.pk: _merged([(s, e) for room_id, s, e in chair_rows if room_id == chair.pk and touches(s, e)])
        for chair in chairs
    }

    slots: dict[datetime.datetime, Any] = {}
    day = date_from
    while day <= date_to:
        for weekday, opens, closes in hours:
            if weekday != day.weekday():
                continue
            block_end = datetime.datetime.combine(day, closes, tzinfo=TZ).astimezone(datetime.UTC)
            wall = datetime.datetime.combine(day, opens)
            while True:
                start = wall.replace(tzinfo=TZ).astimezone(datetime.UTC)
                end = start + occupies
                if end > block_end:
                    break
                exists = start.astimezone(TZ).replace(tzinfo=None) == wall  # not in a spring-forward gap
                if exists and start > now and _free(provider_busy, start, end):
                    free_chairs = tuple(pk for pk, busy in chair_busy.items() if _free(busy, start, end))
                    if free_chairs or not chairs:
                        slots[start] = Slot(starts_at=start, ends_at=end, provider_id=provider.pk, room_ids=free_chairs)
                wall += step
        day += datetime.timedelta(days=1)
    return [slots[start] for start in sorted(slots)]


# --- The history ----------------------------------------------------------------------------


@dataclass
class World:
    provider: Any
    session_type: Any
    history: Iterator[Any]
    inserted: int = 0


def world_create(seed: int) -> World:
    from django.contrib.auth import get_user_model

    from clinic.core.models import Clinic
    from clinic.patients.models import Patient
    from clinic.scheduling.models import Provider, Room, SessionType, WorkingHours

    clinic = Clinic.objects.create(
        name="Bench Clinic", short_name="Bench", timezone=TZ.key, phone=CLINIC_PHONE, address=""
    )
    user = get_user_model().objects.create_user(username="bench-provider", password=None)
    provider = Provider.objects.create(user=user, clinic=clinic, display_name="Dr. Bench")
    WorkingHours.objects.bulk_create(
        WorkingHours(provider=provider, clinic=provider.clinic, weekday=day, starts=OPENS, ends=CLOSES)
        for day in range(7)
    )
    chairs = [Room.objects.create(clinic=clinic, name=f"Chair {n}", is_treatment_chair=True) for n in (1, 2)]
    dose = SessionType.objects.create(
        clinic=clinic, name="Dose", slug="dose", duration_minutes=15, monitoring_minutes=0, needs_chair=True
    )
    measured = SessionType.objects.create(
        clinic=clinic,
        name="Dose and watch",
        slug="dose-watch",
        duration_minutes=15,
        monitoring_minutes=15,
        needs_chair=True,
    )
    patients = Patient.objects.bulk_create(
        Patient(first_name=f"P{n}", last_name="Bench", phone=phone_number(n), timezone=TZ.key) for n in range(300)
    )
    return World(
        provider=provider,
        session_type=measured,
        history=_history(random.Random(seed), provider=provider, session_type=dose, chairs=chairs, patients=patients),
    )


def _history(
    rng: random.Random, *, provider: Any, session_type: Any, chairs: list[Any], patients: list[Any]
) -> Iterator[Any]:
    """Yield unsaved appointments (and write a day off now and then), day by day backwards from LAST_DAY."""
    from clinic.scheduling.models import Appointment, TimeOff

    statuses = ["completed"] * 18 + ["cancelled", "no_show"]
    length = datetime.timedelta(minutes=15)
    day = LAST_DAY
    days = 0
    while True:
        if days % 30 == 17:
            TimeOff.objects.create(
                provider=provider,
                starts_at=datetime.datetime.combine(day, datetime.time(0), tzinfo=TZ),
                ends_at=datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=TZ),
                reason="day off",
            )
        opens = datetime.datetime.combine(day, OPENS)
        for n, quarter in enumerate(sorted(rng.sample(range(QUARTERS_A_DAY), SESSIONS_A_DAY))):
            starts_at = (opens + quarter * length).replace(tzinfo=TZ).astimezone(datetime.UTC)
            yield Appointment(
                patient=rng.choice(patients),
                provider=provider,
                room=chairs[n % 2],
                session_type=session_type,
                starts_at=starts_at,
                ends_at=starts_at + length,
                status=rng.choice(statuses),
            )
        day -= datetime.timedelta(days=1)
        days += 1


def history_grow(world: World, size: int) -> float:
    """Insert appointments until the history holds `size`; return the seconds it took.

    The exclusion constraints are dropped for the load and added back after it: PostgreSQL then
    checks every row at once (building the index in bulk), which proves the history has no overlap
    in a fraction of the time row-by-row checks take.
    """
    from django.db import connection, transaction

    from clinic.scheduling.models import Appointment, ExclusionConstraintOnPostgres

    exclusions = [c for c in Appointment._meta.constraints if isinstance(c, ExclusionConstraintOnPostgres)]
    with timed() as watch:
        with connection.schema_editor() as editor:
            for constraint in exclusions:
                editor.remove_constraint(Appointment, constraint)
        with transaction.atomic():
            while world.inserted < size:
                batch = [next(world.history) for _ in range(min(5000, size - world.inserted))]
                Appointment.objects.bulk_create(batch)
                world.inserted += len(batch)
        with connection.schema_editor() as editor:
            for constraint in exclusions:
                editor.add_constraint(Appointment, constraint)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_appointment")  # as autovacuum would after a load like this
    return watch.seconds


# --- Measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    service_ms: float
    baseline_ms: float | None
    windows: int
    slots: int


def windows_spread(
    rng: random.Random, *, days: int, count: int, first: datetime.date, last: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """`count` windows of `days` days, starting at random days, every window inside [first, last]."""
    latest_start = (last - first).days - days + 1
    return [
        (start, start + datetime.timedelta(days=days - 1))
        for start in (first + datetime.timedelta(days=rng.randint(0, latest_start)) for _ in range(count))
    ]


def measure(
    world: World, windows: list[tuple[datetime.date, datetime.date]], *, repeats: int = 1, baseline_repeats: int = 1
) -> Timing:
    """Median milliseconds per window for the service (and the baseline), checking both agree on each.

    Each window is computed `repeats` times by the service and `baseline_repeats` times (0: never)
    by the baseline.
    """
    import time

    from clinic.scheduling.availability import availability_for

    def service(window: tuple[datetime.date, datetime.date]) -> list[Any]:
        return availability_for(
            session_type=world.session_type,
            provider=world.provider,
            date_from=window[0],
            date_to=window[1],
            tz=TZ,
            now=NOW,
        )

    def scan(window: tuple[datetime.date, datetime.date]) -> list[Any]:
        return availability_by_scanning_everything(
            session_type=world.session_type, provider=world.provider, date_from=window[0], date_to=window[1], now=NOW
        )

    service(windows[0])  # warm-up: imports, connection, plans
    service_samples: list[float] = []
    baseline_samples: list[float] = []
    slots = 0
    for window in windows:
        offered: list[Any] = []
        for _ in range(repeats):
            started = time.perf_counter()
            offered = service(window)
            service_samples.append(time.perf_counter() - started)
        for _ in range(baseline_repeats):
            started = time.perf_counter()
            expected = scan(window)
            baseline_samples.append(time.perf_counter() - started)
            if offered != expected:
                raise AssertionError(f"availability_for and the baseline disagree on {window[0]}..{window[1]}")
        slots = len(offered)
    return Timing(
        service_ms=median(service_samples) * MS,
        baseline_ms=median(baseline_samples) * MS if baseline_samples else None,
        windows=len(windows),
        slots=slots,
    )


def loading_ms(world: World, window: tuple[datetime.date, datetime.date], *, repeats: int) -> float:
    """Median milliseconds of the service's own data loading for a window (queries and row conversion)."""
    import time

    from clinic.scheduling.availability import _busy_for, rooms_for

    occupies = datetime.timedelta(minutes=world.session_type.occupies_minutes)
    window_start = datetime.datetime.combine(window[0], datetime.time.min, tzinfo=TZ).astimezone(datetime.UTC)
    window_end = datetime.datetime.combine(window[1] + datetime.timedelta(days=1), datetime.time.min, tzinfo=TZ)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        list(world.provider.working_hours.all())
        rooms = rooms_for(world.session_type)
        _busy_for(
            window_start=window_start,
            window_end=window_end.astimezone(datetime.UTC) + occupies,
            provider=world.provider,
            room_ids=[room.pk for room in rooms],
        )
        samples.append(time.perf_counter() - started)
    return median(samples) * MS


# --- Per location: the other locations' calendars must not cost the measured one anything ----------


@dataclass
class Organization:
    """The per-location case: the measured location, its chair session type, and what the others hold."""

    measured: Any
    session_type: Any
    shared: Any  # works at the measured location Monday to Wednesday, and at the first other location
    patients: list[Any]
    rng: random.Random
    others: list[Any] = field(default_factory=list)
    pools_used: int = 0
    other_appointments: int = 0
    measured_appointments: int = 0


def _location_create(name: str, zone: str) -> Any:
    from clinic.core.models import Clinic

    return Clinic.objects.create(name=name, short_name=name[:30], timezone=zone, phone=CLINIC_PHONE, address="")


def _provider_create(username: str, clinic: Any, weekdays: Sequence[int]) -> Any:
    from django.contrib.auth import get_user_model

    from clinic.scheduling.models import Provider

    user = get_user_model().objects.create_user(username=username, password=None)
    provider = Provider.objects.create(user=user, clinic=clinic, display_name=username)
    hours_at(provider, clinic, weekdays)
    return provider


def hours_at(provider: Any, clinic: Any, weekdays: Sequence[int]) -> None:
    from clinic.scheduling.models import WorkingHours

    WorkingHours.objects.bulk_create(
        WorkingHours(provider=provider, clinic=clinic, weekday=day, starts=OPENS, ends=CLOSES) for day in weekdays
    )


def _calendar(
    org: Organization, *, provider: Any, clinic: Any, chair: Any, weekdays: Sequence[int], size: int
) -> Iterator[Any]:
    """Yield unsaved 15-minute sessions of one provider in their own chair at one location, on the calendar
    days (local to the location) that are among `weekdays`, spread evenly to `size` in all."""
    from clinic.scheduling.models import Appointment

    tz = zoneinfo.ZoneInfo(clinic.timezone)
    days = [LAST_DAY - datetime.timedelta(days=n) for n in range(CALENDAR_DAYS)]
    days = [day for day in days if day.weekday() in weekdays]
    a_day = min(QUARTERS_A_DAY, max(1, -(-size // len(days))))
    length = datetime.timedelta(minutes=15)
    # Each calendar has patients of its own, so no patient is booked twice at once.
    pool = org.patients[org.pools_used * POOL : (org.pools_used + 1) * POOL]
    org.pools_used += 1
    session_type = _dose_at(clinic)
    for day in days:
        opens = datetime.datetime.combine(day, OPENS)
        for quarter in sorted(org.rng.sample(range(QUARTERS_A_DAY), a_day)):
            starts_at = (opens + quarter * length).replace(tzinfo=tz).astimezone(datetime.UTC)
            yield Appointment(
                patient=org.rng.choice(pool),
                provider=provider,
                room=chair,
                session_type=session_type,
                starts_at=starts_at,
                ends_at=starts_at + length,
                status="completed",
            )


def _dose_at(clinic: Any) -> Any:
    from clinic.scheduling.models import SessionType

    session_type, _ = SessionType.objects.get_or_create(
        clinic=clinic,
        slug="dose",
        defaults={"name": "Dose", "duration_minutes": 15, "monitoring_minutes": 0, "needs_chair": True},
    )
    return session_type


def _staffed(org: Organization, clinic: Any, index: int, *, size: int) -> list[Any]:
    """Two providers working every day at `clinic`, each with a chair of their own and a full calendar."""
    from clinic.scheduling.models import Room

    appointments: list[Any] = []
    for n in (1, 2):
        provider = _provider_create(f"bench-{index}-{n}", clinic, range(7))
        chair = Room.objects.create(clinic=clinic, name=f"Chair {n}", is_treatment_chair=True)
        appointments += _calendar(org, provider=provider, clinic=clinic, chair=chair, weekdays=range(7), size=size)
    return appointments


def appointments_insert(appointments: Sequence[Any]) -> float:
    """Insert appointments in bulk with the exclusion constraints added back after (see history_grow)."""
    from django.db import connection, transaction

    from clinic.scheduling.models import Appointment, ExclusionConstraintOnPostgres

    exclusions = [c for c in Appointment._meta.constraints if isinstance(c, ExclusionConstraintOnPostgres)]
    with timed() as watch:
        with connection.schema_editor() as editor:
            for constraint in exclusions:
                editor.remove_constraint(Appointment, constraint)
        with transaction.atomic():
            for first in range(0, len(appointments), 5000):
                Appointment.objects.bulk_create(appointments[first : first + 5000])
        with connection.schema_editor() as editor:
            for constraint in exclusions:
                editor.add_constraint(Appointment, constraint)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_appointment")
    return watch.seconds


def organization_create(options: Options) -> Organization:
    """The measured location, alone: two providers and the shared one, with full calendars over the window."""
    from clinic.patients.models import Patient
    from clinic.scheduling.models import Room, SessionType

    measured = _location_create("Measured", LOCATION_ZONES[0])
    calendars = 2 * (options.locations + 1) + 2
    patients = Patient.objects.bulk_create(
        Patient(first_name=f"L{n}", last_name="Bench", phone=phone_number(n), timezone=LOCATION_ZONES[0])
        for n in range(POOL * calendars)
    )
    org = Organization(
        measured=measured,
        session_type=SessionType.objects.create(
            clinic=measured,
            name="Dose and watch",
            slug="dose-watch",
            duration_minutes=15,
            monitoring_minutes=15,
            needs_chair=True,
        ),
        shared=_provider_create("bench-shared", measured, (0, 1, 2)),
        patients=patients,
        rng=random.Random(options.seed),
    )
    mine = _staffed(org, measured, 0, size=options.location_size)
    shared_chair = Room.objects.create(clinic=measured, name="Shared chair", is_treatment_chair=True)
    mine += _calendar(
        org, provider=org.shared, clinic=measured, chair=shared_chair, weekdays=(0, 1, 2), size=options.location_size
    )
    appointments_insert(mine)
    org.measured_appointments = len(mine)
    return org


def organization_grow(org: Organization, options: Options) -> float:
    """Add the other locations, their providers, chairs and calendars, and the shared provider's days there."""
    from clinic.scheduling.models import Room

    appointments: list[Any] = []
    for index in range(1, options.locations + 1):
        clinic = _location_create(f"Other {index}", LOCATION_ZONES[index % len(LOCATION_ZONES)])
        org.others.append(clinic)
        appointments += _staffed(org, clinic, index, size=options.location_size)
    elsewhere = org.others[0]
    hours_at(org.shared, elsewhere, (3, 4, 5, 6))
    chair = Room.objects.create(clinic=elsewhere, name="Shared chair", is_treatment_chair=True)
    appointments += _calendar(
        org, provider=org.shared, clinic=elsewhere, chair=chair, weekdays=(3, 4, 5, 6), size=options.location_size
    )
    org.other_appointments = len(appointments)
    return appointments_insert(appointments)


@dataclass(frozen=True)
class LocationSample:
    wall_ms: float  # median wall-clock time of a call
    cpu_ms: float | None  # CPU per call, this process and its PostgreSQL session (None: the server is not local)
    slots: list[Any]


@dataclass(frozen=True)
class LocationTiming:
    alone: LocationSample
    among: LocationSample
    locations: int
    other_appointments: int
    measured_appointments: int

    @property
    def ratio(self) -> float:
        """Among / alone, in CPU per call when it can be read (it hardly moves with the machine's load), else
        in wall-clock time."""
        if self.alone.cpu_ms and self.among.cpu_ms:
            return self.among.cpu_ms / self.alone.cpu_ms
        return self.among.wall_ms / self.alone.wall_ms


def _session_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL process, if it runs on this machine."""
    from django.db import connection

    if connection.settings_dict.get("HOST") not in ("127.0.0.1", "localhost", "::1", ""):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
            return None
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of /proc/<pid>/stat, i.e. 11 and 12 after the command.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def location_measure(org: Organization, *, repeats: int) -> LocationSample:
    """The measured location's availability over the fixed window: median wall-clock time and CPU per call."""
    import time

    from clinic.scheduling.availability import availability_at_location

    def location_slots() -> list[Any]:
        return availability_at_location(
            session_type=org.session_type, date_from=FIXED_WINDOW[0], date_to=FIXED_WINDOW[1], now=NOW
        )

    slots = location_slots()  # warm-up: imports, connection, plans
    samples = []
    server_before, mine_before = _session_cpu_seconds(), time.process_time()
    for _ in range(repeats):
        started = time.perf_counter()
        again = location_slots()
        samples.append(time.perf_counter() - started)
        if again != slots:
            raise AssertionError("the measured location's availability changed between two runs")
    mine, server_after = time.process_time() - mine_before, _session_cpu_seconds()
    cpu_ms = None
    if server_before is not None and server_after is not None:
        cpu_ms = (mine + server_after - server_before) / repeats * MS
    return LocationSample(wall_ms=median(samples) * MS, cpu_ms=cpu_ms, slots=slots)


def _others_remove(org: Organization) -> None:
    """Delete the other locations' appointments (the shared provider's there too), back to the location alone."""
    from django.db import connection

    from clinic.scheduling.models import Appointment

    Appointment.objects.filter(session_type__clinic__in=org.others).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE scheduling_appointment")


def _averaged(first: LocationSample, second: LocationSample) -> LocationSample:
    cpu = (first.cpu_ms + second.cpu_ms) / 2 if first.cpu_ms and second.cpu_ms else None
    return LocationSample(wall_ms=(first.wall_ms + second.wall_ms) / 2, cpu_ms=cpu, slots=first.slots)


def location_case(options: Options) -> LocationTiming:
    """The measured location alone, among the other locations, then alone again (the other locations'
    appointments deleted), so that a change in the machine's load weighs on both sides: the same slots,
    the same cost."""
    from django.db import connection

    org = organization_create(options)
    repeats = max(options.windows // 2, 10)
    alone_first = location_measure(org, repeats=repeats)
    seconds = organization_grow(org, options)
    say(
        f"per location: {options.locations} other locations, {org.other_appointments:,} appointments inserted "
        f"({seconds:.1f} s)"
    )
    among = location_measure(org, repeats=2 * repeats)
    if among.slots != alone_first.slots:
        raise AssertionError("the other locations' calendars changed the measured location's slots")
    _others_remove(org)
    alone_again = location_measure(org, repeats=repeats)
    if alone_again.slots != alone_first.slots:
        raise AssertionError("the measured location's slots changed once the other locations were emptied")
    if max(alone_first.wall_ms, alone_again.wall_ms) > 1.25 * min(alone_first.wall_ms, alone_again.wall_ms):
        say(
            f"warning: the location alone took {figure(alone_first.wall_ms)} ms before and "
            f"{figure(alone_again.wall_ms)} ms after: the machine's load changed during the case"
        )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE scheduling_appointment CASCADE")  # the cases after this one start empty
        cursor.execute("ANALYZE scheduling_appointment")
    return LocationTiming(
        alone=_averaged(alone_first, alone_again),
        among=among,
        locations=options.locations,
        other_appointments=org.other_appointments,
        measured_appointments=org.measured_appointments,
    )


def location_report(timing: LocationTiming) -> None:
    heading(
        f"per location: the measured location's 30 days ({timing.measured_appointments:,} of its appointments), "
        f"alone and among {timing.locations} others"
    )

    def cpu(sample: LocationSample) -> str:
        return f"{figure(sample.cpu_ms)} ms" if sample.cpu_ms else "-"

    slots = str(len(timing.alone.slots))
    say(
        table_format(
            ["organization", "median (wall clock)", "CPU per call", "slots"],
            [
                ["the measured location alone", f"{figure(timing.alone.wall_ms)} ms", cpu(timing.alone), slots],
                [
                    f"+ {timing.locations} locations, {timing.other_appointments:,} appointments",
                    f"{figure(timing.among.wall_ms)} ms",
                    cpu(timing.among),
                    slots,
                ],
            ],
            right=[1, 2, 3],
        )
    )
    wall_ratio = timing.among.wall_ms / timing.alone.wall_ms
    by = "CPU per call (this process and its PostgreSQL session)" if timing.alone.cpu_ms else "wall-clock time"
    met = timing.ratio <= LOCATION_TARGET
    say(f"ratio among / alone: {figure(timing.ratio)} in {by}; wall clock: {figure(wall_ratio)}")
    say(f"target: at most {LOCATION_TARGET:g}: {'met' if met else 'MISSED'}")
    say(machine_load())
    summary_row_write(
        benchmark=BENCHMARK,
        metric=f"location availability, {timing.locations} other locations vs one",
        value=timing.among.cpu_ms or timing.among.wall_ms,
        unit="ms",
        baseline=timing.alone.cpu_ms or timing.alone.wall_ms,
        target=at_most(LOCATION_TARGET),
        note=f"{'CPU' if timing.alone.cpu_ms else 'wall'} per call; {timing.other_appointments:,} appointments "
        "elsewhere; identical slots",
    )


# --- The run ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    options = options_parse(argv)
    stores = bench_stores_choose("availability", database=options.database, redis_db=BENCH_REDIS_DB)
    if stores is None:
        return 2
    try:
        run(options, database_url=stores.database_url, redis_url=stores.redis_url)
    finally:
        bench_stores_release("availability", stores, keep_database=options.keep_database)
    return 0


def run(options: Options, *, database_url: str, redis_url: str) -> None:
    heading(f"availability: {YEAR_SIZE:,} appointments in a year; 30 days of free slots, {options.windows} windows")
    say(machine_load())
    if quick_mode():
        say("quick mode (BENCH_QUICK): fewer windows and a smaller largest history")
    with timed() as watch:
        postgres_database_recreate(database_url)
        django_setup(environ={"DATABASE_URL": database_url, "REDIS_URL": redis_url, "DEBUG": "false"})
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    say(f"database {options.database} created and migrated ({watch.seconds:.1f} s)")

    location_timing = location_case(options)
    rng = random.Random(options.seed)
    world = world_create(options.seed)
    smallest, year, largest = options.sizes

    by_history: dict[int, Timing] = {}
    seconds = history_grow(world, smallest)
    say(f"history of {smallest:,} inserted ({seconds:.1f} s)")
    by_history[smallest] = measure(world, [FIXED_WINDOW], repeats=options.windows, baseline_repeats=5)

    seconds = history_grow(world, year)
    first_day = LAST_DAY - datetime.timedelta(days=year // SESSIONS_A_DAY - 1)
    say(f"history of {year:,} inserted ({seconds:.1f} s): {first_day} to {LAST_DAY}")
    main_timing = measure(world, windows_spread(rng, days=30, count=options.windows, first=first_day, last=LAST_DAY))
    by_window = {
        days: measure(
            world,
            windows_spread(rng, days=days, count=options.windows, first=first_day, last=LAST_DAY),
            baseline_repeats=0,
        )
        for days in WINDOW_LENGTHS
    }
    loading = loading_ms(world, FIXED_WINDOW, repeats=options.windows)
    by_history[year] = measure(world, [FIXED_WINDOW], repeats=options.windows, baseline_repeats=5)

    seconds = history_grow(world, largest)
    say(f"history of {largest:,} inserted ({seconds:.1f} s)")
    by_history[largest] = measure(world, [FIXED_WINDOW], repeats=options.windows, baseline_repeats=5)

    report(options, main_timing=main_timing, by_window=by_window, by_history=by_history, loading=loading)
    location_report(location_timing)


def report(
    options: Options,
    *,
    main_timing: Timing,
    by_window: dict[int, Timing],
    by_history: dict[int, Timing],
    loading: float,
) -> None:
    smallest, year, largest = options.sizes
    assert main_timing.baseline_ms is not None
    ratio = main_timing.service_ms / main_timing.baseline_ms
    met = main_timing.service_ms <= TARGET_MS

    heading(f"30 days of availability, {year:,} appointments in the history ({main_timing.windows} windows)")
    say(
        table_format(
            ["measured", "median", "slots (last window)"],
            [
                ["availability_for", f"{figure(main_timing.service_ms)} ms", str(main_timing.slots)],
                ["baseline: scan all in Python", f"{figure(main_timing.baseline_ms)} ms", str(main_timing.slots)],
            ],
            right=[1, 2],
        )
    )
    say(f"ratio service / baseline: {figure(ratio)} (the baseline takes {figure(1 / ratio)}x as long)")
    say(f"target: median under {TARGET_MS:g} ms: {'met' if met else 'MISSED'} ({figure(main_timing.service_ms)} ms)")
    say(machine_load())
    say(
        f"of which loading the window's bookings (queries and row conversion, one fixed window): {figure(loading)} ms; "
        "the rest is building the slots in Python"
    )

    heading(f"grows with the window asked ({year:,} appointments; median of {options.windows} windows each)")
    say(
        table_format(
            ["window", "availability_for", "per day"],
            [
                [f"{days} days", f"{figure(t.service_ms)} ms", f"{figure(t.service_ms / days)} ms"]
                for days, t in by_window.items()
            ],
            right=[1, 2],
        )
    )

    heading(f"not with the history (the same 30 days, {FIXED_WINDOW[0]} to {FIXED_WINDOW[1]})")
    say(
        table_format(
            ["appointments", "availability_for", "baseline", "ratio"],
            [
                [
                    f"{size:,}",
                    f"{figure(t.service_ms)} ms",
                    f"{figure(t.baseline_ms)} ms",
                    figure(t.service_ms / t.baseline_ms if t.baseline_ms else None),
                ]
                for size, t in by_history.items()
            ],
            right=[1, 2, 3],
        )
    )
    growth = by_history[largest].service_ms / by_history[smallest].service_ms
    window_growth = by_window[90].service_ms / by_window[7].service_ms
    say(f"{largest:,} vs {smallest:,} appointments: {figure(growth)}x the time; 90 vs 7 days: {figure(window_growth)}x")

    rows = [
        summary_row_write(
            benchmark=BENCHMARK,
            metric=f"30-day availability, {year:,} appts (median)",
            value=main_timing.service_ms,
            unit="ms",
            target=at_most(TARGET_MS),
            note=f"{main_timing.windows} windows over a year",
        ),
        summary_row_write(
            benchmark=BENCHMARK,
            metric="30-day availability vs scan-all baseline",
            value=main_timing.service_ms,
            unit="ms",
            baseline=main_timing.baseline_ms,
            target=at_most(1.0),
            note="identical slots checked on every window",
        ),
        summary_row_write(
            benchmark=BENCHMARK,
            metric=f"same 30 days, {largest:,} vs {smallest:,} appts",
            value=by_history[largest].service_ms,
            unit="ms",
            baseline=by_history[smallest].service_ms,
            target=at_most(1.5),
            note="history growth must not cost time",
        ),
        summary_row_write(
            benchmark=BENCHMARK,
            metric="90-day vs 7-day window",
            value=by_window[90].service_ms,
            unit="ms",
            baseline=by_window[7].service_ms,
            note="grows with the window asked (about 13x the days)",
        ),
    ]
    say("")
    say("; ".join(f"{row.metric}: {met_text(row.met)}" for row in rows if row.met is not None))


if __name__ == "__main__":
    sys.exit(main())
