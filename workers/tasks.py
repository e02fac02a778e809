"""Celery tasks. Each is thin: it loads what it needs by id and calls one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from clinic.checkins import escalation
from clinic.checkins import services as checkins
from clinic.core.services import worker_heartbeat_record
from clinic.messaging import outbox, sending
from clinic.scheduling import replies


@shared_task(name="workers.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Record that beat and a worker are alive; /readyz reports its age."""
    worker_heartbeat_record()


@shared_task(name="workers.tasks.outbox_dispatch", ignore_result=True)
def outbox_dispatch() -> None:
    """Settle rows abandoned by dead workers or lost tasks, then hand due rows to send tasks."""
    sending.outbox_reconcile_stale()
    outbox.outbox_requeue_lost()
    outbox.outbox_claim_due()


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


@shared_task(name="workers.tasks.outbox_send", bind=True, ignore_result=True, max_retries=None)
def outbox_send(self: Any, message_id: int) -> str:
    """Send one outbox row; waits for a send slot when the shared rate limit is reached."""
    outcome = sending.outbox_send(message_id=message_id)
    if outcome.retry_in:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.result
