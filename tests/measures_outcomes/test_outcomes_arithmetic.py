"""Response and remission counted by hand: which PHQ-9 counts at each time point, missing data, and time
points whose window has not come yet (left out, not "missing")."""

from __future__ import annotations

import datetime
import zoneinfo

from clinic.measures.outcomes import (
    Course,
    Measurement,
    State,
    TimePoint,
    baseline_of,
    course_outcome,
    is_response,
    measurement_at,
    outcome_rows,
)

NY = zoneinfo.ZoneInfo("America/New_York")


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=NY)


FIRST, LAST = at(11, 2), at(11, 16)  # a series from Monday 2 to Monday 16 November
NOW = at(12, 20)


def course(series_id: int, *measurements: Measurement, group: str = "IV induction") -> Course:
    return Course(series_id, series_id, group, FIRST, LAST, measurements)


# A: baseline 20, 8 at the end (response, no remission), 4 at the 4-week follow-up (both).
A = course(1, Measurement(at(10, 30), 20), Measurement(at(11, 17), 8), Measurement(at(12, 14, 9), 4, 1, 4))
# B: baseline 12, nothing around the last session (missing), 7 near 4 weeks without a follow-up row.
B = course(2, Measurement(at(11, 1), 12), Measurement(at(12, 12), 7))
# C: a PHQ-9 from September only (too old for a baseline), 3 the day before the last session.
C = course(3, Measurement(at(9, 1), 15), Measurement(at(11, 15), 3))


def test_baseline_is_the_last_phq9_before_the_first_session_within_thirty_days() -> None:
    assert baseline_of(A) == Measurement(at(10, 30), 20)
    assert baseline_of(C) is None  # 1 September is more than 30 days before 2 November
    later = course(4, Measurement(at(10, 20), 18), Measurement(at(11, 2, 9), 16), Measurement(at(11, 2, 11), 15))
    assert baseline_of(later) == Measurement(at(11, 2, 9), 16)  # the one at 11:00 came after the session began


def test_end_of_series_is_the_last_phq9_from_three_days_before_to_seven_after_the_last_session() -> None:
    late = course(
        5,
        Measurement(at(11, 13, 9), 9),
        Measurement(at(11, 15), 9),
        Measurement(at(11, 20), 6),
        Measurement(at(11, 23, 11), 2),
    )
    assert measurement_at(late, TimePoint.END) == Measurement(at(11, 20), 6)  # 23 Nov 11:00 is past the window
    assert measurement_at(B, TimePoint.END) is None


def test_a_follow_up_of_the_series_counts_first_else_the_phq9_closest_to_the_week() -> None:
    assert measurement_at(A, TimePoint.WEEK_4) == Measurement(at(12, 14, 9), 4, 1, 4)
    near = course(6, Measurement(at(12, 9), 5), Measurement(at(12, 16), 9), Measurement(at(12, 20), 2, 99, 4))
    # 16 Dec is 2 days from the target (14 Dec), 9 Dec 5; another series' follow-up is only a PHQ-9 6 days off.
    assert measurement_at(near, TimePoint.WEEK_4) == Measurement(at(12, 16), 9)


def test_response_is_a_fall_of_at_least_half_and_remission_a_score_under_five() -> None:
    assert is_response(baseline=20, total=10) and not is_response(baseline=20, total=11)
    assert is_response(baseline=7, total=3) and not is_response(baseline=7, total=4)
    assert not is_response(baseline=0, total=0)  # nothing to fall from
    outcome = course_outcome(A, TimePoint.END, now=NOW)
    assert (outcome.state, outcome.baseline, outcome.total, outcome.response, outcome.remission) == (
        State.MEASURED,
        20,
        8,
        True,
        False,
    )


def test_a_window_not_yet_closed_is_left_out_and_a_closed_one_without_a_measure_is_missing() -> None:
    # C's 4-week window runs to 21 December 10:00; on the 20th it is not yet due, on the 22nd missing.
    assert course_outcome(C, TimePoint.WEEK_4, now=NOW).state == State.NOT_YET_DUE
    assert course_outcome(C, TimePoint.WEEK_4, now=at(12, 22)).state == State.MISSING
    # A measurement already taken counts while its window is still open.
    assert course_outcome(A, TimePoint.END, now=at(11, 18)).state == State.MEASURED


def test_rates_by_hand_always_with_their_denominators() -> None:
    rows = {row.point: row for row in outcome_rows([A, B, C], now=NOW)}

    end = rows[TimePoint.END]
    # Due: A, B, C. Response: A yes; B has no end measure; C has no baseline -> 1 of 1, 2 missing.
    assert (end.courses, end.not_yet_due) == (3, 0)
    assert (end.response.numerator, end.response.measured, end.response.missing) == (1, 1, 2)
    # Remission: A 8 no, C 3 yes, B missing -> 1 of 2, 1 missing.
    assert (end.remission.numerator, end.remission.measured, end.remission.missing) == (1, 2, 1)
    assert str(end.remission) == "1/2 (50%), 1 missing"

    week_4 = rows[TimePoint.WEEK_4]
    # A: 4 (response, remission); B: 7 from 12 (neither: 14 > 12); C not yet due.
    assert (week_4.courses, week_4.not_yet_due) == (2, 1)
    assert (week_4.response.numerator, week_4.response.measured, week_4.response.missing) == (1, 2, 0)
    assert (week_4.remission.numerator, week_4.remission.measured, week_4.remission.missing) == (1, 2, 0)

    week_12 = rows[TimePoint.WEEK_12]
    assert (week_12.courses, week_12.not_yet_due) == (0, 3)
    assert week_12.response.percent is None and str(week_12.response) == "0/0 (n/a), 0 missing"


def test_rows_are_per_group_in_name_order() -> None:
    other = course(7, Measurement(at(10, 31), 10), Measurement(at(11, 16, 12), 4), group="Dr. Avery")
    rows = outcome_rows([A, other], now=NOW, points=[TimePoint.END])
    assert [(row.group, row.response.numerator, row.response.measured) for row in rows] == [
        ("Dr. Avery", 1, 1),
        ("IV induction", 1, 1),
    ]
