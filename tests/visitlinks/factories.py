"""A clinic with chairs and a provider, a patient's infusion booked on Thursday, and the link to it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from clinic.accounts.actor import Actor
from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Appointment, Provider, Room, SessionType
from clinic.scheduling.services import Booking, appointment_book
from clinic.visitlinks.models import VisitLink
from clinic.visitlinks.services import visit_link_issue
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.clock import local

# Monday 7 December 2026, noon in New York; the visit is on Thursday at 14:00.
NOW = local(2026, 12, 7, 12)
VISIT_AT = local(2026, 12, 10, 14)
PREPARATION = "Please have nothing to eat for 6 hours before your visit. Arrange an adult to drive you home."


@dataclass
class Place:
    clinic: Clinic
    provider: Provider
    infusion: SessionType
    chairs: list[Room]


def place_build(*, chairs: int = 2) -> Place:
    clinic = ClinicFactory(address="12 Harbor Street\nBoston, MA 02110")
    return Place(
        clinic=clinic,
        provider=ProviderFactory(clinic=clinic, display_name="Dr. Ada Stone"),
        infusion=SessionTypeFactory(
            clinic=clinic,
            name="IV ketamine infusion",  # staff-facing: never on the patient's page
            preparation_instructions=PREPARATION,
            preparation_translations={"es": "No coma nada en las 6 horas previas. Un adulto debe llevarle a casa."},
        ),
        chairs=[RoomFactory(clinic=clinic, name=f"Chair {n}") for n in range(1, chairs + 1)],
    )


def visit_book(
    place: Place,
    starts_at: datetime.datetime = VISIT_AT,
    *,
    patient: Patient | None = None,
    room: Room | None = None,
    **patient_fields: object,
) -> Appointment:
    return appointment_book(
        actor=Actor(user=None),
        booking=Booking(
            patient=patient or PatientFactory(**patient_fields),
            provider=place.provider,
            session_type=place.infusion,
            starts_at=starts_at,
            room=room,
        ),
    )


def link_to(appointment: Appointment) -> str:
    """A new link to the session: its path, /v/<token>."""
    url = visit_link_issue(appointment=appointment, purpose=VisitLink.Purpose.REPLY)
    return "/v/" + url.rsplit("/v/", 1)[1]


def stamp(moment: datetime.datetime) -> str:
    """A time as the page's forms send it: a Unix timestamp."""
    return str(int(moment.timestamp()))
