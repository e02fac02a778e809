"""The rules beside "your locations' records": clinicians see their patients anywhere; a clinician paged about an
alert always opens it and its patient; the audit trail by location; new patients stay in their creator's sight.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.models import StaffLocation
from clinic.accounts.roles import CLINICIAN, FRONT_DESK
from clinic.checkins.escalation import alert_link, alert_page_first
from clinic.checkins.models import Alert, AlertPage, CheckInHold
from clinic.core.models import Clinic
from clinic.intake.models import Inquiry
from clinic.messaging.models import InboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment
from tests.factories import (
    CompletedAppointmentFactory,
    OnCallClinicianFactory,
    OnCallShiftFactory,
    PatientFactory,
    UserFactory,
)
from tests.security.location_world import (
    ADMIN,
    CLINICIAN_NORTH,
    DESK_ALL,
    DESK_NORTH,
    LocationWorld,
    location_world_build,
)

CRISIS_WORDS = "I can't keep myself safe tonight"


@pytest.fixture
def world(db: None) -> LocationWorld:
    return location_world_build()


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _admin(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _limited_to(clinic: Clinic, role: str, username: str) -> User:
    user: User = UserFactory(username=username, role=role)
    StaffLocation.objects.create(user=user, clinic=clinic)
    return user


def test_a_clinician_sees_every_patient_they_are_booked_with_anywhere(world: LocationWorld) -> None:
    south = world.south
    patient = PatientFactory(first_name="Tamsin", clinic=south.clinic)
    start = south.appointment.starts_at + datetime.timedelta(days=2)
    # North's clinician sees this South patient once, at South; South's provider sees them another day.
    theirs = CompletedAppointmentFactory(
        patient=patient,
        provider=world.north.provider,
        session_type=south.session_type,
        starts_at=start,
        status=Appointment.Status.SCHEDULED,
    )
    colleagues = CompletedAppointmentFactory(
        patient=patient,
        provider=south.provider,
        session_type=south.session_type,
        starts_at=start + datetime.timedelta(days=1),
        status=Appointment.Status.SCHEDULED,
    )
    clinician = world.staff[CLINICIAN_NORTH]
    other_clinician = _limited_to(world.north.clinic, CLINICIAN, "north-colleague")

    api = _api(clinician)
    assert api.get(f"/api/v1/patients/{patient.pk}/").status_code == 200
    assert patient.pk in {row["id"] for row in api.get("/api/v1/patients/").json()["results"]}
    assert api.get(f"/api/v1/patients/{patient.pk}/messages/").status_code == 200
    assert api.get(f"/api/v1/appointments/{theirs.pk}/").status_code == 200
    assert api.get(f"/api/v1/appointments/{colleagues.pk}/").status_code == 404  # the session is South's
    listed = {row["id"] for row in api.get("/api/v1/appointments/").json()["results"]}
    assert theirs.pk in listed and colleagues.pk not in listed
    assert _admin(clinician).get(f"/admin/patients/patient/{patient.pk}/change/").status_code == 200

    for user in (world.staff[DESK_NORTH], other_clinician):
        assert _api(user).get(f"/api/v1/patients/{patient.pk}/").status_code == 404
        assert _admin(user).get(f"/admin/patients/patient/{patient.pk}/change/").status_code == 302  # "doesn't exist"

    # Any status: a cancelled session still makes them the clinician's patient.
    Appointment.objects.filter(pk=theirs.pk).update(status=Appointment.Status.CANCELLED)
    assert _api(clinician).get(f"/api/v1/patients/{patient.pk}/").status_code == 200
    Appointment.objects.filter(pk=theirs.pk).delete()
    assert _api(clinician).get(f"/api/v1/patients/{patient.pk}/").status_code == 404


def _crisis_at_south(world: LocationWorld) -> Alert:
    south = world.south
    text = InboundMessage.objects.create(
        message_sid="SM" + "7" * 32,
        from_number=south.patient.phone,
        to_number=south.clinic.sms_from_number,
        body=CRISIS_WORDS,
        patient=south.patient,
        clinic=south.clinic,
        route=InboundMessage.Route.CRISIS,
    )
    alert = Alert.objects.create(
        key="location:crisis",
        patient=south.patient,
        inbound_message=text,
        urgency=Alert.Urgency.URGENT,
        reason=Alert.Reason.CRISIS,
        detail="Crisis language",
        opened_at=timezone.now(),
    )
    CheckInHold.objects.create(patient=south.patient, alert=alert, started_at=timezone.now())
    return alert


def test_a_clinician_paged_about_an_alert_opens_it_and_its_patient_whatever_their_locations(
    world: LocationWorld,
) -> None:
    south = world.south
    alert = _crisis_at_south(world)
    on_call = _limited_to(world.north.clinic, CLINICIAN, "north-on-call")
    bystander = _limited_to(world.north.clinic, CLINICIAN, "north-bystander")
    # On call for South now (covering it from North): the latest of South's shifts to start covers this moment.
    OnCallShiftFactory(
        clinician=OnCallClinicianFactory(user=on_call),
        clinic=south.clinic,
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    link = urlsplit(alert_link(alert.pk)).path
    patient_pages = (
        f"/api/v1/patients/{south.patient.pk}/",
        f"/api/v1/patients/{south.patient.pk}/messages/",
        f"/api/v1/patients/{south.patient.pk}/scores/",
        f"/api/v1/alerts/{alert.pk}/",
    )
    admin_pages = (
        f"/admin/patients/patient/{south.patient.pk}/change/",
        reverse("admin:checkins_patient_scores", args=[south.patient.pk]),
    )
    # Before the page: South's alert is not North's.
    assert _admin(on_call).get(link).status_code == 302  # "doesn't exist"
    assert [_api(on_call).get(page).status_code for page in patient_pages] == [404] * len(patient_pages)

    alert_page_first(alert, now=timezone.now())
    assert AlertPage.objects.filter(alert=alert, clinician__user=on_call, message__isnull=False).exists()

    page = _admin(on_call).get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert south.patient.first_name in html and CRISIS_WORDS.replace("'", "&#x27;") in html
    assert [_api(on_call).get(path).status_code for path in patient_pages] == [200] * len(patient_pages)
    assert [_admin(on_call).get(path).status_code for path in admin_pages] == [200] * len(admin_pages)
    conversation = _api(on_call).get(f"/api/v1/patients/{south.patient.pk}/messages/").json()
    assert CRISIS_WORDS in [entry["body"] for entry in conversation]
    held = _api(on_call).get(f"/api/v1/alerts/{alert.pk}/").json()["checkin_holds"]
    assert [hold["patient"]["id"] for hold in held] == [south.patient.pk]
    assert f"/admin/checkins/alert/{alert.pk}/change/" in _admin(on_call).get("/admin/").content.decode()

    # Nobody else limited to North gets it: the page is what opened it.
    assert _admin(bystander).get(link).status_code == 302
    assert [_api(bystander).get(path).status_code for path in patient_pages] == [404] * len(patient_pages)
    assert f"/admin/checkins/alert/{alert.pk}/change/" not in _admin(bystander).get("/admin/").content.decode()

    # The paged clinician acknowledges it, and resumes the check-ins it held, from the page the text links to.
    answer = _admin(on_call).post(link, {"note": "Called the patient: safe, with family.", "resume_checkins": "on"})
    assert answer.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == on_call
    assert CheckInHold.objects.get(alert=alert).resumed_by == on_call


def test_a_limited_clinician_resumes_only_the_holds_of_patients_they_may_see(world: LocationWorld) -> None:
    north, south = world.north, world.south
    alert = Alert.objects.create(
        key="location:shared",
        urgency=Alert.Urgency.URGENT,
        reason=Alert.Reason.CRISIS,
        opened_at=timezone.now(),
    )
    for patient in (north.patient, south.patient):
        CheckInHold.objects.create(patient=patient, alert=alert, started_at=timezone.now())
    api = _api(world.staff[CLINICIAN_NORTH])
    shown = api.get(f"/api/v1/alerts/{alert.pk}/").json()
    assert [hold["patient"]["id"] for hold in shown["checkin_holds"]] == [north.patient.pk]
    assert api.post(f"/api/v1/alerts/{alert.pk}/resume-checkins/").status_code == 200
    holds = {hold.patient_id: hold.resumed_at for hold in CheckInHold.objects.filter(alert=alert)}
    assert holds[north.patient.pk] is not None and holds[south.patient.pk] is None


def test_the_audit_trail_shows_a_limited_reader_only_events_about_what_they_may_see(world: LocationWorld) -> None:
    north, south = world.north, world.south
    auditor = _limited_to(north.clinic, FRONT_DESK, "north-auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    for client in (_admin(world.staff[DESK_ALL]), _admin(auditor)):
        client.get("/admin/patients/patient/")  # a list: an event that names no record
    trail = "/admin/accounts/auditevent/"

    def about_patients(user: User) -> set[str]:
        page = _admin(user).get(trail, {"target_type": "patients.Patient"})
        assert page.status_code == 200
        return {event.target_id for event in page.context["cl"].result_list if event.target_id}

    def lists_by(user: User, actor: User) -> int:
        page = _admin(user).get(trail, {"action__exact": "list", "actor__id__exact": actor.pk})
        return len(page.context["cl"].result_list)

    assert about_patients(world.staff[ADMIN]) >= {str(north.patient.pk), str(south.patient.pk)}
    assert about_patients(auditor) == {str(north.patient.pk)}
    assert lists_by(auditor, auditor) == 1 and lists_by(auditor, world.staff[DESK_ALL]) == 0
    assert lists_by(world.staff[ADMIN], world.staff[DESK_ALL]) == 1
    assert _admin(world.staff[DESK_NORTH]).get(trail).status_code == 403  # the role still decides first


def test_patients_a_limited_staff_member_creates_or_converts_stay_in_their_sight(world: LocationWorld) -> None:
    north = world.north
    desk = world.staff[DESK_NORTH]
    new = {"first_name": "Ines", "last_name": "Newcomb", "phone": "+16175550177"}
    created = _api(desk).post("/api/v1/patients/", new, format="json")
    assert created.status_code == 201 and created.json()["clinic"] == north.clinic.pk
    assert _api(desk).get(f"/api/v1/patients/{created.json()['id']}/").status_code == 200
    by_unlimited = _api(world.staff[DESK_ALL]).post(
        "/api/v1/patients/", {**new, "phone": "+16175550178"}, format="json"
    )
    assert by_unlimited.status_code == 201 and by_unlimited.json()["clinic"] is None

    # In the back office the home location is asked for, and only North is offered.
    form = _admin(desk).get("/admin/patients/patient/add/").context["adminform"].form
    assert form.fields["clinic"].required and list(form.fields["clinic"].queryset) == [north.clinic]

    # An inquiry with no location is every location's to triage; converted by North's desk, the patient is North's.
    unplaced = world.unplaced_inquiry
    assert _api(desk).get(f"/api/v1/staff/inquiries/{unplaced.reference}/").status_code == 200
    Inquiry.objects.filter(pk=unplaced.pk).update(status=Inquiry.Status.ELIGIBLE)
    converted = _api(desk).post(f"/api/v1/staff/inquiries/{unplaced.reference}/convert/")
    assert converted.status_code == 201
    assert Patient.objects.get(pk=converted.json()["patient_id"]).clinic == north.clinic
    # One chosen at South, converted by staff of every location, is South's.
    Inquiry.objects.filter(pk=world.south.inquiry.pk).update(status=Inquiry.Status.ELIGIBLE)
    answer = _api(world.staff[DESK_ALL]).post(f"/api/v1/staff/inquiries/{world.south.inquiry.reference}/convert/")
    assert Patient.objects.get(pk=answer.json()["patient_id"]).clinic == world.south.clinic


def test_an_inquiry_given_a_location_leaves_the_others(world: LocationWorld) -> None:
    unplaced = world.unplaced_inquiry
    south_desk = _limited_to(world.south.clinic, FRONT_DESK, "south-desk")
    url = f"/api/v1/staff/inquiries/{unplaced.reference}/"
    assert _api(south_desk).get(url).status_code == 200
    placed = _api(world.staff[DESK_NORTH]).patch(url, {"clinic": world.north.clinic.pk}, format="json")
    assert placed.status_code == 200 and placed.json()["clinic"] == world.north.clinic.pk
    assert _api(south_desk).get(url).status_code == 404


def test_a_text_no_patient_is_named_for_reaches_the_location_whose_number_it_was_sent_to(world: LocationWorld) -> None:
    """An unknown (or shared) sender names nobody: the text is the location's whose number it reached, and
    every location's when it reached the organization's own number, as an inquiry with no location is."""
    south = world.south
    texts = {
        where: InboundMessage.objects.create(
            message_sid=f"SM{index:032d}9",
            from_number=f"+1617555099{index}",
            to_number=to_number,
            body="Is this the clinic?",
            clinic=clinic,
            route=InboundMessage.Route.INBOX,
        )
        for index, (where, to_number, clinic) in enumerate(
            (("south", south.clinic.sms_from_number, south.clinic), ("organization", "+15005550006", None))
        )
    }
    crisis = Alert.objects.create(
        key="location:unknown",
        inbound_message=texts["organization"],
        urgency=Alert.Urgency.URGENT,
        reason=Alert.Reason.CRISIS,
        opened_at=timezone.now(),
    )
    for caller, sees_south in ((DESK_NORTH, False), (CLINICIAN_NORTH, False), (DESK_ALL, True)):
        inbox = {row["id"] for row in _api(world.staff[caller]).get("/api/v1/messaging/inbox/").json()}
        assert texts["organization"].pk in inbox
        assert (texts["south"].pk in inbox) is sees_south
    assert _api(world.staff[CLINICIAN_NORTH]).get(f"/api/v1/alerts/{crisis.pk}/").status_code == 200
