"""A REMS location: a nasal-spray session type marked as a REMS session, an enrolled patient, their sessions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.rems.models import RemsEnrollment, RemsSessionType
from clinic.scheduling.models import Appointment, Provider, SessionType
from tests.factories import (
    ClinicFactory,
    CompletedAppointmentFactory,
    PatientFactory,
    ProviderFactory,
    RoomFactory,
    SessionTypeFactory,
)


@dataclass
class RemsSite:
    clinic: Clinic
    session_type: SessionType
    provider: Provider
    patient: Patient


def rems_site_build(*, name: str = "Harbor", enrolled: bool = True, **clinic: Any) -> RemsSite:
    place = ClinicFactory(
        name=f"{name} Mind Clinic", short_name=name, address="1 Harbor Way\nBoston MA 02110", **clinic
    )
    session_type = SessionTypeFactory(
        clinic=place,
        name="Nasal spray session",
        duration_minutes=15,
        monitoring_minutes=120,
        needs_driver=True,
        fasting_hours=2,
    )
    RemsSessionType.objects.create(session_type=session_type)
    RoomFactory(clinic=place, name=f"{name} chair")
    provider = ProviderFactory(clinic=place, display_name=f"Dr. {name} Lee")
    patient = PatientFactory(
        first_name="Nora", last_name=f"{name}son", clinic=place, date_of_birth=datetime.date(1980, 2, 3)
    )
    if enrolled:
        RemsEnrollment.objects.create(patient=patient, completed_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))
    return RemsSite(clinic=place, session_type=session_type, provider=provider, patient=patient)


def rems_session(site: RemsSite, starts_at: datetime.datetime, **fields: Any) -> Appointment:
    """A completed REMS session at `starts_at` (inserted as is: booking rules are not the point)."""
    appointment: Appointment = CompletedAppointmentFactory(
        patient=site.patient, provider=site.provider, session_type=site.session_type, starts_at=starts_at, **fields
    )
    return appointment


def record_values(starts_at: datetime.datetime, decider: User | None = None, **changes: Any) -> dict[str, Any]:
    """A complete, unremarkable record for a session starting at `starts_at` (as the API takes it)."""
    first = starts_at + datetime.timedelta(minutes=5)
    values: dict[str, Any] = {
        "takes_benzodiazepines": False,
        "takes_sedative_hypnotics": False,
        "takes_psychostimulants": True,
        "takes_maois": False,
        "dose_mg": 84,
        "lot_number": "LOT-7781A",
        "first_dose_at": first,
        "last_dose_at": first + datetime.timedelta(minutes=10),
        "bp_pre_systolic": 128,
        "bp_pre_diastolic": 82,
        "bp_pre_at": first - datetime.timedelta(minutes=3),
        "bp_40_systolic": 139,
        "bp_40_diastolic": 88,
        "bp_40_at": first + datetime.timedelta(minutes=40),
        "bp_discharge_systolic": 124,
        "bp_discharge_diastolic": 80,
        "bp_discharge_at": first + datetime.timedelta(minutes=125),
        "vitals_ok_before_dosing": True,
        "vitals_ok_at_discharge": True,
        "sedation": "mild",
        "dissociation": "moderate",
        "respiratory_depression": "none",
        "observation_notes": "Dissociation eased by 70 minutes.",
        "adverse_events": "",
        "ready_to_leave_minutes": 90,
        "discharged_at": first + datetime.timedelta(minutes=130),
        "discharge_decided_by": decider.pk if decider is not None else None,
    }
    values.update(changes)
    return {key: value.isoformat() if isinstance(value, datetime.datetime) else value for key, value in values.items()}
