"""Intake load benchmark: POST /api/v1/inquiries/ under gunicorn + PostgreSQL, against a bare Django view.

    PYTHONPATH=backend:. DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic \\
        REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/intake.py [--duration S] [--connections C]

What runs, all on this machine:

- PostgreSQL database `clinic_bench_intake` on DATABASE_URL's server (dropped, created and migrated at
  the start, dropped at the end unless --keep-database) and Redis database 12 on REDIS_URL's server
  (BENCH_REDIS_URL overrides it), where the run's cache key prefix and Celery queue are its own.
- Two gunicorn servers with the same command and worker configuration (gthread, --workers 2
  --threads 4 by default, HTTP keep-alive: one process per core, since the GIL runs one thread of
  a process at a time, and four threads each so that a process has work while some of its requests
  wait on PostgreSQL), the same environment (DEBUG=false, DB_CONN_MAX_AGE=600,
  INQUIRY_THROTTLE_BURST=off, INQUIRY_THROTTLE_DAILY=off) and the same database:
  the service (`bench._settings`: the project's URLconf) and the baseline (`bench._intake_settings`:
  the URLconf of `bench/_intake_baseline.py`, a bare Django view that json.loads the body and
  inserts the same Inquiry row with the ORM, behind the same middleware).
- wrk (`bench/_intake.lua`) keeps 50 connections busy, each posting one valid JSON inquiry after
  another, every one with a phone number and an email of its own. Each server is warmed up, then
  measured in two halves in the order baseline, service, service, baseline, so that a change in the
  machine's load during the run weighs on both sides alike; the halves' latency quantiles are merged.
- After every wrk run: every response must be a 201 (no socket errors either), every reference a
  201 answered must be a stored inquiry, and the rows stored may exceed the 201s only by the requests
  still in flight when wrk stopped (at most one per connection). For the service, each of its
  inquiries must have one submission, two reasons, its recorded SMS consent and one acknowledgement
  text in the outbox, and none may have been merged.
  A failed check ends the benchmark with status 1 and no figures: a load test that measured 400s
  or 429s measured nothing.
- Figures: requests/s, p50/p90/p99 latency of each side, the ratio of requests/s (target >= 0.6) and
  the service's p99 (target under 100 ms); as diagnostics, CPU milliseconds per request of the
  gunicorn processes, of the PostgreSQL sessions serving them and of wrk (from /proc), which move
  far less with the machine's load than rates do.

wrk must be installed (`apt-get install wrk`); without it the benchmark says so and exits with
status 2, installing nothing itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import (
    BACKEND_DIR,
    REPO_DIR,
    at_least,
    at_most,
    bench_stores_choose,
    bench_stores_release,
    django_setup,
    figure,
    heading,
    logging_to_file,
    machine_load,
    met_text,
    postgres_database_recreate,
    quick_mode,
    say,
    summary_row_write,
    table_format,
    timed,
)
from _intake_checks import (
    VerificationError,
    responses_problems,
    rows_settled,
    sample_answer,
    service_rows_problems,
    stored_problems,
)
from _intake_load import (
    LUA_SCRIPT,
    MS,
    Side,
    WrkRun,
    children_cpu_seconds,
    percentile_us,
    postgres_sessions_cpu_seconds,
    wrk_run,
)
from _usage import cpu_seconds

from tests.support.phones import CLINIC_PHONE
from tests.support.processes import Children, WebServer, free_port

BENCHMARK = "intake"
BENCH_DATABASE = "clinic_bench_intake"
BENCH_REDIS_DB = 12
PATH = "/api/v1/inquiries/"
SERVICE_SETTINGS = "bench._settings"
BASELINE_SETTINGS = "bench._intake_settings"
# One area code per wrk run keeps every run's phone numbers (and emails) apart from every other's.
AREA_CODES = ("212", "312", "415", "617", "206", "303", "404", "512", "602", "702", "713", "305")
# The servers' identity check posts with this one, which no wrk run uses.
CHECK_AREA = "919"
RATIO_TARGET = 0.6
P99_TARGET_MS = 100.0
# Halves of one side further apart than this ratio mean the machine's load changed during the run.
HALVES_DRIFT = 1.25
CPU_KINDS = ("gunicorn", "postgres", "wrk")
TABLE_HEADERS = ["side", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "CPU gunicorn", "postgres", "wrk"]


@dataclass(frozen=True)
class Options:
    duration: int
    warmup: int
    connections: int
    workers: int
    threads: int
    wrk_threads: int
    keep_database: bool
    keep_logs: bool


def options_parse(argv: Sequence[str] | None) -> Options:
    quick = quick_mode()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--duration",
        type=int,
        default=10 if quick else 30,
        help="measured seconds per side, in two halves (default 30; 10 with BENCH_QUICK)",
    )
    parser.add_argument(
        "--warmup", type=int, default=3 if quick else 5, help="seconds of load per server before measuring (default 5)"
    )
    parser.add_argument("--connections", type=int, default=50, help="concurrent wrk connections (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1: light on 2 cores)")
    parser.add_argument("--keep-database", action="store_true", help=f"leave {BENCH_DATABASE} in place at the end")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs and wrk's output (in /tmp)")
    args = parser.parse_args(argv)
    if args.duration < 2 or args.warmup < 1:
        parser.error("--duration must be at least 2 and --warmup at least 1")
    if min(args.connections, args.workers, args.threads, args.wrk_threads) < 1:
        parser.error("--connections, --workers, --threads and --wrk-threads must be at least 1")
    if args.connections < args.wrk_threads:
        parser.error("wrk needs at least one connection per thread")
    return Options(
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        workers=args.workers,
        threads=args.threads,
        wrk_threads=args.wrk_threads,
        keep_database=args.keep_database,
        keep_logs=args.keep_logs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    # Started in the background by a shell, Python would inherit SIGINT ignored; Ctrl-C must always stop it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    options = options_parse(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        say(
            "intake: wrk, the HTTP load generator, is not installed. Install it with\n"
            "    sudo apt-get install wrk        (Debian, Ubuntu; `brew install wrk` on macOS)\n"
            "and run the benchmark again."
        )
        return 2
    # The run's own database, queue and cache prefix: no other worker takes its tasks, nor its workers theirs.
    stores = bench_stores_choose("intake", database=BENCH_DATABASE, redis_db=BENCH_REDIS_DB)
    if stores is None:
        return 2

    work_dir = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    finished = False
    try:
        with Children() as children:
            Intake(
                options,
                children,
                wrk=wrk,
                database_url=stores.database_url,
                redis_url=stores.redis_url,
                run_id=stores.run_id,
                work_dir=work_dir,
            ).run()
        finished = True
    except KeyboardInterrupt:
        say("intake: interrupted; servers stopped")
        return 130
    except VerificationError as error:
        say(f"intake: FAILED CHECK, so no figures: {error}")
        return 1
    finally:
        bench_stores_release("intake", stores, keep_database=options.keep_database)
        if finished and not options.keep_logs:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            say(f"intake: the servers' logs and wrk's output are in {work_dir}")
    return 0


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds used so far: the server's processes, the wrk runs, each PostgreSQL session by pid."""

    gunicorn: float
    wrk: float
    sessions: dict[int, float]


