"""Scores over time as one server-drawn SVG: a panel per measure on a shared time axis.

Each panel (a questionnaire such as the PHQ-9, or the mood and PHQ-2 check-ins answered by text) has
its own scale with its severity bands shaded and labelled, and its answers as dots joined by a line.
No script and no external asset: the image reads the same in the admin, on a tablet and printed.
For screen readers the SVG carries a <title> and a <desc> naming each panel's latest value, and
`chart_table` gives the same numbers as rows for a data table under the image.

Everything here is a pure function of its arguments (no database), so the geometry can be tested on
hand-made points.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 760
LEFT, RIGHT = 52, 16
TOP = 34  # room for the first panel's heading
PANEL_HEIGHT = 120
PANEL_GAP = 46  # between one panel's bottom and the next one's top: its heading and the time labels
AXIS_ROOM = 24  # under the last panel, for the day labels
# Band shades from "fine" (0) to "severe" (4); light enough for the dots and labels to read on them.
TONES = ("#e7f4ea", "#fdf6d8", "#fde7c8", "#fbd5c5", "#f7c1c1")
TONE_TEXT = ("#276738", "#7a5d00", "#8a4b00", "#9a3412", "#9b1c1c")
LINE_COLOR = "#1d4ed8"


@dataclass(frozen=True)
class ChartBand:
    """A severity band: scores from `low` to `high` (inclusive) read as `label`; `tone` 0 (fine) to 4 (severe)."""

    low: int
    high: int
    label: str
    tone: int = 0


@dataclass(frozen=True)
class ChartPoint:
    at: datetime.datetime
    value: int
    note: str = ""  # shown in the dot's tooltip and the table, e.g. the band's name


@dataclass(frozen=True)
class ChartSeries:
    """One panel: a measure's answers over time on its own scale, `scale_min` to `scale_max`."""

    key: str  # e.g. "phq9", "mood", "phq2": names the panel in the markup
    title: str  # e.g. "PHQ-9 (0-27)"
    scale_min: int
    scale_max: int
    bands: tuple[ChartBand, ...] = ()
    points: tuple[ChartPoint, ...] = ()
    higher_is_better: bool = False  # mood: 10 is best; the questionnaires: 0 is best


@dataclass(frozen=True)
class TableRow:
    measure: str
    at: datetime.datetime
    value: int
    scale_max: int
    note: str


@dataclass
class _Svg:
    parts: list[str] = field(default_factory=list)

    def add(self, markup: str) -> None:
        self.parts.append(markup)


