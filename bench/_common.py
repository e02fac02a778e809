"""Shared helpers for the benchmarks in bench/: the summary protocol, timing, tables, Django and stores.

Adding a benchmark
------------------
A benchmark is a standalone script ``bench/<name>.py`` (a name not starting with ``_``; ``run.py``
is the runner). ``bench/run.py`` finds it, runs it in a subprocess of its own from the repository
root with ``PYTHONPATH=backend:.`` and the caller's ``DATABASE_URL`` / ``REDIS_URL``, and prints one
table of every benchmark's summary rows at the end. A script imports these helpers with
``from _common import ...`` (its own folder is first on ``sys.path`` when Python runs it).

The protocol between a benchmark and the runner:

- The runner sets ``BENCH_SUMMARY_FILE`` to a path. The benchmark appends one JSON object per line
  to it, one per figure worth a line in the final table; ``summary_row_write`` does it (and does
  nothing when the variable is unset, so a script also runs alone). The keys:

  ``benchmark`` (str, the script's name), ``metric`` (str, what was measured, for a human),
  ``value`` (number), ``unit`` (str, e.g. "msg/s", "ms", "MiB"), ``baseline`` (number or null:
  the same quantity for the baseline measured in the same run), ``ratio`` (number or null, normally
  value / baseline), ``target`` (str or null, e.g. ">= 0.5", compared with the ratio when there is
  one, else with the value), ``met`` (bool or null: null when there is no target), ``note`` (str).

- Exit status: 0 when the benchmark ran to the end, whether or not its targets were met (a missed
  target is reported with ``met: false``, never by the exit status); anything else means it crashed.
  The runner exits non-zero if any benchmark crashed or wrote no row.
- ``BENCH_QUICK=1`` (set by ``bench/run.py --quick``) asks for a small, fast run; honour it by
  shrinking sizes, and say so in the output.
- A benchmark uses stores of its own, never the test database nor the developer's: a PostgreSQL
  database named ``clinic_bench_<name>`` (``postgres_database_recreate``, dropped at the end) and,
  on a shared Redis, a Celery queue and cache key prefix unique to the run (``bench/_settings.py``
  reads ``BENCH_CELERY_QUEUE``; ``CACHE_KEY_PREFIX`` is read by the project's settings). It never
  empties a Redis database someone else may be using (``redis_keys_delete`` removes its own keys),
  and it leaves no process running (``tests.support.processes.Children``).
- Processes a benchmark starts use ``DJANGO_SETTINGS_MODULE=bench._settings`` (the project's dev
  settings plus that queue), and so does the benchmark itself (``django_setup``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
BACKEND_DIR = REPO_DIR / "backend"
RESULTS_DIR = BENCH_DIR / "results"


def import_paths_add() -> None:
    """Make `tests.support`, `config`, `clinic` and `workers` importable even when PYTHONPATH was not set."""
    for path in (str(REPO_DIR), str(BACKEND_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)


# At import: every script imports this module before tests.support (isort puts it first, as a third party).
import_paths_add()

SUMMARY_FILE_ENV = "BENCH_SUMMARY_FILE"
QUICK_ENV = "BENCH_QUICK"


# --- The summary protocol -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A bound a figure must respect, e.g. at_least(0.5) for "at least half the baseline"."""

    op: Literal[">=", "<="]
    bound: float

    def met_by(self, figure: float) -> bool:
        return figure >= self.bound if self.op == ">=" else figure <= self.bound

    def __str__(self) -> str:
        return f"{self.op} {self.bound:g}"


def at_least(bound: float) -> Target:
    return Target(">=", bound)


def at_most(bound: float) -> Target:
    return Target("<=", bound)


@dataclass(frozen=True)
class SummaryRow:
    benchmark: str
    metric: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None
    note: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> SummaryRow:
        data = json.loads(line)
        return cls(
            benchmark=str(data["benchmark"]),
            metric=str(data["metric"]),
            value=float(data["value"]),
            unit=str(data.get("unit", "")),
            baseline=None if data.get("baseline") is None else float(data["baseline"]),
            ratio=None if data.get("ratio") is None else float(data["ratio"]),
            target=data.get("target"),
            met=data.get("met"),
            note=str(data.get("note", "")),
        )