class Intake:
    def __init__(
        self,
        options: Options,
        children: Children,
        *,
        wrk: str,
        database_url: str,
        redis_url: str,
        run_id: str,
        work_dir: Path,
    ) -> None:
        self.options = options
        self.children = children
        self.wrk = wrk
        self.database_url = database_url
        self.redis_url = redis_url
        self.work_dir = work_dir
        self.env = {
            **os.environ,
            "PYTHONPATH": ":".join(filter(None, [str(BACKEND_DIR), str(REPO_DIR), os.environ.get("PYTHONPATH", "")])),
            "DJANGO_SETTINGS_MODULE": SERVICE_SETTINGS,
            "BENCH_CELERY_QUEUE": run_id,
            "CACHE_KEY_PREFIX": run_id,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            # Persistent connections that outlive the run, so that none is reopened halfway through a side.
            "DB_CONN_MAX_AGE": "600",
            "INQUIRY_THROTTLE_BURST": "off",
            "INQUIRY_THROTTLE_DAILY": "off",
            "VAR_DIR": str(work_dir / "var"),
        }
        self.areas = iter(AREA_CODES)
        self.servers: dict[str, tuple[WebServer, int]] = {}

    def run(self) -> None:
        options = self.options
        half = options.duration // 2
        heading(
            f"intake: POST {PATH}, {options.connections} connections, {2 * half} s per side "
            f"(two halves of {half} s), against a bare Django view"
        )
        if quick_mode():
            say("quick mode (BENCH_QUICK): shorter runs unless given on the command line")
        say(f"before: {machine_load()}")
        self.stores_prepare()
        for name, settings_module in (("baseline", BASELINE_SETTINGS), ("service", SERVICE_SETTINGS)):
            port = free_port()
            env = {**self.env, "DJANGO_SETTINGS_MODULE": settings_module}
            server = self.children.start(
                WebServer(
                    env,
                    self.work_dir / f"{name}.log",
                    name=name,
                    port=port,
                    workers=options.workers,
                    threads=options.threads,
                )
            )
            self.servers[name] = (server, port)
        self.settings_describe()
        self.identity_check()

        heading(f"warm-up: {options.warmup} s of load on each server (checked, not counted)")
        for name in ("baseline", "service"):
            self.report_run(self.measure(name, f"{name} warm-up", options.warmup))

        heading("measured: baseline, service, service, baseline")
        runs: dict[str, list[WrkRun]] = {"baseline": [], "service": []}
        for name in ("baseline", "service", "service", "baseline"):
            run = self.measure(name, f"{name} half {len(runs[name]) + 1}", half)
            runs[name].append(run)
            self.report_run(run)
        self.report(Side("baseline", tuple(runs["baseline"])), Side("service", tuple(runs["service"])))

    def stores_prepare(self) -> None:
        with timed() as watch:
            postgres_database_recreate(self.database_url)
            django_setup(environ=self.env, settings_module=SERVICE_SETTINGS)
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            from clinic.core.models import Clinic

            # An installed clinic has one: its short name goes into the acknowledgement text.
            Clinic.objects.create(
                name="Bench Clinic", short_name="Bench Clinic", timezone="America/New_York", phone=CLINIC_PHONE
            )
        logging_to_file(self.work_dir / "bench.log")
        say(f"database {BENCH_DATABASE} created and migrated ({watch.seconds:.1f} s); Redis {self.redis_url}")

    def settings_describe(self) -> None:
        from django.conf import settings

        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        options = self.options
        say(
            f"gunicorn for each side: gthread, {options.workers} workers x {options.threads} threads, "
            "keep-alive 5 s; "
            + ", ".join(f"{name} at http://127.0.0.1:{port}" for name, (_, port) in self.servers.items())
            + f"\nDEBUG={settings.DEBUG}, DB_CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}, "
            f"throttles {rates} (None = off); baseline settings {BASELINE_SETTINGS}, service {SERVICE_SETTINGS}\n"
            f"wrk: {options.wrk_threads} thread(s), {options.connections} connections, {LUA_SCRIPT.name}"
        )

    # --- One wrk run ------------------------------------------------------------------------

    def identity_check(self) -> None:
        """Each server answers as the side it stands for: the service with next steps, the bare view without."""
        for name, (_, port) in self.servers.items():
            answer = sample_answer(f"http://127.0.0.1:{port}{PATH}", CHECK_AREA)
            if " 201: " not in answer or ("next_steps" in answer) != (name == "service"):
                raise VerificationError(f"the {name} server does not answer as the {name}: {answer}")

    def measure(self, name: str, label: str, seconds: int) -> WrkRun:
        server, port = self.servers[name]
        server.check_alive()
        before = self.cpu_sample(server)
        run = wrk_run(
            self.wrk,
            url=f"http://127.0.0.1:{port}{PATH}",
            label=label,
            area=next(self.areas),
            seconds=seconds,
            connections=self.options.connections,
            threads=self.options.wrk_threads,
            work_dir=self.work_dir,
        )
        after = self.cpu_sample(server)
        run.cpu = {"gunicorn": after.gunicorn - before.gunicorn, "wrk": after.wrk - before.wrk}
        # A session opened during the run counts from zero; one closed during it would be lost (DB_CONN_MAX_AGE
        # keeps them open all along).
        if after.sessions:
            used = (seconds - before.sessions.get(pid, 0.0) for pid, seconds in after.sessions.items())
            run.cpu["postgres"] = sum(used)
        self.verify(name, run, url=f"http://127.0.0.1:{port}{PATH}")
        return run

    def cpu_sample(self, server: WebServer) -> CpuSample:
        return CpuSample(
            gunicorn=cpu_seconds(server.pid), wrk=children_cpu_seconds(), sessions=postgres_sessions_cpu_seconds()
        )

    def verify(self, name: str, run: WrkRun, *, url: str) -> None:
        problems = responses_problems(run)
        if problems:
            raise VerificationError(f"{run.label}: " + "; ".join(problems) + "\n" + sample_answer(url, run.area))
        run.rows = rows_settled(run.area)
        problems = stored_problems(run, rows=run.rows, connections=self.options.connections)
        if name == "service":
            problems += service_rows_problems(run.area, run.rows)
        if problems:
            raise VerificationError(f"{run.label}: " + "; ".join(problems))

    # --- Report -----------------------------------------------------------------------------

    def report_run(self, run: WrkRun) -> None:
        p50, p99 = percentile_us([run], 50), percentile_us([run], 99)
        cpu = ", ".join(f"{kind} {seconds * MS / run.requests:.2f}" for kind, seconds in sorted(run.cpu.items()))
        say(
            f"{run.label}: {run.requests:,} requests in {run.seconds:.1f} s = {run.rate:,.0f} req/s; "
            f"p50 {p50 / MS:.1f} ms, p99 {p99 / MS:.1f} ms; CPU ms/request: {cpu or 'n/a'}\n"
            f"  checked: all {run.created:,} answers 201, each reference a stored inquiry; {run.rows:,} rows "
            f"(+{run.rows - run.created} from requests in flight when wrk stopped)"
        )

    def report(self, baseline: Side, service: Side) -> None:
        heading("intake: results")
        say(f"after: {machine_load()}")
        for side in (baseline, service):
            rates = [run.rate for run in side.runs]
            if max(rates) > HALVES_DRIFT * min(rates):
                say(
                    f"WARNING: the {side.name}'s halves ran at {rates[0]:,.0f} and {rates[-1]:,.0f} req/s: the "
                    "machine's load changed during the run, so take the figures with care"
                )
        cells = []
        for side in (baseline, service):
            cpu = {kind: side.cpu_ms_per_request(kind) for kind in CPU_KINDS}
            cells.append(
                [
                    "bare Django view (baseline)" if side.name == "baseline" else f"POST {PATH} (service)",
                    f"{side.requests:,}",
                    f"{side.rate:,.0f}",
                    *(f"{side.percentile_ms(p):.1f}" for p in (50, 90, 99)),
                    f"{side.percentile_ms(100):.0f}",
                    *(figure(cpu[kind]) for kind in CPU_KINDS),
                ]
            )
        say(table_format(TABLE_HEADERS, cells, right=range(1, len(TABLE_HEADERS))))
        say("(CPU in milliseconds per request, from /proc; they move far less with the machine's load than rates)")
        totals = {side.name: side.cpu_ms_per_request(*CPU_KINDS) for side in (baseline, service)}
        if totals["baseline"] and totals["service"]:
            say(
                f"CPU per request, server + PostgreSQL + wrk: baseline {totals['baseline']:.2f} ms, service "
                f"{totals['service']:.2f} ms; all share this machine's cores, so with nothing else running the "
                f"ratio of requests/s would be near {totals['baseline'] / totals['service']:.2f}"
            )
        say(
            f"latency at saturation is mostly queueing: {self.options.connections} connections always busy wait "
            f"about {self.options.connections} / (req/s) each (Little's law: "
            f"{self.options.connections / service.rate * MS:.0f} ms for the service, "
            f"{self.options.connections / baseline.rate * MS:.0f} ms for the baseline)"
        )
        connections = self.options.connections
        rows = [
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"requests/s, POST {PATH}, {connections} connections (baseline: bare Django view, same row)",
                value=service.rate,
                unit="req/s",
                baseline=baseline.rate,
                target=at_least(RATIO_TARGET),
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"p99 latency, POST {PATH}, {connections} connections "
                f"(bare view's: {baseline.percentile_ms(99):.1f} ms)",
                value=service.percentile_ms(99),
                unit="ms",
                target=at_most(P99_TARGET_MS),
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"p50 latency, POST {PATH}, {connections} connections (baseline: bare Django view)",
                value=service.percentile_ms(50),
                unit="ms",
                baseline=baseline.percentile_ms(50),
                note="informational",
            ),
        ]
        for row in rows:
            if row.target is not None:
                checked = "ratio " + figure(row.ratio) if row.ratio is not None else f"{figure(row.value)} {row.unit}"
                say(f"target {row.target} on {checked}: {met_text(row.met)} -- {row.metric}")


if __name__ == "__main__":
    sys.exit(main())
