"""Writes of the waitlist's entries: joining it (staff, or the patient's "earlier if possible") and leaving it.

What happens when a chair frees up, and when a patient answers an offer, is in offers.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.messaging.outbox import outbox_cancel_for
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, SessionType

from .models import MOVABLE, WaitlistEntry, WaitlistOffer, validate_times, validate_weekdays

Status = WaitlistEntry.Status
OFFER_RELATED_TYPE = WaitlistOffer._meta.label_lower


def offers_withdraw(
    *, offers: QuerySet[WaitlistOffer], reason: str, status: str = WaitlistOffer.Status.WITHDRAWN
) -> int:
    """Close the open ones of `offers` (a YES to them books nothing) and cancel their texts not yet sent."""
    ids = list(offers.filter(status=WaitlistOffer.Status.OPEN).values_list("pk", flat=True))
    for offer_id in ids:
        outbox_cancel_for(related_type=OFFER_RELATED_TYPE, related_id=str(offer_id), reason=reason)
    return WaitlistOffer.objects.filter(pk__in=ids, status=WaitlistOffer.Status.OPEN).update(
        status=status, answered_at=timezone.now(), outcome_detail=reason[:200]
    )


def _active_entry(patient: Patient, session_type: SessionType, appointment: Appointment | None) -> WaitlistEntry | None:
    return (
        WaitlistEntry.objects.select_for_update()
        .filter(patient=patient, session_type=session_type, appointment=appointment, status=Status.ACTIVE)
        .first()
    )


def _check_request(
    *,
    patient: Patient,
    session_type: SessionType,
    appointment: Appointment | None,
    weekdays: list[int],
    times: list[str],
    providers: Sequence[Provider],
) -> None:
    errors: dict[str, str] = {}
    if not session_type.is_active:
        errors["session_type"] = "This session type is no longer offered."
    if appointment is not None:
        if appointment.patient_id != patient.pk:
            errors["appointment"] = "This session is another patient's."
        elif appointment.session_type_id != session_type.pk:
            errors["appointment"] = "This session is of another session type."
        elif appointment.status not in MOVABLE or appointment.starts_at <= timezone.now():
            errors["appointment"] = "Only a coming session can be moved earlier."
    for name, value, validate in (
        ("preferred_weekdays", weekdays, validate_weekdays),
        ("preferred_times", times, validate_times),
    ):
        try:
            validate(value)
        except ValidationError as error:
            errors[name] = " ".join(error.messages)
    if any(not provider.is_active for provider in providers):
        errors["providers"] = "A chosen provider is not taking bookings."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def waitlist_join(
    *,
    actor: Actor,
    patient: Patient,
    session_type: SessionType,
    appointment: Appointment | None = None,
    preferred_weekdays: Iterable[int] = (),
    preferred_times: Iterable[str] = (),
    providers: Iterable[Provider] = (),
    source: str,
) -> WaitlistEntry:
    """Put a patient on the waitlist for a session type, or (with `appointment`) ask for that session earlier.

    Idempotent: the same patient, session type and appointment keep one active entry, whose preferences
    become the latest ones asked for; its place in the queue (created_at) is kept.
    """
    weekdays, times, chosen = sorted(set(preferred_weekdays)), list(dict.fromkeys(preferred_times)), list(providers)
    _check_request(
        patient=patient,
        session_type=session_type,
        appointment=appointment,
        weekdays=weekdays,
        times=times,
        providers=chosen,
    )
    entry = _active_entry(patient, session_type, appointment)
    created = entry is None
    if entry is None:
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    patient=patient,
                    session_type=session_type,
                    appointment=appointment,
                    preferred_weekdays=weekdays,
                    preferred_times=times,
                    source=source[:20],
                    created_by=actor.user_or_none,
                )
        except IntegrityError:  # a concurrent request added it a moment ago: that one is ours too
            entry = _active_entry(patient, session_type, appointment)
            if entry is None:
                raise
            created = False
    if not created:
        entry.preferred_weekdays, entry.preferred_times = weekdays, times
        entry.save(update_fields=["preferred_weekdays", "preferred_times"])
    entry.providers.set(chosen)
    audit_by(
        actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=entry,
        detail=f"waitlist {'joined' if created else 'preferences'} ({source[:20]})",
    )
    return entry


@transaction.atomic
def waitlist_remove(*, actor: Actor, entry: WaitlistEntry, reason: str = "removed by staff") -> WaitlistEntry:
    """Take an entry off the waitlist; its open offers are withdrawn (a YES to them books nothing)."""
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != Status.ACTIVE:
        return entry
    entry.status, entry.closed_at, entry.closed_reason = Status.REMOVED, timezone.now(), reason[:120]
    entry.save(update_fields=["status", "closed_at", "closed_reason"])
    offers_withdraw(offers=WaitlistOffer.objects.filter(entry=entry), reason="entry removed")
    audit_by(actor, action=AuditEvent.Action.UPDATE, target=entry, detail="waitlist removed")
    return entry
