"""Reads for what clinicians see before a session: a patient's scores over time and, per appointment,
the latest score of each questionnaire with its change from baseline (or "no baseline").

Baseline, for an appointment in a series: the last completed questionnaire of that instrument before
the start of the series' first session, within outcomes.BASELINE_LOOKBACK (the outcomes report's
rule). For an appointment outside a series: the last completed one whose purpose was "baseline",
before the appointment. An instrument is listed for a patient who was ever asked it (any assignment
not cancelled) or whose session type's plan asks it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from clinic.checkins.selectors import patient_scores
from clinic.scheduling.models import Appointment

from .charts import ChartBand, ChartPoint, ChartSeries
from .instruments import INSTRUMENTS, Instrument, instrument_get
from .models import MeasurePlan, QuestionnaireAssignment
from .outcomes import BASELINE_LOOKBACK

COMPLETED = QuestionnaireAssignment.Status.COMPLETED
# The order measures are shown in: the outcome measure first, then the others, new ones by code.
SHOWN_FIRST = ("phq9", "gad7", "pcl5")
NOT_SESSIONS = (Appointment.Status.CANCELLED,)


def instrument_short_name(instrument: Instrument) -> str:
    """ "PHQ-9" from "Patient Health Questionnaire (PHQ-9)"; the code in capitals failing that."""
    found = re.search(r"\(([^()]+)\)\s*$", instrument.title_in("en"))
    return found.group(1) if found else instrument.code.upper()


def instrument_codes() -> list[str]:
    return sorted(
        INSTRUMENTS, key=lambda code: (SHOWN_FIRST.index(code) if code in SHOWN_FIRST else len(SHOWN_FIRST), code)
    )


def band_tones(count: int) -> list[int]:
    """Shades for `count` bands from fine (0) to severe (4), spread evenly."""
    if count <= 1:
        return [0] * count
    return [round(index * 4 / (count - 1)) for index in range(count)]


def instrument_chart_series(instrument: Instrument, points: Sequence[ChartPoint]) -> ChartSeries:
    tones = band_tones(len(instrument.bands))
    return ChartSeries(
        key=instrument.code,
        title=f"{instrument_short_name(instrument)} ({instrument.score_min}-{instrument.score_max})",
        scale_min=instrument.score_min,
        scale_max=instrument.score_max,
        bands=tuple(
            ChartBand(band.min, band.max, band.label_in("en"), tone)
            for band, tone in zip(instrument.bands, tones, strict=True)
        ),
        points=tuple(points),
    )


def completed_assignments(patient_id: int) -> list[QuestionnaireAssignment]:
    return list(
        QuestionnaireAssignment.objects.filter(
            patient_id=patient_id, status=COMPLETED, completed_at__isnull=False
        ).order_by("completed_at", "id")
    )


def patient_chart_series(*, patient_id: int) -> list[ChartSeries]:
    """The patient's panels: each questionnaire they were asked (in definition order), then today's
    mood and the PHQ-2 answered by text, when they have any."""
    done = completed_assignments(patient_id)
    asked = set(
        QuestionnaireAssignment.objects.filter(patient_id=patient_id)
        .exclude(status=QuestionnaireAssignment.Status.CANCELLED)
        .values_list("instrument", flat=True)
    )
    series: list[ChartSeries] = []
    for code in instrument_codes():
        if code not in asked:
            continue
        instrument = instrument_get(code)
        points = [
            ChartPoint(a.completed_at, a.total, instrument.band_for(a.total).label_in("en"))
            for a in done
            if a.instrument == code and a.completed_at is not None and a.total is not None
        ]
        series.append(instrument_chart_series(instrument, points))
    checkins = patient_scores(patient_id=patient_id)
    low, positive = settings.CHECKIN_LOW_MOOD_MAX, settings.CHECKIN_PHQ2_POSITIVE_MIN
    if checkins.mood:
        series.append(
            ChartSeries(
                key="mood",
                title="Mood by text (0 worst - 10 best)",
                scale_min=0,
                scale_max=10,
                bands=(ChartBand(0, low, "low", 4),),
                points=tuple(ChartPoint(p.at, p.score) for p in checkins.mood),
                higher_is_better=True,
            )
        )
    if checkins.phq2:
        series.append(
            ChartSeries(
                key="phq2",
                title="PHQ-2 by text (0-6)",
                scale_min=0,
                scale_max=6,
                bands=(ChartBand(0, positive - 1, "negative", 0), ChartBand(positive, 6, "positive screen", 4)),
                points=tuple(ChartPoint(p.at, p.total) for p in checkins.phq2),
            )
        )
    return series


@dataclass(frozen=True)
class ScoreSummary:
    """One instrument's line before a session."""

    code: str
    name: str  # "PHQ-9"
    latest: int | None
    latest_band: str
    latest_at: datetime.datetime | None
    baseline: int | None
    baseline_at: datetime.datetime | None

    @property
    def no_baseline(self) -> bool:
        return self.baseline is None

    @property
    def change(self) -> int | None:
        if self.latest is None or self.baseline is None:
            return None
        return self.latest - self.baseline

    def text(self) -> str:
        """e.g. "PHQ-9 12 (moderate), -6 from baseline 18" or "GAD-7: no baseline"."""
        if self.latest is None:
            return f"{self.name}: no baseline"
        latest = f"{self.name} {self.latest} ({self.latest_band.lower()})"
        if self.baseline is None:
            return f"{latest}, no baseline"
        if self.baseline_at == self.latest_at:
            return f"{latest}, baseline"
        change = self.change or 0
        sign = "+" if change > 0 else ("±" if change == 0 else "-")
        return f"{latest}, {sign}{abs(change)} from baseline {self.baseline}"


