"""On call per location: an alert pages the shift of its location, else the organization-wide shift,
and the rest of the ladder (backup, medical director, the location's on-call line) stays as it was.

Three locations: Boston (the first, America/New_York), Denver (America/Denver) and Phoenix
(America/Phoenix). The organization-wide shift and Denver's own shift both cover Tuesday 8 December
2026 from 08:00 to 20:00 Boston time; Phoenix has no shift of its own. Texts come in through the signed
webhook, as Twilio sends them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.checkins.alerts import alert_acknowledge
from clinic.checkins.escalation import alert_location, alerts_escalate_due
from clinic.checkins.models import Alert, AlertPage, CheckIn
from clinic.checkins.services import checkins_start_for
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.oncall.models import OnCallClinician, OnCallShift
from clinic.oncall.selectors import on_call_coverage, on_call_ladder, shift_at
from clinic.oncall.services import shift_problems
from clinic.patients.models import Patient
from tests.factories import (
    ClinicFactory,
    OnCallClinicianFactory,
    OnCallShiftFactory,
    PatientFactory,
    SessionTypeFactory,
    UserFactory,
    completed_session,
)
from tests.support.clock import local
from tests.support.phones import PHONE
from tests.support.sandbox import patient_texts, provider_accepts

pytestmark = pytest.mark.django_db

NOON = local(2026, 12, 8, 12)  # Tuesday, 10:00 in Denver and Phoenix (both MST in December)
ORG_ON_CALL, ORG_BACKUP = "+16175550301", "+16175550302"
DENVER_ON_CALL, DENVER_BACKUP = "+13035550301", "+13035550302"
DIRECTOR = "+16175550309"


def _clinician(username: str, mobile: str, **extra: object) -> OnCallClinician:
    user = UserFactory(username=username, first_name=username.title(), last_name="Md", role="Clinician")
    return OnCallClinicianFactory(user=user, mobile_phone=mobile, **extra)


@pytest.fixture
def locations(db: None) -> dict[str, Clinic]:
    return {
        "boston": ClinicFactory(on_call_phone=""),  # the first location
        "denver": ClinicFactory(name="Denver", short_name="Denver Clinic", timezone="America/Denver", on_call_phone=""),
        "phoenix": ClinicFactory(name="Phoenix", timezone="America/Phoenix", on_call_phone=""),
    }


@pytest.fixture
def rota(locations: dict[str, Clinic]) -> dict[str, OnCallClinician]:
    people = {
        "org_on_call": _clinician("orgoncall", ORG_ON_CALL),
        "org_backup": _clinician("orgbackup", ORG_BACKUP),
        "denver_on_call": _clinician("denveroncall", DENVER_ON_CALL),
        "denver_backup": _clinician("denverbackup", DENVER_BACKUP),
        "director": _clinician("director", DIRECTOR, is_medical_director=True),
    }
    day = {"starts_at": local(2026, 12, 8, 8), "ends_at": local(2026, 12, 8, 20)}
    OnCallShiftFactory(clinician=people["org_on_call"], backup=people["org_backup"], **day)
    OnCallShiftFactory(
        clinician=people["denver_on_call"], backup=people["denver_backup"], clinic=locations["denver"], **day
    )
    return people


@pytest.fixture(autouse=True)
def _at_noon() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


def patient_at(home: Clinic | None, timezone_name: str = "America/New_York") -> Patient:
    return PatientFactory(
        first_name="Robin", phone=PHONE, clinic=home, timezone=timezone_name, sms_consent_at=timezone.now()
    )


def crisis(client: Client) -> Alert:
    patient_texts(client, "i want to end my life")
    return Alert.objects.get(reason=Alert.Reason.CRISIS)


def paged() -> list[str]:
    return list(
        OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT)
        .order_by("id")
        .values_list("to_number", flat=True)
    )


def escalate(minutes: int) -> int:
    with time_machine.travel(NOON + datetime.timedelta(minutes=minutes), tick=False):
        return alerts_escalate_due()


# --- Who is paged first ---------------------------------------------------------------------------


def test_an_alert_about_a_denver_patient_climbs_denvers_ladder_until_acknowledged(
    client: Client, locations: dict[str, Clinic], rota: dict[str, OnCallClinician], clinician: AbstractBaseUser
) -> None:
    patient_at(locations["denver"], "America/Denver")
    alert = crisis(client)
    assert alert_location(alert) == locations["denver"]
    assert paged() == [DENVER_ON_CALL]
    page = OutboundMessage.objects.get(to_number=DENVER_ON_CALL)
    assert page.body.startswith("Denver Clinic")  # the page names the patient's location, nothing about them

    assert escalate(9) == 0
    assert escalate(10) == 1
    assert paged() == [DENVER_ON_CALL, DENVER_BACKUP]
    assert escalate(20) == 1
    assert paged()[-1] == DIRECTOR
    assert escalate(30) == 1  # climbed: everyone on Denver's ladder again, never the organization-wide shift
    assert paged()[3:] == [DENVER_ON_CALL, DENVER_BACKUP, DIRECTOR]
    assert [(p.round, p.step, p.to_number) for p in AlertPage.objects.filter(alert=alert).order_by("id")][:3] == [
        (1, "on_call", DENVER_ON_CALL),
        (2, "backup", DENVER_BACKUP),
        (3, "director", DIRECTOR),
    ]

    assert alert_acknowledge(alert=alert, actor=Actor(user=clinician), note="Called; safe.")  # type: ignore[arg-type]
    assert escalate(40) == 0
    assert len(paged()) == 6


def test_a_location_without_its_own_shift_pages_the_organization_wide_one(
    client: Client, locations: dict[str, Clinic], rota: dict[str, OnCallClinician]
) -> None:
    patient_at(locations["phoenix"], "America/Phoenix")
    crisis(client)
    assert paged() == [ORG_ON_CALL]
    assert escalate(10) == 1
    assert paged() == [ORG_ON_CALL, ORG_BACKUP]


def test_the_session_the_checkin_belongs_to_decides_over_the_home_location(
    client: Client, locations: dict[str, Clinic], rota: dict[str, OnCallClinician]
) -> None:
    # Lives in Phoenix (no shift of its own there), seen at Denver this morning; tonight's check-in is Denver's.
    patient = patient_at(locations["phoenix"], "America/Phoenix")
    session = completed_session(patient, SessionTypeFactory(clinic=locations["denver"]), ends_at=local(2026, 12, 8, 11))
    checkins_start_for(appointment=session)
    later = local(2026, 12, 8, 21, 5)  # 19:05 in Phoenix, after the home-safe check-in went out at 19:00
    OnCallShiftFactory(
        clinician=rota["org_on_call"], starts_at=local(2026, 12, 8, 20), ends_at=local(2026, 12, 9, 8)
    )  # the organization's night shift
    OnCallShiftFactory(
        clinician=rota["denver_on_call"],
        clinic=locations["denver"],
        starts_at=local(2026, 12, 8, 20),
        ends_at=local(2026, 12, 9, 8),
    )
    with time_machine.travel(later, tick=False):
        check_in = CheckIn.objects.get(appointment=session, step_key="home_safe:d0")
        assert check_in.message is not None
        provider_accepts(check_in.message)
        alert = crisis(client)
    assert alert_location(alert) == locations["denver"]
    assert paged() == [DENVER_ON_CALL]


def test_a_text_from_an_unknown_number_pages_the_organization_wide_shift(
    client: Client, locations: dict[str, Clinic], rota: dict[str, OnCallClinician]
) -> None:
    patient_texts(client, "i want to end my life", from_number="+16175550777")
    alert = Alert.objects.get()
    assert alert.patient is None and alert_location(alert) is None
    assert paged() == [ORG_ON_CALL]


def test_with_no_shift_for_the_location_nor_the_organization_the_director_then_the_locations_own_line(
    client: Client, locations: dict[str, Clinic]
) -> None:
    Clinic.objects.filter(pk=locations["boston"].pk).update(on_call_phone="+16175550199")
    Clinic.objects.filter(pk=locations["denver"].pk).update(on_call_phone="+13035550199")
    _clinician("director", DIRECTOR, is_medical_director=True)
    other = _clinician("phoenixoncall", "+16025550301")
    OnCallShiftFactory(clinician=other, clinic=locations["phoenix"])  # Phoenix's shift covers Phoenix only
    patient_at(locations["denver"], "America/Denver")
    alert = crisis(client)
    assert [(p.step, p.to_number, p.skipped_reason) for p in AlertPage.objects.filter(alert=alert)] == [
        ("on_call", "", "nobody on call"),
        ("backup", "", "no backup"),
        ("director", DIRECTOR, ""),
    ]
    assert escalate(10) == 1
    assert paged() == [DIRECTOR, "+13035550199"]  # Denver's own line, not the first location's


# --- The selection itself ------------------------------------------------------------------------


def test_shift_at_prefers_the_locations_own_then_the_organization_wide_and_without_a_location_any(
    locations: dict[str, Clinic], rota: dict[str, OnCallClinician]
) -> None:
    now = timezone.now()
    denver_shift = OnCallShift.objects.get(clinic=locations["denver"])
    organization_shift = OnCallShift.objects.get(clinic=None)
    assert shift_at(at=now, clinic=locations["denver"]) == denver_shift
    assert shift_at(at=now, clinic=locations["phoenix"]) == organization_shift
    assert shift_at(at=now) == organization_shift
    organization_shift.delete()
    assert shift_at(at=now, clinic=locations["phoenix"]) is None  # another location's shift is not Phoenix's
    assert shift_at(at=now) == denver_shift  # no location known: someone must be paged
    coverage = on_call_coverage(clinic=locations["phoenix"])
    assert coverage.gap and coverage.covering is not None and coverage.covering.step == "director"
    assert [rung.phone for rung in on_call_ladder(clinic=locations["denver"])[:2]] == [DENVER_ON_CALL, DENVER_BACKUP]


def test_shifts_overlap_only_within_one_location(
    locations: dict[str, Clinic], rota: dict[str, OnCallClinician]
) -> None:
    night_of = {"starts_at": local(2026, 12, 8, 19), "ends_at": local(2026, 12, 9, 7)}
    someone = rota["org_backup"]
    assert shift_problems(OnCallShift(clinician=someone, clinic=locations["phoenix"], **night_of)) == {}
    denver = shift_problems(OnCallShift(clinician=someone, clinic=locations["denver"], **night_of))
    assert "overlaps the shift of Denveroncall Md" in denver["starts_at"]
    assert "for this location" in denver["starts_at"]
    organization = shift_problems(OnCallShift(clinician=someone, clinic=None, **night_of))
    assert "overlaps the shift of Orgoncall Md" in organization["starts_at"]
    assert "for the whole organization" in organization["starts_at"]


def test_the_shift_list_names_locations_and_warns_of_one_nobody_covers(
    clinic_admin: AbstractBaseUser, locations: dict[str, Clinic], rota: dict[str, OnCallClinician]
) -> None:
    client = Client()
    client.force_login(clinic_admin)
    listed = client.get("/admin/oncall/oncallshift/").content.decode()
    assert "Every location without its own shift" in listed and ">Denver<" in listed
    assert "Phoenix: " not in listed  # covered by the organization-wide shift
    OnCallShift.objects.filter(clinic=None).delete()
    listed = client.get("/admin/oncall/oncallshift/").content.decode()
    assert "Phoenix: No on-call clinician can be paged now" in listed
    assert "Denver: " not in listed
