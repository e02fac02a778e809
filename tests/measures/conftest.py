from __future__ import annotations

import pytest
from django.utils import timezone

from clinic.core.models import Clinic
from clinic.measures.plans import measure_plans_default_apply
from clinic.patients.models import Patient
from clinic.scheduling.models import Provider, SessionType
from tests.factories import ClinicFactory, PatientFactory, ProviderFactory, RoomFactory, SessionTypeFactory
from tests.support.phones import ON_CALL, PHONE


@pytest.fixture
def clinic(db: None) -> Clinic:
    return ClinicFactory(on_call_phone=ON_CALL)


@pytest.fixture
def infusion(clinic: Clinic) -> SessionType:
    """An IV infusion with the default plan: PHQ-9 and GAD-7 as baseline and before each, PHQ-9 1/4/12 weeks after."""
    session_type = SessionTypeFactory(clinic=clinic)
    RoomFactory(clinic=clinic, name="Chair A")
    RoomFactory(clinic=clinic, name="Chair B")
    measure_plans_default_apply(session_type)
    return session_type


@pytest.fixture
def provider(clinic: Clinic) -> Provider:
    return ProviderFactory(clinic=clinic)


@pytest.fixture
def patient(db: None) -> Patient:
    """A patient in Los Angeles, three hours behind the clinic (New York)."""
    now = timezone.now()
    return PatientFactory(
        first_name="Robin",
        phone=PHONE,
        timezone="America/Los_Angeles",
        sms_consent_at=now,
        sms_consent_phone=PHONE,
    )