def _series_starts(series_ids: Iterable[int]) -> dict[int, datetime.datetime]:
    rows = (
        Appointment.objects.filter(series_id__in=set(series_ids))
        .exclude(status__in=NOT_SESSIONS)
        .values("series_id")
        .annotate(first=Min("starts_at"))
    )
    return {row["series_id"]: row["first"] for row in rows}


def appointment_score_summaries(appointments: Sequence[Appointment]) -> dict[int, list[ScoreSummary]]:
    """For each appointment, one line per instrument its patient was asked or its session type plans."""
    patient_ids = {a.patient_id for a in appointments}
    starts = _series_starts(a.series_id for a in appointments if a.series_id is not None)
    done: dict[int, list[QuestionnaireAssignment]] = {}
    for assignment in QuestionnaireAssignment.objects.filter(
        patient_id__in=patient_ids, status=COMPLETED, completed_at__isnull=False
    ).order_by("completed_at", "id"):
        done.setdefault(assignment.patient_id, []).append(assignment)
    asked: dict[int, set[str]] = {}
    for patient_id, code in (
        QuestionnaireAssignment.objects.filter(patient_id__in=patient_ids)
        .exclude(status=QuestionnaireAssignment.Status.CANCELLED)
        .values_list("patient_id", "instrument")
        .distinct()
    ):
        asked.setdefault(patient_id, set()).add(code)
    planned: dict[int, set[str]] = {}
    for session_type_id, code in MeasurePlan.objects.filter(
        Q(session_type_id__in={a.session_type_id for a in appointments}), is_active=True
    ).values_list("session_type_id", "instrument"):
        planned.setdefault(session_type_id, set()).add(code)

    summaries: dict[int, list[ScoreSummary]] = {}
    for appointment in appointments:
        codes = asked.get(appointment.patient_id, set()) | planned.get(appointment.session_type_id, set())
        lines = []
        for code in [c for c in instrument_codes() if c in codes]:
            instrument = instrument_get(code)
            history = [a for a in done.get(appointment.patient_id, []) if a.instrument == code]
            first_start = starts.get(appointment.series_id) if appointment.series_id is not None else None
            if first_start is not None:
                earliest = first_start - BASELINE_LOOKBACK
                before = [a for a in history if a.completed_at and earliest <= a.completed_at < first_start]
            else:
                before = [
                    a
                    for a in history
                    if a.purpose == QuestionnaireAssignment.Purpose.BASELINE
                    and a.completed_at
                    and a.completed_at < appointment.starts_at
                ]
            baseline = before[-1] if before else None
            latest = history[-1] if history else None
            lines.append(
                ScoreSummary(
                    code=code,
                    name=instrument_short_name(instrument),
                    latest=latest.total if latest else None,
                    latest_band=instrument.band_for(latest.total).label_in("en")
                    if latest and latest.total is not None
                    else "",
                    latest_at=latest.completed_at if latest else None,
                    baseline=baseline.total if baseline else None,
                    baseline_at=baseline.completed_at if baseline else None,
                )
            )
        summaries[appointment.pk] = lines
    return summaries


def patient_score_summaries(*, patient_id: int) -> list[ScoreSummary]:
    """The lines for a patient's page, read as before their next session (else their latest one)."""
    appointments = Appointment.objects.filter(patient_id=patient_id).exclude(status__in=NOT_SESSIONS)
    upcoming = appointments.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
    anchor = upcoming or appointments.order_by("-starts_at").first()
    if anchor is not None:
        return appointment_score_summaries([anchor]).get(anchor.pk, [])
    done = completed_assignments(patient_id)
    lines = []
    for code in instrument_codes():
        instrument = instrument_get(code)
        history = [a for a in done if a.instrument == code]
        if not history:
            continue
        baselines = [a for a in history if a.purpose == QuestionnaireAssignment.Purpose.BASELINE]
        latest, baseline = history[-1], (baselines[-1] if baselines else None)
        lines.append(
            ScoreSummary(
                code=code,
                name=instrument_short_name(instrument),
                latest=latest.total,
                latest_band=instrument.band_for(latest.total).label_in("en") if latest.total is not None else "",
                latest_at=latest.completed_at,
                baseline=baseline.total if baseline else None,
                baseline_at=baseline.completed_at if baseline else None,
            )
        )
    return lines
