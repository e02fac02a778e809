"""Choosing a time: the booking it makes, once per link and per inquiry, requested or confirmed; the link's rules."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.accounts.actor import Actor
from clinic.intake.models import Inquiry
from clinic.intake.services import inquiry_convert_to_patient, inquiry_transition, screening_record
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_cancel
from clinic.selfbooking.models import SelfBookableType, SelfBooking
from clinic.selfbooking.selectors import offered_times
from clinic.selfbooking.services import OfferUnusable, OfferUsed, SlotTaken, selfbooking_book
from tests.selfbooking.world import TUESDAY_9AM, World, submit

pytestmark = pytest.mark.django_db
VISITOR = Actor(user=None, ip="203.0.113.7")


def test_a_chosen_time_is_booked_through_scheduling_as_requested(world: World) -> None:
    outcome, token = submit()
    result = selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR)
    booking = SelfBooking.objects.get(inquiry=outcome.inquiry)
    assert result.state == booking.state == SelfBooking.State.REQUESTED
    appointment = booking.appointment
    assert appointment.starts_at == TUESDAY_9AM
    assert appointment.ends_at == TUESDAY_9AM + datetime.timedelta(minutes=30)
    assert appointment.provider == world.provider and appointment.session_type == world.consult.session_type
    assert appointment.status == Appointment.Status.SCHEDULED
    inquiry = Inquiry.objects.get(pk=outcome.inquiry.pk)
    assert inquiry.status == Inquiry.Status.NEW  # triage is still front desk's
    assert appointment.patient == inquiry.patient
    assert (inquiry.patient.first_name, inquiry.patient.phone) == ("Dana", "+16175550142")
    assert inquiry.patient.clinic == world.location and inquiry.patient.timezone == "America/Phoenix"
    assert booking.client_ip == "203.0.113.7"
    assert TUESDAY_9AM not in offered_times(world.consult)  # the time is no longer offered to anyone


def test_converting_the_inquiry_later_keeps_the_patient_it_booked_for(world: World, clinic_admin: object) -> None:
    outcome, token = submit()
    selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR)
    staff = Actor(user=clinic_admin)  # type: ignore[arg-type]
    inquiry = inquiry_transition(inquiry=outcome.inquiry, by=staff, to_status=Inquiry.Status.SCREENING)
    screening_record(inquiry=inquiry, by=staff, checklist={}, result="eligible", notes="")
    patient = inquiry_convert_to_patient(inquiry=inquiry, by=staff)
    assert patient == SelfBooking.objects.get().appointment.patient
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.CONVERTED


def test_a_clinic_that_confirms_at_once_books_it_confirmed(world: World) -> None:
    world.consult.confirmation = SelfBookableType.Confirmation.CONFIRMED
    world.consult.save()
    _, token = submit()
    assert selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR).state == SelfBooking.State.CONFIRMED
    assert SelfBooking.objects.get().confirmed_at is not None


def test_a_link_books_once(world: World) -> None:
    _, token = submit()
    selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR)
    with pytest.raises(OfferUsed):
        selfbooking_book(token=token, starts_at=TUESDAY_9AM + datetime.timedelta(hours=2), actor=VISITOR)
    assert Appointment.objects.count() == 1


def test_the_database_refuses_a_second_booking_for_one_inquiry(world: World) -> None:
    outcome, token = submit()
    selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR)
    first = SelfBooking.objects.get()
    other = Appointment.objects.create(
        patient=first.appointment.patient,
        provider=world.provider,
        session_type=world.consult.session_type,
        starts_at=TUESDAY_9AM + datetime.timedelta(hours=3),
        ends_at=TUESDAY_9AM + datetime.timedelta(hours=3, minutes=30),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfBooking.objects.create(inquiry=outcome.inquiry, offer=first.offer, appointment=other, state="requested")


def test_an_expired_a_guessed_or_a_mangled_link_books_nothing(world: World) -> None:
    _, token = submit()
    for guess in ("A" * 22, token[:-1], token + "x", ""):
        with pytest.raises(OfferUnusable):
            selfbooking_book(token=guess, starts_at=TUESDAY_9AM, actor=VISITOR)
    later = datetime.timedelta(hours=world.consult.link_valid_hours, seconds=1)
    with time_machine.travel(later), pytest.raises(OfferUnusable):
        selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR)
    assert not Appointment.objects.exists()


def test_another_inquirys_link_books_for_that_inquiry_only(world: World) -> None:
    mine, my_token = submit()
    theirs, their_token = submit(first_name="Lee", phone="+16175550199", email="lee@example.com")
    selfbooking_book(token=their_token, starts_at=TUESDAY_9AM, actor=VISITOR)
    assert SelfBooking.objects.get().inquiry == theirs.inquiry
    assert not SelfBooking.objects.filter(inquiry=mine.inquiry).exists()
    with pytest.raises(OfferUsed):  # their link is spent, whoever holds it
        selfbooking_book(token=their_token, starts_at=TUESDAY_9AM + datetime.timedelta(hours=1), actor=VISITOR)
    assert my_token != their_token


def test_a_time_not_offered_or_outside_the_window_is_refused(world: World) -> None:
    _, token = submit()
    for moment in (
        TUESDAY_9AM - datetime.timedelta(hours=2),  # before the earliest (24 h ahead)
        TUESDAY_9AM + datetime.timedelta(minutes=7),  # not on the grid
        TUESDAY_9AM.replace(hour=20),  # outside working hours
        TUESDAY_9AM + datetime.timedelta(days=20),  # beyond the last day offered
    ):
        with pytest.raises(SlotTaken):
            selfbooking_book(token=token, starts_at=moment, actor=VISITOR)
    assert not Appointment.objects.exists()


def test_a_time_freed_by_a_cancellation_is_offered_again(world: World, front_desk: object) -> None:
    _, token = submit()
    selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR)
    assert TUESDAY_9AM not in offered_times(world.consult)
    booking = SelfBooking.objects.get()
    appointment_cancel(actor=Actor(user=front_desk), appointment=booking.appointment, reason="patient called")  # type: ignore[arg-type]
    assert offered_times(world.consult)[0] == TUESDAY_9AM
    booking.refresh_from_db()
    assert booking.state == SelfBooking.State.CANCELLED
    _, other_token = submit(first_name="Lee", phone="+16175550199", email="lee@example.com")
    selfbooking_book(token=other_token, starts_at=TUESDAY_9AM, actor=VISITOR)


def test_a_repeat_submission_passes_its_time_to_front_desk_without_booking(world: World) -> None:
    first, _ = submit()
    again, token = submit(reasons=["anxiety"])
    assert again.merged
    result = selfbooking_book(token=token, starts_at=TUESDAY_9AM, actor=VISITOR)
    assert result.state == SelfBooking.State.REQUESTED and result.booking is None
    assert not Appointment.objects.exists()
    note = first.inquiry.notes.order_by("-id").first()
    assert note is not None and "2026-12-08 16:00 UTC" in note.body and "Not booked" in note.body


def test_only_a_remote_consultation_may_be_marked_self_bookable(world: World) -> None:
    infusion = world.consult.session_type
    infusion.pk = None
    infusion.slug, infusion.name = "iv", "IV infusion"
    infusion.mode, infusion.needs_chair, infusion.monitoring_minutes = "in_person", True, 60
    infusion.save()
    with pytest.raises(ValidationError) as refused:
        SelfBookableType(session_type=infusion).full_clean()
    messages = " ".join(refused.value.message_dict["session_type"])
    assert "treatment chair" in messages and "in person" in messages and "monitoring" in messages
