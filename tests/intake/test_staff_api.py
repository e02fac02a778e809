from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.intake.models import Inquiry, Screening
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, InquiryFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/staff/inquiries/"
ApiAs = Callable[[AbstractBaseUser], APIClient]


def detail(inquiry: Inquiry, suffix: str = "") -> str:
    return f"{BASE}{inquiry.reference}/{suffix}"


def test_anonymous_callers_cannot_reach_triage(api: APIClient) -> None:
    inquiry = InquiryFactory()
    assert api.get(BASE).status_code == 401
    assert api.get(detail(inquiry)).status_code == 401
    assert api.post(detail(inquiry, "transition/"), {"status": "contacted"}).status_code == 401


def test_a_user_without_a_role_is_refused(api_as: ApiAs) -> None:
    nobody = UserFactory(username="nobody", is_staff=True)
    assert api_as(nobody).get(BASE).status_code == 403
    not_staff = UserFactory(username="patientuser", is_staff=False)
    assert api_as(not_staff).get(BASE).status_code == 403


def test_list_filters_and_search(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    a = InquiryFactory(first_name="Ruth", last_name="Okafor", phone="+16175550111", email="ruth@example.com")
    a.reasons.set(["depression"])
    b = InquiryFactory(first_name="Sam", last_name="Berg", status=Inquiry.Status.CONTACTED, assigned_to=front_desk)
    b.reasons.set(["ptsd", "anxiety"])
    client = api_as(front_desk)

    def refs(**params: Any) -> set[str]:
        response = client.get(BASE, params)
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    assert refs() == {a.reference, b.reference}
    assert refs(status="contacted") == {b.reference}
    assert refs(reason="ptsd") == {b.reference}
    assert refs(assigned_to=front_desk.pk) == {b.reference}
    assert refs(assigned_to="none") == {a.reference}
    assert refs(search="okaf") == {a.reference}
    assert refs(search="(617) 555-0111") == {a.reference}
    assert refs(search="RUTH@EXAMPLE") == {a.reference}
    assert refs(search=b.reference.lower()) == {b.reference}
    assert refs(created_from="2000-01-01", created_to="2999-01-01") == {a.reference, b.reference}
    assert refs(created_to="2000-01-01") == set()


def test_bad_filters_are_400s(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    client = api_as(front_desk)
    response = client.get(BASE, {"status": "bogus", "created_from": "yesterday", "assigned_to": "bob"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "created_from", "assigned_to"}


def test_detail_shows_the_inquiry_and_is_audited(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory(message="Looking for help", phone="+16175550123")
    response = api_as(front_desk).get(detail(inquiry), REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Looking for help"
    assert body["allowed_transitions"] == ["contacted", "screening", "closed"]
    event = AuditEvent.objects.get(action="view", target_type="intake.Inquiry")
    assert event.actor == front_desk
    assert event.target_id == str(inquiry.pk)
    assert event.ip_address == "198.51.100.7"
    assert "Looking for help" not in event.detail and "555" not in event.detail


def test_unknown_reference_is_404(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    assert api_as(front_desk).get(f"{BASE}INQ-NOPE0000/").status_code == 404


def test_staff_can_correct_contact_details(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory()
    response = api_as(front_desk).patch(detail(inquiry), {"phone": "617 555 0999", "reasons": ["ocd"]}, format="json")

    assert response.status_code == 200, response.content
    inquiry.refresh_from_db()
    assert inquiry.phone == "+16175550999"
    assert list(inquiry.reasons.values_list("code", flat=True)) == ["ocd"]
    assert AuditEvent.objects.filter(action="update", target_id=str(inquiry.pk)).exists()


def test_update_refuses_bad_values_and_status_changes(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory(email="")
    client = api_as(front_desk)
    assert client.patch(detail(inquiry), {"phone": "123"}, format="json").status_code == 400
    response = client.patch(detail(inquiry), {"preferred_contact_method": "email"}, format="json")
    assert response.status_code == 400 and "email" in response.json()
    client.patch(detail(inquiry), {"status": "closed"}, format="json")
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEW


def test_transitions_follow_the_triage_path(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory()
    client = api_as(front_desk)

    response = client.post(detail(inquiry, "transition/"), {"status": "eligible"}, format="json")
    assert response.status_code == 400
    assert "Allowed: contacted, screening, closed" in response.json()["status"][0]

    response = client.post(detail(inquiry, "transition/"), {"status": "contacted", "note": "Left voicemail"})
    assert response.status_code == 200
    assert response.json()["status"] == "contacted"
    assert response.json()["notes"][0]["body"] == "Left voicemail"

    response = client.post(detail(inquiry, "transition/"), {"status": "converted"}, format="json")
    assert response.status_code == 400
    assert "convert" in response.json()["status"][0]


def test_transition_twice_is_refused_the_second_time(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory()
    client = api_as(front_desk)
    assert client.post(detail(inquiry, "transition/"), {"status": "closed"}).status_code == 200
    response = client.post(detail(inquiry, "transition/"), {"status": "closed"})
    assert response.status_code == 400
    assert "Allowed: new" in response.json()["status"][0]


def test_assign_and_unassign(api_as: ApiAs, front_desk: AbstractBaseUser, clinician: AbstractBaseUser) -> None:
    inquiry = InquiryFactory()
    client = api_as(front_desk)

    response = client.post(detail(inquiry, "assign/"), {"assignee": clinician.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["assigned_to"]["username"] == "clinician"
    assert client.post(detail(inquiry, "assign/"), {"assignee": 999999}, format="json").status_code == 400
    assert client.post(detail(inquiry, "assign/"), {"assignee": None}, format="json").status_code == 200
    inquiry.refresh_from_db()
    assert inquiry.assigned_to is None


def test_notes_can_be_added_and_read(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory()
    client = api_as(front_desk)

    assert client.post(detail(inquiry, "notes/"), {"body": ""}, format="json").status_code == 400
    response = client.post(detail(inquiry, "notes/"), {"body": "Prefers afternoons"}, format="json")
    assert response.status_code == 201
    notes = client.get(detail(inquiry, "notes/")).json()
    assert [n["body"] for n in notes] == ["Prefers afternoons"]
    assert notes[0]["author"]["username"] == "frontdesk"


def screening_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = dict.fromkeys(Screening.CONTRAINDICATIONS, False)
    payload.update(result="eligible", notes="BP 124/78")
    payload.update(overrides)
    return payload


def test_screening_is_for_clinicians_not_front_desk(
    api_as: ApiAs, front_desk: AbstractBaseUser, clinician: AbstractBaseUser
) -> None:
    inquiry = InquiryFactory(status=Inquiry.Status.CONTACTED)
    assert api_as(front_desk).put(detail(inquiry, "screening/"), screening_payload(), format="json").status_code == 403
    assert api_as(front_desk).get(detail(inquiry, "screening/")).status_code == 403
    response = api_as(clinician).put(detail(inquiry, "screening/"), screening_payload(), format="json")
    assert response.status_code == 200, response.content
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ELIGIBLE
    assert api_as(clinician).get(detail(inquiry, "screening/")).json()["screened_by"]["username"] == "clinician"


def test_eligible_with_a_contraindication_is_refused(api_as: ApiAs, clinician: AbstractBaseUser) -> None:
    inquiry = InquiryFactory(status=Inquiry.Status.SCREENING)
    client = api_as(clinician)
    response = client.put(detail(inquiry, "screening/"), screening_payload(pregnancy=True), format="json")
    assert response.status_code == 400
    assert "pregnancy" in response.json()["result"][0]

    response = client.put(
        detail(inquiry, "screening/"), screening_payload(pregnancy=True, result="not_eligible"), format="json"
    )
    assert response.status_code == 200
    assert response.json()["contraindications_present"] == ["pregnancy"]
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NOT_ELIGIBLE


def test_convert_creates_a_patient_with_contact_details_and_consent(
    api_as: ApiAs, front_desk: AbstractBaseUser
) -> None:
    ClinicFactory(timezone="America/Chicago")
    inquiry = InquiryFactory(status=Inquiry.Status.ELIGIBLE, phone="+16175550142", email="dana@example.com")
    Inquiry.objects.filter(pk=inquiry.pk).update(
        sms_consent=True, sms_consent_version="2026-11-v1", sms_consent_source="web_form"
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(sms_consent_at="2026-11-20T15:00:00Z")
    client = api_as(front_desk)

    response = client.post(detail(inquiry, "convert/"))
    assert response.status_code == 201, response.content
    patient = Patient.objects.get(pk=response.json()["patient_id"])
    assert (patient.first_name, patient.phone, patient.email) == (
        inquiry.first_name,
        "+16175550142",
        "dana@example.com",
    )
    assert patient.timezone == "America/Chicago"
    assert patient.sms_consent_version == "2026-11-v1" and patient.sms_consent_source == "web_form"
    assert patient.sms_consent_at is not None
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CONVERTED and inquiry.patient == patient

    again = client.post(detail(inquiry, "convert/"))
    assert again.status_code == 400
    assert Patient.objects.count() == 1


def test_convert_needs_an_eligible_inquiry(api_as: ApiAs, front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory(status=Inquiry.Status.SCREENING)
    response = api_as(front_desk).post(detail(inquiry, "convert/"))
    assert response.status_code == 400
    assert "eligible" in response.json()["status"][0]
    assert Patient.objects.count() == 0


def test_list_is_audited_without_content(api_as: ApiAs, clinic_admin: AbstractBaseUser) -> None:
    InquiryFactory.create_batch(3)
    assert api_as(clinic_admin).get(BASE).status_code == 200
    event = AuditEvent.objects.get(action="list")
    assert event.actor == clinic_admin and event.detail == "3 inquiries listed"
