from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from clinic.accounts.roles import user_roles
from clinic.core.models import Clinic
from clinic.oncall.models import OnCallShift
from clinic.oncall.selectors import on_call_coverage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SeriesPlan, SessionType
from tests.factories import ClinicFactory, PatientFactory, SeriesPlanFactory

pytestmark = pytest.mark.django_db


def first_location() -> Clinic:
    first = Clinic.objects.order_by("pk").first()
    assert first is not None
    return first


def test_seed_demo_loads_a_clinic_and_prints_working_logins(capsys: pytest.CaptureFixture[str]) -> None:
    with override_settings(DEBUG=True):
        call_command("seed_demo")
        call_command("seed_demo")  # running it again changes nothing
    out = capsys.readouterr().out

    # The first location is the clinic the demo always had; two more in the west, one organization.
    clinic = first_location()
    assert clinic.timezone == "America/New_York"
    assert list(Clinic.objects.order_by("pk").values_list("name", "timezone")) == [
        ("Harbor Mind Clinic", "America/New_York"),
        ("Harbor Mind Denver", "America/Denver"),
        ("Harbor Mind Phoenix", "America/Phoenix"),
    ]
    assert len({location.organization_id for location in Clinic.objects.all()} - {None}) == 1
    assert Provider.objects.filter(clinic=clinic).count() == 2
    for location in Clinic.objects.all():
        assert Room.objects.filter(clinic=location, is_treatment_chair=True).count() == 2
        assert SessionType.objects.filter(clinic=location).count() == 6  # five, and the self-bookable video first call
        assert location.self_booking.enabled and location.self_booking.consult.session_type.mode == "video"
    infusion = SessionType.objects.get(clinic=clinic, slug="iv-infusion")
    assert (infusion.duration_minutes, infusion.monitoring_minutes, infusion.needs_driver) == (45, 60, True)
    assert SessionType.objects.get(clinic=clinic, slug="esketamine").monitoring_minutes >= 120
    for session_type in SessionType.objects.all():
        assert "ketamine" not in session_type.preparation_instructions.lower()
    assert all(provider.working_hours.exists() for provider in Provider.objects.all())
    plan = SeriesPlan.objects.get(session_type=infusion)
    assert (plan.sessions, plan.min_gap_hours, plan.max_span_days) == (6, 48, 21)
    assert plan.name == "IV induction: 6 infusions within 3 weeks"
    # Each demo patient has exactly one upcoming session, even after loading twice.
    upcoming = Appointment.objects.filter(starts_at__gt=timezone.now(), status=Appointment.Status.SCHEDULED)
    assert upcoming.count() == 3
    assert upcoming.get(session_type=infusion).room is not None
    # A rota: someone with consent is on call now, with a backup and a director behind them.
    coverage = on_call_coverage()
    assert not coverage.gap and [rung.pageable for rung in coverage.ladder[:3]] == [True, True, True]
    # Loading twice adds no shift: 15 days of organization-wide day and night shifts, and each western
    # location's own day shifts.
    assert OnCallShift.objects.filter(clinic=None).count() == 30
    for name in ("Harbor Mind Denver", "Harbor Mind Phoenix"):
        assert OnCallShift.objects.filter(clinic__name=name).count() == 15

    for role, username, password in (
        ("Front desk", "frontdesk", "demo-frontdesk-pass"),
        ("Clinician", "clinician", "demo-clinician-pass"),
        ("Clinic admin", "admin", "demo-admin-pass"),
    ):
        assert username in out and password in out
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password) and user.is_staff and user.is_active
        assert user_roles(user) == [role]


def test_seed_demo_refuses_without_debug() -> None:
    with override_settings(DEBUG=False), pytest.raises(Exception, match="DEBUG"):
        call_command("seed_demo")


def test_seed_demo_survives_what_staff_did_in_the_demo_and_keeps_their_changes() -> None:
    with override_settings(DEBUG=True):
        call_command("seed_demo")
    jordan = Patient.objects.get(phone="+16175550142")
    # A partner on the same number, another clinic, a copied plan, a changed on-call phone and
    # renamed locations, a provider's own hours: a day of staff work in `make run`.
    partner = PatientFactory(first_name="Riley", last_name="Avery", phone="+16175550142")
    PatientFactory(first_name="Jordan", last_name="Avery", phone="+16175550142")  # a look-alike, added later
    Clinic.objects.filter(pk=first_location().pk).update(on_call_phone="+16175550177", name="Harbor Mind, Boston")
    Clinic.objects.filter(name="Harbor Mind Denver").update(name="Harbor Mind, Denver")
    ClinicFactory(name="Harbor Mind Clinic")
    plan = SeriesPlan.objects.get(session_type__slug="iv-infusion", clinic=first_location())
    SeriesPlanFactory(name=plan.name, session_type=plan.session_type)
    reyes = Provider.objects.get(user__username="dr.reyes")
    reyes.working_hours.filter(weekday=0).delete()

    with override_settings(DEBUG=True):
        call_command("seed_demo")
        call_command("seed_demo")

    first_clinic = first_location()
    assert (first_clinic.name, first_clinic.on_call_phone) == ("Harbor Mind, Boston", "+16175550177")
    # The renamed Denver location is found again by its number: no second Denver.
    assert Clinic.objects.count() == 4
    assert Clinic.objects.filter(timezone="America/Denver").get().name == "Harbor Mind, Denver"
    assert not reyes.working_hours.filter(weekday=0).exists()
    upcoming = Appointment.objects.filter(starts_at__gt=timezone.now(), status=Appointment.Status.SCHEDULED)
    assert upcoming.filter(patient=jordan).count() == 1
    assert not upcoming.filter(patient=partner).exists()
    assert upcoming.count() == 3
