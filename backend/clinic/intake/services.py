"""Every write of the intake: submitting, merging, triage, screening and conversion."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.accounts.locations import staff_location_ids
from clinic.accounts.models import AuditEvent
from clinic.accounts.services import audit_by
from clinic.core.clinics import clinic_current, clinic_display_name, clinic_timezone
from clinic.core.consent import consent_clear, consent_record, consent_version, email_consent_covers
from clinic.core.languages import LANGUAGE_DEFAULT, language_name
from clinic.core.locations import location_nearest, locations_open
from clinic.core.models import Clinic
from clinic.messaging.email.wording import email_render_content
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_enqueue, outbox_follow_email_change, outbox_follow_number_change
from clinic.messaging.texts import text_render
from clinic.patients.models import Patient

from .followups import FollowUp, inquiry_followups
from .models import Inquiry, InquiryNote, InquirySubmission, Reason, Screening

Status = Inquiry.Status

# The triage path. "converted" is reached only through inquiry_convert_to_patient.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.CONTACTED, Status.SCREENING, Status.CLOSED),
    Status.CONTACTED: (Status.SCREENING, Status.CLOSED),
    Status.SCREENING: (Status.ELIGIBLE, Status.NOT_ELIGIBLE, Status.CLOSED),
    Status.ELIGIBLE: (Status.CONVERTED, Status.SCREENING, Status.CLOSED),
    Status.NOT_ELIGIBLE: (Status.SCREENING, Status.CLOSED),
    Status.CONVERTED: (),
    Status.CLOSED: (Status.NEW,),
}
# A repeat submission from the same person merges into an inquiry in one of these states.
MERGEABLE_STATUSES = (Status.NEW, Status.CONTACTED, Status.SCREENING)


@dataclass(frozen=True)
class InquiryInput:
    """A validated public submission (see InquirySubmitSerializer)."""

    first_name: str
    last_name: str
    phone: str
    preferred_contact_method: str
    email: str = ""
    best_time_to_reach: str = ""
    reasons: list[str] = field(default_factory=list)
    prior_treatments: str = ""
    message: str = ""
    sms_consent: bool = False
    # The language to write and call in, and the one the consent wordings were shown in.
    preferred_language: str = LANGUAGE_DEFAULT
    consent_language: str = LANGUAGE_DEFAULT
    # The open location chosen on the form (None: not sure), and the US ZIP code given, if any.
    location_id: int | None = None
    postcode: str = ""


@dataclass(frozen=True)
class SubmitOutcome:
    """The stored submission (its own reference, what it said) and the inquiry it is part of."""

    inquiry: Inquiry
    submission: InquirySubmission
    merged: bool = False
    replayed: bool = False
    # What apps above intake add after this submission (followups.py), by provider name.
    follow_ups: dict[str, FollowUp] = field(default_factory=dict)


class IdempotencyKeyReused(Exception):
    """An Idempotency-Key already used for a submission with other content."""


def submission_hash(data: InquiryInput, *, source: str) -> str:
    """A hash of what a submission said, to tell an exact retry from another submission under the same key."""
    payload = json.dumps({"source": source, **asdict(data)}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_person(phone: str) -> None:
    """Serialize submissions for one phone number until the transaction ends (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return  # SQLite serializes every write transaction already
    key = int.from_bytes(hashlib.sha256(phone.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _open_inquiry_for(data: InquiryInput) -> Inquiry | None:
    since = timezone.now() - timedelta(hours=settings.INQUIRY_MERGE_WINDOW_HOURS)
    same_person = Q(phone=data.phone)
    if data.email:
        same_person |= Q(email__iexact=data.email)  # served by the intake_inquiry_email_upper index
    candidates = Inquiry.objects.filter(same_person, status__in=MERGEABLE_STATUSES, created_at__gte=since)
    return candidates.order_by("created_at").select_for_update().first()


def _location_for(data: InquiryInput) -> Clinic | None:
    """Return the location a submission is for: the open one chosen, else the only open one, else the open one
    nearest to the ZIP code given, else None (front desk decides)."""
    open_locations = locations_open()
    if data.location_id is not None:
        chosen = open_locations.filter(pk=data.location_id).first()
        if chosen is not None:
            return chosen
        # Closed since the form was checked: decided as if none had been chosen.
    first_two = list(open_locations[:2])
    if len(first_two) == 1:
        return first_two[0]
    return location_nearest(data.postcode) if data.postcode else None


def _wants_email(data: InquiryInput) -> bool:
    """Choosing email as the way to be reached, with an address, is consent to emails at that address."""
    return data.preferred_contact_method == Inquiry.ContactMethod.EMAIL and bool(data.email)


def _acknowledge(inquiry: Inquiry, data: InquiryInput, follow_ups: dict[str, FollowUp]) -> None:
    """Acknowledge a submission the way the person asked: by email if they chose email, else by text.

    Decided by this submission alone (never by what is stored), like everything the form answers. What a
    follow-up adds (followups.py: a text with a link, a paragraph) goes in the same acknowledgement.
    """
    if _wants_email(data):
        _acknowledge_by_email(inquiry, data, follow_ups)
    else:
        _acknowledge_by_text(inquiry, data, follow_ups)


def _acknowledge_by_email(inquiry: Inquiry, data: InquiryInput, follow_ups: dict[str, FollowUp]) -> None:
    """Queue the "we received your message" email to the address given in this submission (once per address).

    Not held for texting hours: it answers what the person just did, and an email does not ring a phone.
    """
    subject, body = email_render_content(
        "inquiry_ack",
        language=data.preferred_language,
        clinic=clinic_display_name(inquiry.clinic),
        first_name=data.first_name,
    )
    for follow_up in follow_ups.values():
        if follow_up.email_paragraph:
            body = f"{body.rstrip()}\n\n{follow_up.email_paragraph}"
    outbox_enqueue(
        kind=OutboundMessage.Kind.INQUIRY_ACK,
        template="inquiry_ack",
        channel=OutboundMessage.Channel.EMAIL,
        to_email=data.email,
        subject=subject,
        body=body,
        language=data.preferred_language,
        clinic=inquiry.clinic,
        inquiry_id=inquiry.pk,
        related_type=Inquiry._meta.label_lower,
        related_id=str(inquiry.pk),
        outside_texting_hours_ok=True,
        # Once per inquiry and address, without the address itself in a key staff can search.
        idempotency_key=f"inquiry:{inquiry.pk}:ack-email:{hashlib.sha256(data.email.lower().encode()).hexdigest()[:24]}",
    )


def _acknowledge_by_text(inquiry: Inquiry, data: InquiryInput, follow_ups: dict[str, FollowUp]) -> None:
    """Queue the "we received your message" text to the number given with consent in this submission.

    Only that number, and only the name given with it: nothing stored about anyone else goes out.
    Once per inquiry and number, so a double submission is acknowledged once.
    """
    if not data.sms_consent:
        return
    clinic = inquiry.clinic or clinic_current()
    # One text: the first follow-up's wording (with its link) stands in for the plain acknowledgement.
    offer = next((follow_up for follow_up in follow_ups.values() if follow_up.ack_text), None)
    outbox_enqueue(
        kind=OutboundMessage.Kind.INQUIRY_ACK,
        template=offer.ack_text if offer else "inquiry_ack",
        to_number=data.phone,
        body=text_render(
            offer.ack_text if offer else "inquiry_ack",
            language=data.preferred_language,
            clinic=clinic_display_name(clinic),
            first_name=data.first_name,
            **(offer.ack_values if offer else {}),
        ),
        language=data.preferred_language,
        clinic=inquiry.clinic,
        inquiry_id=inquiry.pk,
        related_type=Inquiry._meta.label_lower,
        related_id=str(inquiry.pk),
        idempotency_key=f"inquiry:{inquiry.pk}:ack:{data.phone}",
    )


def _merge(inquiry: Inquiry, data: InquiryInput, *, source: str, location: Clinic | None) -> None:
    """Fold a repeat submission into the open inquiry without losing anything it said.

    Anyone can type someone else's email or number into the public form: a merge never changes the
    earlier inquiry's contact details or consent. What differs goes into a note for staff to review;
    consent given with this submission stays with the number it was given for (on the submission).
    The inquiry keeps its location; one without a location takes this submission's.
    """
    added_reasons = sorted(set(data.reasons) - set(inquiry.reasons.values_list("code", flat=True)))
    if added_reasons:
        inquiry.reasons.add(*Reason.objects.filter(code__in=added_reasons))
    lines = [f"Submitted again ({Inquiry.Source(source).label}); merged into this inquiry. Please review."]
    if added_reasons:
        lines.append("Reasons added: " + ", ".join(added_reasons) + ".")
    for label, old, new in (
        ("Name", inquiry.full_name, f"{data.first_name} {data.last_name}"),
        ("Phone", inquiry.phone, data.phone),
        ("Email", inquiry.email, data.email),
        ("Preferred contact", inquiry.preferred_contact_method, data.preferred_contact_method),
        ("Best time to reach", inquiry.best_time_to_reach, data.best_time_to_reach),
        ("Prior treatments", inquiry.prior_treatments, data.prior_treatments),
        ("Message", inquiry.message, data.message),
    ):
        if new and new != old:
            lines.append(f"{label}: {new}")
    if data.preferred_language != inquiry.preferred_language:
        lines.append(f"Preferred language: {language_name(data.preferred_language)} ({data.preferred_language})")
    updated = ["updated_at"]
    if location is not None and location.pk != inquiry.clinic_id:
        if inquiry.clinic is None:
            inquiry.clinic = location
            updated.append("clinic")
            lines.append(f"Location: {location.name} (the inquiry had none; taken from this submission).")
        else:
            lines.append(f"Location: {location.name} (not applied: this inquiry stays at {inquiry.clinic.name}).")
    if data.phone != inquiry.phone or (data.email and data.email.lower() != inquiry.email.lower()):
        lines.append("Contact details differ from this inquiry's: not applied; confirm with the person.")
    if data.sms_consent:
        lines.append(f"Agreed to receive texts at {data.phone} (recorded with this submission, not on the inquiry).")
    inquiry.save(update_fields=updated)
    InquiryNote.objects.create(inquiry=inquiry, author=None, body="\n".join(lines))


def inquiry_submit(*, data: InquiryInput, source: str, idempotency_key: str | None = None) -> SubmitOutcome:
    """Store a public inquiry, or merge it into the same person's open one from the last day.

    Every submission gets its own reference, and what it answers never depends on what was stored
    before. A repeated Idempotency-Key with the same content returns the first submission and writes
    nothing; with other content it raises IdempotencyKeyReused.
    """
    content_hash = submission_hash(data, source=source)
    if idempotency_key:
        earlier = _submission_for_key(idempotency_key, content_hash=content_hash)
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            _lock_person(data.phone)
            now = timezone.now()
            language = data.consent_language  # consent is to the wordings as shown, in this language
            location = _location_for(data)
            inquiry = _open_inquiry_for(data)
            merged = inquiry is not None
            if inquiry is not None:
                _merge(inquiry, data, source=source, location=location)
            else:
                inquiry = Inquiry(
                    clinic=location,
                    first_name=data.first_name,
                    last_name=data.last_name,
                    phone=data.phone,
                    email=data.email,
                    preferred_contact_method=data.preferred_contact_method,
                    preferred_language=data.preferred_language,
                    best_time_to_reach=data.best_time_to_reach,
                    prior_treatments=data.prior_treatments,
                    message=data.message,
                    privacy_acknowledged_at=now,
                    adult_confirmed_at=now,
                    source=source,
                )
                if data.sms_consent:
                    inquiry.sms_consent = True
                    consent_record(
                        inquiry, channel="sms", address=inquiry.phone, source=source, now=now, language=language
                    )
                if _wants_email(data):
                    consent_record(
                        inquiry, channel="email", address=inquiry.email, source=source, now=now, language=language
                    )
                inquiry.save()
                if data.reasons:
                    # A new inquiry has no reasons yet: add, unlike set, needs no look at the current ones.
                    inquiry.reasons.add(*Reason.objects.filter(code__in=data.reasons))
            submission = InquirySubmission.objects.create(
                inquiry=inquiry,
                # The first submission carries the inquiry's reference; a merged one gets its own.
                **({} if merged else {"reference": inquiry.reference}),
                idempotency_key=idempotency_key or None,
                content_hash=content_hash,
                merged=merged,
                source=source,
                phone=data.phone,
                preferred_contact_method=data.preferred_contact_method,
                sms_consent_at=now if data.sms_consent else None,
                sms_consent_version=consent_version(channel="sms", language=language) if data.sms_consent else "",
                email=data.email,
                email_consent_at=now if _wants_email(data) else None,
                email_consent_version=consent_version(channel="email", language=language) if _wants_email(data) else "",
            )
            follow_ups = inquiry_followups(inquiry=inquiry, submission=submission, data=data, location=location)
            _acknowledge(inquiry, data, follow_ups)
    except IntegrityError:
        # Two requests with one Idempotency-Key raced; the other one stored the submission.
        if not idempotency_key:
            raise
        earlier = _submission_for_key(idempotency_key, content_hash=content_hash)
        if earlier is None:
            raise
        return earlier
    return SubmitOutcome(inquiry=inquiry, submission=submission, merged=merged, follow_ups=follow_ups)


def _submission_for_key(key: str, *, content_hash: str) -> SubmitOutcome | None:
    earlier = InquirySubmission.objects.select_related("inquiry").filter(idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.content_hash != content_hash:
        raise IdempotencyKeyReused(key)
    return SubmitOutcome(inquiry=earlier.inquiry, submission=earlier, merged=earlier.merged, replayed=True)


def _locked(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.select_for_update().get(pk=inquiry.pk)


# Fields staff may correct on an inquiry (status, assignment and consent have their own paths).
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "preferred_contact_method",
    "best_time_to_reach",
    "prior_treatments",
    "message",
    "clinic",
)


def inquiry_update(*, inquiry: Inquiry, by: Actor, changes: dict[str, object]) -> Inquiry:
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"reasons"}
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        old_phone, old_email = inquiry.phone, inquiry.email
        changed = []
        for name, value in changes.items():
            if name == "reasons":
                assert isinstance(value, list)
                inquiry.reasons.set(Reason.objects.filter(code__in=value))
                changed.append(name)
            elif getattr(inquiry, name) != value:
                setattr(inquiry, name, value)
                changed.append(name)
        if inquiry.preferred_contact_method == Inquiry.ContactMethod.EMAIL and not inquiry.email:
            raise ValidationError({"email": "An email address is needed when email is the preferred contact."})
        if "phone" in changed:
            # Consent belongs to a number: the new one has none until the person gives it.
            if inquiry.sms_consent:
                inquiry.sms_consent = False
                consent_clear(inquiry, channel="sms")
                changed.append("sms_consent dropped")
            outbox_follow_number_change(
                inquiry_id=inquiry.pk, old_number=old_phone, new_number=inquiry.phone, consent_for_new=False
            )
        if "email" in changed and old_email.lower() != inquiry.email.lower():
            # Consent belongs to an address too: the new one has none until the person gives it.
            if inquiry.email_consent_at is not None:
                consent_clear(inquiry, channel="email")
                changed.append("email_consent dropped")
            outbox_follow_email_change(inquiry_id=inquiry.pk, old_email=old_email)
        inquiry.save()
        audit_by(by, action=AuditEvent.Action.UPDATE, target=inquiry, detail="changed " + ", ".join(changed))
    return inquiry


def inquiry_transition(*, inquiry: Inquiry, by: Actor, to_status: str, note: str = "") -> Inquiry:
    """Move an inquiry along the triage path; an invalid move names the allowed ones."""
    if to_status == Status.CONVERTED:
        raise ValidationError({"status": "Use the convert action to turn an inquiry into a patient."})
    with transaction.atomic():
        inquiry = _locked(inquiry)
        allowed = [s for s in ALLOWED_TRANSITIONS[inquiry.status] if s != Status.CONVERTED]
        if to_status not in allowed:
            allowed_text = ", ".join(allowed) if allowed else "none"
            raise ValidationError(
                {"status": f"Cannot move from {inquiry.status} to {to_status}. Allowed: {allowed_text}."}
            )
        previous = inquiry.status
        inquiry.status = to_status
        inquiry.save(update_fields=["status", "updated_at"])
        if note:
            InquiryNote.objects.create(inquiry=inquiry, author=by.user_or_none, body=note)
        audit_by(by, action=AuditEvent.Action.UPDATE, target=inquiry, detail=f"status {previous} -> {to_status}")
    return inquiry


def inquiry_assign(*, inquiry: Inquiry, by: Actor, assignee_id: int | None) -> Inquiry:
    with transaction.atomic():
        inquiry = _locked(inquiry)
        inquiry.assigned_to_id = assignee_id
        inquiry.save(update_fields=["assigned_to", "updated_at"])
        audit_by(by, action=AuditEvent.Action.UPDATE, target=inquiry, detail=f"assigned to {assignee_id or 'nobody'}")
    return inquiry


def inquiry_note_add(*, inquiry: Inquiry, by: Actor, body: str) -> InquiryNote:
    with transaction.atomic():
        note = InquiryNote.objects.create(inquiry=inquiry, author=by.user_or_none, body=body)
        audit_by(by, action=AuditEvent.Action.CREATE, target=note, detail=f"note on inquiry {inquiry.pk}")
    return note


def screening_check(*, result: str, contraindications: list[str]) -> None:
    """Refuse "eligible" while any contraindication is ticked."""
    if result == Screening.Result.ELIGIBLE and contraindications:
        raise ValidationError({"result": "Cannot be eligible with contraindications: " + ", ".join(contraindications)})


def screening_record(*, inquiry: Inquiry, by: Actor, checklist: dict[str, bool], result: str, notes: str) -> Screening:
    """Save the contraindication checklist and set the inquiry's status to match its result.

    "Eligible" with any contraindication ticked is refused: a clinician clears the item or
    records the person as not eligible.
    """
    unknown = set(checklist) - set(Screening.CONTRAINDICATIONS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a screening item."))
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if inquiry.status in (Status.CONVERTED, Status.CLOSED):
            raise ValidationError({"status": f"A {inquiry.status} inquiry cannot be screened."})
        screening, _ = Screening.objects.select_for_update().get_or_create(inquiry=inquiry)
        for name, value in checklist.items():
            setattr(screening, name, value)
        screening_check(result=result, contraindications=screening.contraindications_present)
        screening.result = result
        screening.notes = notes
        screening.screened_by = by.user_or_none
        screening.screened_at = timezone.now()
        screening.save()

        # While an inquiry is being screened, its status follows the screening result.
        previous = inquiry.status
        inquiry.status = {
            Screening.Result.PENDING: Status.SCREENING,
            Screening.Result.ELIGIBLE: Status.ELIGIBLE,
            Screening.Result.NOT_ELIGIBLE: Status.NOT_ELIGIBLE,
        }[Screening.Result(result)]
        if inquiry.status != previous:
            inquiry.save(update_fields=["status", "updated_at"])
        audit_by(
            by,
            action=AuditEvent.Action.UPDATE,
            target=screening,
            detail=f"screening result {result}; inquiry {previous} -> {inquiry.status}",
        )
    return screening


def _converter_location(by: Actor) -> int | None:
    """Where a patient from an inquiry of no location is seen: the converter's location, if they are limited to
    some (the lowest, if several), so the patient does not leave their sight; else none yet."""
    locations = staff_location_ids(by.user_or_none)
    return min(locations) if locations else None


def _patient_from(inquiry: Inquiry, *, by: Actor) -> Patient:
    """Create the Patient an inquiry describes, carrying contact details and the consent that still fits."""
    # Consent carries over only if it was given for the number the patient is created with.
    consent = inquiry.sms_consent and inquiry.sms_consent_phone in (inquiry.phone, "")
    email_consent = email_consent_covers(
        consented=inquiry.email_consent_at is not None,
        consent_address=inquiry.email_consent_address,
        address=inquiry.email,
        to_email=inquiry.email,
    )
    return Patient.objects.create(
        clinic_id=inquiry.clinic_id or _converter_location(by),
        first_name=inquiry.first_name,
        last_name=inquiry.last_name,
        phone=inquiry.phone,
        email=inquiry.email,
        timezone=clinic_timezone(inquiry.clinic).key,
        language=inquiry.preferred_language,
        sms_consent_at=inquiry.sms_consent_at if consent else None,
        sms_consent_version=inquiry.sms_consent_version if consent else "",
        sms_consent_source=inquiry.sms_consent_source if consent else "",
        sms_consent_phone=inquiry.phone if consent else "",
        email_consent_at=inquiry.email_consent_at if email_consent else None,
        email_consent_version=inquiry.email_consent_version if email_consent else "",
        email_consent_source=inquiry.email_consent_source if email_consent else "",
        email_consent_address=inquiry.email if email_consent else "",
        created_by=by.user_or_none,
    )


def inquiry_patient_ensure(*, inquiry: Inquiry, by: Actor) -> Patient:
    """Return the inquiry's patient, creating it first if it has none, without moving the inquiry on.

    For a booking made before triage (a self-booked first consultation): the inquiry stays where it is,
    and converting it later keeps this patient instead of making a second one.
    """
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if inquiry.patient_id is not None:
            return inquiry.patient  # type: ignore[return-value]
        patient = _patient_from(inquiry, by=by)
        inquiry.patient = patient
        inquiry.save(update_fields=["patient", "updated_at"])
        audit_by(by, action=AuditEvent.Action.CREATE, target=patient, detail=f"made for inquiry {inquiry.pk}")
    return patient


def inquiry_convert_to_patient(*, inquiry: Inquiry, by: Actor) -> Patient:
    """Turn an eligible inquiry into a patient: the one it already has (inquiry_patient_ensure), else a new one."""
    with transaction.atomic():
        inquiry = _locked(inquiry)
        if inquiry.status != Status.ELIGIBLE:
            raise ValidationError(
                {"status": f"Only an eligible inquiry can be converted; this one is {inquiry.status}."}
            )
        existing = inquiry.patient
        patient = existing if existing is not None else _patient_from(inquiry, by=by)
        inquiry.patient = patient
        inquiry.status = Status.CONVERTED
        inquiry.save(update_fields=["patient", "status", "updated_at"])
        if existing is None:
            audit_by(by, action=AuditEvent.Action.CREATE, target=patient, detail=f"converted from inquiry {inquiry.pk}")
        else:
            audit_by(by, action=AuditEvent.Action.UPDATE, target=patient, detail=f"inquiry {inquiry.pk} converted")
    return patient
