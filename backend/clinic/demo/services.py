"""Demo data for `make run`: a clinic group, its locations, providers, rooms, session types and staff logins.

The group (Harbor Mind) has three locations: the first, in Boston, as the demo always had (two
providers, two infusion chairs and a consult room, texts from the organization's number), and two in
the west, in two other time zones: Denver (America/Denver, daylight saving time) and Phoenix
(America/Phoenix, none), each with its rooms, session types, series plans, its own sender number and
a day on-call shift (nights fall to the organization-wide rota). Dr. Lucia Ortega works at both:
Denver Monday to Wednesday, Phoenix Thursday and Friday. Lucía Herrera, who reads Spanish and lives
in Phoenix, is booked at Denver: her texts name Denver's time, with hers beside it when they differ.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from clinic.core.consent import CURRENT_SMS_CONSENT_VERSION
from clinic.core.models import Clinic, Organization
from clinic.oncall.models import OnCallClinician, OnCallShift
from clinic.patients.models import Patient
from clinic.scheduling.availability import availability_for
from clinic.scheduling.models import Appointment, Provider, Room, SeriesPlan, SessionType, WorkingHours
from clinic.scheduling.services import Booking, BookingConflict, appointment_book

from .measures import demo_measure_plans_seed
from .selfbooking import selfbooking_demo_load


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


# Demo-only credentials, printed by `make run`; production never loads demo data.
DEMO_LOGINS = (
    DemoLogin(FRONT_DESK, "frontdesk", "demo-frontdesk-pass"),
    DemoLogin(CLINICIAN, "clinician", "demo-clinician-pass"),
    DemoLogin(CLINIC_ADMIN, "admin", "demo-admin-pass"),
)

DOSING_PREPARATION = (
    "Please have nothing to eat for {fasting} hours before your visit (clear fluids are fine until 2 hours before). "
    "Arrange an adult to drive you home. Do not drive until the next day after a full night's sleep."
)

SESSION_TYPES = (
    # slug, name, duration, monitoring, chair, clinician, driver, fasting hours
    ("consultation", "Intake consultation", 60, 0, False, True, False, 0),
    ("iv-infusion", "IV ketamine infusion", 45, 60, True, True, True, 6),
    ("im-injection", "IM ketamine injection", 15, 90, True, True, True, 4),
    ("esketamine", "Esketamine nasal spray (REMS)", 15, 120, True, True, True, 2),
    ("integration", "Integration therapy", 50, 0, False, True, False, 0),
)


ORGANIZATION_NAME = "Harbor Mind"
FIRST = "boston"  # the first location: the clinic the demo always had


@dataclass(frozen=True)
class DemoLocation:
    key: str
    name: str
    short_name: str
    timezone: str
    phone: str
    sms_from_number: str  # found again by it on a later run, whatever staff renamed the location to
    address: str
    postcode: str


# The western locations (reserved 555-01xx numbers).
WEST = (
    DemoLocation(
        "denver",
        "Harbor Mind Denver",
        "Harbor Denver",
        "America/Denver",
        "+13035550100",
        "+13035550110",
        "1600 Market Street, Suite 210, Denver, CO 80202",
        "80202",
    ),
    DemoLocation(
        "phoenix",
        "Harbor Mind Phoenix",
        "Harbor Phoenix",
        "America/Phoenix",
        "+16025550100",
        "+16025550110",
        "2 North Central Avenue, Suite 300, Phoenix, AZ 85004",
        "85004",
    ),
)

ROOMS = (("Infusion chair 1", True), ("Infusion chair 2", True), ("Consult room", False))

# username, first name, last name, display name, credentials, home location
PROVIDERS = (
    ("dr.reyes", "Maria", "Reyes", "Dr. Maria Reyes", "MD", FIRST),
    ("np.chen", "Daniel", "Chen", "Daniel Chen", "PMHNP", FIRST),
    ("dr.ortega", "Lucia", "Ortega", "Dr. Lucia Ortega", "MD", "denver"),
)

# username, location, weekdays (0 = Monday), starts, ends (the location's local time)
PROVIDER_HOURS = (
    ("dr.reyes", FIRST, (0, 1, 2, 3, 4), datetime.time(8, 0), datetime.time(18, 0)),
    ("np.chen", FIRST, (1, 2, 3, 4, 5), datetime.time(9, 0), datetime.time(17, 0)),
    ("dr.ortega", "denver", (0, 1, 2), datetime.time(8, 0), datetime.time(17, 0)),
    ("dr.ortega", "phoenix", (3, 4), datetime.time(8, 0), datetime.time(16, 0)),
)

SERIES_PLANS = (
    # name, session type slug, sessions, min gap hours, max span days
    ("IV induction: 6 infusions within 3 weeks", "iv-infusion", 6, 48, 21),
    ("Esketamine induction: twice weekly for 4 weeks", "esketamine", 8, 48, 28),
)

# The on-call rota: username, own mobile (reserved 555-01xx numbers), medical director?
ON_CALL_STAFF = (
    ("dr.reyes", "+16175550191", True),
    ("np.chen", "+16175550192", False),
    ("clinician", "+16175550193", False),
    ("dr.ortega", "+13035550191", False),
)
# Organization-wide day shifts 08:00-20:00 and night shifts 20:00-08:00 (the first location's time):
# (start hour, on call, backup). They cover every location without a shift of its own.
ON_CALL_SHIFTS = ((8, "clinician", "np.chen"), (20, "np.chen", "clinician"))
# Each western location's own day shift, 08:00-20:00 its time: (location, on call, backup).
LOCATION_DAY_SHIFTS = (("denver", "dr.ortega", "clinician"), ("phoenix", "clinician", "dr.ortega"))
DAY_SHIFT_START, SHIFT_HOURS = 8, 12
ROTA_DAYS = 14


@dataclass(frozen=True)
class DemoPatient:
    first_name: str
    last_name: str
    phone: str
    session_type: str  # slug, at the location booked
    provider: str
    booked_at: str  # location key
    home: str  # location key; the patient's time zone is their home's
    language: str = "en"


# Fictional patients on reserved 555-01xx numbers, so the calendar and the SMS sandbox are not empty.
DEMO_PATIENTS = (
    DemoPatient("Jordan", "Avery", "+16175550142", "iv-infusion", "dr.reyes", FIRST, FIRST),
    DemoPatient("Sam", "Okafor", "+16175550143", "consultation", "dr.reyes", FIRST, FIRST),
    # Lives in Phoenix, reads Spanish, and is seen at Denver.
    DemoPatient("Lucía", "Herrera", "+16025550144", "consultation", "dr.ortega", "denver", "phoenix", "es"),
)


M = TypeVar("M", bound=models.Model)


def _oldest_or_create(model: type[M], *, lookup: dict[str, Any], defaults: dict[str, Any]) -> M:
    """Return the oldest row matching lookup, or create it with defaults.

    Staff work in the demo too: they may add look-alikes (a second patient on a demo number, a plan
    with the same name) and change what the seed created. Neither may stop `make run`, and a
    second run never overwrites what they changed.
    """
    found = model._default_manager.filter(**lookup).order_by("pk").first()
    if found is not None:
        return found
    return model._default_manager.create(**lookup, **defaults)


def _shift_add(
    *,
    starts: datetime.datetime,
    on_call: OnCallClinician,
    backup: OnCallClinician,
    clinic: Clinic | None,
) -> None:
    ends = starts + datetime.timedelta(hours=SHIFT_HOURS)
    same_place = OnCallShift.objects.filter(clinic=clinic) if clinic else OnCallShift.objects.filter(clinic=None)
    if same_place.filter(starts_at__lt=ends, ends_at__gt=starts).exists():
        return  # loaded before, or a clinic admin planned this time already
    OnCallShift.objects.create(
        starts_at=starts, ends_at=ends, clinician=on_call, backup=backup, clinic=clinic, note="demo"
    )


def _demo_rota(locations: dict[str, Clinic]) -> None:
    """On-call clinicians with consent to pages, and two weeks of shifts from last night on: organization-wide
    day and night shifts, and each western location's own day shifts."""
    User = get_user_model()
    recorded_by = User.objects.get(username="admin")
    people: dict[str, OnCallClinician] = {}
    for username, mobile, director in ON_CALL_STAFF:
        people[username], _ = OnCallClinician.objects.update_or_create(
            user=User.objects.get(username=username),
            defaults={
                "mobile_phone": mobile,
                "is_medical_director": director,
                "is_active": True,
                "sms_consent_at": timezone.now(),
                "sms_consent_phone": mobile,
                "sms_consent_recorded_by": recorded_by,
            },
        )
    first_tz = zoneinfo.ZoneInfo(locations[FIRST].timezone)
    first = timezone.localdate(timezone=first_tz) - datetime.timedelta(days=1)
    for offset in range(ROTA_DAYS + 1):
        day = first + datetime.timedelta(days=offset)
        for hour, on_call, backup in ON_CALL_SHIFTS:
            starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=first_tz)
            _shift_add(starts=starts, on_call=people[on_call], backup=people[backup], clinic=None)
        for key, on_call, backup in LOCATION_DAY_SHIFTS:
            tz = zoneinfo.ZoneInfo(locations[key].timezone)
            starts = datetime.datetime.combine(day, datetime.time(DAY_SHIFT_START), tzinfo=tz)
            _shift_add(starts=starts, on_call=people[on_call], backup=people[backup], clinic=locations[key])


