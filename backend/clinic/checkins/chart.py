"""The geometry of a patient's score chart, drawn as SVG by templates/admin/checkins/_scores_chart.html.

Mood (0-10) is a line over time above a shaded low-score band; PHQ-2 totals (0-6) are bars under it,
with the positive-screen line at 3; alerts are vertical marks across both, linked to the alert.
Everything is computed here so the template only places what it is given (and escapes every label).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings

from .models import Alert
from .selectors import PatientScores

WIDTH = 760
LEFT, RIGHT = 48, 16
MOOD_TOP, MOOD_BOTTOM = 28, 224
PHQ_TOP, PHQ_BOTTOM = 274, 354
HEIGHT = 384
PHQ_MAX = 6


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str
    low: bool


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str
    positive: bool


@dataclass(frozen=True)
class Mark:
    x: float
    title: str
    urgent: bool
    href: str


@dataclass
class ScoreChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    mood_top: int = MOOD_TOP
    mood_bottom: int = MOOD_BOTTOM
    phq_top: int = PHQ_TOP
    phq_bottom: int = PHQ_BOTTOM
    plot_width: int = WIDTH - RIGHT - LEFT
    low_band_y: float = 0.0
    low_band_height: float = 0.0
    low_label: str = ""
    phq_threshold_y: float = 0.0
    phq_threshold_label: str = ""
    mood_grid: list[Tick] = field(default_factory=list)
    phq_grid: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    mood_line: str = ""
    mood_dots: list[Dot] = field(default_factory=list)
    phq_bars: list[Bar] = field(default_factory=list)
    alert_marks: list[Mark] = field(default_factory=list)
    is_empty: bool = True


def _mood_y(score: float) -> float:
    return round(MOOD_BOTTOM - (MOOD_BOTTOM - MOOD_TOP) * score / 10, 1)


def _phq_y(total: float) -> float:
    return round(PHQ_BOTTOM - (PHQ_BOTTOM - PHQ_TOP) * total / PHQ_MAX, 1)


def _label(moment: datetime.datetime, tz: zoneinfo.ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%b} {local.day}, {local:%I:%M %p}".replace(" 0", " ")


def score_chart(*, scores: PatientScores, tz: zoneinfo.ZoneInfo) -> ScoreChart:
    chart = ScoreChart()
    low, positive = settings.CHECKIN_LOW_MOOD_MAX, settings.CHECKIN_PHQ2_POSITIVE_MIN
    chart.low_band_y = _mood_y(low)
    chart.low_band_height = round(MOOD_BOTTOM - chart.low_band_y, 1)
    chart.low_label = f"low (0-{low})"
    chart.phq_threshold_y = _phq_y(positive)
    chart.phq_threshold_label = f"positive (≥{positive})"
    chart.mood_grid = [Tick(_mood_y(value), str(value)) for value in range(0, 11, 2)]
    chart.phq_grid = [Tick(_phq_y(value), str(value)) for value in (0, 3, 6)]

    moments = [p.at for p in scores.mood] + [p.at for p in scores.phq2] + [a.at for a in scores.alerts]
    if not moments:
        return chart
    chart.is_empty = False
    start, end = min(moments), max(moments)
    pad = max((end - start) * 0.05, datetime.timedelta(hours=12))
    start, end = start - pad, end + pad
    span = (end - start).total_seconds()

    def x_of(moment: datetime.datetime) -> float:
        return round(LEFT + (WIDTH - RIGHT - LEFT) * (moment - start).total_seconds() / span, 1)

    first_day = start.astimezone(tz).date() + datetime.timedelta(days=1)
    days = max(1, (end - start).days)
    step = max(1, round(days / 6))
    for offset in range(0, days + 1, step):
        day = first_day + datetime.timedelta(days=offset)
        midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=tz)
        if start <= midnight <= end:
            chart.x_ticks.append(Tick(x_of(midnight), f"{day:%b} {day.day}"))

    chart.mood_dots = [
        Dot(x_of(p.at), _mood_y(p.score), f"{_label(p.at, tz)}: mood {p.score}/10", p.score <= low) for p in scores.mood
    ]
    chart.mood_line = " ".join(f"{dot.x},{dot.y}" for dot in chart.mood_dots)
    bar_width = 14.0
    for point in scores.phq2:
        top = _phq_y(point.total)
        chart.phq_bars.append(
            Bar(
                x=round(x_of(point.at) - bar_width / 2, 1),
                y=top,
                width=bar_width,
                height=round(PHQ_BOTTOM - top, 1) or 1.0,
                title=f"{_label(point.at, tz)}: PHQ-2 {point.total} ({' + '.join(map(str, point.items))})",
                positive=point.total >= positive,
            )
        )
    chart.alert_marks = [
        Mark(
            x=x_of(mark.at),
            title=(
                f"{_label(mark.at, tz)}: {Alert.Urgency(mark.urgency).label.lower()} alert, "
                f"{Alert.Reason(mark.reason).label.lower()}{' (open)' if mark.is_open else ''}"
            ),
            urgent=mark.urgency == Alert.Urgency.URGENT,
            href=f"/admin/checkins/alert/{mark.id}/change/",
        )
        for mark in scores.alerts
    ]
    return chart
