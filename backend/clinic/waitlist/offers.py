"""Filling a freed chair: recording the time a session left, texting it to the waitlist a few patients at a
time, expiring offers nobody answered, and giving the time to the first valid YES.

- A cancelled session, or the old time of a moved one, is a freed slot, written in the transaction that
  freed it; a no-show's time has passed and frees nothing. Once committed, the slot is offered.
- Offers go to the next `offers_at_once` entries in the fair order (selectors.py), each with its own
  4-digit code, open for `offer_minutes`. The next group is offered only when the whole group has closed
  without a winner (expired, failed), by the sweep (offers_expire_and_refill), which also offers slots
  whose patients were outside their texting hours before.
- The first valid YES wins: acceptance locks the slot row (then the offer), so replies arriving in the same
  second queue and the second sees the slot filled. The slot's own rules (chair, provider, monitoring
  window, the patient's other sessions) are checked by the scheduling services as the booking is made: a
  new booking, or a move of the session an "earlier if possible" entry names.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.core.clinics import clinic_text_values
from clinic.core.sweeps import sweep_row
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_cancel_for, outbox_enqueue
from clinic.messaging.texts import text_render
from clinic.scheduling.events import AppointmentChange, AppointmentEvent
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import Booking, BookingConflict, appointment_book, appointment_reschedule
from clinic.scheduling.session_time import session_time_values

from .models import FreedSlot, WaitlistEntry, WaitlistOffer
from .selectors import offer_notice, slot_candidates, slot_still_free, waitlist_settings_for
from .services import OFFER_RELATED_TYPE, offers_withdraw

logger = logging.getLogger(__name__)
OfferStatus = WaitlistOffer.Status
SlotStatus = FreedSlot.Status
CODE_ATTEMPTS = 50


# --- A session frees its time -------------------------------------------------------------------------


def slot_free_on_change(change: AppointmentChange) -> None:
    """Record the time a cancelled or moved session left, and offer it once committed (a subscriber)."""
    appointment = change.appointment
    if change.event == AppointmentEvent.CANCELLED:
        # Its "earlier if possible" requests end with it.
        for entry in WaitlistEntry.objects.filter(appointment=appointment, status=WaitlistEntry.Status.ACTIVE):
            _entry_close(entry, status=WaitlistEntry.Status.REMOVED, reason="session cancelled")
        starts_at, cause = appointment.starts_at, FreedSlot.Cause.CANCELLED
        provider_id: int | None = appointment.provider_id
        room_id: int | None = appointment.room_id
    elif change.event == AppointmentEvent.RESCHEDULED and change.previous_starts_at is not None:
        starts_at = change.previous_starts_at
        moved_provider = change.previous_provider_id is not None
        provider_id = change.previous_provider_id if moved_provider else appointment.provider_id
        room_id = change.previous_room_id if moved_provider else appointment.room_id
        cause = FreedSlot.Cause.RESCHEDULED
    else:
        return  # a no-show's time has passed: nothing to fill
    session_type = appointment.session_type
    settings = waitlist_settings_for(session_type.clinic_id)
    if settings is None or not settings.is_enabled or starts_at <= timezone.now():
        return
    assert provider_id is not None
    slot = FreedSlot.objects.create(
        clinic_id=session_type.clinic_id,
        session_type=session_type,
        provider_id=provider_id,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=session_type.occupies_minutes),
        cause=cause,
        freed_by=appointment,
    )
    _offer_once_committed(slot.pk)


def _offer_once_committed(slot_id: int) -> None:
    """Offer the slot once the transaction that freed it commits (if that fails, the sweep does a minute later)."""

    def slot_offer_committed() -> None:
        slot_offer_next(slot_id=slot_id)

    transaction.on_commit(slot_offer_committed, robust=True)


def _entry_close(entry: WaitlistEntry, *, status: str, reason: str) -> None:
    entry.status, entry.closed_at, entry.closed_reason = status, timezone.now(), reason[:120]
    entry.save(update_fields=["status", "closed_at", "closed_reason"])
    offers_withdraw(offers=WaitlistOffer.objects.filter(entry=entry), reason=reason)


# --- Offering ------------------------------------------------------------------------------------------


def _slot_close(slot: FreedSlot, status: str, *, reason: str) -> None:
    slot.status, slot.closed_at = status, timezone.now()
    slot.save(update_fields=["status", "closed_at"])
    offers_withdraw(offers=slot.offers.all(), reason=reason)


def _code_for(to_number: str) -> str:
    """A 4-digit code no open offer to this number carries (so "YES 4821" names one offer)."""
    taken = set(
        WaitlistOffer.objects.filter(to_number=to_number, status=OfferStatus.OPEN).values_list("code", flat=True)
    )
    for _ in range(CODE_ATTEMPTS):
        code = f"{secrets.randbelow(10000):04d}"
        if code not in taken:
            return code
    raise RuntimeError("no free offer code for this number")  # 50 misses among 10,000 codes: never in practice


def slot_time_values(slot: FreedSlot, entry: WaitlistEntry) -> dict[str, str]:
    """{date} and {time} of the slot as the entry's patient reads them (scheduling/session_time.py)."""
    as_session = Appointment(patient=entry.patient, session_type=slot.session_type, starts_at=slot.starts_at)
    return session_time_values(as_session)