def _demo_patient(demo: DemoPatient, locations: dict[str, Clinic]) -> Patient:
    home = locations[demo.home]
    return _oldest_or_create(
        Patient,
        lookup={"phone": demo.phone, "first_name": demo.first_name, "last_name": demo.last_name},
        defaults={
            "timezone": home.timezone,
            "clinic": home,
            "language": demo.language,
            "sms_consent_at": timezone.now(),
            "sms_consent_version": CURRENT_SMS_CONSENT_VERSION,
            "sms_consent_source": "demo",
            "sms_consent_phone": demo.phone,
        },
    )


def _demo_schedule(locations: dict[str, Clinic]) -> None:
    """Give each demo patient one upcoming session, at the first free time from tomorrow at its location."""
    for demo in DEMO_PATIENTS:
        patient = _demo_patient(demo, locations)
        if Appointment.objects.filter(patient=patient, starts_at__gte=timezone.now()).exists():
            continue
        location = locations[demo.booked_at]
        tomorrow = timezone.localdate(timezone=zoneinfo.ZoneInfo(location.timezone)) + datetime.timedelta(days=1)
        provider = Provider.objects.get(user__username=demo.provider)
        session_type = SessionType.objects.filter(clinic=location, slug=demo.session_type).first()
        if session_type is None:
            continue  # staff changed the location's session types; a demo session is a nicety
        slots = availability_for(
            session_type=session_type,
            provider=provider,
            date_from=tomorrow,
            date_to=tomorrow + datetime.timedelta(days=14),
            patient_id=patient.pk,
        )
        if not slots:
            continue
        try:
            with transaction.atomic():
                appointment_book(
                    actor=Actor(user=None),
                    booking=Booking(
                        patient=patient, provider=provider, session_type=session_type, starts_at=slots[0].starts_at
                    ),
                )
        except (ValidationError, BookingConflict):
            continue  # whatever staff did to the calendar wins; a demo session is a nicety


