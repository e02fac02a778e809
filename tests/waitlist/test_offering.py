"""A freed chair is offered by text to matching waitlisted patients, oldest entry first, a few at a time."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from clinic.messaging.numbers import number_opt_out
from clinic.messaging.sending import cause_problem
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_cancel, appointment_mark_no_show, appointment_reschedule
from clinic.waitlist.models import FreedSlot, WaitlistEntry, WaitlistOffer
from clinic.waitlist.offers import offers_expire_and_refill
from clinic.waitlist.selectors import slot_match_problem
from tests.factories import ProviderFactory
from tests.support.clock import local
from tests.waitlist.world import (
    NOW,
    STAFF,
    THURSDAY_10,
    World,
    book,
    booked_then_cancelled,
    committed,
    offer_text,
    offered_names,
    offers_of,
    patient_make,
    waitlisted,
    world_build,
)

pytestmark = pytest.mark.django_db


def test_a_cancelled_session_is_offered_to_the_three_oldest_entries_each_with_its_own_code(world: World) -> None:
    for name in ("Ana", "Ben", "Cleo", "Dan"):
        waitlisted(world, name)
    slot = booked_then_cancelled(world)
    assert (slot.starts_at, slot.provider, slot.room, slot.cause) == (
        THURSDAY_10,
        world.provider,
        world.chair,
        FreedSlot.Cause.CANCELLED,
    )
    assert offered_names(slot) == ["Ana", "Ben", "Cleo"]  # Dan waits for the next group
    offers = offers_of(slot)
    assert all(re.fullmatch(r"\d{4}", offer.code) for offer in offers)
    assert all(offer.expires_at == NOW + datetime.timedelta(minutes=30) for offer in offers)
    text = offer_text(offers[0])
    assert (
        text.body
        == f"Harbor Clinic: A chair opened Thursday, December 3 at 10:00 AM. Reply YES {offers[0].code} to take it."
    )
    assert (text.to_number, text.send_after, text.patient) == (offers[0].to_number, NOW, offers[0].entry.patient)


def test_fair_order_is_the_entry_s_age_not_its_id(world: World) -> None:
    first, second = waitlisted(world, "Ana"), waitlisted(world, "Ben")
    WaitlistEntry.objects.filter(pk=second.pk).update(created_at=first.created_at - datetime.timedelta(days=3))
    world.settings.offers_at_once = 1
    world.settings.save()
    assert offered_names(booked_then_cancelled(world)) == ["Ben"]


def test_a_spanish_speaker_is_offered_the_time_in_spanish(world: World) -> None:
    waitlisted(world, "María", patient=patient_make(world, "María", language="es"))
    (offer,) = offers_of(booked_then_cancelled(world))
    assert offer_text(offer).body == (
        f"Harbor Clinic: Se liberó un sillón el jueves, 3 de diciembre a las 10:00 AM. Responda SI {offer.code} "
        "para tomarlo."
    )


def test_a_no_show_frees_nothing_and_a_moved_session_frees_its_old_time(world: World) -> None:
    waitlisted(world, "Ana")
    carl = patient_make(world, "Carl")
    with time_machine.travel(local(2026, 11, 30, 9), tick=False):
        missed = book(world, carl, local(2026, 11, 30, 14))
    with time_machine.travel(local(2026, 11, 30, 15), tick=False):
        appointment_mark_no_show(actor=STAFF, appointment=missed)
    assert not FreedSlot.objects.exists()

    moved = book(world, carl, THURSDAY_10, room=world.chair)
    with committed():
        appointment_reschedule(actor=STAFF, appointment=moved, starts_at=local(2026, 12, 4, 13))
    slot = FreedSlot.objects.get()
    assert (slot.starts_at, slot.cause, slot.room) == (THURSDAY_10, FreedSlot.Cause.RESCHEDULED, world.chair)
    assert offered_names(slot) == ["Ana"]


def test_a_location_with_the_waitlist_off_records_nothing(db: None) -> None:
    with time_machine.travel(NOW, tick=False):
        world = world_build(is_enabled=False)
        waitlisted(world, "Ana")
        carl = book(world, patient_make(world, "Carl"), THURSDAY_10)
        with committed():
            appointment_cancel(actor=STAFF, appointment=carl, reason="ill")
    assert not FreedSlot.objects.exists()


def _problem(world: World, entry: WaitlistEntry, *, at: datetime.datetime = NOW) -> str:
    slot = FreedSlot(
        clinic=world.clinic,
        session_type=world.infusion,
        provider=world.provider,
        room=world.chair,
        starts_at=THURSDAY_10,
        ends_at=THURSDAY_10 + datetime.timedelta(minutes=105),
        cause=FreedSlot.Cause.CANCELLED,
    )
    return slot_match_problem(entry, slot, now=at, settings=world.settings)


def test_matching_rules(world: World) -> None:
    other_provider = ProviderFactory(clinic=world.clinic, display_name="Dr. Bo Lind")
    assert _problem(world, waitlisted(world, "Any")) == ""
    assert _problem(world, waitlisted(world, "Prov", providers=[world.provider])) == ""
    assert _problem(world, waitlisted(world, "Other", providers=[other_provider])) == "another provider"
    assert _problem(world, waitlisted(world, "Thu", preferred_weekdays=[3])) == ""
    assert _problem(world, waitlisted(world, "Mon", preferred_weekdays=[0, 1])) == "not a preferred day or time"
    assert _problem(world, waitlisted(world, "Morning", preferred_times=["morning"])) == ""
    assert _problem(world, waitlisted(world, "Window", preferred_times=["09:30-10:30"])) == ""
    assert _problem(world, waitlisted(world, "Evening", preferred_times=["evening", "13:00-16:00"])) == (
        "not a preferred day or time"
    )
    no_consent = waitlisted(world, "Nocon", patient=patient_make(world, "Nocon", sms_consent_at=None))
    assert _problem(world, no_consent) == "cannot be texted"
    stopped = waitlisted(world, "Stop")
    number_opt_out(phone=stopped.patient.phone, keyword="STOP")
    assert _problem(world, stopped) == "cannot be texted"
    busy = waitlisted(world, "Busy")
    book(world, busy.patient, THURSDAY_10 + datetime.timedelta(hours=1), room=world.chair)
    assert _problem(world, busy) == "another session then"


def test_the_notice_rule_is_fasting_hours_plus_the_clinic_minimum(world: World) -> None:
    entry = waitlisted(world, "Ana")
    # 6 h fasting + 12 h minimum: an offer must go out by Wednesday 16:00 for Thursday 10:00.
    assert _problem(world, entry, at=local(2026, 12, 2, 16)) == ""
    assert _problem(world, entry, at=local(2026, 12, 2, 16, 1)) == "too little notice"


def test_an_earlier_if_possible_entry_is_offered_only_an_earlier_time(world: World) -> None:
    patient = patient_make(world, "Eve")
    later = book(world, patient, local(2026, 12, 4, 10), room=world.chair)
    entry = waitlisted(world, "Eve", patient=patient, appointment=later)
    assert _problem(world, entry) == ""
    sooner = waitlisted(
        world, "Fay", patient=(fay := patient_make(world, "Fay")), appointment=book(world, fay, local(2026, 12, 2, 10))
    )
    assert _problem(world, sooner) == "the session to move is not later"


def test_texting_hours_on_a_moved_clock(db: None) -> None:
    """A cancellation at 22:00 is offered at 08:00 next morning (the patient's texting hours), not before."""
    with time_machine.travel(local(2026, 12, 1, 22), tick=False):
        world = world_build()
        waitlisted(world, "Ana")
        slot = booked_then_cancelled(world, local(2026, 12, 3, 10))  # 26 h after 08:00: the notice holds
        assert offered_names(slot) == []  # nobody is texted at night
    with time_machine.travel(local(2026, 12, 2, 7, 59), tick=False):
        offers_expire_and_refill()
        assert offered_names(slot) == []
    with time_machine.travel(local(2026, 12, 2, 8), tick=False):
        offers_expire_and_refill()
        assert offered_names(slot) == ["Ana"]
        (offer,) = offers_of(slot)
        assert offer_text(offer).send_after == local(2026, 12, 2, 8)


def test_a_slot_too_close_when_texting_hours_open_is_never_offered(db: None) -> None:
    with time_machine.travel(local(2026, 12, 1, 22), tick=False):
        world = world_build()
        waitlisted(world, "Ana")
        slot = booked_then_cancelled(world, local(2026, 12, 2, 14))  # 16 h away: already under 18 h
    assert offered_names(slot) == []
    slot.refresh_from_db()
    assert slot.status == FreedSlot.Status.UNFILLED
    with time_machine.travel(local(2026, 12, 2, 8), tick=False):
        offers_expire_and_refill()
    assert not WaitlistOffer.objects.exists()


def test_expiry_then_the_next_group(world: World) -> None:
    world.settings.offers_at_once = 2
    world.settings.save()
    for name in ("Ana", "Ben", "Cleo"):
        waitlisted(world, name)
    slot = booked_then_cancelled(world)
    assert offered_names(slot) == ["Ana", "Ben"]
    with time_machine.travel(NOW + datetime.timedelta(minutes=29), tick=False):
        assert offers_expire_and_refill() == (0, 0)
    with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
        assert offers_expire_and_refill() == (2, 1)
        assert offers_expire_and_refill() == (0, 0)  # twice is once
    assert offered_names(slot, WaitlistOffer.Status.EXPIRED) == ["Ana", "Ben"]
    assert offered_names(slot) == ["Cleo"]
    (cleo,) = [offer for offer in offers_of(slot) if offer.status == WaitlistOffer.Status.OPEN]
    assert cleo.round == 2
    assert cleo.expires_at == NOW + datetime.timedelta(minutes=60)


def test_a_slot_staff_booked_meanwhile_is_not_offered_again(world: World) -> None:
    world.settings.offers_at_once = 1
    world.settings.save()
    waitlisted(world, "Ana")
    waitlisted(world, "Ben")
    slot = booked_then_cancelled(world)
    book(world, patient_make(world, "Walk-in"), THURSDAY_10, room=world.chair)
    with time_machine.travel(NOW + datetime.timedelta(minutes=31), tick=False):
        offers_expire_and_refill()
    slot.refresh_from_db()
    assert slot.status == FreedSlot.Status.GONE
    assert offered_names(slot) == []


def test_an_offer_text_is_suppressed_at_send_time_once_the_offer_closed(world: World) -> None:
    waitlisted(world, "Ana")
    (offer,) = offers_of(booked_then_cancelled(world))
    text = offer_text(offer)
    assert cause_problem(text) == ""
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31), tick=False):
        assert cause_problem(text) == "offer expired"


def test_cancelling_the_session_an_entry_would_move_ends_the_entry(world: World) -> None:
    patient = patient_make(world, "Eve")
    later = book(world, patient, local(2026, 12, 4, 10))
    entry = waitlisted(world, "Eve", patient=patient, appointment=later)
    appointment_cancel(actor=STAFF, appointment=later, reason="moving away")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.REMOVED
    assert Appointment.objects.get(pk=later.pk).status == Appointment.Status.CANCELLED
