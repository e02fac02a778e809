"""A crisis text holds the patient's automated check-ins (and their follow-ups) until a clinician resumes them;
a crisis text from a number several patients share holds each of them."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.checkins.alerts import alert_acknowledge
from clinic.checkins.models import Alert, CheckIn, CheckInHold
from clinic.checkins.services import checkins_follow_up_due, checkins_start_for
from clinic.checkins.suspension import checkins_resume_for, checkins_suspend_for
from clinic.messaging.models import OutboundMessage
from clinic.messaging.sending import _why_not_now
from clinic.patients.models import Patient
from clinic.scheduling.models import SessionType
from tests.factories import PatientFactory, completed_session
from tests.support.clock import local
from tests.support.phones import PHONE
from tests.support.sandbox import patient_texts, provider_accepts

pytestmark = pytest.mark.django_db
ApiAs = Callable[[AbstractBaseUser], APIClient]
SENT_AT = local(2026, 12, 8, 10, 0)
CRISIS_AT = local(2026, 12, 8, 10, 30)
Status = CheckIn.Status


@pytest.fixture
def asked(infusion: SessionType, patient: Patient) -> CheckIn:
    """The day-1 mood question was sent Tuesday at 10:00; day 3 and day 7 are still to come."""
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
    home_safe = CheckIn.objects.select_related("message").get(step_key="home_safe:d0")
    assert home_safe.message is not None
    with time_machine.travel(local(2026, 12, 7, 19), tick=False):
        provider_accepts(home_safe.message)  # answered that evening
    CheckIn.objects.filter(pk=home_safe.pk).update(status=Status.ANSWERED)
    check_in = CheckIn.objects.select_related("message").get(step_key="mood:d1")
    assert check_in.message is not None
    with time_machine.travel(SENT_AT, tick=False):
        provider_accepts(check_in.message)
    return check_in


@pytest.fixture
def crisis(client: Client, asked: CheckIn) -> Alert:
    with time_machine.travel(CRISIS_AT, tick=False):
        reply = patient_texts(client, "honestly i just want to die, i cant do this")
    assert "988" in reply
    return Alert.objects.get(reason=Alert.Reason.CRISIS)


def checkin_texts_scheduled() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(kind="checkin", status__in=("scheduled", "queued")))


def test_a_crisis_text_during_an_open_check_in_holds_it_and_every_later_one(crisis: Alert, asked: CheckIn) -> None:
    asked.refresh_from_db()
    assert asked.status == Status.SUSPENDED
    assert set(CheckIn.objects.exclude(step_key="home_safe:d0").values_list("status", flat=True)) == {Status.SUSPENDED}
    assert checkin_texts_scheduled() == []  # day 3 and day 7 withdrawn
    hold = CheckInHold.objects.get()
    assert (hold.alert, hold.patient_id, hold.is_open) == (crisis, asked.patient_id, True)


def test_no_follow_up_asks_them_to_reply_after_a_crisis_text(crisis: Alert) -> None:
    with time_machine.travel(SENT_AT + datetime.timedelta(hours=5), tick=False):
        assert checkins_follow_up_due() == 0
    with time_machine.travel(SENT_AT + datetime.timedelta(days=2), tick=False):
        assert checkins_follow_up_due() == 0
    assert not OutboundMessage.objects.filter(template="checkin_follow_up").exists()


def test_a_check_in_text_already_handed_to_a_worker_is_refused_at_send_time(
    infusion: SessionType, patient: Patient, client: Client
) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        checkins_start_for(appointment=completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45)))
    mood = CheckIn.objects.select_related("message").get(step_key="mood:d1")
    assert mood.message is not None
    # The dispatcher queued the text a moment before the crisis text arrived; the hold must still stop it.
    OutboundMessage.objects.filter(pk=mood.message.pk).update(status=OutboundMessage.Status.QUEUED)
    OutboundMessage.objects.filter(pk=mood.message.pk).update(status=OutboundMessage.Status.SENDING)
    with time_machine.travel(SENT_AT, tick=False):
        patient_texts(client, "i want to kill myself")
        message = OutboundMessage.objects.select_related("patient").get(pk=mood.message.pk)
        assert _why_not_now(message) == ("suppress", "check-in suspended")
        CheckIn.objects.filter(pk=mood.pk).update(status=Status.PENDING)  # even if the check-in was missed
        assert _why_not_now(message) == ("suppress", "check-ins on hold after a crisis text")


def test_sessions_completed_during_the_hold_start_their_check_ins_held(
    crisis: Alert, infusion: SessionType, patient: Patient
) -> None:
    with time_machine.travel(local(2026, 12, 9, 12), tick=False):
        started = checkins_start_for(
            appointment=completed_session(patient, infusion, ends_at=local(2026, 12, 9, 11, 45))
        )
    assert started and {check_in.status for check_in in started} == {Status.SUSPENDED}
    assert all(check_in.message is None for check_in in started)
    assert checkin_texts_scheduled() == []


def test_acknowledging_without_resuming_keeps_them_held_then_a_clinician_resumes(
    crisis: Alert, asked: CheckIn, clinician: AbstractBaseUser, api_as: ApiAs
) -> None:
    with time_machine.travel(CRISIS_AT + datetime.timedelta(minutes=20), tick=False):
        response = api_as(clinician).post(
            f"/api/v1/alerts/{crisis.pk}/acknowledge/", {"note": "Called; safety plan in place."}, format="json"
        )
    assert response.status_code == 200 and response.json()["checkins_on_hold"] is True
    assert checkin_texts_scheduled() == []

    with time_machine.travel(local(2026, 12, 9, 9), tick=False):
        resumed = api_as(clinician).post(f"/api/v1/alerts/{crisis.pk}/resume-checkins/", format="json")
        again = api_as(clinician).post(f"/api/v1/alerts/{crisis.pk}/resume-checkins/", format="json")
    assert resumed.status_code == 200 and resumed.json()["resumed"] == 2  # day 3 and day 7, still ahead
    assert resumed.json()["alert"]["checkins_on_hold"] is False
    assert again.status_code == 409
    asked.refresh_from_db()
    assert asked.status == Status.CANCELLED  # asked before the crisis: never "please reply" afterwards
    ahead = CheckIn.objects.filter(status=Status.PENDING).select_related("message").order_by("due_at")
    assert [c.step_key for c in ahead] == ["mood:d3", "phq2:d7"]
    assert all(c.message is not None and c.message.send_after == c.due_at for c in ahead)
    hold = CheckInHold.objects.get()
    assert hold.resumed_by == clinician and hold.resumed_at is not None


def test_acknowledging_with_resume_sends_the_check_ins_still_ahead(crisis: Alert, clinician: AbstractBaseUser) -> None:
    with time_machine.travel(local(2026, 12, 11, 9), tick=False):  # day 3's time has passed
        alert_acknowledge(alert=crisis, actor=Actor(user=clinician), note="Seen in clinic.", resume_checkins=True)  # type: ignore[arg-type]
    statuses = dict(CheckIn.objects.values_list("step_key", "status"))
    assert statuses["mood:d3"] == Status.CANCELLED and statuses["phq2:d7"] == Status.PENDING
    assert [m.template for m in checkin_texts_scheduled()] == ["checkin_phq2_interest"]


def test_a_second_crisis_keeps_check_ins_held_until_both_are_resumed(
    crisis: Alert, client: Client, clinician: AbstractBaseUser
) -> None:
    with time_machine.travel(CRISIS_AT + datetime.timedelta(hours=1), tick=False):
        patient_texts(client, "still want to end it all")
    second = Alert.objects.exclude(pk=crisis.pk).get(reason=Alert.Reason.CRISIS)
    actor = Actor(user=clinician)  # type: ignore[arg-type]
    with time_machine.travel(local(2026, 12, 9, 9), tick=False):
        alert_acknowledge(alert=crisis, actor=actor, note="Called.", resume_checkins=True)
        assert checkin_texts_scheduled() == []
        alert_acknowledge(alert=second, actor=actor, note="Called again.", resume_checkins=True)
    assert len(checkin_texts_scheduled()) == 2


def test_front_desk_cannot_resume_check_ins(crisis: Alert, front_desk: AbstractBaseUser, api_as: ApiAs) -> None:
    assert api_as(front_desk).post(f"/api/v1/alerts/{crisis.pk}/resume-checkins/").status_code == 403
    assert CheckInHold.objects.get().is_open


def test_a_crisis_from_an_unknown_number_holds_nothing(client: Client, clinic: object) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        patient_texts(client, "i want to die", from_number="+16175550777")
    assert not CheckInHold.objects.exists()


# --- A crisis text from a number several patients share ---------------------------------------------

SESSION_ENDED = local(2026, 12, 7, 11, 45)
SHARED_CRISIS_AT = local(2026, 12, 7, 13, 0)


@pytest.fixture
def partner(db: None) -> Patient:
    """A second patient on file with the same phone as `patient` (a couple)."""
    return PatientFactory(first_name="Sam", phone=PHONE, sms_consent_at=timezone.now())


def sessions_completed(session_type: SessionType, *patients: Patient) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        for someone in patients:
            checkins_start_for(appointment=completed_session(someone, session_type, ends_at=SESSION_ENDED))


def waiting_texts(patient: Patient) -> list[OutboundMessage]:
    return [m for m in checkin_texts_scheduled() if m.patient_id == patient.pk]


@pytest.fixture
def shared_crisis(client: Client, infusion: SessionType, patient: Patient, partner: Patient) -> Alert:
    """Both patients had a session on Monday morning; an hour later the shared phone texts crisis words."""
    sessions_completed(infusion, patient, partner)
    assert waiting_texts(patient) and waiting_texts(partner)
    with time_machine.travel(SHARED_CRISIS_AT, tick=False):
        reply = patient_texts(client, "i want to kill myself tonight")
    assert "988" in reply
    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    assert alert.patient is None  # the number names neither of them
    return alert


def test_a_crisis_from_a_shared_number_holds_every_patient_with_it(
    shared_crisis: Alert, patient: Patient, partner: Patient
) -> None:
    holds = {hold.patient_id: hold for hold in CheckInHold.objects.all()}
    assert set(holds) == {patient.pk, partner.pk}
    assert all(hold.alert == shared_crisis and hold.is_open for hold in holds.values())
    assert set(CheckIn.objects.values_list("status", flat=True)) == {Status.SUSPENDED}
    assert checkin_texts_scheduled() == []  # both patients' texts withdrawn
    with time_machine.travel(SENT_AT + datetime.timedelta(hours=5), tick=False):
        assert checkins_follow_up_due() == 0


def test_either_patients_check_in_text_already_with_a_worker_is_refused_at_send_time(
    client: Client, infusion: SessionType, patient: Patient, partner: Patient
) -> None:
    sessions_completed(infusion, patient, partner)
    moods = list(CheckIn.objects.select_related("message").filter(step_key="mood:d1").order_by("patient_id"))
    assert {mood.patient_id for mood in moods} == {patient.pk, partner.pk}
    for mood in moods:  # handed to a worker a moment before the crisis text arrived
        assert mood.message is not None
        OutboundMessage.objects.filter(pk=mood.message.pk).update(status=OutboundMessage.Status.SENDING)
    with time_machine.travel(SENT_AT, tick=False):
        patient_texts(client, "i want to kill myself")
        for mood in moods:
            assert mood.message is not None
            message = OutboundMessage.objects.select_related("patient").get(pk=mood.message.pk)
            assert _why_not_now(message) == ("suppress", "check-in suspended")
            CheckIn.objects.filter(pk=mood.pk).update(status=Status.PENDING)  # even if the check-in was missed
            assert _why_not_now(message) == ("suppress", "check-ins on hold after a crisis text")


def test_sessions_either_patient_completes_during_the_hold_start_held(
    shared_crisis: Alert, infusion: SessionType, patient: Patient, partner: Patient
) -> None:
    with time_machine.travel(local(2026, 12, 9, 12), tick=False):
        for someone in (patient, partner):
            started = checkins_start_for(
                appointment=completed_session(someone, infusion, ends_at=local(2026, 12, 9, 11, 45))
            )
            assert started and {check_in.status for check_in in started} == {Status.SUSPENDED}
    assert checkin_texts_scheduled() == []


def test_the_alert_shows_clinicians_every_patient_it_holds(
    shared_crisis: Alert, clinician: AbstractBaseUser, api_as: ApiAs
) -> None:
    body = api_as(clinician).get(f"/api/v1/alerts/{shared_crisis.pk}/").json()
    assert body["checkins_on_hold"] is True
    assert [(h["patient"]["first_name"], h["is_open"]) for h in body["checkin_holds"]] == [
        ("Robin", True),
        ("Sam", True),
    ]
    listed = api_as(clinician).get("/api/v1/alerts/").json()["results"]
    assert [len(alert["checkin_holds"]) for alert in listed] == [2]

    browser = Client()
    browser.force_login(clinician)
    page = browser.get(f"/admin/checkins/alert/{shared_crisis.pk}/change/").content.decode()
    assert "held for 2 patients sharing the number" in page and "Robin" in page and "Sam" in page
    assert 'name="resume_checkins"' in page


def test_resuming_the_alert_releases_every_patient_it_held(
    shared_crisis: Alert, patient: Patient, partner: Patient, clinician: AbstractBaseUser, api_as: ApiAs
) -> None:
    with time_machine.travel(SHARED_CRISIS_AT + datetime.timedelta(hours=1), tick=False):
        resumed = api_as(clinician).post(f"/api/v1/alerts/{shared_crisis.pk}/resume-checkins/", format="json")
        again = api_as(clinician).post(f"/api/v1/alerts/{shared_crisis.pk}/resume-checkins/", format="json")
    assert resumed.status_code == 200 and again.status_code == 409
    body = resumed.json()
    assert body["alert"]["checkins_on_hold"] is False
    assert [h["is_open"] for h in body["alert"]["checkin_holds"]] == [False, False]
    assert all(not hold.is_open and hold.resumed_by == clinician for hold in CheckInHold.objects.all())
    # Every check-in was still ahead: each patient gets all of theirs again, each on its own due time.
    assert body["resumed"] == CheckIn.objects.count()
    assert set(CheckIn.objects.values_list("status", flat=True)) == {Status.PENDING}
    for someone in (patient, partner):
        texts = waiting_texts(someone)
        assert len(texts) == CheckIn.objects.filter(patient=someone).count()
    assert all(c.message is not None and c.message.send_after == c.due_at for c in CheckIn.objects.all())
    resumed_events = AuditEvent.objects.filter(actor=clinician, detail="check-ins resumed")
    assert resumed_events.count() == 2  # one per patient's hold


def test_acknowledging_with_resume_releases_every_patient_it_held(
    shared_crisis: Alert, patient: Patient, partner: Patient, clinician: AbstractBaseUser
) -> None:
    assert CheckInHold.objects.filter(alert=shared_crisis, resumed_at__isnull=True).count() == 2
    with time_machine.travel(SHARED_CRISIS_AT + datetime.timedelta(hours=1), tick=False):
        alert_acknowledge(alert=shared_crisis, actor=Actor(user=clinician), note="Called them.", resume_checkins=True)  # type: ignore[arg-type]
    assert not CheckInHold.objects.filter(resumed_at__isnull=True).exists()
    assert waiting_texts(patient) and waiting_texts(partner)


HOLDS_LIST = "/admin/checkins/checkinhold/"


def test_a_clinician_resumes_a_patient_from_the_check_in_holds_list(
    crisis: Alert, asked: CheckIn, clinician: AbstractBaseUser
) -> None:
    hold = CheckInHold.objects.get()
    with time_machine.travel(local(2026, 12, 9, 9), tick=False):
        browser = Client()
        browser.force_login(clinician)
        offered = browser.get(HOLDS_LIST).context["action_form"].fields["action"].choices
        assert "resume_selected" in {name for name, _ in offered}
        page = browser.post(HOLDS_LIST, {"action": "resume_selected", "_selected_action": [hold.pk]}, follow=True)
    assert "Check-ins resumed for 1 hold." in page.content.decode()
    hold.refresh_from_db()
    assert hold.resumed_by == clinician and not hold.is_open
    assert [m.template for m in checkin_texts_scheduled()] == ["checkin_mood", "checkin_phq2_interest"]


def test_resuming_one_patient_from_the_holds_list_keeps_the_other_held(
    shared_crisis: Alert, patient: Patient, partner: Patient, clinician: AbstractBaseUser
) -> None:
    robins = CheckInHold.objects.get(patient=patient)
    with time_machine.travel(SHARED_CRISIS_AT + datetime.timedelta(hours=1), tick=False):
        browser = Client()
        browser.force_login(clinician)
        page = browser.post(HOLDS_LIST, {"action": "resume_selected", "_selected_action": [robins.pk]}, follow=True)
    assert "Check-ins resumed for 1 hold." in page.content.decode()
    assert not CheckInHold.objects.get(patient=patient).is_open
    assert CheckInHold.objects.get(patient=partner).is_open
    assert waiting_texts(patient) and not waiting_texts(partner)
    assert set(CheckIn.objects.filter(patient=partner).values_list("status", flat=True)) == {Status.SUSPENDED}


def test_a_patient_held_by_their_own_crisis_stays_held_when_the_shared_alert_is_resumed(
    client: Client, infusion: SessionType, patient: Patient, partner: Patient, clinician: AbstractBaseUser
) -> None:
    sessions_completed(infusion, patient, partner)
    with time_machine.travel(SHARED_CRISIS_AT, tick=False):
        patient_texts(client, "i want to kill myself tonight")
        own = Patient.objects.filter(pk=partner.pk)
        own.update(phone="+16175550143")  # Sam gets a phone of their own, and writes from it too
        patient_texts(client, "i want to die as well", from_number="+16175550143")
    shared, sams = Alert.objects.order_by("pk")
    assert sams.patient == partner
    with time_machine.travel(SHARED_CRISIS_AT + datetime.timedelta(hours=1), tick=False):
        resumed = checkins_resume_for(alert=shared, actor=Actor(user=clinician))  # type: ignore[arg-type]
    assert resumed == CheckIn.objects.filter(patient=patient).count()
    assert waiting_texts(patient) and not waiting_texts(partner)
    assert CheckInHold.objects.get(alert=sams).is_open


def test_holding_twice_for_one_alert_makes_no_second_hold(shared_crisis: Alert) -> None:
    assert checkins_suspend_for(alert=shared_crisis) == 0
    assert CheckInHold.objects.filter(alert=shared_crisis).count() == 2
    hold = CheckInHold.objects.first()
    assert hold is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckInHold.objects.create(alert=shared_crisis, patient_id=hold.patient_id, started_at=timezone.now())


def test_a_crisis_from_a_patients_own_number_holds_only_that_patient(
    client: Client, infusion: SessionType, patient: Patient
) -> None:
    other = PatientFactory(first_name="Lee", phone="+16175550143", sms_consent_at=timezone.now())
    sessions_completed(infusion, patient, other)
    with time_machine.travel(SHARED_CRISIS_AT, tick=False):
        patient_texts(client, "i want to kill myself tonight")
    alert = Alert.objects.get()
    hold = CheckInHold.objects.get()
    assert (alert.patient, hold.alert, hold.patient) == (patient, alert, patient)
    assert not waiting_texts(patient)
    assert waiting_texts(other) and not CheckIn.objects.filter(patient=other, status=Status.SUSPENDED).exists()
