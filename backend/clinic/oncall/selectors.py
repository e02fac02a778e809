"""Who an urgent page reaches now: the on-call ladder, and the gaps in it.

Shifts belong to a location, or to none (organization-wide: every location without a shift of its
own). An alert about a location pages that location's shift, else the organization-wide one; the rest
of the ladder (backup, medical director, the location's on-call line) is climbed as before.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from clinic.core.clinics import clinic_current
from clinic.core.models import Clinic
from clinic.messaging.numbers import texting_refusal

from .models import OnCallClinician, OnCallShift

# The ladder, in the order an unacknowledged urgent alert climbs it. The location's own on-call line
# (Clinic.on_call_phone, kept from before the rota; else the first location's) is the last resort,
# paged only if it is set.
ON_CALL = "on_call"
BACKUP = "backup"
DIRECTOR = "director"
CLINIC_LINE = "clinic_line"
STEPS = (ON_CALL, BACKUP, DIRECTOR, CLINIC_LINE)
STEP_NAMES = {
    ON_CALL: "on-call clinician",
    BACKUP: "backup",
    DIRECTOR: "medical director",
    CLINIC_LINE: "clinic on-call line",
}
NOBODY = "nobody"


@dataclass(frozen=True)
class Rung:
    """One step of the ladder now: who, which number, and why they cannot be paged ("" if they can)."""

    step: str
    clinician: OnCallClinician | None
    phone: str
    problem: str

    @property
    def pageable(self) -> bool:
        return not self.problem

    @property
    def who(self) -> str:
        if self.clinician is not None:
            return str(self.clinician)
        return STEP_NAMES[self.step] if self.phone else NOBODY


def shift_at(*, at: datetime.datetime, clinic: Clinic | None = None) -> OnCallShift | None:
    """The shift covering `at` for a location: its own, else an organization-wide one (no location).

    Without a location (an alert no location can be found for): the organization-wide shift, else any
    location's, since someone must be paged. If two shifts overlap (a handover), the one that started last.
    """
    covering = (
        OnCallShift.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .select_related("clinician__user", "backup__user")
        .order_by("-starts_at", "-id")
    )
    if clinic is not None:
        own = covering.filter(clinic=clinic).first()
        if own is not None:
            return own
    organization_wide = covering.filter(clinic__isnull=True).first()
    if organization_wide is not None or clinic is not None:
        return organization_wide
    return covering.first()


def medical_director() -> OnCallClinician | None:
    return OnCallClinician.objects.filter(is_medical_director=True).select_related("user").first()


def number_problem(phone: str) -> str:
    """Why texts to this number cannot be sent ("" if they can): the same suppression list patients have."""
    refusal = texting_refusal(phone=phone, consented=True)
    return refusal.reason if refusal is not None else ""


def clinician_problem(clinician: OnCallClinician | None) -> str:
    """Why this person cannot be paged now ("" if they can)."""
    if clinician is None:
        return "nobody named"
    if not clinician.is_active or not clinician.user.is_active:
        return "inactive"
    if not clinician.has_sms_consent:
        return "no SMS consent"
    return number_problem(clinician.mobile_phone)


def _rung(step: str, clinician: OnCallClinician | None) -> Rung:
    return Rung(step, clinician, clinician.mobile_phone if clinician else "", clinician_problem(clinician))


def clinic_line(clinic: Clinic | None) -> str:
    """The on-call line paged last: the location's own, else the first location's (the organization's)."""
    if clinic is not None and clinic.on_call_phone:
        return clinic.on_call_phone
    first = clinic_current()
    return first.on_call_phone if first else ""


def on_call_ladder(*, at: datetime.datetime | None = None, clinic: Clinic | None = None) -> list[Rung]:
    """The four steps of the ladder at `at` for an alert at `clinic` (a location, or None when it has none),
    each with who it reaches and whether they can be paged."""
    at = at or timezone.now()
    shift = shift_at(at=at, clinic=clinic)
    director = medical_director()
    line = clinic_line(clinic)
    return [
        _rung(ON_CALL, shift.clinician if shift else None) if shift else Rung(ON_CALL, None, "", "nobody on call"),
        _rung(BACKUP, shift.backup if shift else None)
        if shift and shift.backup_id
        else Rung(BACKUP, None, "", "no backup"),
        _rung(DIRECTOR, director) if director else Rung(DIRECTOR, None, "", "no medical director"),
        Rung(CLINIC_LINE, None, line, number_problem(line) if line else "not set"),
    ]


@dataclass(frozen=True)
class Coverage:
    """Who a page sent now reaches first, and what is missing in the rota."""

    covering: Rung | None
    gap: bool
    problems: list[str]
    ladder: list[Rung]

    @property
    def warning(self) -> str:
        if self.covering is None:
            return "Nobody can be paged: urgent alerts reach no one until the on-call rota is filled in."
        if self.gap:
            return (
                f"No on-call clinician can be paged now: urgent alerts go first to the "
                f"{STEP_NAMES[self.covering.step]}."
            )
        return ""


def on_call_coverage(*, at: datetime.datetime | None = None, clinic: Clinic | None = None) -> Coverage:
    """A gap is any moment when the on-call clinician cannot be paged, even if someone further up can."""
    ladder = on_call_ladder(at=at, clinic=clinic)
    covering = next((rung for rung in ladder if rung.pageable), None)
    problems = [f"{rung.step}: {rung.problem}" for rung in ladder[:3] if rung.problem]
    return Coverage(covering=covering, gap=not ladder[0].pageable, problems=problems, ladder=ladder)


def on_call_coverage_by_location(*, at: datetime.datetime | None = None) -> dict[Clinic, Coverage]:
    """Each open location's coverage now (its own shift, else the organization-wide one)."""
    at = at or timezone.now()
    return {location: on_call_coverage(at=at, clinic=location) for location in Clinic.objects.filter(is_active=True)}


def on_call_readiness() -> dict[str, object]:
    """For /readyz, which anyone may read: steps and problems, never a name or a number."""
    coverage = on_call_coverage()
    return {
        "covering": coverage.covering.step if coverage.covering else None,
        "gap": coverage.gap,
        "problems": coverage.problems,
        "warning": coverage.warning,
    }
