"""A crisis text holds the patient's automated check-ins (and their follow-ups) until a clinician resumes them."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.checkins.alerts import alert_acknowledge
from clinic.checkins.models import Alert, CheckIn, CheckInHold
from clinic.checkins.services import checkins_follow_up_due, checkins_start_for
from clinic.messaging.models import OutboundMessage
from clinic.messaging.sending import _why_not_now
from clinic.patients.models import Patient
from clinic.scheduling.models import SessionType
from tests.checkins.conftest import local, patient_texts, provider_accepts, session

pytestmark = pytest.mark.django_db
ApiAs = Callable[[AbstractBaseUser], APIClient]
SENT_AT = local(2026, 12, 8, 10, 0)
CRISIS_AT = local(2026, 12, 8, 10, 30)
Status = CheckIn.Status


@pytest.fixture
def asked(infusion: SessionType, patient: Patient) -> CheckIn:
    """The day-1 mood question was sent Tuesday at 10:00; day 3 and day 7 are still to come."""
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
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
        checkins_start_for(appointment=session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45)))
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
        started = checkins_start_for(appointment=session(patient, infusion, ends_at=local(2026, 12, 9, 11, 45)))
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
