"""The triage list's flags for self-booked consultations (intake/triage.py): requested ones first, then confirmed."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from clinic.intake.models import Inquiry
from clinic.intake.triage import TriageFlag

from .models import SelfBooking

OPEN_INQUIRY = ~Q(status__in=[Inquiry.Status.CONVERTED, Inquiry.Status.CLOSED])


def _booked(state: str) -> Q:
    return Q(Exists(SelfBooking.objects.filter(inquiry=OuterRef("pk"), state=state))) & OPEN_INQUIRY


REQUESTED_FLAG = TriageFlag(
    name="self-booked requested",
    condition=lambda: _booked(SelfBooking.State.REQUESTED),
    badge="Self-booked: confirm the time",
)
CONFIRMED_FLAG = TriageFlag(
    name="self-booked confirmed",
    condition=lambda: _booked(SelfBooking.State.CONFIRMED),
    badge="Self-booked consultation",
)
