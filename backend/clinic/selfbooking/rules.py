"""The rules of self-booking, in one place: which session types may be self-booked, and which answers allow it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from clinic.intake.api.public import REASON_CHOICES
from clinic.scheduling.models import SessionType

REASON_CODES = tuple(code for code, _ in REASON_CHOICES)
# A name that says the session doses or infuses is refused even when its settings look remote.
DOSING_NAME = re.compile(r"infusion|dosing|dose|injection|nasal|spray|\biv\b|\bim\b", re.IGNORECASE)


def self_bookable_problems(session_type: SessionType) -> list[str]:
    """Why a session type may not be self-booked (empty: it may): only a video or phone consultation,
    with no chair, no monitoring, no fasting and no driver."""
    problems = []
    if session_type.mode not in (SessionType.Mode.VIDEO, SessionType.Mode.PHONE):
        problems.append("Only a video or phone consultation can be self-booked; this one is in person.")
    if session_type.needs_chair:
        problems.append("A session that needs a treatment chair cannot be self-booked.")
    if session_type.monitoring_minutes:
        problems.append("A session with monitoring (a dosing session) cannot be self-booked.")
    if session_type.fasting_hours or session_type.needs_driver:
        problems.append("A session that needs fasting or a driver cannot be self-booked.")
    if DOSING_NAME.search(f"{session_type.name} {session_type.slug.replace('-', ' ')}"):
        problems.append("Its name says it is an infusion or a dosing session: those cannot be self-booked.")
    if not session_type.is_active:
        problems.append("This session type is no longer offered.")
    return problems


def excluded_reasons_problems(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        return ['Give a list of reason codes, e.g. ["other"].']
    unknown = sorted(set(value) - set(REASON_CODES))
    if unknown:
        return [f"Not reasons on the contact form: {', '.join(unknown)} (they are: {', '.join(REASON_CODES)})."]
    return []


def answers_allow_self_booking(*, reasons: Iterable[str], excluded_reasons: Iterable[str]) -> bool:
    """Tell whether a submission's own answers allow self-booking: none of the excluded reasons ticked.

    Everyone who reaches this confirmed being 18 or older (the form refuses others). Nothing stored about
    the person is read: the answer depends on this submission alone.
    """
    return not set(reasons) & set(excluded_reasons)
