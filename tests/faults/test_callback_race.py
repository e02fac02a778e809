"""A status callback that lands while the worker records the send is never lost."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from clinic.messaging.models import OutboundMessage
from clinic.messaging.sending import delivery_report_record, outbox_record_sent
from tests.faults.ledger import batch_enqueue, batch_numbers, outbox_statuses

pytestmark = [pytest.mark.django_db(transaction=True)]
Status = OutboundMessage.Status
ROUNDS = 200  # before the fix, about a third of such races left the text "sent" for good


def race(*sides: Callable[[], None]) -> None:
    """Run each side in a thread of its own (own database connection), released at the same instant."""
    start = threading.Barrier(len(sides))
    failures: list[BaseException] = []

    def run(side: Callable[[], None]) -> None:
        try:
            start.wait()
            side()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(side,)) for side in sides]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures


def test_a_delivery_report_racing_the_record_of_the_send_still_marks_the_text_delivered() -> None:
    batch_enqueue(label="Race", count=ROUNDS, numbers=batch_numbers(first=9000, count=4))
    OutboundMessage.objects.update(status=Status.SENDING)  # each one is with the provider right now

    for message_id in OutboundMessage.objects.values_list("id", flat=True):
        sid = f"SM{message_id:032x}"
        race(
            lambda message_id=message_id, sid=sid: outbox_record_sent(message_id=message_id, sid=sid),
            lambda sid=sid: delivery_report_record(message_sid=sid, status="delivered", error_code=None),
        )

    assert outbox_statuses() == {Status.DELIVERED: ROUNDS}
