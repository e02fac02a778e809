"""An urgent alert climbs the on-call rota: on-call, then backup, then the director, then everyone, until acknowledged.

Clocks are moved with time-machine; texts are counted in the outbox (the live pathway, through a real
worker and the sandbox, is in test_escalation_end_to_end.py).
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from pytest_django.fixtures import Settings

from clinic.accounts.actor import Actor
from clinic.checkins.alerts import alert_acknowledge
from clinic.checkins.escalation import ALERT_RELATED_TYPE, alerts_escalate_due
from clinic.checkins.models import Alert, AlertPage
from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.messaging.numbers import number_mark_undeliverable, number_opt_out
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.sending import CAUSE_CHECKS, outbox_send_batch
from clinic.oncall.models import OnCallClinician, OnCallShift
from clinic.oncall.services import on_call_number_set
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, OnCallClinicianFactory, OnCallShiftFactory, UserFactory
from tests.support.clock import local
from tests.support.phones import PHONE
from tests.support.sandbox import patient_texts

pytestmark = pytest.mark.django_db
NIGHT = local(2026, 12, 8, 3, 0)
ON_CALL_MOBILE, BACKUP_MOBILE, DIRECTOR_MOBILE = "+16175550301", "+16175550302", "+16175550303"


@pytest.fixture
def clinic(db: None) -> Clinic:
    return ClinicFactory(on_call_phone="")  # no legacy line: the rota alone


def _clinician(username: str, mobile: str, **extra: object) -> OnCallClinician:
    user = UserFactory(username=username, first_name=username.title(), last_name="Md", role="Clinician")
    return OnCallClinicianFactory(user=user, mobile_phone=mobile, **extra)


@pytest.fixture
def rota(clinic: Clinic) -> dict[str, OnCallClinician]:
    people = {
        "on_call": _clinician("oncall", ON_CALL_MOBILE),
        "backup": _clinician("backup", BACKUP_MOBILE),
        "director": _clinician("director", DIRECTOR_MOBILE, is_medical_director=True),
    }
    OnCallShiftFactory(
        clinician=people["on_call"],
        backup=people["backup"],
        starts_at=local(2026, 12, 7, 18),
        ends_at=local(2026, 12, 8, 8),
    )
    return people


def crisis_at(client: Client, at: datetime.datetime) -> Alert:
    with time_machine.travel(at, tick=False):
        patient_texts(client, "i want to end my life")
    return Alert.objects.get(reason=Alert.Reason.CRISIS)


def escalate(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return alerts_escalate_due()


def paged_numbers() -> list[str]:
    return list(
        OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT)
        .order_by("id")
        .values_list("to_number", flat=True)
    )


def history(alert: Alert) -> list[tuple[int, str, str, str]]:
    return [
        (page.round, page.step, page.to_number, page.skipped_reason)
        for page in AlertPage.objects.filter(alert=alert).order_by("round", "id")
    ]


def test_pages_on_call_at_once_then_backup_then_director_then_everyone_until_acknowledged(
    client: Client, rota: dict[str, OnCallClinician], patient: Patient, clinician: AbstractBaseUser
) -> None:
    alert = crisis_at(client, NIGHT)
    assert paged_numbers() == [ON_CALL_MOBILE]

    assert escalate(NIGHT + datetime.timedelta(minutes=9)) == 0
    assert escalate(NIGHT + datetime.timedelta(minutes=10)) == 1
    assert escalate(NIGHT + datetime.timedelta(minutes=10)) == 0  # a second beat in the same round sends nothing
    assert paged_numbers() == [ON_CALL_MOBILE, BACKUP_MOBILE]
    assert escalate(NIGHT + datetime.timedelta(minutes=20)) == 1
    assert paged_numbers()[-1] == DIRECTOR_MOBILE
    # The ladder is climbed: every later round pages everyone on it again.
    assert escalate(NIGHT + datetime.timedelta(minutes=30)) == 1
    assert escalate(NIGHT + datetime.timedelta(minutes=40)) == 1
    assert paged_numbers()[3:] == [ON_CALL_MOBILE, BACKUP_MOBILE, DIRECTOR_MOBILE] * 2

    assert history(alert)[:3] == [
        (1, "on_call", ON_CALL_MOBILE, ""),
        (2, "backup", BACKUP_MOBILE, ""),
        (3, "director", DIRECTOR_MOBILE, ""),
    ]
    alert.refresh_from_db()
    assert alert.notify_count == 5
    later = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT).order_by("id").last()
    assert later is not None and "still not acknowledged after 40 min" in later.body
    for private in (patient.first_name, patient.last_name, PHONE, "end my life"):
        assert all(private not in message.body for message in OutboundMessage.objects.filter(kind="staff_alert"))

    pending = OutboundMessage.objects.filter(kind="staff_alert", status=OutboundMessage.Status.SCHEDULED).count()
    assert pending == 9
    assert alert_acknowledge(alert=alert, actor=Actor(user=clinician), note="Called; safe with family.")  # type: ignore[arg-type]
    assert not OutboundMessage.objects.filter(kind="staff_alert", status=OutboundMessage.Status.SCHEDULED).exists()
    assert escalate(NIGHT + datetime.timedelta(minutes=50)) == 0
    assert len(paged_numbers()) == 9


def test_escalate_minutes_is_the_one_setting(
    client: Client, rota: dict[str, OnCallClinician], patient: Patient, settings: Settings
) -> None:
    settings.ALERT_ESCALATE_MINUTES = 3
    crisis_at(client, NIGHT)
    assert escalate(NIGHT + datetime.timedelta(minutes=3)) == 1
    assert paged_numbers() == [ON_CALL_MOBILE, BACKUP_MOBILE]


def test_with_nobody_on_call_the_director_is_paged_at_once(client: Client, clinic: Clinic, patient: Patient) -> None:
    _clinician("director", DIRECTOR_MOBILE, is_medical_director=True)
    alert = crisis_at(client, NIGHT)
    assert paged_numbers() == [DIRECTOR_MOBILE]
    assert history(alert) == [
        (1, "on_call", "", "nobody on call"),
        (1, "backup", "", "no backup"),
        (1, "director", DIRECTOR_MOBILE, ""),
    ]
    # The director stays paged every round until someone answers.
    assert escalate(NIGHT + datetime.timedelta(minutes=10)) == 1
    assert paged_numbers() == [DIRECTOR_MOBILE, DIRECTOR_MOBILE]


@pytest.mark.parametrize(
    ("break_on_call", "reason"),
    [
        (lambda c: number_opt_out(phone=c.mobile_phone, keyword="STOP"), "opted out"),
        (lambda c: number_mark_undeliverable(phone=c.mobile_phone, code=30006), "number undeliverable"),
        (lambda c: OnCallClinician.objects.filter(pk=c.pk).update(sms_consent_at=None), "no SMS consent"),
        (lambda c: OnCallClinician.objects.filter(pk=c.pk).update(is_active=False), "inactive"),
    ],
    ids=["opted-out", "undeliverable", "no-consent", "inactive"],
)
def test_an_on_call_clinician_who_cannot_be_paged_is_skipped_at_once(
    client: Client, rota: dict[str, OnCallClinician], patient: Patient, break_on_call: object, reason: str
) -> None:
    break_on_call(rota["on_call"])  # type: ignore[operator]
    alert = crisis_at(client, NIGHT)
    assert paged_numbers() == [BACKUP_MOBILE]
    assert history(alert) == [(1, "on_call", "", reason), (1, "backup", BACKUP_MOBILE, "")]
    assert escalate(NIGHT + datetime.timedelta(minutes=10)) == 1
    assert paged_numbers() == [BACKUP_MOBILE, DIRECTOR_MOBILE]


def test_a_page_that_fails_escalates_at_the_next_sweep_without_waiting(
    client: Client, rota: dict[str, OnCallClinician], patient: Patient
) -> None:
    crisis_at(client, NIGHT)
    [page] = OutboundMessage.objects.filter(kind="staff_alert")
    assert escalate(NIGHT + datetime.timedelta(minutes=1)) == 0  # sent and not failed: wait for the clinician
    OutboundMessage.objects.filter(pk=page.pk).update(status=OutboundMessage.Status.UNDELIVERED, last_error_code=30003)
    assert escalate(NIGHT + datetime.timedelta(minutes=1)) == 1
    assert escalate(NIGHT + datetime.timedelta(minutes=1, seconds=30)) == 0
    assert paged_numbers() == [ON_CALL_MOBILE, BACKUP_MOBILE]


def test_a_page_whose_send_keeps_crashing_fails_at_the_attempt_limit_and_the_backup_is_paged_at_once(
    client: Client,
    rota: dict[str, OnCallClinician],
    patient: Patient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.SMS_RATE_PER_SECOND = 0
    settings.SMS_RETRY_MAX_SECONDS = 30  # each retry is due by the next minute

    def crash(related_id: str) -> str:
        raise RuntimeError("an exception of our own at send time, not an answer from Twilio")

    monkeypatch.setitem(CAUSE_CHECKS, ALERT_RELATED_TYPE, crash)
    crisis_at(client, NIGHT)
    [page] = OutboundMessage.objects.filter(kind="staff_alert")
    for minute in range(1, settings.SMS_MAX_ATTEMPTS + 2):  # beat and the worker, once a minute
        with time_machine.travel(NIGHT + datetime.timedelta(minutes=minute), tick=False):
            outbox_send_batch(message_ids=outbox_claim_due(enqueue=False), urgent=True)

    page.refresh_from_db()
    assert (page.status, page.attempts) == (OutboundMessage.Status.FAILED, settings.SMS_MAX_ATTEMPTS)
    # Well before ALERT_ESCALATE_MINUTES: a failed page moves the ladder on at the next sweep.
    assert escalate(NIGHT + datetime.timedelta(minutes=settings.SMS_MAX_ATTEMPTS + 2)) == 1
    assert paged_numbers() == [ON_CALL_MOBILE, BACKUP_MOBILE]


def test_the_shift_covering_the_moment_is_paged_and_the_clinic_line_is_the_last_step(
    client: Client, rota: dict[str, OnCallClinician], patient: Patient, clinic: Clinic
) -> None:
    clinic.on_call_phone = "+16175550199"
    clinic.save()
    day = _clinician("day", "+16175550304")
    OnCallShiftFactory(clinician=day, backup=None, starts_at=local(2026, 12, 8, 8), ends_at=local(2026, 12, 8, 18))
    alert = crisis_at(client, local(2026, 12, 8, 9, 0))
    assert paged_numbers() == ["+16175550304"]
    start = local(2026, 12, 8, 9, 0)
    escalate(start + datetime.timedelta(minutes=10))  # no backup on the day shift: the director
    escalate(start + datetime.timedelta(minutes=20))  # then the clinic's own line
    assert paged_numbers() == ["+16175550304", DIRECTOR_MOBILE, "+16175550199"]
    assert history(alert)[1:3] == [(2, "backup", "", "no backup"), (2, "director", DIRECTOR_MOBILE, "")]


def test_a_new_mobile_number_has_no_consent_until_it_is_given_again(rota: dict[str, OnCallClinician]) -> None:
    clinician = rota["on_call"]
    assert clinician.has_sms_consent
    on_call_number_set(clinician=clinician, mobile_phone="+16175550399", consent_given=False, by=None)
    assert not clinician.has_sms_consent and clinician.sms_consent_at is None
    admin_user = UserFactory(username="rota-admin", role="Clinic admin")
    on_call_number_set(clinician=clinician, mobile_phone="+16175550399", consent_given=True, by=admin_user)
    assert clinician.has_sms_consent and clinician.sms_consent_recorded_by == admin_user


def test_a_shift_that_overlaps_another_or_names_its_own_backup_is_refused(rota: dict[str, OnCallClinician]) -> None:
    from clinic.oncall.services import shift_problems

    overlapping = OnCallShift(clinician=rota["backup"], starts_at=local(2026, 12, 8, 7), ends_at=local(2026, 12, 8, 12))
    assert set(shift_problems(overlapping)) == {"starts_at"}
    self_backup = OnCallShift(
        clinician=rota["backup"], backup=rota["backup"], starts_at=local(2026, 12, 9, 8), ends_at=local(2026, 12, 9, 9)
    )
    assert set(shift_problems(self_backup)) == {"backup"}
    backwards = OnCallShift(clinician=rota["backup"], starts_at=local(2026, 12, 9, 8), ends_at=local(2026, 12, 9, 7))
    assert set(shift_problems(backwards)) == {"ends_at"}


def test_an_opted_out_clinic_line_is_recorded_as_skipped_and_nobody_is_paged(
    client: Client, clinic: Clinic, patient: Patient
) -> None:
    clinic.on_call_phone = "+16175550199"
    clinic.save()
    number_opt_out(phone="+16175550199", keyword="STOP")
    alert = crisis_at(client, NIGHT)
    assert paged_numbers() == []
    assert history(alert)[-2:] == [
        (1, "clinic_line", "", "opted out"),
        (1, "nobody", "", "nobody on the ladder can be paged"),
    ]