def _demo_locations() -> dict[str, Clinic]:
    """The first location (the oldest, whatever staff renamed it to) and the western ones, in one organization."""
    first = _oldest_or_create(
        Clinic,
        lookup={},
        defaults={
            "name": "Harbor Mind Clinic",
            "short_name": "Harbor Clinic",
            "timezone": "America/New_York",
            "phone": "+16175550100",
            "on_call_phone": "+16175550199",
            "address": "100 Harbor Street, Suite 4, Boston, MA 02110",
            "postcode": "02110",
            "texting_starts": datetime.time(8, 0),
            "texting_ends": datetime.time(21, 0),
        },
    )
    locations = {FIRST: first}
    for place in WEST:
        locations[place.key] = _oldest_or_create(
            Clinic,
            lookup={"sms_from_number": place.sms_from_number},
            defaults={
                "name": place.name,
                "short_name": place.short_name,
                "timezone": place.timezone,
                "phone": place.phone,
                "address": place.address,
                "postcode": place.postcode,
                "texting_starts": datetime.time(8, 0),
                "texting_ends": datetime.time(21, 0),
            },
        )
    organization = first.organization or _oldest_or_create(
        Organization, lookup={}, defaults={"name": ORGANIZATION_NAME}
    )
    Clinic.objects.filter(pk__in=[location.pk for location in locations.values()], organization__isnull=True).update(
        organization=organization
    )
    return locations


