"""The clinic most waitlist tests fill chairs at: one New York location with the waitlist on, Dr. Ada Stone
(Mon-Fri 09-17), Chair A, an infusion (45 min + 60 min monitoring, 6 h fasting: offers need 18 h notice)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from django.test import TestCase
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.messaging.inbound import Routed, inbound_receive
from clinic.messaging.models import OutboundMessage
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SessionType
from clinic.scheduling.services import Booking, appointment_book, appointment_cancel
from clinic.waitlist.models import FreedSlot, WaitlistEntry, WaitlistOffer, WaitlistSettings
from clinic.waitlist.services import waitlist_join
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import local

# Tuesday 1 December 2026, 10:00 in New York; the freed time is Thursday 3 December, 10:00.
NOW = local(2026, 12, 1, 10)
THURSDAY_10 = local(2026, 12, 3, 10)
STAFF = Actor(user=None)
_sids = itertools.count(1)


@dataclass
class World:
    clinic: Clinic
    settings: WaitlistSettings
    provider: Provider
    chair: Room
    infusion: SessionType


def world_build(**settings: Any) -> World:
    clinic = ClinicFactory(short_name="Harbor Clinic")
    values = {"is_enabled": True, "min_notice_hours": 12, "offers_at_once": 3, "offer_minutes": 30, **settings}
    return World(
        clinic=clinic,
        settings=WaitlistSettings.objects.create(clinic=clinic, **values),
        provider=ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone"),
        chair=RoomFactory(clinic=clinic, name="Chair A"),
        infusion=SessionTypeFactory(clinic=clinic, fasting_hours=6),
    )


def patient_make(world: World, first_name: str, **fields: Any) -> Patient:
    values: dict[str, Any] = {"first_name": first_name, "clinic": world.clinic, "sms_consent_at": timezone.now()}
    return PatientFactory(**{**values, **fields})


def waitlisted(world: World, first_name: str, *, patient: Patient | None = None, **prefs: Any) -> WaitlistEntry:
    patient = patient or patient_make(world, first_name)
    return waitlist_join(actor=STAFF, patient=patient, session_type=world.infusion, source="staff", **prefs)


def book(world: World, patient: Patient, starts_at: datetime.datetime, *, room: Room | None = None) -> Appointment:
    return appointment_book(
        actor=STAFF,
        booking=Booking(
            patient=patient, provider=world.provider, session_type=world.infusion, starts_at=starts_at, room=room
        ),
    )


def booked_then_cancelled(world: World, starts_at: datetime.datetime = THURSDAY_10) -> FreedSlot:
    """Someone's session at `starts_at` in Chair A, cancelled: the freed slot it left."""
    appointment = book(world, patient_make(world, "Carl"), starts_at, room=world.chair)
    with TestCase.captureOnCommitCallbacks(execute=True):  # offered once the cancellation commits
        appointment_cancel(actor=STAFF, appointment=appointment, reason="patient is ill")
    return FreedSlot.objects.get(freed_by=appointment)


def committed() -> Any:
    """Run what waits for the transaction's commit (offering a freed slot) as the block ends."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def offers_of(slot: FreedSlot) -> list[WaitlistOffer]:
    return list(slot.offers.select_related("entry__patient").order_by("id"))


def offered_names(slot: FreedSlot, status: str = WaitlistOffer.Status.OPEN) -> list[str]:
    return [offer.entry.patient.first_name for offer in offers_of(slot) if offer.status == status]


def offer_text(offer: WaitlistOffer) -> OutboundMessage:
    return OutboundMessage.objects.get(related_type="waitlist.waitlistoffer", related_id=str(offer.pk))


def patient_texts(phone: str, body: str) -> Routed:
    """The patient's text reaching us (stored and routed as the webhook does); our answer."""
    routed = inbound_receive(message_sid=f"SMwaitlist{next(_sids):024d}", from_number=phone, to_number="", body=body)
    assert routed is not None
    return routed
