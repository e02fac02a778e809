"""The monitoring record as a clinician fills it: warnings that never block, impossible values refused by
field, every read audited, and the filled form printed and downloaded as a PDF with the record's values."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractBaseUser, User
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.rems.models import MonitoringRecord, RemsLocationSettings
from clinic.scheduling.models import Appointment
from tests.rems.factories import RemsSite, record_values, rems_session, rems_site_build
from tests.support.clock import NY

pytestmark = pytest.mark.django_db

STARTS = datetime.datetime(2026, 12, 1, 10, tzinfo=NY)


@pytest.fixture
def site() -> RemsSite:
    return rems_site_build()


@pytest.fixture
def session(site: RemsSite) -> Appointment:
    return rems_session(site, STARTS)


def _url(appointment: Appointment) -> str:
    return f"/api/v1/appointments/{appointment.pk}/monitoring-record/"


def _codes(body: dict[str, object]) -> list[str]:
    warnings = body["warnings"]
    assert isinstance(warnings, list)
    return [warning["code"] for warning in warnings]


def test_a_complete_unremarkable_record_saves_without_warnings_and_reads_back(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: User, session: Appointment
) -> None:
    client = api_as(clinician)
    saved = client.put(_url(session), record_values(STARTS, clinician), format="json")
    assert saved.status_code == 200, saved.json()
    assert _codes(saved.json()) == []
    read = client.get(_url(session)).json()
    assert read["dose_mg"] == 84
    assert read["lot_number"] == "LOT-7781A"
    assert (read["bp_40_systolic"], read["bp_40_diastolic"]) == (139, 88)
    assert read["discharge_decided_by"]["username"] == clinician.username
    assert read["deadline"]["due_day"] == "2026-12-08"


def test_a_high_pre_dose_reading_an_early_discharge_and_no_40_minute_reading_warn_but_save(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: User, session: Appointment
) -> None:
    first = STARTS + datetime.timedelta(minutes=5)
    values = record_values(
        STARTS,
        clinician,
        bp_pre_systolic=152,
        bp_pre_diastolic=94,
        bp_40_systolic=None,
        bp_40_diastolic=None,
        bp_40_at=None,
        discharged_at=first + datetime.timedelta(minutes=95),
        bp_discharge_at=first + datetime.timedelta(minutes=90),
    )
    saved = api_as(clinician).put(_url(session), values, format="json")
    assert saved.status_code == 200
    assert set(_codes(saved.json())) == {"bp_pre_high", "bp_40_missing", "discharge_early"}
    record = MonitoringRecord.objects.get(appointment=session)
    assert record.bp_pre_systolic == 152  # saved: the clinician decides
    assert {warning["code"] for warning in record.warnings} == {"bp_pre_high", "bp_40_missing", "discharge_early"}
    event = AuditEvent.objects.filter(target_type="rems.MonitoringRecord", target_id=str(record.pk)).first()
    assert event is not None and "bp_pre_high" in event.detail and "discharge_early" in event.detail


def test_the_threshold_is_the_locations_own(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: User, site: RemsSite, session: Appointment
) -> None:
    values = record_values(STARTS, clinician, bp_pre_systolic=145, bp_pre_diastolic=92)
    assert "bp_pre_high" in _codes(api_as(clinician).put(_url(session), values, format="json").json())
    RemsLocationSettings.objects.create(clinic=site.clinic, systolic_max=150, diastolic_max=95)
    assert _codes(api_as(clinician).put(_url(session), values, format="json").json()) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bp_pre_systolic": 400, "bp_pre_diastolic": 20}, "bp_pre_systolic"),
        ({"bp_40_systolic": 120, "bp_40_diastolic": 130}, "bp_40_diastolic"),
        ({"discharged_at": STARTS - datetime.timedelta(minutes=30)}, "discharged_at"),
        ({"dose_mg": 0}, "dose_mg"),
        ({"bp_discharge_at": STARTS + datetime.timedelta(days=3)}, "bp_discharge_at"),
        ({"sedation": "asleep"}, "sedation"),
        ({"bp_pre_systolic": "high"}, "bp_pre_systolic"),
    ],
)
def test_impossible_values_are_a_400_naming_the_field_and_change_nothing(
    api_as: Callable[[AbstractBaseUser], APIClient],
    clinician: User,
    session: Appointment,
    changes: dict[str, object],
    field: str,
) -> None:
    client = api_as(clinician)
    assert client.put(_url(session), record_values(STARTS, clinician), format="json").status_code == 200
    refused = client.put(_url(session), record_values(STARTS, clinician, **changes), format="json")
    assert refused.status_code == 400
    assert field in refused.json()
    assert MonitoringRecord.objects.get(appointment=session).bp_pre_systolic == 128


def test_a_form_marked_submitted_records_who_and_when_once_and_then_no_longer_changes(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: User, clinic_admin: User, session: Appointment
) -> None:
    client = api_as(clinician)
    incomplete = client.put(_url(session), record_values(STARTS, clinician, lot_number=""), format="json")
    assert incomplete.status_code == 200
    refused = client.post(_url(session) + "submitted/", {"reference": "RX-1"}, format="json")
    assert refused.status_code == 400 and "lot_number" in refused.json()
    client.put(_url(session), record_values(STARTS, clinician), format="json")
    marked = client.post(_url(session) + "submitted/", {"reference": "REMS-55120"}, format="json")
    assert marked.status_code == 200
    assert marked.json()["submitted_by"]["username"] == clinician.username
    assert marked.json()["submission_reference"] == "REMS-55120"
    again = api_as(clinic_admin).post(_url(session) + "submitted/", {"reference": "other"}, format="json")
    assert again.status_code == 409
    assert again.json()["submission_reference"] == "REMS-55120"
    assert client.put(_url(session), record_values(STARTS, clinician), format="json").status_code == 400


def test_every_read_is_audited(
    api_as: Callable[[AbstractBaseUser], APIClient], clinician: User, session: Appointment
) -> None:
    client = api_as(clinician)
    client.put(_url(session), record_values(STARTS, clinician), format="json")
    record = MonitoringRecord.objects.get(appointment=session)
    office = Client()
    office.force_login(clinician)
    before = AuditEvent.objects.count()
    assert client.get(_url(session)).status_code == 200
    assert client.get("/api/v1/rems/forms/").status_code == 200
    assert office.get(f"/admin/rems/monitoringrecord/{record.pk}/change/").status_code == 200
    assert office.get(f"/admin/rems/monitoringrecord/{record.pk}/print/").status_code == 200
    assert office.get(f"/admin/rems/monitoringrecord/{record.pk}/pdf/").status_code == 200
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(event.action, event.actor_id) for event in events] == [
        ("view", clinician.pk),
        ("list", clinician.pk),
        ("view", clinician.pk),
        ("view", clinician.pk),
        ("view", clinician.pk),
    ]
    assert [event.detail for event in events if event.target_id == str(record.pk)] == [
        "api",
        "opened in admin",
        "printed form",
        "downloaded PDF",
    ]


def test_the_pdf_and_the_print_page_carry_the_records_values(clinician: User, session: Appointment) -> None:
    client = APIClient()
    client.force_authenticate(clinician)
    client.put(_url(session), record_values(STARTS, clinician, bp_pre_systolic=151, bp_pre_diastolic=93), format="json")
    record = MonitoringRecord.objects.get(appointment=session)
    office = Client()
    office.force_login(clinician)
    download = office.get(f"/admin/rems/monitoringrecord/{record.pk}/pdf/")
    assert download["Content-Type"] == "application/pdf"
    assert "Nora" not in download["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(download.content), strict=True).pages)
    for expected in (
        "First name: Nora",
        "Last name: Harborson",
        "Birthdate: 02/03/1980",
        "Treatment date: 12/01/2026",
        "Dose administered: 84 mg",
        "Lot number: LOT-7781A",
        "Blood pressure before administration: 151/93 mmHg at 10:02",
        "Blood pressure about 40 minutes after: 139/88 mmHg at 10:45",
        "Sedation: Yes (mild)",
        "Dissociation: Yes (moderate)",
        "Respiratory depression: No",
        "Total time (first device to end of monitoring): 130 minutes",
        "Psychostimulants: Yes",
        "Name: Harbor Mind Clinic",
        "above this location's threshold",
        "never submits anything to the REMS",
    ):
        assert expected in text, expected
    page = office.get(f"/admin/rems/monitoringrecord/{record.pk}/print/").content.decode()
    assert "LOT-7781A" in page and "151/93 mmHg" in page and "Harborson" in page


def _admin_form(values: dict[str, object]) -> dict[str, object]:
    """The admin's change form as a browser posts it: date and time apart, in the location's zone."""
    form: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, str) and "T" in value and name.endswith("_at"):
            moment = datetime.datetime.fromisoformat(value).astimezone(NY)
            form[f"{name}_0"], form[f"{name}_1"] = f"{moment:%Y-%m-%d}", f"{moment:%H:%M:%S}"
        elif isinstance(value, bool):
            form[name] = "true" if value else "false"
        else:
            form[name] = "" if value is None else value
    return form


def test_the_admin_form_shows_warnings_after_saving_and_refuses_impossible_values_on_their_field(
    clinician: User, session: Appointment
) -> None:
    office = Client()
    office.force_login(clinician)
    added = office.post(
        "/admin/rems/monitoringrecord/add/",
        {"appointment": session.pk, **_admin_form(record_values(STARTS, clinician, bp_pre_systolic=158))},
        follow=True,
    )
    assert added.status_code == 200
    shown = [str(message) for message in added.context["messages"]]
    assert any("above this location's threshold" in message for message in shown), shown
    record = MonitoringRecord.objects.get(appointment=session)
    assert [warning["code"] for warning in record.warnings] == ["bp_pre_high"]
    assert record.updated_by == clinician and record.discharge_decided_by == clinician

    values = record_values(STARTS, clinician, discharged_at=STARTS - datetime.timedelta(minutes=10))
    refused = office.post(f"/admin/rems/monitoringrecord/{record.pk}/change/", _admin_form(values))
    assert refused.status_code == 200
    assert "before dosing" in str(refused.context["adminform"].form.errors["discharged_at"])
    record.refresh_from_db()
    assert record.discharged_at == STARTS + datetime.timedelta(minutes=135)
