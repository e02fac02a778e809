"""No answer: one gentle follow-up after CHECKIN_FOLLOW_UP_HOURS, then a task for a clinician (time-machine)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from clinic.checkins.models import CheckIn
from clinic.checkins.services import checkins_follow_up_due, checkins_start_for
from clinic.messaging.models import OutboundMessage
from clinic.messaging.sending import cause_problem
from clinic.patients.models import Patient
from clinic.scheduling.models import SessionType
from clinic.todos.models import StaffTask
from tests.factories import completed_session
from tests.support.clock import local
from tests.support.sandbox import patient_texts, provider_accepts

pytestmark = pytest.mark.django_db
SENT_AT = local(2026, 12, 8, 10, 0)


@pytest.fixture
def mood_checkin(infusion: SessionType, patient: Patient) -> CheckIn:
    """The day-1 mood question, sent Tuesday at 10:00."""
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
    check_in = CheckIn.objects.select_related("message").get(step_key="mood:d1")
    assert check_in.message is not None
    with time_machine.travel(SENT_AT, tick=False):
        provider_accepts(check_in.message)
    return check_in


def sweep(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return checkins_follow_up_due()


def follow_ups() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(template="checkin_follow_up"))


def test_one_follow_up_after_four_hours_then_a_clinical_task_after_twenty_more(mood_checkin: CheckIn) -> None:
    assert sweep(SENT_AT + datetime.timedelta(hours=3, minutes=59)) == 0
    assert follow_ups() == []

    assert sweep(SENT_AT + datetime.timedelta(hours=4)) == 1
    assert sweep(SENT_AT + datetime.timedelta(hours=4, minutes=1)) == 0  # the sweep twice: still one follow-up
    [follow_up] = follow_ups()
    assert follow_up.body.startswith("Harbor Clinic: Hi Robin, just checking in again.")
    assert follow_up.send_after == SENT_AT + datetime.timedelta(hours=4)
    assert not follow_up.outside_texting_hours_ok  # gentle: never at night

    with time_machine.travel(SENT_AT + datetime.timedelta(hours=4, minutes=1), tick=False):
        provider_accepts(follow_up)
    assert sweep(SENT_AT + datetime.timedelta(hours=24)) == 0
    assert sweep(SENT_AT + datetime.timedelta(hours=24, minutes=1)) == 1
    assert sweep(SENT_AT + datetime.timedelta(hours=24, minutes=2)) == 0

    mood_checkin.refresh_from_db()
    assert mood_checkin.status == CheckIn.Status.NO_ANSWER
    task = StaffTask.objects.get()
    assert (task.kind, task.is_clinical, task.done_at) == (StaffTask.Kind.NO_ANSWER, True, None)
    assert len(follow_ups()) == 1


def test_an_answer_before_the_follow_up_goes_out_withdraws_it(client: Client, mood_checkin: CheckIn) -> None:
    sweep(SENT_AT + datetime.timedelta(hours=4))
    with time_machine.travel(SENT_AT + datetime.timedelta(hours=4, minutes=5), tick=False):
        patient_texts(client, "8")
    [follow_up] = follow_ups()
    assert follow_up.status == OutboundMessage.Status.CANCELLED
    assert sweep(SENT_AT + datetime.timedelta(days=2)) == 0
    assert not StaffTask.objects.exists()


def test_a_late_answer_still_counts_and_closes_the_no_answer_task(client: Client, mood_checkin: CheckIn) -> None:
    sweep(SENT_AT + datetime.timedelta(hours=4))
    with time_machine.travel(SENT_AT + datetime.timedelta(hours=4), tick=False):
        provider_accepts(*follow_ups())
    sweep(SENT_AT + datetime.timedelta(hours=25))
    assert StaffTask.objects.get().done_at is None

    with time_machine.travel(SENT_AT + datetime.timedelta(hours=30), tick=False):
        reply = patient_texts(client, "6")
    assert "Thank you" in reply
    mood_checkin.refresh_from_db()
    assert mood_checkin.status == CheckIn.Status.ANSWERED
    assert StaffTask.objects.get().done_at is not None


def test_the_follow_up_waits_from_the_patients_last_reply(client: Client, mood_checkin: CheckIn) -> None:
    with time_machine.travel(SENT_AT + datetime.timedelta(hours=3), tick=False):
        patient_texts(client, "hmm")  # asked to clarify at 13:00
    assert sweep(SENT_AT + datetime.timedelta(hours=5)) == 0
    assert sweep(SENT_AT + datetime.timedelta(hours=7)) == 1


def test_a_question_that_could_not_be_sent_closes_without_a_follow_up(infusion: SessionType, patient: Patient) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = completed_session(patient, infusion, ends_at=local(2026, 12, 7, 11, 45))
        checkins_start_for(appointment=appointment)
    OutboundMessage.objects.filter(template="checkin_home_safe").update(
        status=OutboundMessage.Status.SUPPRESSED, suppressed_reason="opted out"
    )
    assert sweep(local(2026, 12, 7, 19, 1)) == 1
    assert CheckIn.objects.get(step_key="home_safe:d0").status == CheckIn.Status.NOT_SENT
    assert follow_ups() == [] and not StaffTask.objects.exists()


def test_a_follow_up_held_up_past_its_grace_is_suppressed_counting_from_when_it_was_written(
    mood_checkin: CheckIn,
) -> None:
    assert sweep(SENT_AT + datetime.timedelta(hours=4)) == 1  # written Tuesday 14:00
    [follow_up] = follow_ups()

    # Its question was due at 10:00, but the follow-up's own six hours run from 14:00.
    with time_machine.travel(local(2026, 12, 8, 19, 59), tick=False):
        assert cause_problem(follow_up) == ""
    with time_machine.travel(local(2026, 12, 8, 20, 1), tick=False):
        assert cause_problem(follow_up) == "too late: due over 6 h ago"