def _offer_write(slot: FreedSlot, entry: WaitlistEntry, *, round_no: int, minutes: int) -> WaitlistOffer:
    patient = entry.patient
    now = timezone.now()
    offer = WaitlistOffer.objects.create(
        slot=slot,
        entry=entry,
        to_number=patient.phone,
        code=_code_for(patient.phone),
        round=round_no,
        expires_at=now + datetime.timedelta(minutes=minutes),
    )
    body = text_render(
        "waitlist_offer",
        language=patient.language,
        **clinic_text_values(slot.clinic),
        **slot_time_values(slot, entry),
        code=offer.code,
    )
    outbox_enqueue(
        kind=OutboundMessage.Kind.REMINDER,
        template="waitlist_offer",
        to_number=patient.phone,
        body=body,
        language=patient.language,
        clinic=slot.clinic,
        idempotency_key=f"waitlist-offer:{offer.pk}",
        send_after=now,
        patient_id=patient.pk,
        related_type=OFFER_RELATED_TYPE,
        related_id=str(offer.pk),
    )
    return offer


@transaction.atomic
def slot_offer_next(*, slot_id: int) -> list[WaitlistOffer]:
    """Offer an open slot to the next few matching patients, unless a group's offers are still open.

    Closes the slot when it is no longer free (booked by staff meanwhile) or too close for anyone's notice.
    Safe to run twice: the slot's row is locked, and an open group stops a second one.
    """
    slot = (
        FreedSlot.objects.select_for_update(of=("self",))
        .select_related("clinic", "session_type", "provider", "room")
        .get(pk=slot_id)
    )
    settings = waitlist_settings_for(slot.clinic_id)
    if slot.status != SlotStatus.OPEN or settings is None or not settings.is_enabled:
        return []
    if slot.offers.filter(status=OfferStatus.OPEN).exists():
        return []
    now = timezone.now()
    if slot.starts_at - now < offer_notice(slot.session_type, settings):
        _slot_close(slot, SlotStatus.UNFILLED, reason="too late to offer")
        return []
    if not slot_still_free(slot):
        _slot_close(slot, SlotStatus.GONE, reason="time no longer free")
        return []
    entries = slot_candidates(slot, now=now, settings=settings, limit=settings.offers_at_once)
    round_no = (slot.offers.aggregate(last=Max("round"))["last"] or 0) + 1
    return [_offer_write(slot, entry, round_no=round_no, minutes=settings.offer_minutes) for entry in entries]


