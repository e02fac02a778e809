"""Check that imports between the apps flow one way, and that no files import each other in a loop.

Run it with `python -m config.layering` (PYTHONPATH=backend:.); `make test` runs it through a test.
It reads the source (nothing is imported or run) and prints every import that points the wrong way:

- an app under `clinic/` importing an app above it in LAYERS (a lower layer offers a registry instead,
  and the higher app fills it in its AppConfig.ready());
- an app importing `workers/` or `config/` (tasks are enqueued by name; `config` wires the apps);
- a loop of files importing each other (inside one app or across apps).

Imports inside functions and under TYPE_CHECKING count like any other: they are arrows all the same.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# The allowed order, lowest first: an app may import the apps before it, never one after it.
LAYERS: tuple[str, ...] = (
    "core",
    "accounts",
    "patients",
    "todos",
    "messaging",
    "scheduling",
    "waitlist",
    "visitlinks",
    "oncall",
    "checkins",
    "rems",
    "measures",
    "intake",
    "selfbooking",
    "demo",
)
# Above every app: they wire the apps together and may import any of them.
TOP_PACKAGES: tuple[str, ...] = ("config", "workers")

REPO = Path(__file__).resolve().parents[2]
SOURCE_ROOTS: tuple[tuple[Path, str], ...] = (
    (REPO / "backend" / "clinic", "clinic"),
    (REPO / "backend" / "config", "config"),
    (REPO / "workers", "workers"),
)


@dataclass(frozen=True)
class Arrow:
    """One import: module `source` (in `path`, at `line`) imports module `target`."""

    source: str
    target: str
    path: Path
    line: int

    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def modules_read() -> dict[str, Path]:
    """Map every module name of the project's code to its file."""
    found: dict[str, Path] = {}
    for root, package in SOURCE_ROOTS:
        for path in sorted(root.rglob("*.py")):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Yield (absolute dotted name, line) for every import statement in a module, relative ones resolved."""
    package_parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            # `from package import module` imports the module; `from module import name` the module.
            for alias in node.names:
                yield f"{prefix}.{alias.name}", node.lineno
            yield prefix, node.lineno


def _owning_module(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that `name` is or lies inside (a name imported from it)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def arrows_read(known: dict[str, Path]) -> list[Arrow]:
    arrows: set[Arrow] = set()
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line in _imported_names(tree, module, path.name == "__init__.py"):
            target = _owning_module(name, known)
            # A module's own packages are imported with it whatever it says: not an arrow worth a report.
            if target is None or target == module or module.startswith(target + "."):
                continue
            arrows.add(Arrow(module, target, path, line))
    return sorted(arrows, key=lambda arrow: (arrow.source, arrow.line, arrow.target))


def app_of(module: str) -> str:
    """`clinic.messaging.crisis.lexicon` -> `messaging`; `workers.tasks` -> `workers`; `config.urls` -> `config`."""
    parts = module.split(".")
    return parts[1] if parts[0] == "clinic" and len(parts) > 1 else parts[0]


def wrong_way(arrows: Iterable[Arrow]) -> list[str]:
    """Every import from a lower layer to a higher one, and every app importing workers/ or config/."""
    problems = []
    for arrow in arrows:
        source, target = app_of(arrow.source), app_of(arrow.target)
        if source in TOP_PACKAGES or source == target or target == "clinic":
            continue
        if source not in LAYERS:
            problems.append(f"{arrow.where()}: app {source!r} has no place in LAYERS (config/layering.py)")
        elif target in TOP_PACKAGES:
            problems.append(f"{arrow.where()}: {arrow.source} imports {arrow.target} (no app imports {target}/)")
        elif target in LAYERS and LAYERS.index(target) > LAYERS.index(source):
            problems.append(f"{arrow.where()}: {arrow.source} imports {arrow.target} ({source} is below {target})")
    return sorted(set(problems))


def loops(arrows: Iterable[Arrow]) -> list[list[str]]:
    """Groups of modules that import each other in a loop (strongly connected, Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for arrow in arrows:
        graph.setdefault(arrow.source, set()).add(arrow.target)
        graph.setdefault(arrow.target, set())
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowest[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in sorted(graph[node]):
            if neighbour not in index:
                visit(neighbour)
                lowest[node] = min(lowest[node], lowest[neighbour])
            elif neighbour in on_stack:
                lowest[node] = min(lowest[node], index[neighbour])
        if lowest[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def app_loops(arrows: Iterable[Arrow]) -> list[list[str]]:
    """Loops between apps: app A imports app B and B, through any path, imports A."""
    between_apps = [
        Arrow(app_of(arrow.source), app_of(arrow.target), arrow.path, arrow.line)
        for arrow in arrows
        if app_of(arrow.source) != app_of(arrow.target)
    ]
    return loops(between_apps)


def main() -> int:
    arrows = arrows_read(modules_read())
    problems = wrong_way(arrows)
    file_loops = loops(arrows)
    between_apps = app_loops(arrows)
    for problem in problems:
        print(problem)
    for group in between_apps:
        print("apps in a loop: " + " <-> ".join(group))
    for group in file_loops:
        print("files in a loop: " + " <-> ".join(group))
    print(
        f"{len(arrows)} imports read: {len(problems)} pointing the wrong way, "
        f"{len(between_apps)} loops between apps, {len(file_loops)} loops between files."
    )
    print("order, lowest first: " + " < ".join(LAYERS) + " < " + ", ".join(TOP_PACKAGES))
    return 1 if problems or file_loops or between_apps else 0


if __name__ == "__main__":
    raise SystemExit(main())
