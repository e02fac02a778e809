"""Outcomes arithmetic: which PHQ-9 counts at each time point, and response and remission rates.

The unit is one course of treatment: a patient's series (scheduling.Series). Pure functions of the
measurements given; reports.py reads them from the database.

Which measurement counts (the same words are in the README, "Outcomes and FHIR"):

- Baseline: the last PHQ-9 completed before the start of the series' first session, and no earlier
  than BASELINE_LOOKBACK before it. None: the course has no baseline.
- End of series: the last PHQ-9 completed from END_BEFORE before to END_AFTER after the start of
  the series' last session (a cancelled session is not a session; a no-show still ended the series).
- 4 and 12 weeks: a follow-up of this series with that `weeks_after`, completed; failing one, the
  PHQ-9 completed closest to the last session's start + 4 (12) weeks, within FOLLOW_UP_WINDOW[weeks]
  either side.
- A time point whose window has not closed yet (`now` before its end) and has no measurement is
  "not yet due": left out of that time point, neither measured nor missing. Once closed without a
  measurement it is "missing". A measurement already taken counts even while its window is open.
- Response: a measured PHQ-9 at most half the baseline (2 * total <= baseline), for a baseline of at
  least 1. Without a baseline, response cannot be known: the course counts as missing for response
  (and measured for remission if it has the time point's PHQ-9).
- Remission: a measured PHQ-9 under 5 (0-4), with or without a baseline.

Every rate is reported as numerator / measured with the number missing beside it, never alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

BASELINE_LOOKBACK = datetime.timedelta(days=30)
END_BEFORE = datetime.timedelta(days=3)
END_AFTER = datetime.timedelta(days=7)
FOLLOW_UP_WINDOW = {4: datetime.timedelta(days=7), 12: datetime.timedelta(days=14)}
REMISSION_BELOW = 5


class TimePoint(StrEnum):
    END = "end"
    WEEK_4 = "week_4"
    WEEK_12 = "week_12"

    @property
    def label(self) -> str:
        return {"end": "End of series", "week_4": "4 weeks", "week_12": "12 weeks"}[self.value]

    @property
    def weeks(self) -> int | None:
        return {"end": None, "week_4": 4, "week_12": 12}[self.value]


@dataclass(frozen=True)
class Measurement:
    """A completed PHQ-9: when, its total, and, for a follow-up, its series and weeks after."""

    completed_at: datetime.datetime
    total: int
    series_id: int | None = None
    weeks_after: int | None = None


@dataclass(frozen=True)
class Course:
    """A patient's series as the report counts it."""

    series_id: int
    patient_id: int
    group: str  # what the row is keyed by: the series plan's name, or the provider's
    first_session_at: datetime.datetime
    last_session_at: datetime.datetime
    measurements: tuple[Measurement, ...] = ()


@dataclass(frozen=True)
class Window:
    start: datetime.datetime
    end: datetime.datetime
    target: datetime.datetime


def window_for(course: Course, point: TimePoint) -> Window:
    last = course.last_session_at
    weeks = point.weeks
    if weeks is None:
        return Window(last - END_BEFORE, last + END_AFTER, last)
    target = last + datetime.timedelta(weeks=weeks)
    spread = FOLLOW_UP_WINDOW[weeks]
    return Window(target - spread, target + spread, target)


def baseline_of(course: Course) -> Measurement | None:
    earliest = course.first_session_at - BASELINE_LOOKBACK
    before = [m for m in course.measurements if earliest <= m.completed_at < course.first_session_at]
    return max(before, key=lambda m: m.completed_at, default=None)


def measurement_at(course: Course, point: TimePoint) -> Measurement | None:
    """The PHQ-9 that counts for this course at this time point, or None (see the module's rules)."""
    window = window_for(course, point)
    weeks = point.weeks
    if weeks is not None:
        follow_ups = [m for m in course.measurements if m.series_id == course.series_id and m.weeks_after == weeks]
        if follow_ups:
            return max(follow_ups, key=lambda m: m.completed_at)
    inside = [m for m in course.measurements if window.start <= m.completed_at <= window.end]
    if not inside:
        return None
    if weeks is None:
        return max(inside, key=lambda m: m.completed_at)
    return min(inside, key=lambda m: (abs((m.completed_at - window.target).total_seconds()), m.completed_at))


class State(StrEnum):
    MEASURED = "measured"
    MISSING = "missing"
    NOT_YET_DUE = "not_yet_due"


@dataclass(frozen=True)
class CourseOutcome:
    state: State
    baseline: int | None
    total: int | None
    response: bool | None  # None: not known (no baseline, or no measurement)
    remission: bool | None


def is_response(*, baseline: int, total: int) -> bool:
    return baseline >= 1 and 2 * total <= baseline


def course_outcome(course: Course, point: TimePoint, *, now: datetime.datetime) -> CourseOutcome:
    baseline = baseline_of(course)
    baseline_total = baseline.total if baseline else None
    measured = measurement_at(course, point)
    if measured is None:
        state = State.NOT_YET_DUE if now < window_for(course, point).end else State.MISSING
        return CourseOutcome(state, baseline_total, None, None, None)
    response = is_response(baseline=baseline_total, total=measured.total) if baseline_total is not None else None
    return CourseOutcome(State.MEASURED, baseline_total, measured.total, response, measured.total < REMISSION_BELOW)


@dataclass
class Rate:
    """`numerator` of `measured`, with `missing` beside it: never a share without its denominator."""

    numerator: int = 0
    measured: int = 0
    missing: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.measured, 1) if self.measured else None

    def __str__(self) -> str:
        share = f"{self.percent:g}%" if self.percent is not None else "n/a"
        return f"{self.numerator}/{self.measured} ({share}), {self.missing} missing"


@dataclass
class OutcomeRow:
    group: str
    point: TimePoint
    courses: int = 0  # courses due at this time point (measured + missing)
    not_yet_due: int = 0
    response: Rate = field(default_factory=Rate)
    remission: Rate = field(default_factory=Rate)


def outcome_rows(
    courses: Iterable[Course], *, now: datetime.datetime, points: Sequence[TimePoint] = tuple(TimePoint)
) -> list[OutcomeRow]:
    """One row per group and time point, groups in name order, time points in order."""
    rows: dict[tuple[str, TimePoint], OutcomeRow] = {}
    for course in courses:
        for point in points:
            row = rows.setdefault((course.group, point), OutcomeRow(course.group, point))
            outcome = course_outcome(course, point, now=now)
            if outcome.state == State.NOT_YET_DUE:
                row.not_yet_due += 1
                continue
            row.courses += 1
            if outcome.state == State.MISSING:
                row.response.missing += 1
                row.remission.missing += 1
                continue
            row.remission.measured += 1
            row.remission.numerator += bool(outcome.remission)
            if outcome.response is None:
                row.response.missing += 1  # measured now, but no baseline to compare with
            else:
                row.response.measured += 1
                row.response.numerator += outcome.response
    order = {point: n for n, point in enumerate(points)}
    return sorted(rows.values(), key=lambda row: (row.group.casefold(), row.group, order[row.point]))
