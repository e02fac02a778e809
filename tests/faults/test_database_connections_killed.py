"""PostgreSQL drops the workers' connections (pg_terminate_backend) again and again in the middle of a dispatch."""

from __future__ import annotations

import pytest
from django.db import connection

from clinic.messaging.sandbox.models import SandboxMessage
from tests.faults.ledger import assert_delivered_exactly_once, batch_enqueue, batch_numbers, wait_for_outbox
from tests.support.processes import wait_until
from tests.support.stack import WORKER_APPLICATION_NAME, Stack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Enough for the kills to land in every step of a send (claim, provider call, record) many times,
# small enough to finish in well under a minute on two shared cores.
TOTAL = 300
PACE = "25"


def worker_connections_terminate() -> int:
    """Terminate the workers' connections to this test database only; return how many were cut."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"], WORKER_APPLICATION_NAME],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def test_connections_killed_mid_dispatch_lose_and_duplicate_nothing(stack: Stack) -> None:
    bodies = batch_enqueue(label="Connections cut", count=TOTAL, numbers=batch_numbers(first=0, count=30))
    # Paced at 25 texts a second, so that the dispatch lasts long enough (about 12 s) for many cuts to land
    # on any machine: at full speed a quiet machine could finish two thirds of it between a few cuts.
    worker = stack.worker(SMS_RATE_PER_SECOND=PACE)
    stack.beat(SMS_RATE_PER_SECOND=PACE)
    stack.start()
    wait_until(lambda: SandboxMessage.objects.count() >= 30, timeout=90, what="the dispatch to be under way")

    cut = 0

    def cut_and_check_progress() -> bool:
        nonlocal cut
        cut += worker_connections_terminate()
        sent = SandboxMessage.objects.count()
        return (sent >= TOTAL * 2 // 3 and cut >= 10) or sent >= TOTAL

    # Cut every few hundred milliseconds until two thirds of the batch is through and ten connections have
    # been cut (or the whole batch is through: then too few cuts landed, and the assertion below says so),
    # then let it finish.
    wait_until(cut_and_check_progress, timeout=180, what="sending to go on while connections are cut", interval=0.3)
    print(f"{cut} worker connections cut")
    assert cut >= 10, f"only {cut} connections were cut"
    # The worker saw its connections cut: in a task failure (Celery names the error) or in our own logs,
    # which name the exception's type only (its text could quote a row's values).
    log = worker.log.read_bytes()
    assert any(mark in log for mark in (b"terminating connection due to administrator command", b"OperationalError"))

    wait_for_outbox(lambda counts: counts.get("delivered", 0) == TOTAL, timeout=120, what=f"{TOTAL} texts delivered")
    assert_delivered_exactly_once(bodies)
    assert worker.process is not None and worker.process.poll() is None, "the worker did not survive"
    # Tasks whose connection was cut fail; none may fail any other way (a deadlock, a broken invariant).
    cut_off = (
        "terminating connection due to administrator command",
        "server closed the connection",
        "the connection is closed",
        "the connection is lost",
    )
    unexpected = [line for line in worker.task_failures() if not any(reason in line for reason in cut_off)]
    assert not unexpected, [line[-700:] for line in unexpected[:3]]
