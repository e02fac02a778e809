"""Facts the apps add to /readyz: each a name and a function returning a JSON-able answer.

Core imports no app, so an app registers here from its AppConfig.ready(). A report never makes the
service unready by itself: it says what runs degraded (e.g. the crisis detector on its lexicon alone).
"""

from __future__ import annotations

from collections.abc import Callable

READINESS_REPORTS: dict[str, Callable[[], object]] = {}


def readiness_report_register(*, name: str, report: Callable[[], object]) -> None:
    READINESS_REPORTS[name] = report
