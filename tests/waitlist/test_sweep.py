"""Beat's waitlist sweep goes through every freed time even when offering one of them fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.db import connection

from clinic.waitlist.models import WaitlistOffer
from tests.support.clock import local
from tests.waitlist.world import booked_then_cancelled, offered_names, patient_make, waitlisted, world_build
from workers import tasks

pytestmark = pytest.mark.django_db
SECRET = "+16175550177"  # what the database's refusal says: never in the log


@contextmanager
def offers_refused_for(slot_id: int) -> Iterator[None]:
    """Make PostgreSQL refuse any offer written for this slot (as a constraint or a full disk would)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_offer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.slot_id = %s THEN RAISE EXCEPTION %s; END IF; RETURN NEW; END $$",
            [slot_id, SECRET],
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse_offer BEFORE INSERT ON waitlist_waitlistoffer "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_offer()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refuse_offer ON waitlist_waitlistoffer")
            cursor.execute("DROP FUNCTION test_refuse_offer()")


def test_one_slot_that_cannot_be_offered_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    with time_machine.travel(local(2026, 12, 1, 22), tick=False):  # at night: nothing is offered yet
        world = world_build()
        waitlisted(world, "Ana", patient=patient_make(world, "Ana", phone=SECRET))
        poisoned = booked_then_cancelled(world, local(2026, 12, 3, 10))
        healthy = booked_then_cancelled(world, local(2026, 12, 3, 14))
    with time_machine.travel(local(2026, 12, 2, 8), tick=False), offers_refused_for(poisoned.pk):
        assert tasks.waitlist_offers_sweep() == (0, 1)
    assert offered_names(healthy) == ["Ana"]
    assert not WaitlistOffer.objects.filter(slot=poisoned).exists()
    [line] = [record.getMessage() for record in caplog.records if "failed, skipped" in record.getMessage()]
    assert f"waitlist slot offer: row {poisoned.pk} failed, skipped: " in line
    assert SECRET not in line and SECRET.removeprefix("+1") not in line
    with time_machine.travel(local(2026, 12, 2, 8, 1), tick=False):
        tasks.waitlist_offers_sweep()
    assert offered_names(poisoned) == ["Ana"]  # the next sweep tries it again
