"""Run every benchmark in bench/, each in a subprocess of its own, and print one summary table at the end.

    make bench                                         # all of them, full size
    .venv/bin/python bench/run.py --quick              # small sizes (BENCH_QUICK=1)
    .venv/bin/python bench/run.py --only dispatch      # one of them

A benchmark is any bench/<name>.py but this file and the private modules (names starting with "_").
It reports its figures by appending JSON lines to $BENCH_SUMMARY_FILE (see bench/_common.py).
Exit status: 1 if a benchmark crashed (non-zero exit) or reported nothing; a missed target is shown
in the table ("MISSED") but does not fail the run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from _common import (
    BACKEND_DIR,
    BENCH_DIR,
    QUICK_ENV,
    REPO_DIR,
    RESULTS_DIR,
    SUMMARY_FILE_ENV,
    SummaryRow,
    figure,
    heading,
    say,
    summary_rows_read,
    summary_table,
)

# How long a benchmark has to stop after SIGTERM (it stops its servers and workers) before SIGKILL.
STOP_GRACE_SECONDS = 60


class Stopped(Exception):
    """This runner got SIGTERM: stop the running benchmark (it cleans up) and report what there is."""


def _sigterm_to_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped


@dataclass
class Outcome:
    name: str
    returncode: int
    rows: list[SummaryRow]
    timed_out: bool = False

    @property
    def crashed(self) -> bool:
        return self.returncode != 0 or not self.rows

    def problem(self) -> str:
        if self.timed_out:
            return "timed out"
        if self.returncode != 0:
            return f"exited with status {self.returncode}"
        return "reported no summary row"


def benchmarks_find() -> list[str]:
    return sorted(
        path.stem for path in BENCH_DIR.glob("*.py") if path.name != "run.py" and not path.name.startswith("_")
    )


def benchmark_run(name: str, *, summary_file: Path, quick: bool, timeout: float) -> Outcome:
    env = {
        **os.environ,
        "PYTHONPATH": f"{BACKEND_DIR}:{REPO_DIR}",
        SUMMARY_FILE_ENV: str(summary_file),
    }
    if quick:
        env[QUICK_ENV] = "1"
    heading(f"bench/{name}.py")
    # Same process group as this one: Ctrl-C in the terminal reaches the benchmark too, and it cleans up.
    process = subprocess.Popen([sys.executable, str(BENCH_DIR / f"{name}.py")], cwd=REPO_DIR, env=env)
    timed_out = False
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        say(f"bench/{name}.py took longer than {timeout:.0f} s: stopping it")
        returncode = _stop(process, terminate=True)
    except KeyboardInterrupt:
        # The benchmark got the Ctrl-C too and is stopping its servers and workers: let it finish.
        _stop(process, terminate=False)
        raise
    except Stopped:
        _stop(process, terminate=True)
        raise
    return Outcome(name=name, returncode=returncode, rows=summary_rows_read(summary_file), timed_out=timed_out)


def _stop(process: subprocess.Popen[bytes], *, terminate: bool) -> int:
    if terminate and process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def report(outcomes: Sequence[Outcome], *, stamp: str) -> str:
    rows = [row for outcome in outcomes for row in outcome.rows]
    lines = [summary_table(rows) if rows else "(no figures)"]
    missed = [row for row in rows if row.met is False]
    met = [row for row in rows if row.met is True]
    lines.append("")
    lines.append(f"targets: {len(met)} met, {len(missed)} missed")
    lines += [
        f"  MISSED: {row.benchmark}: {row.metric} (ratio {figure(row.ratio)}, target {row.target})" for row in missed
    ]
    crashed = [outcome for outcome in outcomes if outcome.crashed]
    lines += [f"  CRASHED: bench/{outcome.name}.py {outcome.problem()}" for outcome in crashed]
    lines.append(f"run {stamp}; figures also in {RESULTS_DIR.relative_to(REPO_DIR)}/{stamp}.txt and .jsonl")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    available = benchmarks_find()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=available, help="run only this benchmark (repeatable)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run (BENCH_QUICK=1)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per benchmark (default 1800)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        say("\n".join(available))
        return 0
    names = args.only or available
    if not names:
        say("no benchmark found in bench/")
        return 1

    # Started in the background by a shell, Python would inherit SIGINT ignored; Ctrl-C must always stop it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _sigterm_to_stopped)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    outcomes: list[Outcome] = []
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="bench-run-") as scratch:
        try:
            for name in names:
                summary_file = Path(scratch) / f"{name}.jsonl"
                outcomes.append(benchmark_run(name, summary_file=summary_file, quick=args.quick, timeout=args.timeout))
        except (KeyboardInterrupt, Stopped):
            interrupted = True

    heading("summary")
    text = report(outcomes, stamp=stamp)
    say(text)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{stamp}.txt").write_text(text + "\n", encoding="utf-8")
    (RESULTS_DIR / f"{stamp}.jsonl").write_text(
        "".join(row.to_json() + "\n" for outcome in outcomes for row in outcome.rows), encoding="utf-8"
    )
    if interrupted:
        say("interrupted")
        return 130
    return 1 if any(outcome.crashed for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
