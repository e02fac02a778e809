"""A completed questionnaire for a patient, as the security worlds need one to name (measures app)."""

from __future__ import annotations

import datetime
import secrets

from django.utils import timezone

from clinic.measures.models import QuestionnaireAssignment
from clinic.patients.models import Patient


def questionnaire_completed(patient: Patient) -> QuestionnaireAssignment:
    """A PHQ-9 the patient answered an hour ago (total 9: item 1 to 3 at 3, the rest 0)."""
    done = timezone.now() - datetime.timedelta(hours=1)
    answers = {f"phq9-{n}": (3 if n <= 3 else 0) for n in range(1, 10)}
    return QuestionnaireAssignment.objects.create(
        patient=patient,
        instrument="phq9",
        purpose=QuestionnaireAssignment.Purpose.ON_DEMAND,
        due_at=done - datetime.timedelta(hours=1),
        expires_at=done + datetime.timedelta(days=2),
        token_hash=secrets.token_hex(32),
        status=QuestionnaireAssignment.Status.COMPLETED,
        answers=answers,
        total=9,
        band="mild",
        completed_at=done,
    )


def questionnaire_completed_id(patient: Patient) -> int:
    """The patient's latest completed questionnaire's id (the worlds make one each)."""
    found = (
        QuestionnaireAssignment.objects.filter(patient=patient, status=QuestionnaireAssignment.Status.COMPLETED)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    assert found is not None, "the world made no questionnaire for this patient"
    return found
