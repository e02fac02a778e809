"""The back office's home page opens with any open urgent alert; /readyz and the home page show on-call gaps."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from clinic.checkins.models import Alert
from clinic.core.models import Clinic
from clinic.oncall.models import OnCallClinician
from clinic.patients.models import Patient
from tests.factories import AlertFactory, OnCallClinicianFactory, OnCallShiftFactory, UserFactory
from tests.support.clock import local
from tests.support.phones import PHONE
from tests.support.sandbox import patient_texts

pytestmark = pytest.mark.django_db
NIGHT = local(2026, 12, 8, 3, 0)
NOW = NIGHT + datetime.timedelta(minutes=12)
CRISIS_WORDS = "i want to end my life"


@pytest.fixture
def on_call(clinic: Clinic) -> OnCallClinician:
    user = UserFactory(username="dr.reyes", first_name="Maria", last_name="Reyes", role="Clinician")
    clinician = OnCallClinicianFactory(user=user, mobile_phone="+16175550301")
    OnCallShiftFactory(clinician=clinician, starts_at=local(2026, 12, 7, 18), ends_at=local(2026, 12, 8, 8))
    return clinician


@pytest.fixture
def crisis(client: Client, patient: Patient, on_call: OnCallClinician) -> Alert:
    AlertFactory(patient=patient, opened_at=NIGHT)  # an elevated alert is not in the banner
    with time_machine.travel(NIGHT, tick=False):
        patient_texts(client, CRISIS_WORDS)
    return Alert.objects.get(reason=Alert.Reason.CRISIS)


def home_as(user: AbstractBaseUser) -> str:
    client = Client()
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["clinician", "clinic_admin"])
def test_clinicians_and_admins_see_the_alert_first_with_its_age_who_was_paged_and_a_link(
    request: pytest.FixtureRequest, role: str, crisis: Alert, patient: Patient
) -> None:
    page = home_as(request.getfixturevalue(role))
    assert 'id="urgent-alerts"' in page
    banner = page[page.index('id="urgent-alerts"') : page.index("</section>")]
    # First thing on the page: before the title and every app list.
    assert page.index('id="urgent-alerts"') < page.index("Triage, patients and scheduling</h1>")
    assert page.index('id="urgent-alerts"') < page.index('class="app-')
    assert "1 urgent alert open, the oldest for 12 min" in banner
    assert f'href="/admin/checkins/alert/{crisis.pk}/change/"' in banner
    assert "Maria Reyes" in banner and "round 1" in banner
    for private in (patient.first_name, patient.last_name, PHONE, CRISIS_WORDS):
        assert private not in banner


def test_front_desk_sees_that_one_is_open_and_for_how_long_but_nothing_of_it(
    front_desk: AbstractBaseUser, crisis: Alert, patient: Patient
) -> None:
    page = home_as(front_desk)
    banner = page[page.index('id="urgent-alerts"') : page.index("</section>")]
    assert "1 urgent alert open, the oldest for 12 min" in banner
    assert "/admin/checkins/alert/" not in page
    assert "Crisis" not in banner and "Maria Reyes" not in banner
    for private in (patient.first_name, patient.last_name, PHONE, CRISIS_WORDS):
        assert private not in page


def test_no_banner_once_acknowledged_and_none_for_elevated_alerts(clinician: AbstractBaseUser, crisis: Alert) -> None:
    Alert.objects.filter(pk=crisis.pk).update(acknowledged_at=NOW, note="Called.")
    page = home_as(clinician)
    assert 'id="urgent-alerts"' not in page
    assert 'id="on-call-now"' in page and "Maria Reyes" in page


def test_a_gap_in_the_rota_is_loud_on_the_home_page_and_in_readyz(
    client: Client, clinic: Clinic, clinician: AbstractBaseUser, front_desk: AbstractBaseUser
) -> None:
    director = OnCallClinicianFactory(
        user=UserFactory(username="dr.director", first_name="Ada", last_name="Stone", role="Clinician"),
        mobile_phone="+16175550303",
        is_medical_director=True,
    )
    assert director.has_sms_consent
    for user in (clinician, front_desk):
        page = home_as(user)
        assert 'id="on-call-gap"' in page and "urgent alerts go first to the medical director" in page
    with time_machine.travel(NOW, tick=False):
        ready = client.get("/readyz")
    assert ready.status_code == 200  # a 503 would pull the web server, and patients' crisis replies, out of service
    assert ready.json()["on_call"] == {
        "covering": "director",
        "gap": True,
        "problems": ["on_call: nobody on call", "backup: no backup"],
        "warning": "No on-call clinician can be paged now: urgent alerts go first to the medical director.",
    }
    assert "Stone" not in ready.content.decode() and "+1617" not in ready.content.decode()


def test_readyz_says_nobody_can_be_paged_when_the_rota_is_empty(client: Client, clinic: Clinic) -> None:
    clinic.on_call_phone = ""
    clinic.save()
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["on_call"]["covering"] is None and body["on_call"]["gap"] is True
    assert body["on_call"]["warning"].startswith("Nobody can be paged")


def test_readyz_names_the_step_covering_now(client: Client, on_call: OnCallClinician) -> None:
    with time_machine.travel(NOW, tick=False):
        body = client.get("/readyz").json()
    assert body["on_call"] == {
        "covering": "on_call",
        "gap": False,
        "problems": ["backup: no backup", "director: no medical director"],
        "warning": "",
    }
