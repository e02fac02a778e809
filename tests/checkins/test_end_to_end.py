"""From a completed session to a crisis page, through a real worker and the live SMS sandbox.

The test process plays beat (it dispatches due rows) and the patient (it replies from the sandbox,
which calls our signed webhook); a real `celery worker` sends through the Twilio SDK to the sandbox.
The test's and the worker's clocks are moved together by time-machine (tests/support/clock.py: worker_restart_at).
Texts are counted where a phone would see them: at the sandbox.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.checkins.models import Alert, CheckIn, CheckInAnswer
from clinic.messaging.models import InboundMessage
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.sandbox.services import sandbox_reply_as_patient
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_complete
from tests.factories import ClinicFactory, CompletedAppointmentFactory, PatientFactory, SessionTypeFactory
from tests.support.clock import beat_play_at, local
from tests.support.phones import ON_CALL, PHONE
from tests.support.processes import CeleryWorker
from tests.support.sandbox import sandbox_texts_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def reply(body: str, at: datetime.datetime) -> str:
    """The patient texts back from the sandbox at `at`; return what our webhook answered (TwiML)."""
    with time_machine.travel(at, tick=True):
        answer = sandbox_reply_as_patient(patient_number=PHONE, body=body)
    assert answer.inbound.webhook_status == 200
    return " ".join(message.body for message in answer.replies)


def test_completed_session_checkins_answers_and_a_crisis_that_pages_on_call(
    worker: CeleryWorker, clinician: AbstractBaseUser, front_desk: AbstractBaseUser
) -> None:
    with time_machine.travel(local(2026, 12, 7, 11, 50), tick=False):
        clinic = ClinicFactory(on_call_phone=ON_CALL)  # texting hours 08:00-21:00
        patient = PatientFactory(first_name="Robin", phone=PHONE, sms_consent_at=timezone.now())
        session = CompletedAppointmentFactory(
            patient=patient,
            session_type=SessionTypeFactory(clinic=clinic),
            starts_at=local(2026, 12, 7, 10, 0),
            status=Appointment.Status.CHECKED_IN,
        )
        appointment_complete(actor=Actor(user=clinician), appointment=session)
    assert CheckIn.objects.filter(appointment=session).count() == 4

    # Monday 18:59 nothing is due; at 19:00 the "home safe?" text reaches the patient's phone.
    with time_machine.travel(local(2026, 12, 7, 18, 59), tick=False):
        assert outbox_claim_due() == []
    beat_play_at(worker, local(2026, 12, 7, 19, 0), lambda: len(sandbox_texts_to(PHONE)) == 1, "the home-safe text")
    assert "Are you home safe?" in sandbox_texts_to(PHONE)[0].body
    assert "glad you are home" in reply("yep home now", local(2026, 12, 7, 19, 20))

    # Day 1 and day 3 at 10:00: mood, answered the way people write.
    beat_play_at(worker, local(2026, 12, 8, 10, 0), lambda: len(sandbox_texts_to(PHONE)) == 2, "the day-1 mood text")
    assert "from 0 (worst) to 10 (best)" in sandbox_texts_to(PHONE)[1].body
    assert "Thank you, Robin" in reply("I'm a 7 today", local(2026, 12, 8, 10, 5))
    beat_play_at(worker, local(2026, 12, 10, 10, 0), lambda: len(sandbox_texts_to(PHONE)) == 3, "the day-3 mood text")
    assert "one number from 0" in reply("better I think", local(2026, 12, 10, 11, 0))  # asked once to clarify
    assert "Thank you, Robin" in reply("six", local(2026, 12, 10, 11, 2))

    # Day 7: PHQ-2, two questions in turn; a total of 3 is a positive screen.
    beat_play_at(worker, local(2026, 12, 14, 10, 0), lambda: len(sandbox_texts_to(PHONE)) == 4, "the PHQ-2 text")
    assert "felt down or hopeless" in reply("1", local(2026, 12, 14, 10, 3))
    assert "988" in reply("2", local(2026, 12, 14, 10, 4))

    scores = list(CheckInAnswer.objects.filter(score__isnull=False).order_by("id").values_list("raw_text", "score"))
    assert scores == [("yep home now", 1), ("I'm a 7 today", 7), ("six", 6), ("1", 1), ("2", 2)]
    assert set(CheckIn.objects.values_list("status", flat=True)) == {CheckIn.Status.ANSWERED}

    # Tuesday 03:12: crisis language. The patient gets 988 at once; the on-call clinician's phone gets a link.
    crisis_at = local(2026, 12, 15, 3, 12)
    answer = reply("I can't sleep and I want to die", crisis_at)
    assert "call or text 988" in answer and "911" in answer
    beat_play_at(
        worker, crisis_at + datetime.timedelta(seconds=5), lambda: len(sandbox_texts_to(ON_CALL)) == 1, "the page"
    )
    (page,) = sandbox_texts_to(ON_CALL)
    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    assert page.body.endswith(f"/admin/checkins/alert/{alert.pk}/change/")
    assert "Robin" not in page.body and PHONE not in page.body and "die" not in page.body
    assert len(sandbox_texts_to(PHONE)) == 4  # the patient's crisis answer was the TwiML reply, not an outbox text

    # The clinician sees the alert, with the patient's words; front desk does not.
    doctor, desk = APIClient(), APIClient()
    doctor.force_authenticate(clinician)
    desk.force_authenticate(front_desk)
    seen = doctor.get("/api/v1/alerts/", {"state": "open"}).json()["results"]
    assert [(a["urgency"], a["reason"]) for a in seen] == [("urgent", "crisis"), ("elevated", "phq2_positive")]
    assert seen[0]["message"]["body"] == "I can't sleep and I want to die"
    assert desk.get("/api/v1/alerts/").status_code == 403
    assert desk.get(f"/api/v1/alerts/{alert.pk}/").status_code == 403
    assert InboundMessage.objects.filter(route=InboundMessage.Route.CHECKIN).count() == 6
