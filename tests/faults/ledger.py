"""Batches of texts written to the outbox, and what the sandbox (our stand-in for Twilio) says it received."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from clinic.messaging.models import OutboundMessage
from clinic.messaging.outbox import outbox_enqueue
from clinic.messaging.sandbox.models import SandboxMessage
from tests.factories import PatientFactory
from tests.support.phones import BATCHES, phone_numbers
from tests.support.processes import wait_while_progressing

Status = OutboundMessage.Status


def batch_numbers(*, first: int, count: int) -> list[str]:
    return phone_numbers(count, first=first, exchange=BATCHES)


def batch_enqueue(*, label: str, count: int, numbers: list[str]) -> list[str]:
    """Write `count` texts, each with a body of its own, spread over consenting patients with these numbers.

    Returns the bodies, which is how the sandbox's record is matched to the outbox.
    """
    patients = [
        PatientFactory(phone=number, sms_consent_at=timezone.now(), sms_consent_version="2026-11-v1")
        for number in numbers
    ]
    bodies = [f"{label} text number {n}" for n in range(count)]
    with transaction.atomic():
        for n, body in enumerate(bodies):
            person = patients[n % len(patients)]
            outbox_enqueue(
                kind=OutboundMessage.Kind.AD_HOC,
                to_number=person.phone,
                body=body,
                patient_id=person.pk,
                idempotency_key=f"{label}-{n}",
            )
    return bodies


def outbox_statuses() -> dict[str, int]:
    counts: Counter[str] = Counter(OutboundMessage.objects.values_list("status", flat=True))
    return dict(counts)


def sandbox_received() -> Counter[str]:
    """How many times the sandbox accepted each body through its Messages API."""
    return Counter(
        SandboxMessage.objects.filter(direction=SandboxMessage.Direction.OUTBOUND_API).values_list("body", flat=True)
    )


def wait_for_outbox(done: Callable[[dict[str, int]], bool], *, timeout: float, what: str) -> None:
    """Poll the outbox's status counts until `done(counts)` holds.

    Fails only when no text has moved forward (sent, delivered, failed...) for `timeout` seconds (a
    stall, saying where the outbox stood), never because a loaded machine took longer in all.
    """
    try:
        wait_while_progressing(
            lambda: done(outbox_statuses()), progress=_texts_finished, stalled_after=timeout, what=what, interval=0.5
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}; outbox stood at {outbox_statuses()}") from None


def _texts_finished() -> tuple[int, ...]:
    """How many texts reached the provider or ended: rows cycling between scheduled and queued are no progress."""
    counts = outbox_statuses()
    return tuple(counts.get(status, 0) for status in ("sent", "delivered", "undelivered", "failed", "cancelled"))


def assert_delivered_exactly_once(bodies: list[str]) -> None:
    """Every one of these texts reached the sandbox once, was delivered there, and its outbox row says so."""
    received = sandbox_received()
    twice = sorted(body for body in bodies if received[body] > 1)
    missing = sorted(body for body in bodies if received[body] == 0)
    assert not twice, f"{len(twice)} texts reached the phone more than once, e.g. {twice[:3]}"
    assert not missing, f"{len(missing)} texts never reached the phone, e.g. {missing[:3]}"
    at_sandbox = dict(
        SandboxMessage.objects.filter(body__in=bodies, direction=SandboxMessage.Direction.OUTBOUND_API).values_list(
            "body", "sid"
        )
    )
    rows = dict(OutboundMessage.objects.filter(body__in=bodies).values_list("body", "provider_sid"))
    assert len(rows) == len(bodies)
    wrong_sid = [body for body in bodies if rows[body] != at_sandbox[body]]
    assert not wrong_sid, f"{len(wrong_sid)} outbox rows name another provider message, e.g. {wrong_sid[:3]}"
    not_delivered = SandboxMessage.objects.filter(body__in=bodies).exclude(status=SandboxMessage.Status.DELIVERED)
    assert not not_delivered.exists(), f"{not_delivered.count()} texts were not delivered at the sandbox"
    assert OutboundMessage.objects.filter(body__in=bodies, status=Status.DELIVERED).count() == len(bodies)
