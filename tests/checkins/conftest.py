from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from clinic.core.models import Clinic
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType
from tests.factories import ClinicFactory, CompletedAppointmentFactory, PatientFactory, SessionTypeFactory
from tests.messaging.helpers import SMS_PATH, inbound_params, post_signed

NY = zoneinfo.ZoneInfo("America/New_York")
ON_CALL = "+16175550199"
PHONE = "+16175550142"


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=NY)


@pytest.fixture
def clinic(db: None) -> Clinic:
    return ClinicFactory(on_call_phone=ON_CALL)


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def patient(db: None) -> Patient:
    return PatientFactory(first_name="Robin", phone=PHONE, sms_consent_at=timezone.now())


@pytest.fixture
def at_monday_noon() -> Iterator[None]:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        yield


def session(patient: Patient, session_type: SessionType, ends_at: datetime.datetime) -> Appointment:
    """A session that ended at `ends_at`, marked completed (without check-ins yet)."""
    return CompletedAppointmentFactory(
        patient=patient,
        session_type=session_type,
        starts_at=ends_at - datetime.timedelta(minutes=session_type.occupies_minutes),
    )


def provider_accepts(*messages: OutboundMessage) -> None:
    """Stand in for the dispatcher, the worker and Twilio: the texts went out just now."""
    for message in messages:
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundMessage.Status.SENT, sent_at=timezone.now(), provider_sid=f"SM{message.pk:032d}"
        )
        message.refresh_from_db()


_sid = iter(range(10**6))


def patient_texts(client: Client, body: str, *, from_number: str = PHONE) -> str:
    """Send a text to the webhook as Twilio would; return the TwiML reply's text."""
    sid = f"SM{next(_sid):032d}"
    response = post_signed(client, SMS_PATH, inbound_params(body, sid=sid, from_number=from_number))
    assert response.status_code == 200, response.content
    return response.content.decode()


def last_inbound() -> InboundMessage:
    message = InboundMessage.objects.order_by("-id").first()
    assert message is not None
    return message
