"""A starting plan a clinic can adopt for a session type (the demo uses it; clinic admins edit plans in the admin)."""

from __future__ import annotations

from clinic.scheduling.models import SessionType

from .models import FOLLOW_UP_WEEKS, MeasurePlan

When = MeasurePlan.When

# PHQ-9 and GAD-7 as a baseline and before each session; PHQ-9 1, 4 and 12 weeks after the series.
DEFAULT_PLAN: tuple[tuple[str, str, int | None], ...] = (
    ("phq9", When.BASELINE, None),
    ("gad7", When.BASELINE, None),
    ("phq9", When.BEFORE_EACH, None),
    ("gad7", When.BEFORE_EACH, None),
    *(("phq9", When.AFTER_SERIES, weeks) for weeks in FOLLOW_UP_WEEKS),
)


def measure_plans_default_apply(session_type: SessionType) -> list[MeasurePlan]:
    """Give a session type the default plan, keeping any plan line it already has. Safe to run again."""
    return [
        MeasurePlan.objects.get_or_create(
            session_type=session_type, instrument=instrument, when=when, weeks_after=weeks
        )[0]
        for instrument, when, weeks in DEFAULT_PLAN
    ]
