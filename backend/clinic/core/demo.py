"""Demo data for `make run`: a clinic, its providers, rooms, session types and staff logins."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK
from clinic.scheduling.models import Clinic, Provider, Room, SessionType


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


@transaction.atomic
def demo_data_load() -> list[DemoLogin]:
    """Create (or refresh) the demo clinic and its staff. Safe to run again."""
    clinic, _ = Clinic.objects.update_or_create(
        name="Harbor Mind Clinic",
        defaults={
            "short_name": "Harbor Clinic",
            "timezone": "America/New_York",
            "phone": "+16175550100",
            "address": "100 Harbor Street, Suite 4, Boston, MA 02110",
            "texting_starts": datetime.time(8, 0),
            "texting_ends": datetime.time(21, 0),
        },
    )
    for name, chair in (("Infusion chair 1", True), ("Infusion chair 2", True), ("Consult room", False)):
        Room.objects.update_or_create(clinic=clinic, name=name, defaults={"is_treatment_chair": chair})
    for slug, name, duration, monitoring, chair, clinician, driver, fasting in SESSION_TYPES:
        SessionType.objects.update_or_create(
            clinic=clinic,
            slug=slug,
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
        Provider.objects.update_or_create(
            user=user, defaults={"clinic": clinic, "display_name": display, "credentials": credentials}
        )
    return list(DEMO_LOGINS)
