"""Celery tasks. Each is thin: it loads what it needs by id and calls one service."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import close_old_connections

from clinic.checkins import escalation
from clinic.checkins import services as checkins
from clinic.core.sweeps import exception_summary
from clinic.measures import services as questionnaires
from clinic.messaging import outbox, sending
from clinic.rems import services as rems
from clinic.scheduling import replies
from clinic.waitlist import offers as waitlist_offers
from config.health import worker_heartbeat_record

logger = logging.getLogger(__name__)


@shared_task(name="workers.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that beat and a worker are alive; /readyz reports its age."""
    worker_heartbeat_record()


@shared_task(name="workers.tasks.outbox_dispatch", ignore_result=True)
def outbox_dispatch() -> None:
    """Settle rows abandoned by dead workers or lost tasks, then hand due rows to send tasks.

    Each step runs even if the one before raised: due texts (a crisis page among them) never wait
    because reconciling or requeueing went wrong.
    """
    steps: tuple[Callable[[], object], ...] = (
        sending.outbox_reconcile_stale,
        outbox.outbox_requeue_lost,
        outbox.outbox_claim_due,
    )
    failures = [failure for failure in map(_step_run, steps) if failure is not None]
    if failures:
        # Raised once every step has run, so the task still shows as failed, with the first cause.
        raise failures[0]


def _step_run(step: Callable[[], object]) -> Exception | None:
    try:
        step()
    except Exception as exc:
        logger.error("outbox dispatch: %s failed: %s", step.__name__, exception_summary(exc))
        # A connection the failure left broken is replaced before the next step.
        close_old_connections()
        return exc
    return None


@shared_task(name="workers.tasks.drivers_unconfirmed_flag", ignore_result=True)
def drivers_unconfirmed_flag() -> int:
    """Open a front-desk task for each session in the next day whose ride home is not confirmed."""
    return replies.drivers_unconfirmed_flag()


@shared_task(name="workers.tasks.checkins_follow_up", ignore_result=True)
def checkins_follow_up() -> int:
    """Follow up check-ins left unanswered, and hand the ones still unanswered after that to staff."""
    return checkins.checkins_follow_up_due()


@shared_task(name="workers.tasks.alerts_escalate", ignore_result=True)
def alerts_escalate() -> int:
    """Page the next step of the on-call ladder about urgent alerts nobody has acknowledged."""
    return escalation.alerts_escalate_due()


@shared_task(name="workers.tasks.waitlist_offers_sweep", ignore_result=True)
def waitlist_offers_sweep() -> tuple[int, int]:
    """Expire waitlist offers nobody answered in time, then offer each freed time to the next patients."""
    return waitlist_offers.offers_expire_and_refill()


@shared_task(name="workers.tasks.rems_forms_due", ignore_result=True)
def rems_forms_due() -> int:
    """Open a staff task on day 5 for each REMS monitoring form not yet marked submitted."""
    return rems.rems_forms_due_sweep()


@shared_task(name="workers.tasks.questionnaires_sweep", ignore_result=True)
def questionnaires_sweep() -> dict[str, int]:
    """Mark questionnaires whose link went out as sent, and expire those whose link ended."""
    return questionnaires.questionnaires_sweep()


@shared_task(name="workers.tasks.outbox_dispatch_urgent", ignore_result=True)
def outbox_dispatch_urgent() -> None:
    """Send due urgent rows (pages) now, from the urgent queue, without waiting for beat."""
    result = sending.outbox_send_due_urgent()
    if result.waiting:
        outbox.outbox_send_later(message_ids=result.waiting, urgent=True, countdown=result.retry_in)


@shared_task(name="workers.tasks.outbox_send_batch", ignore_result=True)
def outbox_send_batch(message_ids: list[int], urgent: bool = False) -> dict[str, int]:
    """Send a batch of queued outbox rows, their provider calls overlapped; rows left without a send slot
    come back as a new task once the rate window turns (never a process held while waiting)."""
    result = sending.outbox_send_batch(message_ids=message_ids, urgent=urgent)
    if result.waiting:
        outbox.outbox_send_later(message_ids=result.waiting, urgent=urgent, countdown=result.retry_in)
    return result.counts


# Kept for tasks enqueued before batches existed (one row per task); nothing enqueues it any more.
@shared_task(name="workers.tasks.outbox_send", bind=True, ignore_result=True, max_retries=None)
def outbox_send(self: Any, message_id: int) -> str:
    """Send one outbox row; waits for a send slot when the shared rate limit is reached."""
    outcome = sending.outbox_send(message_id=message_id)
    if outcome.retry_in:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.result
