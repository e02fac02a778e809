"""Demo questionnaire plans: every location's IV infusions follow the default plan (measures/plans.py)."""

from __future__ import annotations

from clinic.measures.plans import measure_plans_default_apply
from clinic.scheduling.models import SessionType


def demo_measure_plans_seed() -> None:
    for session_type in SessionType.objects.filter(slug="iv-infusion"):
        measure_plans_default_apply(session_type)
