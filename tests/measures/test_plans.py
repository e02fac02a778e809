"""Plans follow the calendar: due the day before in the patient's zone inside texting hours, one reminder,
moves and cancellations, series baselines and follow-ups, and "no baseline" when it went unanswered.

The clinic is in New York; the patient Robin in Los Angeles (three hours behind). "Now" is Monday
2026-12-07 12:00 in New York unless a test moves it.
"""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo

import pytest
import time_machine
from django.conf import settings

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.measures.answers import answer_save, assignment_submit
from clinic.measures.models import QuestionnaireAssignment
from clinic.measures.selectors import assignments_latest, baseline_missing
from clinic.measures.services import questionnaires_follow_appointment, questionnaires_sweep
from clinic.messaging.models import OutboundMessage
from clinic.messaging.sending import cause_problem
from clinic.patients.models import Patient
from clinic.scheduling.events import AppointmentChange, AppointmentEvent
from clinic.scheduling.models import Provider, SessionType
from clinic.scheduling.services import appointment_cancel, appointment_mark_no_show, appointment_reschedule
from tests.factories import PatientFactory, SeriesPlanFactory
from tests.measures.booking import book, book_series, texts_of, token_of
from tests.support.clock import NY, local

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
Purpose = QuestionnaireAssignment.Purpose
Status = QuestionnaireAssignment.Status


def la(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LA)


def kinds(patient: Patient) -> list[tuple[str, str, int | None]]:
    return sorted(
        (a.purpose, a.instrument, a.appointment_id)
        for a in QuestionnaireAssignment.objects.filter(patient=patient).exclude(status=Status.CANCELLED)
    )


