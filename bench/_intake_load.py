"""The intake benchmark's load: one wrk run with bench/_intake.lua, what it reported, and what it cost in CPU."""

from __future__ import annotations

import os
import resource
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import BENCH_DIR

LUA_SCRIPT = BENCH_DIR / "_intake.lua"
PHONES_PER_AREA = 8_000_000  # exchanges 200-999 x lines 0000-9999, all valid US numbers
WRK_TIMEOUT_SECONDS = 10
MS = 1000.0


@dataclass
class WrkRun:
    """What one wrk run reported (from bench/_intake.lua's result file) and what it cost in CPU."""

    label: str
    area: str
    seconds: float
    requests: int
    errors: dict[str, int]
    statuses: Counter[int]
    quantiles: list[tuple[int, int]]  # (hundredths of a percent, microseconds), as wrk reported them
    references: list[str]
    cpu: dict[str, float] = field(default_factory=dict)  # process kind -> CPU seconds during the run
    rows: int = 0  # inquiries stored with this run's phone numbers

    @property
    def created(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk_result_read(path: Path, *, label: str, area: str) -> WrkRun:
    summary: dict[str, int] = {}
    statuses: Counter[int] = Counter()
    quantiles: list[tuple[int, int]] = []
    references: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "summary":
            name, value = rest.split()
            summary[name] = int(value)
        elif kind == "status":
            code, count = rest.split()
            statuses[int(code)] += int(count)
        elif kind == "quantile":
            hundredths, micros = rest.split()
            quantiles.append((int(hundredths), int(micros)))
        elif kind == "reference":
            references.append(rest.strip())
    return WrkRun(
        label=label,
        area=area,
        seconds=summary["duration_us"] / 1e6,
        requests=summary["requests"],
        errors={name.removeprefix("errors_"): value for name, value in summary.items() if name.startswith("errors_")},
        statuses=statuses,
        quantiles=sorted(quantiles),
        references=references,
    )


def wrk_run(
    wrk: str,
    *,
    url: str,
    label: str,
    area: str,
    seconds: int,
    connections: int,
    threads: int,
    work_dir: Path,
) -> WrkRun:
    """Run wrk against `url` for `seconds`, posting inquiries with phone numbers in `area`, and read its results."""
    stem = label.replace(" ", "-")
    result, log = work_dir / f"{stem}.txt", work_dir / f"{stem}.wrk.log"
    command = [
        wrk,
        "--threads",
        str(threads),
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        f"{WRK_TIMEOUT_SECONDS}s",
        "--script",
        str(LUA_SCRIPT),
        url,
        "--",
        area,
        str(PHONES_PER_AREA // threads),
    ]
    with log.open("wb") as out:
        completed = subprocess.run(
            command,
            env={**os.environ, "BENCH_INTAKE_RESULT": str(result)},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=seconds + 60,
            check=False,
        )
    if completed.returncode != 0 or not result.exists():
        raise RuntimeError(
            f"wrk exited with status {completed.returncode} on {label}; its output:\n" + log.read_text(errors="replace")
        )
    return wrk_result_read(result, label=label, area=area)


def children_cpu_seconds() -> float:
    """CPU seconds of the child processes this process has waited for (the wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentile_us(runs: Sequence[WrkRun], percent: float) -> int:
    """The latency below which `percent` of the runs' responses fall, from the quantiles wrk reported.

    For one run this is wrk's own figure (at the quantiles the script asks for). For several, each
    run's quantiles stand for the responses between them, weighted by the run's responses: the
    merged figure is exact to the step of those quantiles (0.1 %, 0.01 % above p99).
    """
    points: list[tuple[int, int]] = []
    for run in runs:
        previous = 0
        for hundredths, micros in run.quantiles:
            points.append((micros, (hundredths - previous) * run.requests))
            previous = hundredths
    total = sum(weight for _, weight in points)
    if total == 0:
        return 0
    wanted = round(percent * 100) * total // 10000
    seen = 0
    for micros, weight in sorted(points):
        seen += weight
        if seen >= wanted:
            return micros
    return max(micros for micros, _ in points)


@dataclass(frozen=True)
class Side:
    """One server's measured halves, merged."""

    name: str
    runs: tuple[WrkRun, ...]

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def seconds(self) -> float:
        return sum(run.seconds for run in self.runs)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, percent: float) -> float:
        return percentile_us(self.runs, percent) / MS

    def cpu_ms_per_request(self, *kinds: str) -> float | None:
        """CPU milliseconds per request of these kinds of process together; None when one was not measured."""
        if any(kind not in run.cpu for run in self.runs for kind in kinds):
            return None
        return sum(run.cpu[kind] for run in self.runs for kind in kinds) * MS / self.requests


# --- CPU of the PostgreSQL sessions ----------------------------------------------------------


def _proc_cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_sessions_cpu_seconds() -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL session on the benchmark's database but this process's own
    (readable when the server runs on this machine as a user whose /proc entries we may read)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [int(pid) for (pid,) in cursor.fetchall()]
    found = {pid: _proc_cpu_seconds(pid) for pid in pids}
    return {pid: seconds for pid, seconds in found.items() if seconds is not None}
