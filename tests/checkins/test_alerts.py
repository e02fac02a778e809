"""Urgent alerts page with a link only, again every ALERT_ESCALATE_MINUTES until acknowledged.

Here the clinic has no rota, only its legacy on-call line (Clinic.on_call_phone): the last step of the
ladder, paged at once and then every round. The rota itself is tested in test_escalation.py.
"""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from pytest_django.fixtures import Settings

from clinic.accounts.actor import Actor
from clinic.checkins.alerts import alert_acknowledge, alert_open_for_crisis
from clinic.checkins.escalation import alerts_escalate_due
from clinic.checkins.models import Alert
from clinic.core.models import Clinic
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.sending import _why_not_now, cause_problem
from clinic.patients.models import Patient
from tests.support.clock import local
from tests.support.phones import ON_CALL, PHONE
from tests.support.sandbox import patient_texts

pytestmark = pytest.mark.django_db
NIGHT = local(2026, 12, 8, 3, 0)


def pages() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT).order_by("id"))


def renotify(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        return alerts_escalate_due()


@pytest.fixture
def crisis(client: Client, clinic: Clinic, patient: Patient) -> Alert:
    with time_machine.travel(NIGHT, tick=False):
        patient_texts(client, "I can't do this, I want to end my life")
    return Alert.objects.get()


def test_crisis_opens_an_urgent_alert_and_pages_on_call_with_a_link_and_no_phi(
    crisis: Alert, patient: Patient, settings: Settings
) -> None:
    assert (crisis.urgency, crisis.reason, crisis.patient_id) == ("urgent", "crisis", patient.pk)
    assert crisis.inbound_message == InboundMessage.objects.get()
    [page] = pages()
    assert page.to_number == ON_CALL and page.patient_id is None
    link = f"{settings.PUBLIC_BASE_URL}/admin/checkins/alert/{crisis.pk}/change/"
    assert page.body == f"Harbor Clinic: urgent patient alert. Please open {link}"
    for private in (patient.first_name, patient.last_name, PHONE, "end my life"):
        assert private not in page.body
    # It may go out at 3 a.m.: staff alerts skip patient consent and texting hours.
    with time_machine.travel(NIGHT, tick=False):
        assert _why_not_now(page) is None


def test_unacknowledged_urgent_alerts_page_again_once_per_round(crisis: Alert) -> None:
    assert renotify(NIGHT + datetime.timedelta(minutes=9)) == 0
    assert renotify(NIGHT + datetime.timedelta(minutes=10)) == 1
    assert renotify(NIGHT + datetime.timedelta(minutes=11)) == 0  # the same round twice: one text
    assert renotify(NIGHT + datetime.timedelta(minutes=20)) == 1

    bodies = [page.body for page in pages()]
    assert len(bodies) == 3
    assert "still not acknowledged after 10 min" in bodies[1] and "after 20 min" in bodies[2]
    crisis.refresh_from_db()
    assert crisis.notify_count == 3


def test_escalate_minutes_is_a_setting(crisis: Alert, settings: Settings) -> None:
    settings.ALERT_ESCALATE_MINUTES = 5
    assert renotify(NIGHT + datetime.timedelta(minutes=5)) == 1


def test_acknowledging_stops_the_pages_and_withdraws_one_not_yet_sent(crisis: Alert, clinician: object) -> None:
    renotify(NIGHT + datetime.timedelta(minutes=10))
    OutboundMessage.objects.filter(pk=pages()[0].pk).update(status=OutboundMessage.Status.SENT)
    with pytest.raises(ValidationError):
        alert_acknowledge(alert=crisis, actor=Actor(user=clinician), note="   ")  # type: ignore[arg-type]

    assert alert_acknowledge(alert=crisis, actor=Actor(user=clinician), note="Called; safe with family.")  # type: ignore[arg-type]
    assert not alert_acknowledge(alert=crisis, actor=Actor(user=None), note="Second look")

    crisis.refresh_from_db()
    assert (crisis.acknowledged_by, crisis.note) == (clinician, "Called; safe with family.")
    first, second = pages()
    assert first.status == OutboundMessage.Status.SENT
    assert second.status == OutboundMessage.Status.CANCELLED
    assert cause_problem(second) == "alert acknowledged"
    assert renotify(NIGHT + datetime.timedelta(hours=2)) == 0


def test_elevated_alerts_are_never_paged(client: Client, clinic: Clinic) -> None:
    from tests.factories import AlertFactory

    AlertFactory(opened_at=NIGHT)
    assert renotify(NIGHT + datetime.timedelta(hours=1)) == 0
    assert pages() == []


def test_with_no_rota_and_no_on_call_line_the_alert_still_opens_and_a_warning_names_no_one(
    client: Client, clinic: Clinic, patient: Patient, caplog: pytest.LogCaptureFixture
) -> None:
    clinic.on_call_phone = ""
    clinic.save()
    with caplog.at_level(logging.WARNING), time_machine.travel(NIGHT, tick=False):
        reply = patient_texts(client, "i want to kill myself")
    assert "988" in reply
    alert = Alert.objects.get()
    assert alert.is_open and pages() == []
    warning = [r.getMessage() for r in caplog.records if "on-call" in r.getMessage()]
    assert warning == [
        f"urgent alert {alert.pk}: nobody on the on-call ladder can be paged; it shows in the admin and API only"
    ]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert PHONE not in logged and "kill myself" not in logged and patient.first_name not in logged


def test_a_crisis_from_an_unknown_number_still_opens_an_alert(client: Client, clinic: Clinic) -> None:
    patient_texts(client, "I want to die", from_number="+16175550777")
    alert = Alert.objects.get()
    assert alert.patient is None and alert.inbound_message is not None
    assert len(pages()) == 1


def test_a_failure_to_open_the_alert_never_blocks_the_crisis_reply(
    client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> Alert:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("clinic.checkins.alerts.alert_open", broken)
    reply = patient_texts(client, "I want to die")
    assert "988" in reply
    assert InboundMessage.objects.get().route == InboundMessage.Route.CRISIS
    assert alert_open_for_crisis(message=InboundMessage.objects.get()) is None