def offer_cause_problem(related_id: str) -> str:
    """Checked at send time: an offer text goes only while the offer is open and its time still free."""
    offer = WaitlistOffer.objects.filter(pk=int(related_id)).select_related("slot").first()
    if offer is None:
        return "offer deleted"
    if offer.status != OfferStatus.OPEN:
        return f"offer {offer.status}"
    if offer.expires_at <= timezone.now():
        return "offer expired"
    if offer.slot.status != SlotStatus.OPEN:
        return f"slot {offer.slot.status}"
    return ""


# --- Expiry, and the next group ------------------------------------------------------------------------


def offer_expire(*, offer_id: int) -> bool:
    """Close one offer whose time ran out (a conditional UPDATE: an acceptance that got there first wins)."""
    now = timezone.now()
    expired = WaitlistOffer.objects.filter(pk=offer_id, status=OfferStatus.OPEN, expires_at__lte=now).update(
        status=OfferStatus.EXPIRED, answered_at=now, outcome_detail="no answer in time"
    )
    if expired:
        outbox_cancel_for(related_type=OFFER_RELATED_TYPE, related_id=str(offer_id), reason="offer expired")
    return bool(expired)


def offers_expire_and_refill() -> tuple[int, int]:
    """The beat sweep: expire offers whose time ran out, then offer every open slot without open offers to
    the next patients. Returns (offers expired, offers written)."""
    now = timezone.now()
    expired = written = 0
    due = WaitlistOffer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now).values_list("pk", flat=True)
    for offer_id in list(due[:1000]):
        with sweep_row("waitlist offer expiry", offer_id):
            expired += offer_expire(offer_id=offer_id)
    waiting = (
        FreedSlot.objects.filter(status=SlotStatus.OPEN)
        .exclude(offers__status=OfferStatus.OPEN)
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )
    for slot_id in list(waiting[:500]):
        with sweep_row("waitlist slot offer", slot_id):
            written += len(slot_offer_next(slot_id=slot_id))
    return expired, written


# --- A patient answers YES ------------------------------------------------------------------------------


class Outcome:
    DECLINED = "declined"
    BOOKED = "booked"
    MOVED = "moved"
    TAKEN = "taken"
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"
    ALREADY = "already"


@dataclass(frozen=True)
class Acceptance:
    outcome: str
    offer: WaitlistOffer
    appointment: Appointment | None = None


def _slot_taken_elsewhere(error: BookingConflict | ValidationError) -> bool:
    """Whether the failure is the slot's (its chair or provider), not only this patient's."""
    return isinstance(error, BookingConflict) and error.resource != "The patient"