def summary_row_write(
    *,
    benchmark: str,
    metric: str,
    value: float,
    unit: str,
    baseline: float | None = None,
    ratio: float | None = None,
    target: Target | None = None,
    note: str = "",
) -> SummaryRow:
    """Build a summary row (ratio = value / baseline unless given) and append it to BENCH_SUMMARY_FILE if set."""
    if ratio is None and baseline:
        ratio = value / baseline
    checked = ratio if ratio is not None else value
    row = SummaryRow(
        benchmark=benchmark,
        metric=metric,
        value=value,
        unit=unit,
        baseline=baseline,
        ratio=ratio,
        target=str(target) if target else None,
        met=target.met_by(checked) if target else None,
        note=note,
    )
    path = os.environ.get(SUMMARY_FILE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(row.to_json() + "\n")
    return row


def summary_rows_read(path: Path) -> list[SummaryRow]:
    if not path.exists():
        return []
    return [SummaryRow.from_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def quick_mode() -> bool:
    return os.environ.get(QUICK_ENV, "") not in ("", "0", "false", "no")


# --- Timing ---------------------------------------------------------------------------------


@dataclass
class Stopwatch:
    """Elapsed wall-clock seconds of a `with` block (perf_counter)."""

    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - watch.started


def time_repeated(run: Callable[[], object], *, repeats: int, warmup: int = 1) -> list[float]:
    """Seconds taken by each of `repeats` calls of `run`, after `warmup` untimed calls."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def median(samples: Sequence[float]) -> float:
    return float(statistics.median(samples))


# --- Printing -------------------------------------------------------------------------------


def figure(value: float | None, digits: int = 3) -> str:
    """A number for a table: a few significant digits, thousands separated, "-" for nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def table_format(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> str:
    """A plain-text table; the columns whose indexes are in `right` are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def met_text(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "MISSED")


def summary_table(rows: Sequence[SummaryRow]) -> str:
    headers = ["benchmark", "metric", "value", "baseline", "ratio", "target", "met"]
    cells = [
        [
            row.benchmark,
            row.metric,
            f"{figure(row.value)} {row.unit}".strip(),
            f"{figure(row.baseline)} {row.unit}".strip() if row.baseline is not None else "-",
            figure(row.ratio),
            row.target or "-",
            met_text(row.met),
        ]
        for row in rows
    ]
    return table_format(headers, cells, right=[2, 3, 4])


def machine_load() -> str:
    """The 1-minute load average against the CPU count, with a warning when others are using the machine."""
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    text = f"load average {load:.2f} on {cpus} CPUs"
    if load > 0.5 * cpus:
        text += " -- the machine is busy with other work: figures will be lower and noisier than on a quiet one"
    return text


def heading(text: str) -> None:
    print(f"\n== {text} ==", flush=True)


def say(text: str) -> None:
    print(text, flush=True)


# --- Django and the stores ------------------------------------------------------------------


def django_setup(*, environ: Mapping[str, str], settings_module: str = "bench._settings") -> None:
    """Export `environ` (settings read the environment) and set Django up in this process."""
    import_paths_add()
    os.environ.update(environ)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


def logging_to_file(path: Path) -> None:
    """Send this process's log records to `path` instead of the console the settings log to."""
    root = logging.getLogger()
    formatter = next((h.formatter for h in root.handlers if h.formatter), None)
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    handler = logging.FileHandler(path)
    handler.setFormatter(formatter)
    root.addHandler(handler)


def database_url_with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise SystemExit(f"The benchmarks need PostgreSQL: DATABASE_URL is {parts.scheme or 'unset'!r}.")
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def redis_url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise SystemExit(f"The benchmarks need Redis: REDIS_URL is {parts.scheme or 'unset'!r}.")
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def postgres_database_recreate(url: str) -> None:
    """Drop (closing its sessions) and create the database `url` names; its owner is the URL's user."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance_url(url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_database_drop(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_maintenance_url(url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _maintenance_url(url: str) -> str:
    """The server's `postgres` database, in a form libpq accepts (it knows no `postgres://pgsql` aliases)."""
    parts = urlsplit(database_url_with_name(url, "postgres"))
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))


def redis_keys_delete(url: str, *patterns: str) -> int:
    """Delete the keys matching `patterns` (e.g. a run's Celery queue and cache prefix) from Redis `url`."""
    import redis

    client = redis.Redis.from_url(url)
    deleted = 0
    try:
        for pattern in patterns:
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                deleted += int(client.delete(*keys))
    finally:
        client.close()
    return deleted


@dataclass(frozen=True)
class BenchStores:
    """Where one benchmark run keeps its data: a PostgreSQL database and Redis keys of its own."""

    database_url: str
    redis_url: str
    run_id: str  # prefix of the run's Celery queue and cache keys


def bench_stores_choose(name: str, *, database: str, redis_db: int) -> BenchStores | None:
    """The run's stores beside the caller's DATABASE_URL and REDIS_URL; None (said why) if they are unusable."""
    caller_db, caller_redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not caller_db or not caller_redis:
        say(f"{name}: set DATABASE_URL (PostgreSQL) and REDIS_URL; the benchmark uses databases of its own there.")
        return None
    database_url = database_url_with_name(caller_db, database)
    if database_url == caller_db:
        say(f"{name}: refusing to run on the caller's own database ({caller_db}).")
        return None
    redis_url = os.environ.get("BENCH_REDIS_URL") or redis_url_with_db(caller_redis, redis_db)
    return BenchStores(database_url=database_url, redis_url=redis_url, run_id=f"bench-{name}-{os.getpid()}")


def bench_stores_release(name: str, stores: BenchStores, *, keep_database: bool) -> None:
    """Delete the run's Redis keys and drop its database; a failure here is reported, never raised over
    the benchmark's own error."""
    try:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        redis_keys_delete(stores.redis_url, f"{stores.run_id}*", f"_kombu.binding*.{stores.run_id}*")
        if not keep_database:
            postgres_database_drop(stores.database_url)
    except Exception as error:
        say(f"{name}: could not clean up ({type(error).__name__}: {error}); database {stores.database_url}")