def _n(value: float) -> str:
    """A coordinate as SVG wants it: at most one decimal, never a locale's comma."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _local_label(moment: datetime.datetime, tz: zoneinfo.ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%b} {local.day}, {local:%Y} {local:%H:%M}"


def chart_height(panel_count: int) -> int:
    panels = max(panel_count, 1)
    return TOP + panels * PANEL_HEIGHT + (panels - 1) * PANEL_GAP + AXIS_ROOM


def panel_top(index: int) -> int:
    return TOP + index * (PANEL_HEIGHT + PANEL_GAP)


def value_y(series: ChartSeries, value: float, index: int) -> float:
    """The y of `value` on panel `index`: the scale's bottom at the panel's bottom, its top at the top."""
    top = panel_top(index)
    span = max(series.scale_max - series.scale_min, 1)
    clamped = min(max(value, series.scale_min), series.scale_max)
    return round(top + PANEL_HEIGHT - PANEL_HEIGHT * (clamped - series.scale_min) / span, 1)


@dataclass(frozen=True)
class TimeAxis:
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def around(cls, moments: Sequence[datetime.datetime]) -> TimeAxis:
        first, last = min(moments), max(moments)
        pad = max((last - first) * 0.05, datetime.timedelta(hours=12))
        return cls(first - pad, last + pad)

    def x(self, moment: datetime.datetime) -> float:
        span = (self.end - self.start).total_seconds()
        return round(LEFT + (WIDTH - RIGHT - LEFT) * (moment - self.start).total_seconds() / span, 1)

    def day_ticks(self, tz: zoneinfo.ZoneInfo) -> list[tuple[float, str]]:
        """Local midnights to label, about six of them whatever the span."""
        first_day = self.start.astimezone(tz).date() + datetime.timedelta(days=1)
        days = max(1, (self.end - self.start).days)
        step = max(1, round(days / 6))
        ticks = []
        for offset in range(0, days + 1, step):
            day = first_day + datetime.timedelta(days=offset)
            midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=tz)
            if self.start <= midnight <= self.end:
                ticks.append((self.x(midnight), f"{day:%b} {day.day}"))
        return ticks


def _band_for(series: ChartSeries, value: int) -> ChartBand | None:
    for band in series.bands:
        if band.low <= value <= band.high:
            return band
    return None


def _describe(series: ChartSeries, tz: zoneinfo.ZoneInfo) -> str:
    if not series.points:
        return f"{series.title}: no answers yet."
    latest = series.points[-1]
    band = _band_for(series, latest.value)
    where = f" ({band.label})" if band else ""
    count = len(series.points)
    return (
        f"{series.title}: {count} answer{'s' if count != 1 else ''}, "
        f"latest {latest.value}{where} on {_local_label(latest.at, tz)}."
    )


def _panel(svg: _Svg, series: ChartSeries, index: int, axis: TimeAxis | None, tz: zoneinfo.ZoneInfo) -> None:
    top = panel_top(index)
    bottom = top + PANEL_HEIGHT
    right = WIDTH - RIGHT
    plot_width = right - LEFT
    key = escape(series.key)
    svg.add(f'<g class="panel" data-series="{key}" data-top="{top}" data-bottom="{bottom}">')
    heading = escape(series.title)
    svg.add(f'<text class="panel-title" x="{LEFT}" y="{top - 10}" font-weight="bold" fill="#222">{heading}</text>')
    for band in series.bands:
        # A band covers its whole scores: from just under its low value to just over its high one.
        y_top = value_y(series, band.high + 0.5, index)
        y_bottom = value_y(series, band.low - 0.5, index)
        tone = min(max(band.tone, 0), len(TONES) - 1)
        height = round(y_bottom - y_top, 1)
        svg.add(
            f'<rect class="band" data-low="{band.low}" data-high="{band.high}" data-label="{escape(band.label)}" '
            f'x="{LEFT}" y="{_n(y_top)}" width="{plot_width}" height="{_n(height)}" fill="{TONES[tone]}">'
            f"<title>{escape(band.label)} ({band.low}-{band.high})</title></rect>"
        )
        if height >= 11:
            svg.add(
                f'<text class="band-label" x="{right - 4}" y="{_n(y_top + min(height / 2, 14) + 4)}" '
                f'text-anchor="end" fill="{TONE_TEXT[tone]}" font-size="10">'
                f"{escape(band.label)} {band.low}-{band.high}</text>"
            )
    span = series.scale_max - series.scale_min
    step = next(s for s in (1, 2, 5, 10, 20, 50) if span / s <= 6)
    for value in range(series.scale_min, series.scale_max + 1, step):
        y = value_y(series, value, index)
        svg.add(f'<line x1="{LEFT}" x2="{right}" y1="{_n(y)}" y2="{_n(y)}" stroke="#d1d5db" stroke-width="0.6"/>')
        svg.add(f'<text x="{LEFT - 6}" y="{_n(y + 4)}" text-anchor="end" fill="#444">{value}</text>')
    svg.add(f'<line x1="{LEFT}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#6b7280"/>')
    if axis is None or not series.points:
        svg.add(
            f'<text x="{LEFT + plot_width / 2}" y="{top + PANEL_HEIGHT / 2}" text-anchor="middle" fill="#4b5563" '
            f'font-size="13">No answers yet</text>'
        )
        svg.add("</g>")
        return
    coordinates = [(axis.x(point.at), value_y(series, point.value, index)) for point in series.points]
    if len(coordinates) > 1:
        line = " ".join(f"{_n(x)},{_n(y)}" for x, y in coordinates)
        svg.add(f'<polyline points="{line}" fill="none" stroke="{LINE_COLOR}" stroke-width="2"/>')
    for point, (x, y) in zip(series.points, coordinates, strict=True):
        point_band = _band_for(series, point.value)
        note = point.note or (point_band.label if point_band else "")
        title = f"{_local_label(point.at, tz)}: {series.title} {point.value}{f' ({note})' if note else ''}"
        svg.add(
            f'<circle class="point" data-value="{point.value}" data-at="{point.at.isoformat()}" '
            f'cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{LINE_COLOR}" stroke="#fff" stroke-width="1.5">'
            f"<title>{escape(title)}</title></circle>"
        )
    svg.add("</g>")


def chart_svg(
    series: Sequence[ChartSeries], *, tz: zoneinfo.ZoneInfo, title: str, id_prefix: str = "measures-chart"
) -> SafeString:
    """Draw the panels, one under the other, over the time their answers span (in `tz`'s days)."""
    height = chart_height(len(series))
    moments = [point.at for one in series for point in one.points]
    axis = TimeAxis.around(moments) if moments else None
    prefix = escape(id_prefix)
    description = " ".join(_describe(one, tz) for one in series) or "No measures."
    svg = _Svg()
    svg.add(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="measures-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'style="max-width: {WIDTH}px; background: #fff" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="sans-serif" font-size="11">'
    )
    svg.add(f'<title id="{prefix}-title">{escape(title)}</title>')
    svg.add(f'<desc id="{prefix}-desc">{escape(description)}</desc>')
    if axis is not None:
        last_bottom = panel_top(len(series) - 1) + PANEL_HEIGHT
        for x, label in axis.day_ticks(tz):
            svg.add(
                f'<line class="day-tick" x1="{_n(x)}" x2="{_n(x)}" y1="{TOP}" y2="{last_bottom}" '
                f'stroke="#e5e7eb" stroke-dasharray="2 3"/>'
            )
            svg.add(f'<text x="{_n(x)}" y="{last_bottom + 16}" text-anchor="middle" fill="#444">{escape(label)}</text>')
    for index, one in enumerate(series):
        _panel(svg, one, index, axis, tz)
    svg.add("</svg>")
    return mark_safe("".join(svg.parts))  # noqa: S308  # every text above went through escape()


def chart_table(series: Sequence[ChartSeries]) -> list[TableRow]:
    """The chart's numbers as rows (newest first), for the data table that goes with the image."""
    rows = []
    for one in series:
        for point in one.points:
            band = _band_for(one, point.value)
            rows.append(
                TableRow(one.title, point.at, point.value, one.scale_max, point.note or (band.label if band else ""))
            )
    return sorted(rows, key=lambda row: row.at, reverse=True)
