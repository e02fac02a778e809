"""The outcomes report: courses (series) read from the database, counted by outcomes.py, and its CSV.

A course is a patient's series with at least one session that was not cancelled. Its first and last
sessions are its earliest and latest such sessions; its provider is the one who held most of them
(the earliest session's on a tie); its plan is the series plan, named with its location.
The date range picks courses whose first session starts in it (local days of the location shown,
else of the first location).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from clinic.accounts.clinical import can_read_clinical
from clinic.accounts.locations import location_limit
from clinic.accounts.roles import CLINIC_ADMIN, user_roles
from clinic.core.clinics import clinic_timezone
from clinic.core.models import Clinic
from clinic.scheduling.models import Appointment, Series

from .models import QuestionnaireAssignment
from .outcomes import Course, Measurement, OutcomeRow, TimePoint, outcome_rows

OUTCOME_INSTRUMENT = "phq9"
BY_PLAN, BY_PROVIDER = "plan", "provider"
GROUPINGS = {BY_PLAN: "Series plan", BY_PROVIDER: "Provider"}
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def can_read_outcomes(user: User | AnonymousUser | object) -> bool:
    """Clinic admins (and superusers) who may read clinical records: the report is theirs."""
    if not can_read_clinical(user) or not isinstance(user, User):
        return False
    return user.is_superuser or CLINIC_ADMIN in user_roles(user)


@dataclass(frozen=True)
class ReportFilter:
    start: datetime.date | None = None
    end: datetime.date | None = None
    location: Clinic | None = None


@dataclass(frozen=True)
class _SeriesFacts:
    series: Series
    first: Appointment
    last: Appointment
    provider_name: str


def _series_facts(series_list: Iterable[Series]) -> list[_SeriesFacts]:
    facts = []
    for series in series_list:
        sessions = sorted(
            (a for a in series.appointments.all() if a.status != Appointment.Status.CANCELLED),
            key=lambda a: (a.starts_at, a.pk),
        )
        if not sessions:
            continue
        counts = Counter(a.provider_id for a in sessions)
        most = max(counts.values())
        provider = next(a.provider for a in sessions if counts[a.provider_id] == most)
        facts.append(_SeriesFacts(series, sessions[0], sessions[-1], str(provider)))
    return facts


def report_courses(*, user: object, report_filter: ReportFilter, grouping: str) -> list[Course]:
    """The courses the user's locations let them see, keyed by plan or by provider."""
    series = location_limit(Series.objects.all(), user=user).select_related("plan__clinic", "patient")
    if report_filter.location is not None:
        series = series.filter(plan__clinic=report_filter.location)
    series = series.prefetch_related("appointments__provider")
    facts = _series_facts(series)
    zone = clinic_timezone(report_filter.location)
    if report_filter.start is not None:
        facts = [f for f in facts if f.first.starts_at.astimezone(zone).date() >= report_filter.start]
    if report_filter.end is not None:
        facts = [f for f in facts if f.first.starts_at.astimezone(zone).date() <= report_filter.end]
    measurements: dict[int, list[Measurement]] = {}
    for assignment in QuestionnaireAssignment.objects.filter(
        patient_id__in={f.series.patient_id for f in facts},
        instrument=OUTCOME_INSTRUMENT,
        status=QuestionnaireAssignment.Status.COMPLETED,
        completed_at__isnull=False,
        total__isnull=False,
    ).order_by("completed_at", "id"):
        assert assignment.completed_at is not None and assignment.total is not None  # filtered above
        measurements.setdefault(assignment.patient_id, []).append(
            Measurement(assignment.completed_at, assignment.total, assignment.series_id, assignment.weeks_after)
        )
    courses = []
    for f in facts:
        plan = f.series.plan
        group = f"{plan.name} ({plan.clinic.name})" if grouping == BY_PLAN else f.provider_name
        courses.append(
            Course(
                series_id=f.series.pk,
                patient_id=f.series.patient_id,
                group=group,
                first_session_at=f.first.starts_at,
                last_session_at=f.last.starts_at,
                measurements=tuple(measurements.get(f.series.patient_id, ())),
            )
        )
    return courses


@dataclass(frozen=True)
class OutcomeReport:
    grouping: str
    rows: list[OutcomeRow]
    course_count: int


def outcome_report(
    *, user: object, report_filter: ReportFilter, grouping: str, now: datetime.datetime | None = None
) -> OutcomeReport:
    courses = report_courses(user=user, report_filter=report_filter, grouping=grouping)
    return OutcomeReport(grouping, outcome_rows(courses, now=now or timezone.now()), len(courses))


def csv_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet will not run: a leading = + - @ (tab, CR) gets a quote first."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


CSV_HEADER = (
    "grouping",
    "group",
    "time_point",
    "courses_due",
    "not_yet_due",
    "response_patients",
    "response_measured",
    "response_missing",
    "response_percent",
    "remission_patients",
    "remission_measured",
    "remission_missing",
    "remission_percent",
)


def outcome_csv(reports: Sequence[OutcomeReport]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for report in reports:
        for row in report.rows:
            writer.writerow(
                [
                    csv_cell(cell)
                    for cell in (
                        GROUPINGS[report.grouping],
                        row.group,
                        TimePoint(row.point).label,
                        row.courses,
                        row.not_yet_due,
                        row.response.numerator,
                        row.response.measured,
                        row.response.missing,
                        "" if row.response.percent is None else row.response.percent,
                        row.remission.numerator,
                        row.remission.measured,
                        row.remission.missing,
                        "" if row.remission.percent is None else row.remission.percent,
                    )
                ]
            )
    return out.getvalue()
