from __future__ import annotations

import pytest
from django.utils import timezone

from clinic.core.models import Clinic
from clinic.patients.models import Patient
from clinic.scheduling.models import Provider, SeriesPlan, SessionType
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, SeriesPlanFactory, SessionTypeFactory


@pytest.fixture
def north(db: None) -> Clinic:
    return ClinicFactory(name="North")


@pytest.fixture
def south(db: None) -> Clinic:
    return ClinicFactory(name="South", phone="+16175550199")


@pytest.fixture
def infusion(north: Clinic) -> SessionType:
    return SessionTypeFactory(clinic=north)


@pytest.fixture
def induction(infusion: SessionType) -> SeriesPlan:
    return SeriesPlanFactory(session_type=infusion, name="IV induction")


@pytest.fixture
def doctor(north: Clinic) -> Provider:
    return ProviderFactory(clinic=north, display_name="Dr. Avery")


@pytest.fixture
def robin(north: Clinic) -> Patient:
    return PatientFactory(first_name="Robin", last_name="Lee", clinic=north, sms_consent_at=timezone.now())
