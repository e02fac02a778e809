from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from clinic.intake.models import Inquiry, InquirySubmission
from clinic.intake.services import InquiryInput, inquiry_submit

pytestmark = pytest.mark.django_db(transaction=True)


def person(message: str) -> InquiryInput:
    return InquiryInput(
        first_name="Dana",
        last_name="Whitlock",
        phone="+16175550142",
        preferred_contact_method="phone",
        reasons=["depression"],
        message=message,
    )


def run_together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Start every job at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_simultaneous_submissions_by_one_person_make_one_inquiry() -> None:
    errors = run_together(
        [lambda n=n: inquiry_submit(data=person(f"attempt {n}"), source="api") for n in range(8)]  # type: ignore[misc]
    )

    assert errors == []
    assert Inquiry.objects.count() == 1
    assert InquirySubmission.objects.count() == 8
    assert InquirySubmission.objects.filter(merged=True).count() == 7


def test_simultaneous_retries_with_one_idempotency_key_store_once() -> None:
    errors = run_together(
        [lambda: inquiry_submit(data=person("same"), source="api", idempotency_key="retry-key-0001") for _ in range(6)]
    )

    assert errors == []
    assert Inquiry.objects.count() == 1
    assert InquirySubmission.objects.count() == 1
