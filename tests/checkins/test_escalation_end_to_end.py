"""A crisis text during an open check-in, through a real worker and the live SMS sandbox.

The on-call clinician's phone gets the page, then the backup's, then the director's, ten minutes
apart on a moved clock; the patient's check-in and its follow-up never go out. The test process plays
beat (escalation sweep, follow-up sweep, dispatch) and the patient; a real `celery worker` sends
through the Twilio SDK to the sandbox, and texts are counted where a phone would see them.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.actor import Actor
from clinic.checkins.escalation import alerts_escalate_due
from clinic.checkins.models import Alert, AlertPage, CheckIn
from clinic.checkins.services import checkins_follow_up_due
from clinic.messaging.sandbox.services import sandbox_reply_as_patient
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_complete
from tests.factories import (
    ClinicFactory,
    CompletedAppointmentFactory,
    OnCallClinicianFactory,
    OnCallShiftFactory,
    PatientFactory,
    SessionTypeFactory,
    UserFactory,
)
from tests.support.clock import beat_play_at, local
from tests.support.phones import PHONE
from tests.support.processes import CeleryWorker
from tests.support.sandbox import outbox_settled, sandbox_texts_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ON_CALL, BACKUP, DIRECTOR = "+16175550301", "+16175550302", "+16175550303"


def sweep_then_send(worker: CeleryWorker, at: datetime.datetime, counts: dict[str, int]) -> None:
    """At `at`, beat runs the escalation sweep, then dispatches until each phone has received its count of texts."""
    with time_machine.travel(at, tick=False):
        assert alerts_escalate_due() == 1
    done = lambda: all(len(sandbox_texts_to(phone)) == count for phone, count in counts.items())  # noqa: E731
    beat_play_at(worker, at, done, f"pages {counts}")


def test_a_crisis_during_a_check_in_pages_up_the_rota_and_the_check_in_never_follows_up(
    worker: CeleryWorker, clinician: AbstractBaseUser
) -> None:
    with time_machine.travel(local(2026, 12, 7, 11, 50), tick=False):
        clinic = ClinicFactory(on_call_phone="")
        patient = PatientFactory(first_name="Robin", phone=PHONE, sms_consent_at=timezone.now())
        people = [
            OnCallClinicianFactory(
                user=UserFactory(username=name, first_name=name.title(), role="Clinician"),
                mobile_phone=phone,
                is_medical_director=name == "director",
            )
            for name, phone in (("oncall", ON_CALL), ("backup", BACKUP), ("director", DIRECTOR))
        ]
        OnCallShiftFactory(
            clinician=people[0], backup=people[1], starts_at=local(2026, 12, 8, 0), ends_at=local(2026, 12, 9, 0)
        )
        session = CompletedAppointmentFactory(
            patient=patient,
            session_type=SessionTypeFactory(clinic=clinic),
            starts_at=local(2026, 12, 7, 10, 0),
            status=Appointment.Status.CHECKED_IN,
        )
        appointment_complete(actor=Actor(user=clinician), appointment=session)

    # Monday 19:00 the "home safe?" question goes out; Tuesday 10:00 the day-1 mood question.
    beat_play_at(worker, local(2026, 12, 7, 19, 0), lambda: len(sandbox_texts_to(PHONE)) == 1, "the home-safe text")
    beat_play_at(worker, local(2026, 12, 8, 10, 0), lambda: len(sandbox_texts_to(PHONE)) == 2, "the check-in texts")
    assert any("from 0 (worst) to 10 (best)" in text.body for text in sandbox_texts_to(PHONE))

    crisis_at = local(2026, 12, 8, 10, 20)
    with time_machine.travel(crisis_at, tick=True):
        answer = sandbox_reply_as_patient(
            patient_number=PHONE, body="honestly cant do this anymore, want to kill myself"
        )
    assert answer.inbound.webhook_status == 200
    assert "988" in " ".join(message.body for message in answer.replies)
    assert CheckIn.objects.get(step_key="mood:d1").status == CheckIn.Status.SUSPENDED

    beat_play_at(worker, crisis_at, lambda: len(sandbox_texts_to(ON_CALL)) == 1, "the page to the on-call clinician")
    sweep_then_send(worker, crisis_at + datetime.timedelta(minutes=10, seconds=5), {ON_CALL: 1, BACKUP: 1})
    sweep_then_send(worker, crisis_at + datetime.timedelta(minutes=20, seconds=10), {BACKUP: 1, DIRECTOR: 1})
    # The ladder is climbed: everyone on it, every round.
    sweep_then_send(
        worker, crisis_at + datetime.timedelta(minutes=30, seconds=15), {ON_CALL: 2, BACKUP: 2, DIRECTOR: 2}
    )

    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    for phone in (ON_CALL, BACKUP, DIRECTOR):
        for page in sandbox_texts_to(phone):
            assert page.body.endswith(f"/admin/checkins/alert/{alert.pk}/change/")
            assert "Robin" not in page.body and PHONE not in page.body and "kill" not in page.body
    assert list(AlertPage.objects.filter(alert=alert).order_by("round", "id").values_list("round", "step")) == [
        (1, "on_call"),
        (2, "backup"),
        (3, "director"),
        (4, "on_call"),
        (4, "backup"),
        (4, "director"),
    ]

    # A clinician acknowledges; the pages stop. Nothing is sent to the patient while the hold lasts:
    # no follow-up to the mood question, no day-3 check-in.
    doctor = APIClient()
    doctor.force_authenticate(clinician)
    with time_machine.travel(crisis_at + datetime.timedelta(minutes=35), tick=False):
        acknowledged = doctor.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "Called; safe."}, format="json")
    assert acknowledged.status_code == 200 and acknowledged.json()["checkins_on_hold"] is True
    for at in (crisis_at + datetime.timedelta(hours=5), local(2026, 12, 10, 10, 0)):
        with time_machine.travel(at, tick=False):
            assert alerts_escalate_due() == 0
            checkins_follow_up_due()
        beat_play_at(worker, at, outbox_settled, "the outbox to settle")
    assert len(sandbox_texts_to(PHONE)) == 2
    assert len(sandbox_texts_to(ON_CALL)) == 2
