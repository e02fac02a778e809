"""Demo data for `make run`: a clinic, its providers, rooms, session types and staff logins."""

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
from clinic.core.models import Clinic
from clinic.oncall.models import OnCallClinician, OnCallShift
from clinic.patients.models import Patient
from clinic.scheduling.availability import availability_for
from clinic.scheduling.models import Appointment, Provider, Room, SeriesPlan, SessionType, WorkingHours
from clinic.scheduling.services import Booking, BookingConflict, appointment_book


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


# username, weekdays (0 = Monday), starts, ends
PROVIDER_HOURS = (
    ("dr.reyes", (0, 1, 2, 3, 4), datetime.time(8, 0), datetime.time(18, 0)),
    ("np.chen", (1, 2, 3, 4, 5), datetime.time(9, 0), datetime.time(17, 0)),
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
)
# Day shifts 08:00-20:00 and night shifts 20:00-08:00 (clinic time): (start hour, on call, backup).
ON_CALL_SHIFTS = ((8, "clinician", "np.chen"), (20, "np.chen", "clinician"))
ROTA_DAYS = 14

# Fictional patients on reserved 555-01xx numbers, so the calendar and the SMS sandbox are not empty.
DEMO_PATIENTS = (
    ("Jordan", "Avery", "+16175550142", "iv-infusion"),
    ("Sam", "Okafor", "+16175550143", "consultation"),
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


def _demo_rota(clinic: Clinic) -> None:
    """On-call clinicians with consent to pages, and two weeks of day and night shifts from last night on."""
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
    tz = zoneinfo.ZoneInfo(clinic.timezone)
    first = timezone.localdate(timezone=tz) - datetime.timedelta(days=1)
    for offset in range(ROTA_DAYS + 1):
        day = first + datetime.timedelta(days=offset)
        for hour, on_call, backup in ON_CALL_SHIFTS:
            starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)
            ends = starts + datetime.timedelta(hours=12)
            if OnCallShift.objects.filter(starts_at__lt=ends, ends_at__gt=starts).exists():
                continue  # loaded before, or a clinic admin planned this time already
            OnCallShift.objects.create(
                starts_at=starts, ends_at=ends, clinician=people[on_call], backup=people[backup], note="demo"
            )


def _demo_schedule(clinic: Clinic) -> None:
    """Give each demo patient one upcoming session, at the first free time from tomorrow."""
    tz = zoneinfo.ZoneInfo(clinic.timezone)
    tomorrow = timezone.localdate(timezone=tz) + datetime.timedelta(days=1)
    provider = Provider.objects.get(user__username="dr.reyes")
    for first, last, phone, slug in DEMO_PATIENTS:
        patient = _oldest_or_create(
            Patient,
            lookup={"phone": phone, "first_name": first, "last_name": last},
            defaults={
                "timezone": clinic.timezone,
                "sms_consent_at": timezone.now(),
                "sms_consent_version": CURRENT_SMS_CONSENT_VERSION,
                "sms_consent_source": "demo",
            },
        )
        if Appointment.objects.filter(patient=patient, starts_at__gte=timezone.now()).exists():
            continue
        session_type = SessionType.objects.get(clinic=clinic, slug=slug)
        slots = availability_for(
            session_type=session_type,
            provider=provider,
            date_from=tomorrow,
            date_to=tomorrow + datetime.timedelta(days=14),
            tz=tz,
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


@transaction.atomic
def demo_data_load() -> list[DemoLogin]:
    """Create what is missing of the demo clinic and its staff, and reset the demo logins. Safe to run again."""
    # The oldest clinic, whatever staff renamed it to: the demo has one clinic.
    clinic = _oldest_or_create(
        Clinic,
        lookup={},
        defaults={
            "name": "Harbor Mind Clinic",
            "short_name": "Harbor Clinic",
            "timezone": "America/New_York",
            "phone": "+16175550100",
            "on_call_phone": "+16175550199",
            "address": "100 Harbor Street, Suite 4, Boston, MA 02110",
            "texting_starts": datetime.time(8, 0),
            "texting_ends": datetime.time(21, 0),
        },
    )
    for name, chair in (("Infusion chair 1", True), ("Infusion chair 2", True), ("Consult room", False)):
        _oldest_or_create(Room, lookup={"clinic": clinic, "name": name}, defaults={"is_treatment_chair": chair})
    for slug, name, duration, monitoring, chair, clinician, driver, fasting in SESSION_TYPES:
        _oldest_or_create(
            SessionType,
            lookup={"clinic": clinic, "slug": slug},
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

    User = get_user_model()
    for login in DEMO_LOGINS:
        # The printed logins must work: their password, role and access are reset on every run.
        user, _ = User.objects.get_or_create(username=login.username)
        user.is_staff = True
        user.is_active = True
        user.set_password(login.password)
        user.save()
        user.groups.set([Group.objects.get(name=login.role)])

    for username, first, last, display, credentials in (
        ("dr.reyes", "Maria", "Reyes", "Dr. Maria Reyes", "MD"),
        ("np.chen", "Daniel", "Chen", "Daniel Chen", "PMHNP"),
    ):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": True}
        )
        if created:
            user.set_unusable_password()  # providers sign in once an admin sets their password
            user.save()
            user.groups.add(Group.objects.get(name=CLINICIAN))
        Provider.objects.get_or_create(
            user=user, defaults={"clinic": clinic, "display_name": display, "credentials": credentials}
        )
    for username, weekdays, starts, ends in PROVIDER_HOURS:
        provider = Provider.objects.get(user__username=username)
        if not provider.working_hours.exists():
            WorkingHours.objects.bulk_create(
                WorkingHours(provider=provider, clinic=provider.clinic, weekday=day, starts=starts, ends=ends)
                for day in weekdays
            )
    for name, slug, sessions, gap, span in SERIES_PLANS:
        _oldest_or_create(
            SeriesPlan,
            lookup={"clinic": clinic, "name": name},
            defaults={
                "session_type": SessionType.objects.get(clinic=clinic, slug=slug),
                "sessions": sessions,
                "min_gap_hours": gap,
                "max_span_days": span,
            },
        )
    _demo_rota(clinic)
    _demo_schedule(clinic)
    return list(DEMO_LOGINS)
