"""A location that offers self-booked first consultations, and the ways the tests reach it."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from clinic.core.models import Clinic
from clinic.intake.models import Inquiry
from clinic.intake.services import InquiryInput, SubmitOutcome, inquiry_submit
from clinic.scheduling.models import Provider, SessionType
from clinic.selfbooking.models import SelfBookableType, SelfBookingLocation
from tests.factories import ClinicFactory, ProviderFactory, SessionTypeFactory

PHOENIX = zoneinfo.ZoneInfo("America/Phoenix")  # no daylight-saving time: the arithmetic stays plain
# Monday 7 December 2026, 08:00 in Phoenix: offers start 24 h later, Tuesday 08:00; the first time is 09:00.
MONDAY_8AM = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=PHOENIX)
TUESDAY_9AM = datetime.datetime(2026, 12, 8, 9, 0, tzinfo=PHOENIX)


@dataclass
class World:
    location: Clinic
    provider: Provider
    consult: SelfBookableType
    setup: SelfBookingLocation


def world_build(*, confirmation: str = SelfBookableType.Confirmation.REQUESTED, providers: int = 1) -> World:
    location = ClinicFactory(name="Desert Mind Clinic", short_name="Desert Clinic", timezone="America/Phoenix")
    provider = ProviderFactory(clinic=location)
    for _ in range(providers - 1):
        ProviderFactory(clinic=location)
    session_type = SessionTypeFactory(
        clinic=location,
        name="Intake consultation",
        slug="intake-consult",
        mode=SessionType.Mode.VIDEO,
        duration_minutes=30,
        monitoring_minutes=0,
        needs_chair=False,
        needs_driver=False,
        fasting_hours=0,
    )
    consult = SelfBookableType.objects.create(session_type=session_type, confirmation=confirmation)
    consult.full_clean()
    setup = SelfBookingLocation.objects.create(
        location=location, enabled=True, consult=consult, excluded_reasons=["other"]
    )
    setup.full_clean()
    return World(location=location, provider=provider, consult=consult, setup=setup)


def person(**overrides: Any) -> InquiryInput:
    values: dict[str, Any] = {
        "first_name": "Dana",
        "last_name": "Whitlock",
        "phone": "+16175550142",
        "email": "dana@example.com",
        "preferred_contact_method": Inquiry.ContactMethod.SMS,
        "reasons": ["depression"],
        "sms_consent": True,
    }
    values.update(overrides)
    return InquiryInput(**values)


def submit(**overrides: Any) -> tuple[SubmitOutcome, str]:
    """Submit an inquiry; return the outcome and its self-booking link token ("" when none was offered)."""
    outcome = inquiry_submit(data=person(**overrides), source=Inquiry.Source.WEB_FORM)
    follow_up = outcome.follow_ups.get("selfbooking")
    return outcome, follow_up.key if follow_up else ""
