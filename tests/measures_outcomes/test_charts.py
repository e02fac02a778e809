"""The scores chart: each measure a panel with its severity bands shaded and labelled, each answer a dot
at its value and its time, mood and PHQ-2 by text on the same time axis, and words for screen readers."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from clinic.measures.charts import ChartBand, ChartPoint, ChartSeries, chart_svg, chart_table
from clinic.measures.instruments import instrument_get
from clinic.measures.scores import instrument_chart_series
from tests.measures_outcomes.svg import panels_of, svg_in

NY = zoneinfo.ZoneInfo("America/New_York")


def approx(value: float) -> object:
    return pytest.approx(value, abs=0.15)  # coordinates are rounded to 0.1


def at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=NY)


def phq9(points: list[tuple[datetime.datetime, int]]) -> ChartSeries:
    return instrument_chart_series(instrument_get("phq9"), [ChartPoint(moment, value) for moment, value in points])


MOOD = ChartSeries(
    "mood", "Mood (0-10)", 0, 10, (ChartBand(0, 3, "low", 4),), (ChartPoint(at(3), 2), ChartPoint(at(9), 8))
)


def test_each_band_of_the_phq9_is_shaded_and_labelled_over_exactly_its_scores() -> None:
    svg = chart_svg([phq9([(at(2), 18), (at(9), 11), (at(16), 4)])], tz=NY, title="Scores")

    panel = panels_of(svg_in(svg))["phq9"]
    assert [(b.low, b.high, b.label) for b in panel.bands] == [
        (0, 4, "Minimal"),
        (5, 9, "Mild"),
        (10, 14, "Moderate"),
        (15, 19, "Moderately severe"),
        (20, 27, "Severe"),
    ]
    # Stacked from the panel's bottom (score 0) to its top (27), each boundary halfway between two scores.
    height = panel.bottom - panel.top
    assert panel.bands[0].y + panel.bands[0].height == approx(panel.bottom)
    for lower, upper in zip(panel.bands, panel.bands[1:], strict=False):
        assert upper.y + upper.height == approx(lower.y)
        assert lower.y == approx(panel.bottom - height * (lower.high + 0.5) / 27)
    assert panel.bands[-1].y == approx(panel.top)
    for band in panel.bands:
        assert f"{band.label} {band.low}-{band.high}" in svg


def test_each_answer_is_a_dot_at_its_score_and_its_time() -> None:
    svg = chart_svg([phq9([(at(2), 18), (at(9), 11), (at(16), 4)])], tz=NY, title="Scores")

    panel = panels_of(svg_in(svg))["phq9"]
    assert [p.value for p in panel.points] == [18, 11, 4]
    height = panel.bottom - panel.top
    for point in panel.points:
        assert point.y == approx(panel.bottom - height * point.value / 27)
    # Equal gaps in time are equal gaps across the page, oldest on the left.
    first, middle, last = (p.x for p in panel.points)
    assert first < middle < last
    assert middle - first == approx(last - middle)
    assert "Nov 9, 2026 10:00: PHQ-9 (0-27) 11 (Moderate)" in panel.points[1].title


def test_mood_and_phq2_by_text_share_the_questionnaires_time_axis() -> None:
    phq2 = ChartSeries(
        "phq2",
        "PHQ-2 (0-6)",
        0,
        6,
        (ChartBand(0, 2, "negative"), ChartBand(3, 6, "positive", 4)),
        (ChartPoint(at(9), 4),),
    )
    svg = chart_svg([phq9([(at(2), 18), (at(16), 4)]), MOOD, phq2], tz=NY, title="Scores")

    panels = panels_of(svg_in(svg))
    assert list(panels) == ["phq9", "mood", "phq2"]
    assert panels["phq9"].bottom < panels["mood"].top < panels["mood"].bottom < panels["phq2"].top
    # The mood answered on the 9th and the PHQ-2 that day sit at the same x, halfway between the PHQ-9s.
    halfway = (panels["phq9"].points[0].x + panels["phq9"].points[1].x) / 2
    assert panels["mood"].points[1].x == approx(panels["phq2"].points[0].x)
    assert panels["phq2"].points[0].x == approx(halfway)
    mood = panels["mood"]
    assert mood.points[0].y == approx(mood.bottom - (mood.bottom - mood.top) * 2 / 10)
    assert [(b.low, b.high, b.label) for b in panels["phq2"].bands] == [(0, 2, "negative"), (3, 6, "positive")]


def test_the_chart_says_in_words_what_it_shows_and_gives_its_numbers_as_a_table() -> None:
    series = [phq9([(at(2), 18), (at(16), 4)]), MOOD]
    root = svg_in(chart_svg(series, tz=NY, title="Scores over time: Robin Lee"))

    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.findtext(f"{ns}title") == "Scores over time: Robin Lee"
    description = root.findtext(f"{ns}desc") or ""
    assert "PHQ-9 (0-27): 2 answers, latest 4 (Minimal) on Nov 16, 2026 10:00." in description
    assert "Mood (0-10): 2 answers, latest 8 on Nov 9, 2026 10:00." in description
    assert root.get("aria-labelledby") == "measures-chart-title measures-chart-desc"
    rows = chart_table(series)
    assert [(r.measure, r.value, r.note) for r in rows] == [
        ("PHQ-9 (0-27)", 4, "Minimal"),
        ("Mood (0-10)", 8, ""),
        ("Mood (0-10)", 2, "low"),
        ("PHQ-9 (0-27)", 18, "Moderately severe"),
    ]


def test_labels_are_escaped_and_an_empty_measure_says_so() -> None:
    hostile = ChartSeries('x"><script>', "<b>odd</b>", 0, 10, (ChartBand(0, 10, "<i>all</i>"),))
    svg = chart_svg([hostile], tz=NY, title="<title>")

    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    root = svg_in(svg)  # still well-formed XML
    assert "No answers yet" in "".join(root.itertext())
