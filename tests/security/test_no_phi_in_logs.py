"""Nothing logged identifies a patient: a whole flow runs, then every log line it wrote is searched.

The flow: a prospective patient submits the public form, front desk books a session, a real Celery
worker texts the reminder through the sandbox, the patient confirms, the session is completed, the
evening check-in goes out, the patient answers with crisis language, the on-call clinician is paged
and acknowledges the alert with a note. Forged and malformed requests are thrown in, because error
paths are where data leaks into logs. Everything the test process and the worker logged must be
one JSON object per line and contain none of the patient's phone number (in any spelling), e-mail
address, surname, or the words of any text sent or received.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clinic.accounts.models import AuditEvent
from clinic.checkins.models import Alert
from clinic.core.log_format import JsonFormatter
from clinic.messaging.models import InboundMessage
from clinic.messaging.sandbox.services import sandbox_reply_as_patient
from clinic.scheduling.models import Appointment
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import beat_play_at, local
from tests.support.processes import CeleryWorker
from tests.support.sandbox import SMS_PATH, inbound_params, outbox_settled, post_signed, sandbox_texts_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PHONE = "+16175550177"
ON_CALL = "+16175550166"
EMAIL = "marisol.quintero@example.org"
SURNAME = "Quintero-Vale"
INQUIRY_WORDS = "I relapsed last winter and my sister found me"
CRISIS_WORDS = "I cannot sleep and I want to die tonight"
ACK_NOTE = "Reached her sister by phone; staying with her tonight"


def phone_spellings(e164: str) -> list[str]:
    """The ways a US number shows up in text: +16175550177, 6175550177, 617-555-0177, (617) 555-0177..."""
    digits = e164.removeprefix("+1")
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return [e164, digits, f"{area}-{exchange}-{line}", f"({area}) {exchange}-{line}", f"{area}.{exchange}.{line}"]


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every record the test process logs, written by the service's own JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def texts_to(phone: str) -> list[str]:
    return [message.body for message in sandbox_texts_to(phone)]


def test_a_whole_flow_logs_nothing_that_identifies_the_patient(
    worker: CeleryWorker,
    captured_logs: io.StringIO,
    front_desk: AbstractBaseUser,
    clinician: AbstractBaseUser,
    tmp_path: Path,
) -> None:
    desk, doctor = APIClient(), APIClient()
    desk.force_authenticate(front_desk)
    doctor.force_authenticate(clinician)

    with time_machine.travel(local(2026, 12, 7, 9, 0), tick=False):
        # The public form, once with a mistake (its 400 is logged by Django), then correctly.
        form = {
            "first_name": "Marisol",
            "last_name": SURNAME,
            "email": EMAIL,
            "phone": "(617) 555-0177",
            "reasons": ["depression"],
            "message": INQUIRY_WORDS,
            "sms_consent": True,
            "privacy_acknowledged": True,
            "is_adult": True,
        }
        public = APIClient()
        assert public.post("/api/v1/inquiries/", {**form, "is_adult": False}, format="json").status_code == 400
        assert public.post("/api/v1/inquiries/", form, format="json").status_code == 201

        clinic = ClinicFactory(on_call_phone=ON_CALL)
        provider = ProviderFactory(clinic=clinic)
        RoomFactory(clinic=clinic)
        infusion = SessionTypeFactory(clinic=clinic)
        patient = PatientFactory(
            first_name="Marisol", last_name=SURNAME, email=EMAIL, phone=PHONE, sms_consent_at=timezone.now()
        )
        booked = desk.post(
            "/api/v1/appointments/",
            {
                "patient": patient.pk,
                "provider": provider.pk,
                "session_type": infusion.pk,
                "starts_at": local(2026, 12, 9, 10, 0).isoformat(),
            },
            format="json",
        )
        assert booked.status_code == 201, booked.content
        appointment = Appointment.objects.get(pk=booked.json()["id"])
        assert desk.get(f"/api/v1/patients/{patient.pk}/").status_code == 200

    # Monday 10:00, 48 hours ahead: the reminder reaches the phone; the patient confirms.
    beat_play_at(
        worker, local(2026, 12, 7, 10, 0), lambda: bool(texts_to(PHONE)) and outbox_settled(), "the 48-hour reminder"
    )
    with time_machine.travel(local(2026, 12, 7, 10, 5), tick=True):
        confirmed = sandbox_reply_as_patient(patient_number=PHONE, body="C")
        assert confirmed.inbound.webhook_status == 200
        # A forged webhook and a malformed one, both carrying the patient's number and words.
        client = Client()
        forged = inbound_params(CRISIS_WORDS, sid="SM" + "f" * 32, from_number=PHONE)
        assert post_signed(client, SMS_PATH, forged, signature="forged").status_code == 403
        assert client.post(SMS_PATH, {"From": PHONE, "Body": INQUIRY_WORDS}).status_code == 403  # unsigned
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED

    # Wednesday: the session happens, and the evening check-in asks whether the patient is home safe.
    with time_machine.travel(local(2026, 12, 9, 11, 50), tick=False):
        assert doctor.post(f"/api/v1/appointments/{appointment.pk}/check-in/").status_code == 200
        assert doctor.post(f"/api/v1/appointments/{appointment.pk}/complete/").status_code == 200
    beat_play_at(
        worker,
        local(2026, 12, 9, 19, 0),
        lambda: "home safe" in " ".join(texts_to(PHONE)) and outbox_settled(),
        "the home-safe check-in",
    )

    # 19:20: crisis language. The patient gets 988 at once, the on-call phone a link, the clinician acknowledges.
    with time_machine.travel(local(2026, 12, 9, 19, 20), tick=True):
        answer = sandbox_reply_as_patient(patient_number=PHONE, body=CRISIS_WORDS)
    assert "988" in " ".join(message.body for message in answer.replies)
    beat_play_at(
        worker, local(2026, 12, 9, 19, 21), lambda: bool(texts_to(ON_CALL)) and outbox_settled(), "the on-call page"
    )
    alert = Alert.objects.get(reason=Alert.Reason.CRISIS)
    with time_machine.travel(local(2026, 12, 9, 19, 30), tick=False):
        assert doctor.get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
        assert doctor.get(f"/api/v1/patients/{patient.pk}/messages/").status_code == 200
        acked = doctor.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": ACK_NOTE}, format="json")
        assert acked.status_code == 200
    worker.stop()

    # Everything logged, by this process and by the worker.
    lines = captured_logs.getvalue().splitlines() + worker.log.read_text(errors="replace").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(entries) > 20
    messages = " | ".join(str(entry.get("message")) for entry in entries)
    # The scan means something only if the flow's own lines are there.
    assert "appointment booked" in messages
    assert "crisis language in inbound message" in messages
    assert re.search(r"Task workers\.tasks\.outbox_send(?:_batch)?\[[\w-]+\] succeeded", messages)

    texts = [*texts_to(PHONE), *texts_to(ON_CALL), *InboundMessage.objects.values_list("body", flat=True)]
    assert len(texts) >= 5
    secrets = [*phone_spellings(PHONE), *phone_spellings(ON_CALL), EMAIL, SURNAME, INQUIRY_WORDS, ACK_NOTE, *texts]
    everything = "\n".join(lines)
    leaked = [secret for secret in secrets if len(secret) > 3 and secret in everything]
    assert leaked == []

    # The audit trail names who looked at what, never what they saw.
    trail = "\n".join(
        " ".join(map(str, row))
        for row in AuditEvent.objects.values_list("action", "target_type", "target_id", "detail", "ip_address")
    )
    assert "checkins.Alert" in trail
    assert [secret for secret in secrets if len(secret) > 3 and secret in trail] == []


def test_the_worker_and_the_web_process_write_json_lines() -> None:
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
