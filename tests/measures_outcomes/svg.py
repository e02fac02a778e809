"""Reading the chart's SVG back: panels, bands and points as a test (or a screen reader) finds them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str
    y: float
    height: float


@dataclass(frozen=True)
class Point:
    value: int
    at: str
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Panel:
    series: str
    top: float
    bottom: float
    title: str
    bands: list[Band]
    points: list[Point]


def svg_in(html: str) -> ET.Element:
    found = re.search(r"<svg [^>]*class=\"measures-chart\".*?</svg>", html, re.S)
    assert found, "no SVG on the page"
    return ET.fromstring(found.group(0))  # noqa: S314  # our own server-drawn SVG


def panels_of(root: ET.Element) -> dict[str, Panel]:
    panels = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "panel":
            continue
        title = next(t for t in group.iter(f"{SVG}text") if t.get("class") == "panel-title").text or ""
        bands = [
            Band(
                int(r.get("data-low", "")),
                int(r.get("data-high", "")),
                r.get("data-label", ""),
                float(r.get("y", "")),
                float(r.get("height", "")),
            )
            for r in group.iter(f"{SVG}rect")
            if r.get("class") == "band"
        ]
        points = [
            Point(
                int(c.get("data-value", "")),
                c.get("data-at", ""),
                float(c.get("cx", "")),
                float(c.get("cy", "")),
                c.findtext(f"{SVG}title") or "",
            )
            for c in group.iter(f"{SVG}circle")
            if c.get("class") == "point"
        ]
        series = group.get("data-series", "")
        panels[series] = Panel(
            series, float(group.get("data-top", "")), float(group.get("data-bottom", "")), title, bands, points
        )
    return panels
