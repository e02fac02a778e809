"""Who sees what: clinicians read alerts and scores (API and admin); front desk sees neither, only its own tasks."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.checkins.models import Alert, CheckIn
from clinic.checkins.services import checkins_start_for
from clinic.patients.models import Patient
from clinic.scheduling.models import SessionType
from clinic.todos.models import StaffTask
from clinic.todos.services import staff_task_open
from tests.factories import AlertFactory, PatientFactory, completed_session
from tests.support.clock import local
from tests.support.sandbox import patient_texts, provider_accepts

pytestmark = pytest.mark.django_db
ApiAs = Callable[[AbstractBaseUser], APIClient]


@pytest.fixture
def history(client: Client, infusion: SessionType, patient: Patient) -> Patient:
    """A week of answers (mood 7, then 2; PHQ-2 1 + 2) and a crisis text: three alerts."""
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
    for step_key, at, answers in [
        ("mood:d1", local(2026, 12, 8, 10), ["7"]),
        ("mood:d3", local(2026, 12, 10, 10), ["2"]),
        ("phq2:d7", local(2026, 12, 14, 10), ["1", "2"]),
    ]:
        with time_machine.travel(at, tick=False):
            message = CheckIn.objects.get(step_key=step_key).message
            assert message is not None
            provider_accepts(message)
            for answer in answers:
                patient_texts(client, answer)
    with time_machine.travel(local(2026, 12, 15, 2, 30), tick=False):
        patient_texts(client, "i want to die")
    return patient


def test_clinicians_list_alerts_open_first_urgent_first_with_what_the_patient_wrote(
    api_as: ApiAs, clinician: AbstractBaseUser, history: Patient
) -> None:
    AlertFactory(patient=history, opened_at=local(2026, 12, 1, 9), acknowledged_at=local(2026, 12, 1, 10))

    response = api_as(clinician).get("/api/v1/alerts/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(a["urgency"], a["reason"], a["is_open"]) for a in results] == [
        ("urgent", "crisis", True),
        ("elevated", "phq2_positive", True),
        ("elevated", "low_mood", True),
        ("elevated", "low_mood", False),
    ]
    crisis = results[0]
    assert crisis["message"]["body"] == "i want to die"
    assert crisis["patient"]["first_name"] == "Robin"
    assert crisis["link"].endswith(f"/admin/checkins/alert/{crisis['id']}/change/")
    assert results[2]["answer"]["score"] == 2 and results[2]["answer"]["raw_text"] == "2"

    open_only = api_as(clinician).get("/api/v1/alerts/", {"state": "open"}).json()["results"]
    assert len(open_only) == 3
    assert api_as(clinician).get("/api/v1/alerts/", {"state": "nonsense"}).status_code == 400


def test_reading_alerts_is_audited_without_scores_or_words(
    api_as: ApiAs, clinician: AbstractBaseUser, history: Patient
) -> None:
    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    api_as(clinician).get("/api/v1/alerts/")
    api_as(clinician).get(f"/api/v1/alerts/{alert.pk}/")
    api_as(clinician).get(f"/api/v1/patients/{history.pk}/scores/")

    events = list(AuditEvent.objects.filter(actor=clinician).order_by("id"))
    assert [(e.action, e.target_type, e.target_id, e.detail) for e in events] == [
        ("list", "checkins.Alert", "", "3 alerts listed"),
        ("view", "checkins.Alert", str(alert.pk), ""),
        ("view", "patients.Patient", str(history.pk), "check-in scores"),
    ]


def test_acknowledging_needs_a_note_and_happens_once(
    api_as: ApiAs, clinician: AbstractBaseUser, clinic_admin: AbstractBaseUser, history: Patient
) -> None:
    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    url = f"/api/v1/alerts/{alert.pk}/acknowledge/"

    assert api_as(clinician).post(url, {"note": ""}, format="json").status_code == 400
    first = api_as(clinician).post(url, {"note": "Called her; safety plan reviewed."}, format="json")
    second = api_as(clinic_admin).post(url, {"note": "me too"}, format="json")

    assert first.status_code == 200 and first.json()["is_open"] is False
    assert first.json()["acknowledged_by"]["username"] == "clinician"
    assert second.status_code == 409 and second.json()["note"] == "Called her; safety plan reviewed."
    assert AuditEvent.objects.filter(target_type="checkins.Alert", action="update", detail="acknowledged").count() == 1


def test_scores_over_time(api_as: ApiAs, clinician: AbstractBaseUser, history: Patient) -> None:
    body = api_as(clinician).get(f"/api/v1/patients/{history.pk}/scores/").json()

    assert [(p["score"], p["at"][:10]) for p in body["mood"]] == [(7, "2026-12-08"), (2, "2026-12-10")]
    assert [(p["total"], p["items"]) for p in body["phq2"]] == [(3, [1, 2])]
    assert [a["reason"] for a in body["alerts"]] == ["low_mood", "phq2_positive", "crisis"]
    assert api_as(clinician).get("/api/v1/patients/999999/scores/").status_code == 404


def test_front_desk_sees_no_alerts_scores_or_answers(
    api_as: ApiAs, front_desk: AbstractBaseUser, history: Patient
) -> None:
    desk = api_as(front_desk)
    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    assert desk.get("/api/v1/alerts/").status_code == 403
    assert desk.get(f"/api/v1/alerts/{alert.pk}/").status_code == 403
    assert desk.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "x"}, format="json").status_code == 403
    assert desk.get(f"/api/v1/patients/{history.pk}/scores/").status_code == 403
    assert APIClient().get("/api/v1/alerts/").status_code == 401


def test_tasks_front_desk_sees_only_non_clinical_ones_and_marks_them_done_once(
    api_as: ApiAs, front_desk: AbstractBaseUser, clinician: AbstractBaseUser, patient: Patient
) -> None:
    ride = staff_task_open(kind=StaffTask.Kind.DRIVER_UNCONFIRMED, patient=patient, key="driver:1", detail="Call")
    unread = staff_task_open(kind=StaffTask.Kind.UNPARSED_ANSWER, patient=patient, key="unread:1", detail="Read")
    desk, doctor = api_as(front_desk), api_as(clinician)

    assert [t["id"] for t in desk.get("/api/v1/tasks/").json()["results"]] == [ride.pk]
    assert {t["id"] for t in doctor.get("/api/v1/tasks/").json()["results"]} == {ride.pk, unread.pk}
    assert desk.post(f"/api/v1/tasks/{unread.pk}/done/").status_code == 404

    first = desk.post(f"/api/v1/tasks/{ride.pk}/done/").json()
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1), tick=False):
        second = doctor.post(f"/api/v1/tasks/{ride.pk}/done/").json()
    assert first["done_at"] == second["done_at"] and second["done_by"]["username"] == "frontdesk"
    assert desk.get("/api/v1/tasks/", {"state": "open"}).json()["results"] == []


# --- Admin --------------------------------------------------------------------------------------


def admin_as(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_clinician_opens_the_paged_link_and_acknowledges_with_a_note(
    clinician: AbstractBaseUser, front_desk: AbstractBaseUser, history: Patient
) -> None:
    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    url = f"/admin/checkins/alert/{alert.pk}/change/"

    assert admin_as(front_desk).get(url).status_code == 403
    page = admin_as(clinician).get(url)
    assert page.status_code == 200
    assert "i want to die" in page.content.decode() and "check-in scores" in page.content.decode()

    refused = admin_as(clinician).post(url, {"note": ""})
    assert refused.status_code == 200 and "Write what you did" in refused.content.decode()
    saved = admin_as(clinician).post(url, {"note": "Called, patient safe, follow-up booked."})
    assert saved.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinician and alert.note == "Called, patient safe, follow-up booked."


def test_admin_action_acknowledges_selected_alerts_with_one_note(clinician: AbstractBaseUser, history: Patient) -> None:
    ids = [str(pk) for pk in Alert.objects.filter(urgency="elevated").values_list("pk", flat=True)]
    changelist = "/admin/checkins/alert/"
    form = {"action": "acknowledge_selected", "_selected_action": ids}
    asked = admin_as(clinician).post(changelist, form)
    assert asked.status_code == 200 and "What you did" in asked.content.decode()

    done = admin_as(clinician).post(changelist, {**form, "apply": "1", "note": "Reviewed both; calling today."})
    assert done.status_code == 302
    assert set(Alert.objects.filter(pk__in=ids).values_list("note", flat=True)) == {"Reviewed both; calling today."}


def test_scores_page_draws_the_chart_for_clinicians_only(
    clinician: AbstractBaseUser, front_desk: AbstractBaseUser, history: Patient
) -> None:
    url = f"/admin/checkins/checkin/patient/{history.pk}/scores/"
    assert admin_as(front_desk).get(url).status_code == 403

    page = admin_as(clinician).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="mood-dot"') == 2 and html.count('class="phq-bar"') == 1
    assert html.count('class="alert-mark"') == 3
    assert "mood 2/10" in html and "low (0-3)" in html and "positive (≥3)" in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert AuditEvent.objects.filter(actor=clinician, detail="check-in scores").count() == 1


def test_a_patients_words_are_escaped_on_the_scores_page(
    client: Client, clinician: AbstractBaseUser, infusion: SessionType
) -> None:
    patient = PatientFactory(first_name="<b>Bo</b>", phone="+16175550143", sms_consent_at=local(2026, 12, 1, 9))
    url = f"/admin/checkins/checkin/patient/{patient.pk}/scores/"
    assert "No check-in answers yet." in admin_as(clinician).get(url).content.decode()

    with time_machine.travel(local(2026, 12, 8, 10), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
        message = CheckIn.objects.get(step_key="mood:d1").message
        assert message is not None
        provider_accepts(message)
        patient_texts(client, "<script>alert(1)</script>", from_number=patient.phone)

    page = admin_as(clinician).get(url).content.decode()
    assert "<b>Bo</b>" not in page and "&lt;b&gt;Bo&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_the_patient_page_links_to_the_scores_for_clinicians(
    clinician: AbstractBaseUser, front_desk: AbstractBaseUser, patient: Patient
) -> None:
    link = f"/admin/checkins/checkin/patient/{patient.pk}/scores/"
    assert link in admin_as(clinician).get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()
    assert link not in admin_as(front_desk).get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()


def test_front_desk_admin_lists_only_non_clinical_tasks(front_desk: AbstractBaseUser, patient: Patient) -> None:
    staff_task_open(kind=StaffTask.Kind.DRIVER_UNCONFIRMED, patient=patient, key="driver:9", detail="Call about ride")
    staff_task_open(kind=StaffTask.Kind.NO_ANSWER, patient=patient, key="no-answer:9", detail="Contact patient")
    html = admin_as(front_desk).get("/admin/todos/stafftask/").content.decode()
    assert "Call about ride" in html and "Contact patient" not in html
    assert admin_as(front_desk).get("/admin/checkins/checkin/").status_code == 403
