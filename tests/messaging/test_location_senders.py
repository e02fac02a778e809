"""Each location's texts go from its own number (or Messaging Service), each sender with its own rate."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from clinic.core.models import Clinic
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_enqueue
from clinic.messaging.rate_limit import send_slots_acquire
from clinic.messaging.sandbox.models import SandboxMessage
from clinic.messaging.senders import location_of_number, sender_default, sender_for
from clinic.messaging.sending import outbox_send_batch
from clinic.patients.models import Patient
from tests.factories import ClinicFactory, PatientFactory
from tests.support.phones import phone_number

Status = OutboundMessage.Status
DENVER_NUMBER, PHOENIX_NUMBER = "+17205550100", "+16025550100"
ALL_DAY = {"texting_starts": datetime.time(0, 0), "texting_ends": datetime.time(23, 59, 59, 999999)}


@pytest.fixture
def denver(db: None) -> Clinic:
    return ClinicFactory(name="Denver", short_name="Mesa Denver", timezone="America/Denver", **ALL_DAY)


@pytest.fixture
def phoenix(db: None) -> Clinic:
    return ClinicFactory(
        name="Phoenix",
        short_name="Mesa Phoenix",
        timezone="America/Phoenix",
        sms_from_number=PHOENIX_NUMBER,
        **ALL_DAY,
    )


def consenting(n: int) -> Patient:
    return PatientFactory(phone=phone_number(n), sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")


def queued(clinic: Clinic | None, count: int, *, tag: str) -> list[int]:
    rows = [
        outbox_enqueue(
            kind=OutboundMessage.Kind.REMINDER,
            to_number=patient.phone,
            body=f"{tag} {n}",
            patient_id=patient.pk,
            clinic=clinic,
            idempotency_key=f"{tag}-{n}",
            send_after=timezone.now() - datetime.timedelta(seconds=5),
        ).pk
        for n, patient in enumerate(consenting(100 * (1 + len(tag)) + n) for n in range(count))
    ]
    OutboundMessage.objects.filter(pk__in=rows).update(status=Status.QUEUED, queued_at=timezone.now())
    return rows


def test_a_location_without_a_sender_uses_the_organizations(denver: Clinic, phoenix: Clinic, settings: Any) -> None:
    settings.TWILIO_FROM_NUMBER, settings.TWILIO_MESSAGING_SERVICE_SID = "+15005550006", ""
    assert sender_for(denver) == sender_default() == sender_for(None)
    assert sender_for(phoenix).create_arguments() == {"from_": PHOENIX_NUMBER}
    Clinic.objects.filter(pk=denver.pk).update(messaging_service_sid="MG" + "1" * 32, sms_from_number=DENVER_NUMBER)
    denver.refresh_from_db()
    # A Messaging Service, when a location has one, is what the provider is told.
    assert sender_for(denver).create_arguments() == {"messaging_service_sid": "MG" + "1" * 32}


def test_a_text_to_a_locations_number_is_that_locations(denver: Clinic, phoenix: Clinic) -> None:
    Clinic.objects.filter(pk=denver.pk).update(messaging_service_sid="MG" + "2" * 32)
    assert location_of_number(PHOENIX_NUMBER) == phoenix
    assert location_of_number("+15005550006") is None  # the organization's own number
    assert location_of_number("+15005550006", messaging_service_sid="MG" + "2" * 32) == denver


@pytest.mark.django_db(transaction=True)
def test_each_locations_texts_leave_from_its_own_number(
    sandbox_live: str, settings: Any, denver: Clinic, phoenix: Clinic
) -> None:
    settings.SMS_RATE_PER_SECOND = 0
    ids = queued(phoenix, 3, tag="phx") + queued(denver, 2, tag="den")

    outcome = outbox_send_batch(message_ids=ids)

    assert (outcome.counts, outcome.waiting) == ({"sent": 5}, [])
    senders = dict(SandboxMessage.objects.filter(direction="outbound-api").values_list("body", "from_number"))
    assert senders == {
        **{f"phx {n}": PHOENIX_NUMBER for n in range(3)},
        **{f"den {n}": settings.TWILIO_FROM_NUMBER for n in range(2)},
    }


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, 0, 0, 500_000, tzinfo=datetime.UTC), tick=False) as t:
        yield t


@pytest.mark.django_db(transaction=True)
def test_a_busy_location_does_not_hold_back_another_locations_texts(
    sandbox_live: str, settings: Any, denver: Clinic, phoenix: Clinic, frozen: time_machine.Traveller
) -> None:
    settings.SMS_RATE_PER_SECOND = 2
    # Phoenix's number has used its whole second already.
    assert send_slots_acquire(sender=PHOENIX_NUMBER, wanted=2).granted == 2
    phoenix_ids, denver_ids = queued(phoenix, 2, tag="phx"), queued(denver, 2, tag="den")

    outcome = outbox_send_batch(message_ids=phoenix_ids + denver_ids)

    assert outcome.counts == {"sent": 2} and outcome.waiting == phoenix_ids and 0 < outcome.retry_in <= 1
    sent = set(OutboundMessage.objects.filter(status__in=(Status.SENT, Status.DELIVERED)).values_list("pk", flat=True))
    assert sent == set(denver_ids)