@transaction.atomic
def offer_accept(*, offer_id: int, actor: Actor) -> Acceptance:
    """Give the slot to this offer's patient if nobody has it yet and its rules still allow it.

    Locks the slot, then the offer, in that order everywhere: two YES at once queue on the slot's row.
    """
    slot_id = WaitlistOffer.objects.values_list("slot_id", flat=True).get(pk=offer_id)
    slot = FreedSlot.objects.select_for_update(of=("self",)).select_related("session_type__clinic").get(pk=slot_id)
    offer = WaitlistOffer.objects.select_for_update(of=("self",)).select_related("entry__patient").get(pk=offer_id)
    now = timezone.now()
    if offer.status == OfferStatus.ACCEPTED:
        return Acceptance(Outcome.ALREADY, offer, offer.appointment)
    if offer.status == OfferStatus.OPEN and offer.expires_at <= now:
        offer_expire(offer_id=offer.pk)
        offer.refresh_from_db()
    if offer.status == OfferStatus.EXPIRED:
        return Acceptance(Outcome.EXPIRED, offer)
    if offer.status == OfferStatus.TAKEN or (offer.status == OfferStatus.OPEN and slot.status == SlotStatus.FILLED):
        if offer.status == OfferStatus.OPEN:
            _offer_close(offer, OfferStatus.TAKEN, "taken by another patient", now)
        return Acceptance(Outcome.TAKEN, offer)
    if offer.status != OfferStatus.OPEN or slot.status != SlotStatus.OPEN:
        if offer.status == OfferStatus.OPEN:  # a closed offer keeps its outcome (declined, did not fit)
            _offer_close(offer, OfferStatus.WITHDRAWN, "time no longer free", now)
        return Acceptance(Outcome.UNAVAILABLE, offer)

    entry = WaitlistEntry.objects.select_for_update(of=("self",)).select_related("appointment").get(pk=offer.entry_id)
    try:
        with transaction.atomic():
            # Marked filled first: the booking's own events then see a filled slot, not a free one.
            FreedSlot.objects.filter(pk=slot.pk).update(status=SlotStatus.FILLED, closed_at=now)
            appointment, outcome = _book_for(entry, slot, actor)
    except (BookingConflict, ValidationError) as error:
        detail = error.message if isinstance(error, BookingConflict) else "; ".join(error.messages)
        _offer_close(offer, OfferStatus.FAILED, f"did not fit: {detail}", now)
        if _slot_taken_elsewhere(error):
            _slot_close(slot, SlotStatus.GONE, reason="time no longer free")
        else:  # only this patient could not take it: the others' offers stay, or the next group is offered
            _offer_once_committed(slot.pk)
        return Acceptance(Outcome.UNAVAILABLE, offer)
    slot.status, slot.filled_by, slot.closed_at = SlotStatus.FILLED, appointment, now
    slot.save(update_fields=["status", "filled_by", "closed_at"])
    offer.appointment = appointment
    _offer_close(offer, OfferStatus.ACCEPTED, outcome, now)
    offers_withdraw(
        offers=slot.offers.exclude(pk=offer.pk), reason="taken by another patient", status=OfferStatus.TAKEN
    )
    _entry_close(entry, status=WaitlistEntry.Status.FULFILLED, reason=f"{outcome} from offer #{offer.pk}")
    return Acceptance(outcome, offer, appointment)


@transaction.atomic
def offer_decline(*, offer_id: int) -> Acceptance:
    """The patient said no to this time ("NO 4821"): the offer closes, they stay on the list, and once no
    offer for the time is open the next patients are offered it."""
    slot_id = WaitlistOffer.objects.values_list("slot_id", flat=True).get(pk=offer_id)
    FreedSlot.objects.select_for_update(of=("self",)).get(pk=slot_id)  # the same lock order as acceptance
    offer = WaitlistOffer.objects.select_for_update(of=("self",)).get(pk=offer_id)
    if offer.status == OfferStatus.OPEN:
        _offer_close(offer, OfferStatus.DECLINED, "declined by the patient", timezone.now())
        _offer_once_committed(slot_id)
    return Acceptance(Outcome.DECLINED, offer)


def _offer_close(offer: WaitlistOffer, status: str, detail: str, now: datetime.datetime) -> None:
    offer.status, offer.answered_at, offer.outcome_detail = status, now, detail[:200]
    offer.save(update_fields=["status", "answered_at", "outcome_detail", "appointment"])
    outbox_cancel_for(related_type=OFFER_RELATED_TYPE, related_id=str(offer.pk), reason=f"offer {status}")


def _book_for(entry: WaitlistEntry, slot: FreedSlot, actor: Actor) -> tuple[Appointment, str]:
    if entry.appointment is not None:
        moved = appointment_reschedule(
            actor=actor, appointment=entry.appointment, starts_at=slot.starts_at, provider=slot.provider, room=slot.room
        )
        return moved, Outcome.MOVED
    booked = appointment_book(
        actor=actor,
        booking=Booking(
            patient=entry.patient,
            provider=slot.provider,
            session_type=slot.session_type,
            starts_at=slot.starts_at,
            room=slot.room,
        ),
    )
    return booked, Outcome.BOOKED
