"""A patient takes a freed time with "YES 4821": the first valid YES wins, the slot's rules are checked by the
scheduling services at that moment, and everyone else is answered kindly."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import Booking, appointment_book
from clinic.waitlist.models import FreedSlot, WaitlistEntry, WaitlistOffer
from clinic.waitlist.replies import offer_code_in
from tests.factories import ProviderFactory, RoomFactory
from tests.support.clock import local
from tests.waitlist.world import (
    NOW,
    STAFF,
    THURSDAY_10,
    World,
    book,
    booked_then_cancelled,
    committed,
    offers_of,
    patient_make,
    patient_texts,
    waitlisted,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("YES 4821", "4821"),
        ("yes, 4821", "4821"),
        ("SI 4821", "4821"),
        ("sí 4821", "4821"),
        ("Sí, 4821 gracias", "4821"),
        ("4821 yes", "4821"),
        ("YES4821", "4821"),
        ("yes 12", "12"),
        ("YES", None),
        ("4821", None),
        ("yes 4821 but can it be later", None),
        ("no 4821", None),  # a no (see the decline test), not a yes
        ("hello 4821", None),
    ],
)
def test_reading_a_yes_with_its_code(body: str, code: str | None) -> None:
    assert offer_code_in(body) == code


def _offer_to(slot: FreedSlot, first_name: str) -> WaitlistOffer:
    return next(offer for offer in offers_of(slot) if offer.entry.patient.first_name == first_name)


def test_the_first_yes_books_the_time_and_the_others_hear_it_was_just_taken(world: World) -> None:
    for name in ("Ana", "Ben", "Cleo"):
        waitlisted(world, name)
    slot = booked_then_cancelled(world)
    ben, ana = _offer_to(slot, "Ben"), _offer_to(slot, "Ana")

    routed = patient_texts(ben.to_number, f"yes, {ben.code}")
    assert routed.reply == (
        "Harbor Clinic: Thanks Ben, the time is yours: Thursday, December 3 at 10:00 AM. "
        "We will send a reminder before your visit."
    )
    assert routed.route == InboundMessage.Route.CONFIRMATION
    appointment = Appointment.objects.get(patient__first_name="Ben", status=Appointment.Status.SCHEDULED)
    assert (appointment.starts_at, appointment.provider, appointment.room) == (THURSDAY_10, world.provider, world.chair)
    slot.refresh_from_db()
    assert (slot.status, slot.filled_by) == (FreedSlot.Status.FILLED, appointment)
    assert WaitlistEntry.objects.get(patient__first_name="Ben").status == WaitlistEntry.Status.FULFILLED

    later = patient_texts(ana.to_number, f"yes {ana.code}")
    assert later.reply == (
        "Harbor Clinic: Sorry, that time was just taken. You stay on our waitlist, and we will text you when another "
        "time opens."
    )
    assert {offer.entry.patient.first_name: offer.status for offer in offers_of(slot)} == {
        "Ana": WaitlistOffer.Status.TAKEN,
        "Ben": WaitlistOffer.Status.ACCEPTED,
        "Cleo": WaitlistOffer.Status.TAKEN,
    }
    assert WaitlistEntry.objects.get(patient__first_name="Ana").status == WaitlistEntry.Status.ACTIVE
    # Ben's YES again is answered with the time he has; nothing is booked twice.
    again = patient_texts(ben.to_number, f"YES {ben.code}")
    assert again.reply == "Harbor Clinic: That time is already yours: Thursday, December 3 at 10:00 AM. See you then."
    assert Appointment.objects.filter(patient__first_name="Ben").count() == 1


def test_a_spanish_yes_is_answered_in_spanish(world: World) -> None:
    waitlisted(world, "María", patient=patient_make(world, "María", language="es"))
    (offer,) = offers_of(booked_then_cancelled(world))
    routed = patient_texts(offer.to_number, f"sí {offer.code}")
    assert routed.reply == (
        "Harbor Clinic: Gracias, María, el horario es suyo: jueves, 3 de diciembre a las 10:00 AM. "
        "Le enviaremos un recordatorio antes de su cita."
    )


def test_no_with_the_code_lets_the_time_go_to_the_next_patient_at_once(world: World) -> None:
    world.settings.offers_at_once = 1
    world.settings.save()
    waitlisted(world, "Ana")
    waitlisted(world, "Ben")
    slot = booked_then_cancelled(world)
    (ana,) = offers_of(slot)
    with committed():
        routed = patient_texts(ana.to_number, f"no, {ana.code}")
    assert routed.reply == (
        "Harbor Clinic: Thanks for letting us know. You stay on our waitlist, and we will text you when another "
        "time opens."
    )
    assert {o.entry.patient.first_name: o.status for o in offers_of(slot)} == {
        "Ana": WaitlistOffer.Status.DECLINED,
        "Ben": WaitlistOffer.Status.OPEN,
    }
    assert WaitlistEntry.objects.get(patient__first_name="Ana").status == WaitlistEntry.Status.ACTIVE


def test_a_wrong_code_books_nothing_and_says_what_to_send(world: World) -> None:
    waitlisted(world, "Ana")
    (offer,) = offers_of(booked_then_cancelled(world))
    wrong = "0000" if offer.code != "0000" else "1111"
    routed = patient_texts(offer.to_number, f"YES {wrong}")
    assert routed.reply == (
        f"Harbor Clinic: We could not match code {wrong} to an open offer. Please reply YES and the 4-digit code "
        f"from our latest text, or call {world.clinic.phone}."
    )
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.OPEN
    assert not Appointment.objects.filter(patient=offer.entry.patient).exists()


def test_a_yes_with_a_number_from_someone_never_offered_anything_is_left_to_the_other_routes(world: World) -> None:
    stranger = patient_make(world, "Sam")
    routed = patient_texts(stranger.phone, "yes 4821")
    assert (routed.route, routed.reply) == (InboundMessage.Route.INBOX, "")


def test_a_yes_after_the_offer_expired_is_answered_politely_and_books_nothing(world: World) -> None:
    waitlisted(world, "Ana")
    (offer,) = offers_of(booked_then_cancelled(world))
    with time_machine.travel(NOW + datetime.timedelta(minutes=45), tick=False):
        routed = patient_texts(offer.to_number, f"YES {offer.code}")
    assert routed.reply == (
        "Harbor Clinic: Sorry, that offer has expired. You stay on our waitlist, and we will text you when another "
        "time opens."
    )
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.EXPIRED
    assert not Appointment.objects.filter(patient=offer.entry.patient).exists()


def test_the_chair_taken_by_staff_meanwhile_is_a_polite_failure_and_the_entry_stays(world: World) -> None:
    waitlisted(world, "Ana")
    waitlisted(world, "Ben")
    slot = booked_then_cancelled(world)
    ana, ben = _offer_to(slot, "Ana"), _offer_to(slot, "Ben")
    book(world, patient_make(world, "Walk-in"), THURSDAY_10 + datetime.timedelta(minutes=30), room=world.chair)

    routed = patient_texts(ana.to_number, f"YES {ana.code}")
    assert routed.reply == (
        "Harbor Clinic: Sorry, that time is no longer available. You stay on our waitlist, and we will text you when "
        "another time opens."
    )
    ana.refresh_from_db()
    assert ana.status == WaitlistOffer.Status.FAILED
    assert "Chair A" in ana.outcome_detail or "Dr. Ada Stone" in ana.outcome_detail
    assert ana.entry.status == WaitlistEntry.Status.ACTIVE
    slot.refresh_from_db()
    assert slot.status == FreedSlot.Status.GONE
    ben.refresh_from_db()
    assert ben.status == WaitlistOffer.Status.WITHDRAWN  # the time is gone for everyone
    assert not Appointment.objects.filter(patient=ana.entry.patient).exists()


def test_the_patient_s_own_new_session_meanwhile_fails_only_their_acceptance(world: World) -> None:
    waitlisted(world, "Ana")
    waitlisted(world, "Ben")
    slot = booked_then_cancelled(world)
    ana, ben = _offer_to(slot, "Ana"), _offer_to(slot, "Ben")
    # Front desk books Ana elsewhere at that time (another provider, another chair) before she answers.
    appointment_book(
        actor=STAFF,
        booking=Booking(
            patient=ana.entry.patient,
            provider=ProviderFactory(clinic=world.clinic),
            session_type=world.infusion,
            starts_at=THURSDAY_10,
            room=RoomFactory(clinic=world.clinic, name="Chair B"),
        ),
    )
    with committed():
        routed = patient_texts(ana.to_number, f"YES {ana.code}")
    assert "no longer available" in routed.reply
    slot.refresh_from_db()
    assert slot.status == FreedSlot.Status.OPEN
    routed = patient_texts(ben.to_number, f"YES {ben.code}")
    assert "the time is yours" in routed.reply


def test_earlier_if_possible_moves_the_existing_session_and_offers_its_old_time(world: World) -> None:
    eve = patient_make(world, "Eve")
    friday = book(world, eve, local(2026, 12, 4, 10), room=world.chair)
    waitlisted(world, "Eve", patient=eve, appointment=friday)
    waitlisted(world, "Finn")
    slot = booked_then_cancelled(world)
    offer = _offer_to(slot, "Eve")

    with committed():
        routed = patient_texts(offer.to_number, f"YES {offer.code}")
    assert routed.reply == (
        "Harbor Clinic: Thanks Eve, your visit is moved to Thursday, December 3 at 10:00 AM. "
        "We will send a reminder before it."
    )
    friday.refresh_from_db()
    assert (friday.starts_at, friday.status) == (THURSDAY_10, Appointment.Status.SCHEDULED)
    assert Appointment.objects.filter(patient=eve).count() == 1  # moved, not doubled
    # Friday's time is free now, and offered in turn (to Finn: Eve's entry is fulfilled).
    freed = FreedSlot.objects.get(starts_at=local(2026, 12, 4, 10))
    assert freed.cause == FreedSlot.Cause.RESCHEDULED
    assert [o.entry.patient.first_name for o in offers_of(freed)] == ["Finn"]
    # Reminders follow the new time.
    assert OutboundMessage.objects.filter(patient=eve, kind=OutboundMessage.Kind.REMINDER, status="scheduled").exists()
