"""Two beats sweeping at the same moment (a misconfigured deployment) page each round once."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from clinic.checkins.alerts import alert_open
from clinic.checkins.escalation import alerts_escalate_due
from clinic.checkins.models import AlertPage
from clinic.messaging.models import OutboundMessage
from tests.factories import ClinicFactory, PatientFactory
from tests.support.clock import local

pytestmark = pytest.mark.django_db(transaction=True)
NIGHT = local(2026, 12, 8, 3, 0)


def test_two_sweeps_at_once_claim_each_round_once() -> None:
    ClinicFactory(on_call_phone="+16175550199")
    patient = PatientFactory(sms_consent_at=timezone.now())
    alerts = [
        alert_open(key=f"race:{n}", urgency="urgent", reason="crisis", patient=patient, now=NIGHT) for n in range(5)
    ]
    start = threading.Barrier(2)
    rounds: list[int] = []

    def sweep() -> None:
        try:
            with time_machine.travel(NIGHT + datetime.timedelta(minutes=10), tick=False):
                start.wait(timeout=10)
                rounds.append(alerts_escalate_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(rounds) == len(alerts)  # five alerts, one second round each, whichever sweep claimed it
    for alert in alerts:
        alert.refresh_from_db()
        assert alert.notify_count == 2
        assert AlertPage.objects.filter(alert=alert, round=2, message__isnull=False).count() == 1
    assert OutboundMessage.objects.filter(kind=OutboundMessage.Kind.STAFF_ALERT).count() == 2 * len(alerts)
