"""Rows for the outcomes tests: completed questionnaires, series with sessions, text check-in answers, staff."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.models import AbstractBaseUser

from clinic.accounts.models import StaffLocation
from clinic.checkins.models import CheckIn, CheckInAnswer, CheckInKind
from clinic.core.models import Clinic
from clinic.measures.instruments import instrument_get, instrument_score
from clinic.measures.models import QuestionnaireAssignment
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Series, SeriesPlan, SessionType
from tests.factories import UserFactory

Purpose = QuestionnaireAssignment.Purpose


def answers_totalling(code: str, total: int) -> dict[str, int]:
    """Answers to every item of an instrument that add up to `total` (filled from the first item on)."""
    instrument = instrument_get(code)
    top = max(instrument.values)
    answers = {}
    left = total
    for item in instrument.items:
        value = min(top, left)
        answers[item.link_id] = value
        left -= value
    assert left == 0, f"{code} cannot total {total}"
    return answers


def questionnaire_done(
    patient: Patient,
    code: str,
    total: int,
    completed_at: datetime.datetime,
    *,
    purpose: str = Purpose.PRE_SESSION,
    series: Series | None = None,
    weeks_after: int | None = None,
    answers: dict[str, int] | None = None,
    appointment: Appointment | None = None,
) -> QuestionnaireAssignment:
    answers = answers if answers is not None else answers_totalling(code, total)
    score = instrument_score(instrument_get(code), answers)
    assert score.total == total and score.complete
    return QuestionnaireAssignment.objects.create(
        patient=patient,
        instrument=code,
        purpose=purpose,
        series=series,
        appointment=appointment,
        weeks_after=weeks_after,
        due_at=completed_at - datetime.timedelta(hours=2),
        expires_at=completed_at + datetime.timedelta(days=3),
        token_hash=secrets.token_hex(32),
        status=QuestionnaireAssignment.Status.COMPLETED,
        answers=answers,
        total=total,
        band=score.band_code,
        completed_at=completed_at,
    )


def questionnaire_asked(
    patient: Patient, code: str, due_at: datetime.datetime, *, purpose: str = Purpose.BASELINE
) -> QuestionnaireAssignment:
    return QuestionnaireAssignment.objects.create(
        patient=patient,
        instrument=code,
        purpose=purpose,
        due_at=due_at,
        expires_at=due_at + datetime.timedelta(days=2),
        token_hash=secrets.token_hex(32),
        status=QuestionnaireAssignment.Status.EXPIRED,
    )


def session(
    patient: Patient,
    session_type: SessionType,
    provider: Provider,
    starts_at: datetime.datetime,
    *,
    series: Series | None = None,
    position: int | None = None,
    status: str = Appointment.Status.COMPLETED,
) -> Appointment:
    return Appointment.objects.create(
        patient=patient,
        provider=provider,
        session_type=session_type,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=session_type.occupies_minutes),
        status=status,
        series=series,
        series_position=position,
    )


def series_of(
    patient: Patient,
    plan: SeriesPlan,
    provider: Provider,
    starts: list[datetime.datetime],
    *,
    status: str = Appointment.Status.COMPLETED,
) -> Series:
    series = Series.objects.create(plan=plan, patient=patient)
    for position, starts_at in enumerate(starts, start=1):
        session(patient, plan.session_type, provider, starts_at, series=series, position=position, status=status)
    return series


def text_checkin(
    appointment: Appointment, kind: str, scores: list[int], at: datetime.datetime, *, step: str = ""
) -> CheckIn:
    """A mood (one score) or PHQ-2 (two scores) check-in answered by text at `at`."""
    check_in = CheckIn.objects.create(
        appointment=appointment,
        patient=appointment.patient,
        step_key=step or f"{kind}:{at:%m%d}",
        kind=kind,
        due_at=at - datetime.timedelta(minutes=30),
        status=CheckIn.Status.ANSWERED,
    )
    for index, score in enumerate(scores):
        CheckInAnswer.objects.create(
            check_in=check_in, question_index=index, raw_text=str(score), score=score, received_at=at
        )
    return check_in


MOOD, PHQ2 = CheckInKind.MOOD, CheckInKind.PHQ2


def staff_at(username: str, role: str, *locations: Clinic) -> AbstractBaseUser:
    user = UserFactory(username=username, role=role)
    for location in locations:
        StaffLocation.objects.create(user=user, clinic=location)
    return user
