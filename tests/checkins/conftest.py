from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone

from clinic.patients.models import Patient
from clinic.scheduling.models import Clinic, SessionType
from tests.factories import ClinicFactory, PatientFactory, SessionTypeFactory
from tests.support.clock import local
from tests.support.phones import ON_CALL, PHONE


@pytest.fixture
def clinic(db: None) -> Clinic:
    return ClinicFactory(on_call_phone=ON_CALL)


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    return SessionTypeFactory(clinic=clinic)


@pytest.fixture
def patient(db: None) -> Patient:
    return PatientFactory(first_name="Robin", phone=PHONE, sms_consent_at=timezone.now())


@pytest.fixture
def at_monday_noon() -> Iterator[None]:
    with time_machine.travel(local(2026, 12, 7, 12), tick=False):
        yield
