"""Two locations, two time zones, two languages, through a real worker and the live SMS sandbox.

María reads Spanish and lives in Phoenix (no daylight saving); she is booked at the Denver location.
John reads English and is booked at the Phoenix location the same morning. Each gets reminders in
their language, from the number of the location they are booked at, at times that respect their own
texting hours; María confirms with "SI" and later stops texts with "PARAR". The test plays beat and
the patients (tests/support/clock.py moves the worker's clock with the test's); texts are counted
where a phone would see them: at the sandbox.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.messaging.models import InboundMessage, OutboundMessage
from clinic.messaging.numbers import number_is_opted_out
from clinic.messaging.sandbox.services import sandbox_reply_as_patient
from clinic.messaging.segments import sms_segments
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, SessionType
from clinic.scheduling.services import Booking, appointment_book
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import beat_play_at
from tests.support.phones import OTHER_PHONE, PHONE
from tests.support.processes import CeleryWorker
from tests.support.sandbox import sandbox_texts_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
DENVER_TZ, PHOENIX_TZ = zoneinfo.ZoneInfo("America/Denver"), zoneinfo.ZoneInfo("America/Phoenix")
DENVER_NUMBER, PHOENIX_NUMBER = "+17205550100", "+16025550100"
PREP_EN = "Nothing to eat for 6 hours before. An adult must drive you home."
PREP_ES = "No coma nada en las 6 horas previas. Un adulto debe llevarle a casa en auto."


def denver(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=DENVER_TZ)


def site(name: str, zone: str, number: str) -> tuple[Clinic, SessionType]:
    clinic = ClinicFactory(name=name, short_name=f"Mesa {name}", timezone=zone, sms_from_number=number)
    RoomFactory(clinic=clinic)
    infusion = SessionTypeFactory(
        clinic=clinic, preparation_instructions=PREP_EN, preparation_translations={"es": PREP_ES}
    )
    return clinic, infusion


def book(patient: Patient, clinic: Clinic, infusion: SessionType, starts_at: datetime.datetime) -> Appointment:
    hours = [(day, datetime.time(7), datetime.time(18)) for day in range(7)]
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(
            patient=patient,
            provider=ProviderFactory(clinic=clinic, hours=hours),
            session_type=infusion,
            starts_at=starts_at,
        ),
    )


def reminders(patient: Patient) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(patient=patient, kind=OutboundMessage.Kind.REMINDER).order_by("send_after")
    )


def reply(phone: str, body: str, at: datetime.datetime) -> str:
    """The patient texts back from the sandbox (to the number that last texted them); return our answer."""
    with time_machine.travel(at, tick=True):
        answer = sandbox_reply_as_patient(patient_number=phone, body=body)
    assert answer.inbound.webhook_status == 200
    return " ".join(message.body for message in answer.replies)


def test_a_spanish_speaker_in_phoenix_booked_in_denver_and_an_english_speaker_booked_in_phoenix(
    worker: CeleryWorker,
) -> None:
    with time_machine.travel(denver(2027, 6, 7, 12), tick=False):
        denver_site, denver_infusion = site("Denver", "America/Denver", DENVER_NUMBER)
        phoenix_site, phoenix_infusion = site("Phoenix", "America/Phoenix", PHOENIX_NUMBER)
        consent = {"sms_consent_at": timezone.now(), "sms_consent_version": "2026-11-v1-es"}
        maria = PatientFactory(
            first_name="María", phone=PHONE, language="es", timezone="America/Phoenix", clinic=phoenix_site, **consent
        )
        john = PatientFactory(first_name="John", phone=OTHER_PHONE, timezone="America/Phoenix", **consent)
        # Thursday 10 June, 11:00 in each location's own time: 17:00 UTC in Denver (MDT), 18:00 UTC in Phoenix.
        maria_visit = book(maria, denver_site, denver_infusion, denver(2027, 6, 10, 11, 0))
        book(john, phoenix_site, phoenix_infusion, datetime.datetime(2027, 6, 10, 11, 0, tzinfo=PHOENIX_TZ))

    # María's 48-hour reminder at 11:00 Denver time; her 3-hour one would fall at 07:00 in Phoenix, before her
    # texting hours, so it goes at 08:00 hers (09:00 Denver). John's at 11:00 and 08:00 Phoenix time.
    utc = datetime.UTC
    assert [r.send_after for r in reminders(maria)] == [
        datetime.datetime(2027, 6, 8, 17, 0, tzinfo=utc),
        datetime.datetime(2027, 6, 10, 15, 0, tzinfo=utc),
    ]
    assert [r.send_after for r in reminders(john)] == [
        datetime.datetime(2027, 6, 8, 18, 0, tzinfo=utc),
        datetime.datetime(2027, 6, 10, 15, 0, tzinfo=utc),
    ]

    beat_play_at(worker, denver(2027, 6, 8, 11, 0), lambda: len(sandbox_texts_to(PHONE)) == 1, "María's reminder")
    (first,) = sandbox_texts_to(PHONE)
    assert first.from_number == DENVER_NUMBER
    assert first.body.startswith(
        f"Mesa Denver: Hola María, le esperamos el jueves, 10 de junio, 11:00 AM MDT (10:00 AM en su zona). "
        f"{PREP_ES} Responda SI para confirmar. Para cambiar o cancelar: http"
    )
    # "María" makes the text UCS-2 (67 characters a part): the sandbox counts its parts as the wording check does.
    assert first.num_segments == sms_segments(first.body) == 5
    assert sandbox_texts_to(OTHER_PHONE) == []  # John's is due an hour later

    beat_play_at(worker, denver(2027, 6, 8, 12, 0), lambda: len(sandbox_texts_to(OTHER_PHONE)) == 1, "John's")
    (johns,) = sandbox_texts_to(OTHER_PHONE)
    assert johns.from_number == PHOENIX_NUMBER
    assert johns.body.startswith(
        f"Mesa Phoenix: Hi John, see you Thursday, June 10 at 11:00 AM. {PREP_EN} Reply C to confirm. "
        "To change or cancel: http"
    )

    # María confirms in Spanish, to the Denver number her reminder came from.
    answer = reply(PHONE, "Sí", denver(2027, 6, 8, 12, 30))
    assert answer == (
        "Mesa Denver: Gracias, María, su cita está confirmada para el jueves, 10 de junio, "
        "11:00 AM MDT (10:00 AM en su zona). Pida a un adulto que le lleve a casa en auto y responda CHOFER "
        "cuando lo tenga."
    )
    maria_visit.refresh_from_db()
    assert maria_visit.status == Appointment.Status.CONFIRMED
    confirmed = InboundMessage.objects.get(body="Sí")
    assert (confirmed.language, confirmed.clinic, confirmed.patient) == ("es", denver_site, maria)

    # The next day she asks us to stop: confirmed once, in Spanish, and nothing more reaches her.
    answer = reply(PHONE, "PARAR", denver(2027, 6, 9, 19, 0))
    assert answer == "Mesa Denver: ya no recibirá más mensajes nuestros. Responda START para volver a recibirlos."
    assert number_is_opted_out(PHONE)

    def thursday_settled() -> bool:
        due = OutboundMessage.objects.filter(send_after=reminders(maria)[1].send_after)
        rows = {row.patient_id: row.status for row in due}
        return len(sandbox_texts_to(OTHER_PHONE)) == 2 and rows.get(maria.pk) == OutboundMessage.Status.SUPPRESSED

    beat_play_at(worker, denver(2027, 6, 10, 9, 0), thursday_settled, "Thursday's reminders")
    assert len(sandbox_texts_to(PHONE)) == 1  # her 3-hour reminder was suppressed: she said PARAR
    assert reminders(maria)[1].suppressed_reason == "opted out"
    assert sandbox_texts_to(OTHER_PHONE)[1].from_number == PHOENIX_NUMBER
