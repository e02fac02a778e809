"""Two devices send the same questionnaire at the same moment: exactly one wins (the conditional UPDATE)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from clinic.measures.answers import assignment_submit
from clinic.measures.instruments import Score
from clinic.measures.models import QuestionnaireAssignment
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_submissions_complete_it_once() -> None:
    now = timezone.now()
    assignment = QuestionnaireAssignment.objects.create(
        patient=PatientFactory(),
        instrument="gad7",
        purpose=QuestionnaireAssignment.Purpose.ON_DEMAND,
        due_at=now,
        expires_at=now + timezone.timedelta(days=7),
        token_hash="0" * 64,
        answers={f"gad7-{n}": 1 for n in range(1, 8)},
        status=QuestionnaireAssignment.Status.IN_PROGRESS,
    )
    start = threading.Barrier(2)
    results: list[Score | None] = []

    def device() -> None:
        try:
            start.wait()
            results.append(assignment_submit(assignment_id=assignment.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=device) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(result is None for result in results) == [False, True]
    winner = next(result for result in results if result is not None)
    assert (winner.total, winner.band_code) == (7, "mild")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.total) == (QuestionnaireAssignment.Status.COMPLETED, 7)
