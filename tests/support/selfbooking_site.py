"""Self-booking records at a location of the security tests' world: settings and one self-booked consultation."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from clinic.core.models import Clinic
from clinic.intake.models import Inquiry, InquirySubmission
from clinic.scheduling.models import Appointment
from clinic.selfbooking.models import SelfBookableType, SelfBooking, SelfBookingLocation, SelfBookingOffer


def selfbooking_site_build(*, clinic: Clinic, inquiry: Inquiry, appointment: Appointment) -> None:
    """Turn self-booking on at `clinic`, and record `appointment` as `inquiry`'s self-booked consultation.

    The setting is made on the appointment's own session type, unchecked (the admin would refuse an
    infusion), so the world keeps one session type per location: these rows are there to be probed.
    """
    consult = SelfBookableType.objects.create(session_type=appointment.session_type)
    SelfBookingLocation.objects.create(location=clinic, enabled=True, consult=consult)
    submission = InquirySubmission.objects.create(inquiry=inquiry, source=Inquiry.Source.WEB_FORM)
    offer = SelfBookingOffer.objects.create(
        submission=submission,
        inquiry=inquiry,
        location=clinic,
        consult=consult,
        token_hash=f"{clinic.pk:064d}",
        language="en",
        expires_at=timezone.now() + datetime.timedelta(days=3),
        used_at=timezone.now(),
    )
    SelfBooking.objects.create(inquiry=inquiry, offer=offer, appointment=appointment, state=SelfBooking.State.REQUESTED)


def selfbooking_site_records(clinic: Clinic) -> list[models.Model]:
    """One record of each self-booking model shown in the admin, at this location."""
    return [
        SelfBookableType.objects.get(session_type__clinic=clinic),
        SelfBookingLocation.objects.get(location=clinic),
        SelfBooking.objects.get(offer__location=clinic),
    ]