def _demo_location_setup(key: str, location: Clinic) -> None:
    """A location's rooms, session types and series plans (those of the western locations name their place)."""
    for name, chair in ROOMS:
        _oldest_or_create(Room, lookup={"clinic": location, "name": name}, defaults={"is_treatment_chair": chair})
    for slug, name, duration, monitoring, chair, clinician, driver, fasting in SESSION_TYPES:
        _oldest_or_create(
            SessionType,
            lookup={"clinic": location, "slug": slug},
            defaults={
                "name": name,
                "duration_minutes": duration,
                "monitoring_minutes": monitoring,
                "needs_chair": chair,
                "needs_clinician": clinician,
                "needs_driver": driver,
                "fasting_hours": fasting,
                "preparation_instructions": DOSING_PREPARATION.format(fasting=fasting) if fasting else "",
            },
        )
    suffix = "" if key == FIRST else f" ({location.short_name.removeprefix('Harbor ')})"
    for name, slug, sessions, gap, span in SERIES_PLANS:
        session_type = SessionType.objects.filter(clinic=location, slug=slug).first()
        if session_type is None:
            continue
        _oldest_or_create(
            SeriesPlan,
            lookup={"clinic": location, "name": f"{name}{suffix}"},
            defaults={"session_type": session_type, "sessions": sessions, "min_gap_hours": gap, "max_span_days": span},
        )


def _demo_providers(locations: dict[str, Clinic]) -> None:
    """The providers, and (for one who has none yet) their working hours at each location they work at."""
    User = get_user_model()
    for username, first, last, display, credentials, home in PROVIDERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": True}
        )
        if created:
            user.set_unusable_password()  # providers sign in once an admin sets their password
            user.save()
            user.groups.add(Group.objects.get(name=CLINICIAN))
        Provider.objects.get_or_create(
            user=user, defaults={"clinic": locations[home], "display_name": display, "credentials": credentials}
        )
    without_hours = {
        username
        for username, *_ in PROVIDERS
        if not WorkingHours.objects.filter(provider__user__username=username).exists()
    }
    for username, key, weekdays, starts, ends in PROVIDER_HOURS:
        if username in without_hours:  # staff's changes to a provider's hours are kept
            provider = Provider.objects.get(user__username=username)
            WorkingHours.objects.bulk_create(
                WorkingHours(provider=provider, clinic=locations[key], weekday=day, starts=starts, ends=ends)
                for day in weekdays
            )


@transaction.atomic
def demo_data_load() -> list[DemoLogin]:
    """Create what is missing of the demo clinic group and its staff, and reset the demo logins. Safe to run again."""
    locations = _demo_locations()
    for key, location in locations.items():
        _demo_location_setup(key, location)
    demo_measure_plans_seed()

    User = get_user_model()
    for login in DEMO_LOGINS:
        # The printed logins must work: their password, role and access are reset on every run.
        user, _ = User.objects.get_or_create(username=login.username)
        user.is_staff = True
        user.is_active = True
        user.set_password(login.password)
        user.save()
        user.groups.set([Group.objects.get(name=login.role)])

    _demo_providers(locations)
    _demo_rota(locations)
    _demo_schedule(locations)
    selfbooking_demo_load(locations)
    return list(DEMO_LOGINS)
