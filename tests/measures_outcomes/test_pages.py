"""What clinicians and directors see in the back office: the scores chart (questionnaires, mood and PHQ-2 by
text), the scores before each session on the day schedule and on the patient's page, and who sees none."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from clinic.accounts.models import AuditEvent
from clinic.accounts.roles import CLINICIAN
from clinic.core.models import Clinic
from clinic.measures.models import MeasurePlan
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, SeriesPlan
from tests.factories import PatientFactory
from tests.measures_outcomes.factories import (
    MOOD,
    PHQ2,
    Purpose,
    questionnaire_asked,
    questionnaire_done,
    series_of,
    staff_at,
    text_checkin,
)
from tests.measures_outcomes.svg import panels_of, svg_in
from tests.support.clock import local

pytestmark = pytest.mark.django_db


def signed_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def course(robin: Patient, induction: SeriesPlan, doctor: Provider) -> list[Appointment]:
    """Robin's induction: sessions on 30 Nov, 2 Dec and 7 Dec (today's, at 10:00); PHQ-9 18 before the first,
    12 before the third; GAD-7 asked as a baseline but never answered; mood 3 then 6 and a PHQ-2 of 4 by text."""
    series = series_of(robin, induction, doctor, [local(2026, 11, 30, 10), local(2026, 12, 2, 10)])
    questionnaire_done(robin, "phq9", 18, local(2026, 11, 28, 18), purpose=Purpose.BASELINE)
    questionnaire_asked(robin, "gad7", local(2026, 11, 28, 9))
    sessions = list(series.appointments.order_by("starts_at"))
    today = Appointment.objects.create(
        patient=robin,
        provider=doctor,
        session_type=induction.session_type,
        starts_at=local(2026, 12, 7, 10),
        ends_at=local(2026, 12, 7, 11, 45),
        status=Appointment.Status.SCHEDULED,
        series=series,
        series_position=3,
    )
    questionnaire_done(robin, "phq9", 12, local(2026, 12, 6, 19), purpose=Purpose.PRE_SESSION, appointment=today)
    text_checkin(sessions[0], MOOD, [3], local(2026, 12, 1, 10))
    text_checkin(sessions[1], MOOD, [6], local(2026, 12, 3, 10))
    text_checkin(sessions[1], PHQ2, [2, 2], local(2026, 12, 4, 10))
    return [*sessions, today]


def test_the_chart_draws_the_questionnaires_and_the_text_check_ins_for_clinicians(
    clinician: AbstractBaseUser, robin: Patient, course: list[Appointment]
) -> None:
    page = signed_in(clinician).get(f"/admin/measures/patient/{robin.pk}/scores/")

    assert page.status_code == 200
    html = page.content.decode()
    panels = panels_of(svg_in(html))
    assert list(panels) == ["phq9", "gad7", "mood", "phq2"]
    assert [p.value for p in panels["phq9"].points] == [18, 12]
    assert [p.value for p in panels["mood"].points] == [3, 6]
    assert [p.value for p in panels["phq2"].points] == [4]
    assert panels["gad7"].points == [] and [b.label for b in panels["gad7"].bands][-1] == "Severe"
    # One time axis: the PHQ-2 of 4 December lies between the PHQ-9s of 28 November and 6 December.
    assert (
        panels["phq9"].points[0].x
        < panels["mood"].points[0].x
        < panels["phq2"].points[0].x
        < panels["phq9"].points[1].x
    )
    assert "PHQ-9 12 (moderate), -6 from baseline 18" in html and "GAD-7: no baseline" in html
    assert "<caption>Scores, newest first" in html  # the data table that goes with the image
    assert (
        AuditEvent.objects.filter(
            actor=clinician,
            action="view",
            target_type="patients.Patient",
            target_id=str(robin.pk),
            detail="questionnaire scores chart page",
        ).count()
        == 1
    )


def test_front_desk_sees_no_chart_and_another_locations_clinician_finds_no_patient(
    front_desk: AbstractBaseUser, robin: Patient, course: list[Appointment], south: Clinic, north: Clinic
) -> None:
    assert signed_in(front_desk).get(f"/admin/measures/patient/{robin.pk}/scores/").status_code == 403
    elsewhere = signed_in(staff_at("southclinician", CLINICIAN, south))
    assert elsewhere.get(f"/admin/measures/patient/{robin.pk}/scores/").status_code == 404
    assert elsewhere.get("/admin/measures/patient/999999/scores/").status_code == 404
    here = signed_in(staff_at("northclinician", CLINICIAN, north))
    assert here.get(f"/admin/measures/patient/{robin.pk}/scores/").status_code == 200


def test_the_patient_page_adds_the_scores_panel_for_clinicians_beside_the_check_in_link(
    clinician: AbstractBaseUser, front_desk: AbstractBaseUser, robin: Patient, course: list[Appointment]
) -> None:
    with time_machine.travel(local(2026, 12, 7, 8), tick=False):
        clinical = signed_in(clinician).get(f"/admin/patients/patient/{robin.pk}/change/").content.decode()
        desk = signed_in(front_desk).get(f"/admin/patients/patient/{robin.pk}/change/").content.decode()

    assert "Questionnaire scores" in clinical and "Check-in scores" in clinical  # checkins' link stays
    assert "PHQ-9 12 (moderate), -6 from baseline 18" in clinical
    assert set(panels_of(svg_in(clinical))) == {"phq9", "gad7", "mood", "phq2"}
    assert "Questionnaire scores" not in desk and "measures-chart" not in desk and "PHQ-9" not in desk
    assert AuditEvent.objects.filter(actor=clinician, detail="questionnaire scores on the patient page").count() == 1
    assert not AuditEvent.objects.filter(actor=front_desk, detail__startswith="questionnaire scores").exists()


def test_the_day_schedule_shows_latest_scores_and_change_from_baseline_before_each_session(
    clinician: AbstractBaseUser,
    front_desk: AbstractBaseUser,
    robin: Patient,
    course: list[Appointment],
    north: Clinic,
    induction: SeriesPlan,
    doctor: Provider,
) -> None:
    # Sam's first session today, after a plan that asks a PHQ-9 baseline he has not answered.
    sam = PatientFactory(first_name="Sam", last_name="Ortiz", clinic=north)
    MeasurePlan.objects.create(session_type=induction.session_type, instrument="phq9", when=MeasurePlan.When.BASELINE)
    Appointment.objects.create(
        patient=sam,
        provider=doctor,
        session_type=induction.session_type,
        starts_at=local(2026, 12, 7, 14),
        ends_at=local(2026, 12, 7, 15, 45),
        status=Appointment.Status.SCHEDULED,
    )
    url = f"/admin/scheduling/schedule/?date=2026-12-07&clinic={north.pk}"

    with time_machine.travel(local(2026, 12, 7, 8), tick=False):
        clinical = signed_in(clinician).get(url)
        desk = signed_in(front_desk).get(url)

    assert clinical.status_code == desk.status_code == 200
    html = clinical.content.decode()
    assert "PHQ-9 12 (moderate), -6 from baseline 18" in html
    assert "GAD-7: no baseline" in html
    assert "Before each session" in html
    # Sam: the plan asks a PHQ-9 and nothing came back.
    sam_row = html[html.index("Sam Ortiz", html.index("Before each session")) :]
    assert "PHQ-9: no baseline" in sam_row[: sam_row.index("</tr>")]
    desk_html = desk.content.decode()
    assert "Questionnaire not answered yet" in desk_html
    for clinical_word in ("PHQ-9", "GAD-7", "baseline 18", "moderate"):
        assert clinical_word not in desk_html
    assert (
        AuditEvent.objects.filter(
            actor=clinician, action="list", detail="questionnaire scores on the day schedule: 2 patients"
        ).count()
        == 1
    )
    assert not AuditEvent.objects.filter(actor=front_desk, detail__startswith="questionnaire scores").exists()
