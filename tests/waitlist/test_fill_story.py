"""A cancelled infusion filled from the waitlist, through a real Celery worker and the live SMS sandbox.

Carl cancels Thursday's 10:00 infusion on Tuesday morning. The clinic offers one patient at a time: Ana,
first on the list, gets the text, through the worker and the sandbox, and does not answer. Thirty minutes
later beat's waitlist sweep, run by the worker, expires her offer and offers the time to Ben, in Spanish.
Ben answers "sí <code>" from his phone: the chair is his, and his confirmation reaches his phone. Ana's
late YES is answered kindly and books nothing. Texts are counted where a phone would see them: at the
sandbox.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from celery import current_app

from clinic.messaging.crisis import crisis_detect
from clinic.messaging.outbox import outbox_claim_due
from clinic.messaging.sandbox.models import SandboxMessage
from clinic.messaging.sandbox.services import sandbox_reply_as_patient
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_cancel
from clinic.waitlist.models import FreedSlot, WaitlistEntry, WaitlistOffer
from tests.support.clock import beat_play_at, local, worker_restart_at
from tests.support.phones import OTHER_PHONE, PHONE
from tests.support.processes import CeleryWorker, wait_until
from tests.support.sandbox import sandbox_texts_to
from tests.waitlist.world import STAFF, THURSDAY_10, book, patient_make, waitlisted, world_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
SWEEP_TASK = "workers.tasks.waitlist_offers_sweep"
CODE = re.compile(r"\b(?:YES|SI) (\d{4})\b")


def reply(phone: str, body: str, at: datetime.datetime) -> str:
    """The patient texts back from the sandbox; return our answer as their phone shows it."""
    with time_machine.travel(at, tick=True):
        answer = sandbox_reply_as_patient(patient_number=phone, body=body)
    assert answer.inbound.webhook_status == 200
    return " ".join(message.body for message in answer.replies)


def test_a_cancelled_infusion_is_filled_from_the_waitlist_by_text(worker: CeleryWorker) -> None:
    crisis_detect("warm up")  # loaded once per process: the live server's first text would wait for it
    tuesday_10 = local(2026, 12, 1, 10)
    with time_machine.travel(tuesday_10, tick=False):
        world = world_build(offers_at_once=1)
        waitlisted(world, "Ana", patient=patient_make(world, "Ana", phone=PHONE))
        waitlisted(world, "Ben", patient=patient_make(world, "Ben", phone=OTHER_PHONE, language="es"))
        carl = book(world, patient_make(world, "Carl"), THURSDAY_10, room=world.chair)
        appointment_cancel(actor=STAFF, appointment=carl, reason="patient is ill")

    beat_play_at(worker, tuesday_10 + datetime.timedelta(minutes=1), lambda: len(sandbox_texts_to(PHONE)) == 1, "offer")
    (anas,) = sandbox_texts_to(PHONE)
    ana_code = CODE.search(anas.body)
    assert ana_code is not None
    assert anas.body == (
        f"Harbor Clinic: A chair opened Thursday, December 3 at 10:00 AM. Reply YES {ana_code.group(1)} to take it."
    )
    assert sandbox_texts_to(OTHER_PHONE) == []  # one at a time

    # Ana does not answer. Beat's sweep, run by the worker 31 minutes on, expires her offer and offers Ben.
    later = tuesday_10 + datetime.timedelta(minutes=31)
    worker_restart_at(worker, later)
    with time_machine.travel(later, tick=True):
        current_app.send_task(SWEEP_TASK)

        def bens_offer_delivered() -> bool:
            outbox_claim_due(limit=100)
            return len(sandbox_texts_to(OTHER_PHONE)) == 1

        wait_until(bens_offer_delivered, timeout=90, what="Ben's offer", interval=0.3)
    assert WaitlistOffer.objects.get(entry__patient__phone=PHONE).status == WaitlistOffer.Status.EXPIRED
    (bens,) = sandbox_texts_to(OTHER_PHONE)
    ben_code = CODE.search(bens.body)
    assert ben_code is not None
    assert bens.body == (
        f"Harbor Clinic: Se liberó un sillón el jueves, 3 de diciembre a las 10:00 AM. Responda SI {ben_code.group(1)} "
        "para tomarlo."
    )

    # Ben takes it from his phone; the confirmation reaches it.
    answer = reply(OTHER_PHONE, f"sí {ben_code.group(1)}", later + datetime.timedelta(minutes=2))
    assert answer == (
        "Harbor Clinic: Gracias, Ben, el horario es suyo: jueves, 3 de diciembre a las 10:00 AM. "
        "Le enviaremos un recordatorio antes de su cita."
    )
    delivered = SandboxMessage.objects.filter(to_number=OTHER_PHONE, direction="outbound-reply").get()
    assert (delivered.body, delivered.status) == (answer, "delivered")
    visit = Appointment.objects.get(patient__phone=OTHER_PHONE)
    assert (visit.starts_at, visit.room, visit.provider, visit.status) == (
        THURSDAY_10,
        world.chair,
        world.provider,
        Appointment.Status.SCHEDULED,
    )
    slot = FreedSlot.objects.get()
    assert (slot.status, slot.filled_by) == (FreedSlot.Status.FILLED, visit)
    assert WaitlistEntry.objects.get(patient__phone=OTHER_PHONE).status == WaitlistEntry.Status.FULFILLED

    # Ana's late YES books nothing; she stays on the list.
    late = reply(PHONE, f"YES {ana_code.group(1)}", later + datetime.timedelta(minutes=5))
    assert late == (
        "Harbor Clinic: Sorry, that offer has expired. You stay on our waitlist, and we will text you when another "
        "time opens."
    )
    assert not Appointment.objects.filter(patient__phone=PHONE).exists()
    assert WaitlistEntry.objects.get(patient__phone=PHONE).status == WaitlistEntry.Status.ACTIVE
