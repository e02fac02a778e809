"""The apps import one way only (config/layering.py holds the order), and no files import each other in a loop."""

from __future__ import annotations

from pathlib import Path

from config import layering
from config.layering import LAYERS, Arrow, app_loops, arrows_read, loops, modules_read, wrong_way


def _arrow(source: str, target: str) -> Arrow:
    return Arrow(source, target, layering.REPO / "backend" / "x.py", 1)


def test_the_code_imports_only_downwards_with_no_loops() -> None:
    arrows = arrows_read(modules_read())
    assert len(arrows) > 300  # the walk read the project, not an empty folder
    assert wrong_way(arrows) == []
    assert app_loops(arrows) == []
    assert loops(arrows) == []


def test_every_app_has_a_place_in_the_order() -> None:
    apps = {path.name for path in (layering.REPO / "backend" / "clinic").iterdir() if (path / "apps.py").exists()}
    assert apps == set(LAYERS)


def test_an_upward_import_a_workers_import_and_a_loop_are_each_reported() -> None:
    upward = _arrow("clinic.messaging.inbound", "clinic.checkins.services")
    into_workers = _arrow("clinic.core.health", "workers.tasks")
    unplaced = _arrow("clinic.newapp.services", "clinic.core.models")
    problems = wrong_way(
        [upward, into_workers, unplaced, _arrow("clinic.checkins.services", "clinic.messaging.outbox")]
    )
    assert len(problems) == 3
    assert any("messaging is below checkins" in problem for problem in problems)
    assert any("no app imports workers/" in problem for problem in problems)
    assert any("no place in LAYERS" in problem for problem in problems)

    loop = [
        _arrow("clinic.messaging.models", "clinic.messaging.texts"),
        _arrow("clinic.messaging.texts", "clinic.messaging.models"),
    ]
    assert loops(loop) == [["clinic.messaging.models", "clinic.messaging.texts"]]
    between = [
        _arrow("clinic.patients.api", "clinic.scheduling.models"),
        _arrow("clinic.scheduling.models", "clinic.patients.models"),
    ]
    assert app_loops(between) == [["patients", "scheduling"]]


def test_relative_and_function_level_imports_are_read(tmp_path: Path) -> None:
    source = tmp_path / "clinic" / "messaging"
    source.mkdir(parents=True)
    (source / "__init__.py").write_text("")
    (source / "inbound.py").write_text("def route():\n    from ..checkins import services\n    from .texts import x\n")
    (source / "texts.py").write_text("x = 1\n")
    checkins = tmp_path / "clinic" / "checkins"
    checkins.mkdir()
    (checkins / "__init__.py").write_text("")
    (checkins / "services.py").write_text("")
    known = {
        "clinic.messaging": source / "__init__.py",
        "clinic.messaging.inbound": source / "inbound.py",
        "clinic.messaging.texts": source / "texts.py",
        "clinic.checkins": checkins / "__init__.py",
        "clinic.checkins.services": checkins / "services.py",
    }
    targets = {(arrow.source, arrow.target) for arrow in arrows_read(known)}
    assert ("clinic.messaging.inbound", "clinic.checkins.services") in targets
    assert ("clinic.messaging.inbound", "clinic.messaging.texts") in targets
