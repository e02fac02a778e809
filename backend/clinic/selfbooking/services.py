"""Writes of self-booking: the offer made after an inquiry, the booking a visitor makes with it, and front desk's
confirmation.

A booking goes through the scheduling services staff use (appointment_book: the same rules, locks and
exclusion constraints), for the patient the inquiry describes (intake's inquiry_patient_ensure, so a later
conversion keeps that patient). Two visitors choosing one time at once: the calendar lock queues them, the
second sees the first's appointment and gets SlotTaken, and nothing of theirs is kept.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.link_tokens import link_token_digest, link_token_new
from clinic.core.models import Clinic
from clinic.intake.models import Inquiry, InquiryNote, InquirySubmission
from clinic.intake.services import inquiry_patient_ensure
from clinic.scheduling.events import AppointmentChange
from clinic.scheduling.models import Provider
from clinic.scheduling.services import Booking, BookingConflict, appointment_book

from .models import SelfBookableType, SelfBooking, SelfBookingOffer
from .rules import answers_allow_self_booking, self_bookable_problems
from .selectors import free_slots, location_setup, offer_window

logger = logging.getLogger(__name__)


class OfferUnusable(Exception):
    """The link is unknown or has expired (one answer for both)."""


class OfferUsed(Exception):
    """This link (or this inquiry) has already booked a time."""


class SlotTaken(Exception):
    """The time chosen is no longer free (taken a moment ago, or never offered)."""


def offer_link(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('selfbooking:choose', args=[token])}"


def selfbooking_offer_make(
    *,
    inquiry: Inquiry,
    submission: InquirySubmission,
    reasons: list[str],
    language: str,
    location: Clinic | None,
    now: datetime.datetime | None = None,
) -> tuple[SelfBookingOffer, str] | None:
    """Make the offer of times that follows an accepted submission, when its answers allow it; return it and
    its link token (shown once: only its hash is stored).

    Decided by the submission alone: its location (as the form chose it), its reasons, the clinic's
    settings; never by what is stored about the person (a repeat submission gets an offer the same way).
    """
    setup = location_setup(location.pk if location is not None else None)
    if setup is None or setup.consult is None:
        return None
    if not answers_allow_self_booking(reasons=reasons, excluded_reasons=setup.excluded_reasons):
        return None
    now = now or timezone.now()
    token = link_token_new()
    offer = SelfBookingOffer.objects.create(
        submission=submission,
        inquiry=inquiry,
        location=setup.location,
        consult=setup.consult,
        token_hash=link_token_digest(token),
        language=language,
        merged=submission.merged,
        expires_at=now + datetime.timedelta(hours=setup.consult.link_valid_hours),
    )
    return offer, token


@dataclass(frozen=True)
class BookingOutcome:
    starts_at: datetime.datetime
    state: str  # SelfBooking.State.REQUESTED or CONFIRMED
    booking: SelfBooking | None  # None: a repeat submission's choice, passed to front desk


def _candidates(consult: SelfBookableType, starts_at: datetime.datetime, now: datetime.datetime) -> list[int]:
    """The providers free for the consultation at that start, as the offer computes it now."""
    window = offer_window(consult, now=now)
    if not window.starts <= starts_at <= window.ends:
        return []
    return [slot.provider_id for slot in free_slots(consult, now=now) if slot.starts_at == starts_at]


@transaction.atomic
def selfbooking_book(
    *, token: str, starts_at: datetime.datetime, actor: Actor, now: datetime.datetime | None = None
) -> BookingOutcome:
    """Book the chosen time with a link token: once per token, once per inquiry.

    Raises OfferUnusable (unknown or expired link), OfferUsed (already booked) or SlotTaken (no longer free).
    """
    now = now or timezone.now()
    offer = (
        SelfBookingOffer.objects.select_for_update(of=("self",))
        .select_related("consult__session_type__clinic", "inquiry")
        .filter(token_hash=link_token_digest(token))
        .first()
    )
    if offer is None or offer.expires_at <= now:
        raise OfferUnusable
    if offer.used_at is not None:
        raise OfferUsed
    consult = offer.consult
    if self_bookable_problems(consult.session_type):
        raise SlotTaken
    starts_at = starts_at.astimezone(datetime.UTC)
    providers = _candidates(consult, starts_at, now)
    if not providers:
        raise SlotTaken
    if offer.merged:
        return _pass_to_front_desk(offer, starts_at, now=now)
    if SelfBooking.objects.filter(inquiry_id=offer.inquiry_id).exists():
        raise OfferUsed
    patient = inquiry_patient_ensure(inquiry=offer.inquiry, by=actor)
    appointment = None
    for provider in Provider.objects.filter(pk__in=providers).order_by("pk"):
        booking = Booking(patient=patient, provider=provider, session_type=consult.session_type, starts_at=starts_at)
        try:
            with transaction.atomic():
                appointment = appointment_book(actor=actor, booking=booking)
            break
        except BookingConflict:
            continue  # taken by someone else a moment ago: another provider free then may still have it
    if appointment is None:
        raise SlotTaken
    confirmed = consult.confirmation == SelfBookableType.Confirmation.CONFIRMED
    try:
        with transaction.atomic():
            booking_row = SelfBooking.objects.create(
                inquiry=offer.inquiry,
                offer=offer,
                appointment=appointment,
                state=SelfBooking.State.CONFIRMED if confirmed else SelfBooking.State.REQUESTED,
                client_ip=actor.ip,
                confirmed_at=now if confirmed else None,
            )
    except IntegrityError as error:
        raise OfferUsed from error  # the same inquiry booked through another link a moment ago
    offer.used_at = now
    offer.chosen_starts_at = starts_at
    offer.save(update_fields=["used_at", "chosen_starts_at"])
    audit_by(actor, action=AuditEvent.Action.CREATE, target=booking_row, detail="self-booked from the contact page")
    return BookingOutcome(starts_at=starts_at, state=booking_row.state, booking=booking_row)


def _pass_to_front_desk(
    offer: SelfBookingOffer, starts_at: datetime.datetime, *, now: datetime.datetime
) -> BookingOutcome:
    """A repeat submission may come from anyone who knows the person's number or email: the time it chose is
    written down for front desk to confirm with the person, and nothing is booked on the open inquiry."""
    offer.used_at = now
    offer.chosen_starts_at = starts_at
    offer.save(update_fields=["used_at", "chosen_starts_at"])
    InquiryNote.objects.create(
        inquiry=offer.inquiry,
        author=None,
        body=(
            f"A repeat submission ({offer.submission.reference}) asked for a first consultation at "
            f"{starts_at.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC. Not booked automatically: "
            "confirm with the person and book it if it is theirs."
        ),
    )
    return BookingOutcome(starts_at=starts_at, state=SelfBooking.State.REQUESTED, booking=None)


def selfbooking_confirm(*, booking: SelfBooking, by: Actor, now: datetime.datetime | None = None) -> SelfBooking:
    """Front desk confirms a requested time (the appointment already holds it)."""
    with transaction.atomic():
        booking = SelfBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.state != SelfBooking.State.REQUESTED:
            return booking
        booking.state = SelfBooking.State.CONFIRMED
        booking.confirmed_at = now or timezone.now()
        booking.confirmed_by = by.user_or_none
        booking.save(update_fields=["state", "confirmed_at", "confirmed_by"])
        audit_by(by, action=AuditEvent.Action.UPDATE, target=booking, detail="requested time confirmed")
    return booking


def selfbooking_follow_appointment(change: AppointmentChange) -> None:
    """A self-booked consultation cancelled or missed is no longer one to confirm (its time is free again)."""
    SelfBooking.objects.filter(appointment_id=change.appointment.pk).exclude(state=SelfBooking.State.CANCELLED).update(
        state=SelfBooking.State.CANCELLED
    )
