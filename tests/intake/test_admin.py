from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from clinic.accounts.models import AuditEvent
from clinic.intake.models import Inquiry, Screening
from clinic.patients.models import Patient
from tests.factories import InquiryFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/intake/inquiry/"


def logged_in(user: AbstractBaseUser) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_changelist_lists_filters_and_searches(front_desk: AbstractBaseUser) -> None:
    ruth = InquiryFactory(first_name="Ruth", last_name="Okafor", phone="+16175550111")
    ruth.reasons.set(["ptsd"])
    InquiryFactory(first_name="Sam", last_name="Berg", status=Inquiry.Status.CLOSED)
    client = logged_in(front_desk)

    page = client.get(CHANGELIST).content.decode()
    assert ruth.reference in page and "Berg" in page and "PTSD" in page

    page = client.get(CHANGELIST, {"status__exact": "closed"}).content.decode()
    assert "Berg" in page and ruth.reference not in page

    page = client.get(CHANGELIST, {"q": "+16175550111"}).content.decode()
    assert ruth.reference in page and "Berg" not in page

    page = client.get(CHANGELIST, {"reasons__code__exact": "ptsd"}).content.decode()
    assert ruth.reference in page and "Berg" not in page


def test_opening_an_inquiry_in_admin_is_audited(front_desk: AbstractBaseUser) -> None:
    inquiry = InquiryFactory()
    response = logged_in(front_desk).get(f"{CHANGELIST}{inquiry.pk}/change/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        actor=front_desk, action="view", target_type="intake.Inquiry", target_id=str(inquiry.pk)
    ).exists()


def test_front_desk_does_not_see_the_screening_checklist(
    front_desk: AbstractBaseUser, clinician: AbstractBaseUser
) -> None:
    inquiry = InquiryFactory(status=Inquiry.Status.SCREENING)
    Screening.objects.create(inquiry=inquiry, pregnancy=True, result="not_eligible")
    url = f"{CHANGELIST}{inquiry.pk}/change/"
    assert "Pregnancy" not in logged_in(front_desk).get(url).content.decode()
    assert "Pregnancy" in logged_in(clinician).get(url).content.decode()


def test_bulk_transition_action_moves_valid_ones_and_reports_the_rest(front_desk: AbstractBaseUser) -> None:
    fresh = InquiryFactory()
    converted = InquiryFactory(status=Inquiry.Status.CONVERTED)
    response = logged_in(front_desk).post(
        CHANGELIST,
        {"action": "mark_contacted", "_selected_action": [fresh.pk, converted.pk]},
        follow=True,
    )
    page = response.content.decode()
    fresh.refresh_from_db()
    converted.refresh_from_db()
    assert fresh.status == Inquiry.Status.CONTACTED
    assert converted.status == Inquiry.Status.CONVERTED
    assert "1 inquiry marked contacted" in page and converted.reference in page


def test_convert_action_creates_a_patient(front_desk: AbstractBaseUser) -> None:
    eligible = InquiryFactory(status=Inquiry.Status.ELIGIBLE, first_name="Lena")
    response = logged_in(front_desk).post(
        CHANGELIST, {"action": "convert_to_patient", "_selected_action": [eligible.pk]}, follow=True
    )
    assert response.status_code == 200
    patient = Patient.objects.get()
    assert patient.first_name == "Lena"
    eligible.refresh_from_db()
    assert eligible.status == Inquiry.Status.CONVERTED and eligible.patient == patient


def test_clinician_records_screening_through_the_admin_and_status_follows(clinician: AbstractBaseUser) -> None:
    inquiry = InquiryFactory(status=Inquiry.Status.CONTACTED)
    form = {
        "first_name": inquiry.first_name,
        "last_name": inquiry.last_name,
        "phone": inquiry.phone,
        "email": inquiry.email,
        "preferred_contact_method": inquiry.preferred_contact_method,
        "best_time_to_reach": "",
        "prior_treatments": "",
        "message": "",
        "screening-TOTAL_FORMS": "1",
        "screening-INITIAL_FORMS": "0",
        "screening-MIN_NUM_FORMS": "0",
        "screening-MAX_NUM_FORMS": "1",
        "screening-0-result": "eligible",
        "screening-0-notes": "BP fine",
        "screening-0-inquiry": str(inquiry.pk),
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "1000",
        "submissions-TOTAL_FORMS": "0",
        "submissions-INITIAL_FORMS": "0",
        "submissions-MIN_NUM_FORMS": "0",
        "submissions-MAX_NUM_FORMS": "0",
    }
    client = logged_in(clinician)
    refused = client.post(f"{CHANGELIST}{inquiry.pk}/change/", {**form, "screening-0-pregnancy": "on"})
    assert refused.status_code == 200
    assert "Cannot be eligible with contraindications" in refused.content.decode()
    assert not Screening.objects.exists()

    response = client.post(f"{CHANGELIST}{inquiry.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.ELIGIBLE
    assert inquiry.screening.screened_by == clinician