@time_machine.travel(local(2026, 12, 7, 12), tick=False)
def test_first_session_gets_a_baseline_due_the_day_before_at_10_in_the_patients_zone(
    patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    first = book(patient, provider, infusion, local(2026, 12, 10, 10))  # 07:00 in Los Angeles

    # The first session of its type: a baseline of each, and not the same questions again "before each".
    assert kinds(patient) == [("baseline", "gad7", first.pk), ("baseline", "phq9", first.pk)]
    phq9 = QuestionnaireAssignment.objects.get(patient=patient, instrument="phq9")
    assert phq9.due_at == la(2026, 12, 9, 10)  # 10:00 the day before, in Los Angeles (13:00 in New York)
    assert phq9.expires_at == first.starts_at
    link, reminder = texts_of(phq9)
    assert (link.template, link.send_after) == ("questionnaire_link", la(2026, 12, 9, 10))
    # One reminder, halfway to the session and inside texting hours in her zone (08:00-21:00).
    assert (reminder.template, reminder.send_after) == ("questionnaire_reminder", la(2026, 12, 9, 20, 30))
    # The text: a first name and a link with a random token, nothing about what is asked.
    assert link.body.startswith("Harbor Clinic: Hi Robin, ") and f"{settings.PUBLIC_BASE_URL}/q/" in link.body
    for word in ("phq", "gad", "depress", "anxi", "mood", "questionnaire"):
        assert word not in link.body.lower()
    token = token_of(phq9)
    assert link.body.endswith(f"{settings.PUBLIC_BASE_URL}/q/{token}")  # no id, no name: a path and the token
    assert len(token) >= 22 and token in reminder.body
    assert phq9.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in phq9.token_hash
    assert token != token_of(QuestionnaireAssignment.objects.get(patient=patient, instrument="gad7"))

    second = book(patient, provider, infusion, local(2026, 12, 17, 10))
    assert ("pre_session", "phq9", second.pk) in kinds(patient)
    assert ("baseline", "phq9", second.pk) not in kinds(patient)


def test_booked_less_than_a_day_ahead_goes_as_soon_as_texting_hours_allow_in_each_patients_zone(
    patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    new_yorker = PatientFactory(first_name="Sam", timezone="America/New_York")
    with time_machine.travel(local(2026, 12, 7, 21, 30), tick=False):  # 18:30 in Los Angeles
        book(patient, provider, infusion, local(2026, 12, 8, 11))
        book(new_yorker, provider, infusion, local(2026, 12, 8, 13))

    robin = QuestionnaireAssignment.objects.filter(patient=patient, instrument="phq9").get()
    sam = QuestionnaireAssignment.objects.filter(patient=new_yorker, instrument="phq9").get()
    assert robin.due_at == local(2026, 12, 7, 21, 30)  # still 18:30 for her: now
    assert sam.due_at == local(2026, 12, 8, 8)  # past 21:00 for him: at 08:00
    assert texts_of(sam)[1].send_after == local(2026, 12, 8, 10, 30)  # reminder halfway to 13:00


def test_a_session_too_soon_to_text_gets_no_questionnaire(
    patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    with time_machine.travel(local(2026, 12, 8, 9, 15), tick=False):  # 06:15 in Los Angeles
        book(patient, provider, infusion, local(2026, 12, 8, 11))  # 08:00 there: no hour before it to text
    assert kinds(patient) == []


def test_rescheduling_moves_the_questionnaires_and_cancelling_withdraws_them(
    patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = book(patient, provider, infusion, local(2026, 12, 10, 10))
        before = QuestionnaireAssignment.objects.get(patient=patient, instrument="phq9")
        old_texts = texts_of(before)

        appointment_reschedule(actor=Actor(user=None), appointment=appointment, starts_at=local(2026, 12, 11, 10))

        before.refresh_from_db()
        assert before.status == Status.CANCELLED  # its text had not gone out: a new link replaces it
        assert {m.status for m in texts_of(before)} == {OutboundMessage.Status.CANCELLED}
        moved = QuestionnaireAssignment.objects.get(patient=patient, instrument="phq9", status=Status.SCHEDULED)
        assert (moved.due_at, moved.expires_at) == (la(2026, 12, 10, 10), local(2026, 12, 11, 10))
        assert token_of(moved) not in old_texts[0].body

    with time_machine.travel(la(2026, 12, 10, 11), tick=False):
        # The link went out; then the session moves again: the same link keeps working until the new start.
        OutboundMessage.objects.filter(pk=texts_of(moved)[0].pk).update(status=OutboundMessage.Status.SENT)
        appointment.refresh_from_db()
        appointment_reschedule(actor=Actor(user=None), appointment=appointment, starts_at=local(2026, 12, 14, 10))
        moved.refresh_from_db()
        assert (moved.status, moved.expires_at) == (Status.SCHEDULED, local(2026, 12, 14, 10))
        assert texts_of(moved)[1].status == OutboundMessage.Status.SCHEDULED  # the reminder follows
        assert texts_of(moved)[1].send_after == la(2026, 12, 13, 20, 30)  # the evening before the new start

        appointment.refresh_from_db()
        appointment_cancel(actor=Actor(user=None), appointment=appointment, reason="patient asked")
        assert set(QuestionnaireAssignment.objects.values_list("status", flat=True)) == {Status.CANCELLED}
        assert texts_of(moved)[1].status == OutboundMessage.Status.CANCELLED


@time_machine.travel(local(2026, 12, 7, 12), tick=False)
def test_a_series_gets_one_baseline_then_before_each_then_1_4_12_weeks_after_its_last_session(
    patient: Patient, provider: Provider, infusion: SessionType, clinic: Clinic
) -> None:
    plan = SeriesPlanFactory(session_type=infusion, sessions=3, min_gap_hours=48, max_span_days=21)
    first, second, third = book_series(
        patient, provider, plan, [local(2026, 12, 14, 10), local(2026, 12, 16, 10), local(2026, 12, 18, 10)]
    )

    assert kinds(patient) == sorted(
        [("baseline", code, first.pk) for code in ("phq9", "gad7")]
        + [("pre_session", code, s.pk) for code in ("phq9", "gad7") for s in (second, third)]
        + [("follow_up", "phq9", third.pk)] * 3
    )
    follow_ups = QuestionnaireAssignment.objects.filter(purpose=Purpose.FOLLOW_UP, status=Status.SCHEDULED).order_by(
        "weeks_after"
    )
    assert [(a.weeks_after, a.due_at) for a in follow_ups] == [
        (1, la(2026, 12, 25, 10)),
        (4, la(2027, 1, 15, 10)),
        (12, la(2027, 3, 12, 10)),
    ]
    assert all(a.expires_at - a.due_at == datetime.timedelta(days=7) for a in follow_ups)

    # Running the plans again changes nothing (idempotent).
    for appointment in (first, second, third):
        questionnaires_follow_appointment(AppointmentChange(AppointmentEvent.BOOKED, appointment))
    assert QuestionnaireAssignment.objects.exclude(status=Status.CANCELLED).count() == 9

    # The last session cancelled: the follow-ups now count from the second.
    appointment_cancel(actor=Actor(user=None), appointment=third, reason="patient asked")
    follow_ups = QuestionnaireAssignment.objects.filter(purpose=Purpose.FOLLOW_UP, status=Status.SCHEDULED)
    assert sorted(a.due_at for a in follow_ups)[0] == la(2026, 12, 23, 10)
    # The first cancelled: the baseline moves to the next coming session of the series.
    appointment_cancel(actor=Actor(user=None), appointment=first, reason="patient asked")
    baselines = QuestionnaireAssignment.objects.filter(purpose=Purpose.BASELINE, status=Status.SCHEDULED)
    assert {a.appointment_id for a in baselines} == {second.pk}
    assert not QuestionnaireAssignment.objects.filter(
        appointment=second, purpose=Purpose.PRE_SESSION, status=Status.SCHEDULED
    ).exists()
    assert NY  # the clinic's zone is New York; every time above is the patient's


def test_unanswered_one_reminder_then_expired_and_no_baseline_answered_clears_it(
    patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        appointment = book(patient, provider, infusion, local(2026, 12, 10, 10))
        assert baseline_missing(appointment) is True
    phq9 = QuestionnaireAssignment.objects.get(instrument="phq9")
    gad7 = QuestionnaireAssignment.objects.get(instrument="gad7")
    _, reminder = texts_of(phq9)

    with time_machine.travel(la(2026, 12, 9, 10, 5), tick=False):
        # The links went out (the sender marks its rows): the sweep marks the questionnaires sent.
        OutboundMessage.objects.filter(template="questionnaire_link").update(status=OutboundMessage.Status.SENT)
        assert questionnaires_sweep() == {"expired": 0, "sent": 2}
        gad7.refresh_from_db()
        assert (gad7.status, gad7.reminded_at) == (Status.SENT, None)

    with time_machine.travel(la(2026, 12, 9, 20, 30), tick=False):
        assert cause_problem(reminder) == ""  # unanswered: the reminder goes
        gad7_reminder = texts_of(gad7)[1]
        OutboundMessage.objects.filter(pk=gad7_reminder.pk).update(
            status=OutboundMessage.Status.SENT, finished_at=la(2026, 12, 9, 20, 30)
        )
        questionnaires_sweep()
        gad7.refresh_from_db()
        assert gad7.reminded_at == la(2026, 12, 9, 20, 30)
        for item in range(1, 10):
            answer_save(assignment_id=phq9.pk, link_id=f"phq9-{item}", value=0)
        assignment_submit(assignment_id=phq9.pk)
        assert cause_problem(reminder) == "questionnaire completed"  # answered: suppressed at send time
        assert cause_problem(texts_of(gad7)[1]) == ""

    with time_machine.travel(local(2026, 12, 10, 10, 1), tick=False):
        assert questionnaires_sweep() == {"expired": 1, "sent": 0}
        gad7.refresh_from_db()
        assert gad7.status == Status.EXPIRED
        assert cause_problem(texts_of(gad7)[1]) == "questionnaire expired"
        # The GAD-7 baseline was never answered: the clinician sees "no baseline" before the session.
        assert baseline_missing(appointment) is True
        assert questionnaires_sweep() == {"expired": 0, "sent": 0}  # twice: nothing more

    latest = assignments_latest(patient)
    assert list(latest) == ["phq9"] and (latest["phq9"].total, latest["phq9"].band) == (0, "minimal")
    assert QuestionnaireAssignment.objects.filter(instrument="gad7", status=Status.COMPLETED).count() == 0
    QuestionnaireAssignment.objects.filter(pk=gad7.pk).update(
        status=Status.COMPLETED, total=3, band="minimal", completed_at=local(2026, 12, 10, 9)
    )
    assert baseline_missing(appointment) is False


def test_a_missed_first_session_passes_the_baseline_to_the_next_one(
    patient: Patient, provider: Provider, infusion: SessionType
) -> None:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        first = book(patient, provider, infusion, local(2026, 12, 10, 10))
        second = book(patient, provider, infusion, local(2026, 12, 17, 10))
        assert ("pre_session", "phq9", second.pk) in kinds(patient)
    with time_machine.travel(local(2026, 12, 10, 11, 30), tick=False):
        questionnaires_sweep()  # the first's baseline expired unanswered
        appointment_mark_no_show(actor=Actor(user=None), appointment=first)

    assert kinds(patient) == [
        ("baseline", "gad7", first.pk),  # expired, kept as history
        ("baseline", "gad7", second.pk),
        ("baseline", "phq9", first.pk),
        ("baseline", "phq9", second.pk),
    ]
    assert baseline_missing(second) is True
