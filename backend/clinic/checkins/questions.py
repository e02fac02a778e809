"""The texts a check-in asks with, and writing its question to the outbox."""

from __future__ import annotations

import datetime

from clinic.core.clinics import clinic_text_values
from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_enqueue
from clinic.messaging.texts import text_render

from .models import CheckIn, CheckInKind

CHECKIN_RELATED_TYPE = CheckIn._meta.label_lower

QUESTION_TEXTS: dict[str, tuple[str, ...]] = {
    CheckInKind.HOME_SAFE: ("checkin_home_safe",),
    CheckInKind.MOOD: ("checkin_mood",),
    CheckInKind.PHQ2: ("checkin_phq2_interest", "checkin_phq2_down"),
}
CLARIFY_TEXTS: dict[str, str] = {
    CheckInKind.HOME_SAFE: "checkin_clarify_home_safe",
    CheckInKind.MOOD: "checkin_clarify_mood",
    CheckInKind.PHQ2: "checkin_clarify_phq2",
}


def checkin_text_values(check_in: CheckIn) -> dict[str, str]:
    return {**clinic_text_values(check_in.appointment.session_type.clinic), "first_name": check_in.patient.first_name}


def checkin_question_enqueue(
    *, check_in: CheckIn, send_after: datetime.datetime, idempotency_key: str
) -> OutboundMessage:
    """Write the check-in's first question to the outbox, due at `send_after` (texting hours apply at send time)."""
    template = QUESTION_TEXTS[check_in.kind][0]
    return outbox_enqueue(
        kind=OutboundMessage.Kind.CHECKIN,
        template=template,
        to_number=check_in.patient.phone,
        body=text_render(template, language=check_in.patient.language, **checkin_text_values(check_in)),
        language=check_in.patient.language,
        clinic=check_in.appointment.session_type.clinic,
        idempotency_key=idempotency_key,
        send_after=send_after,
        patient_id=check_in.patient_id,
        related_type=CHECKIN_RELATED_TYPE,
        related_id=str(check_in.pk),
    )


def checkin_questions_rewrite_for_patient(*, patient_id: int, language: str) -> int:
    """Write the patient's check-in questions that wait in the outbox again, in `language` (their language
    changed). Only rows still scheduled; returns how many were rewritten."""
    rewritten = 0
    waiting = CheckIn.objects.filter(
        patient_id=patient_id, message__status=OutboundMessage.Status.SCHEDULED
    ).select_related("message", "patient", "appointment__session_type__clinic")
    for check_in in waiting:
        message = check_in.message
        assert message is not None  # filtered on its status just above
        body = text_render(message.template, language=language, **checkin_text_values(check_in))
        rewritten += OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SCHEDULED).update(
            body=body, language=language
        )
    return rewritten
