"""Priority benchmark: a crisis page against a backlog of 10,000 due reminders, at a realistic provider latency.

    PYTHONPATH=backend:. DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic \\
        REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/priority.py [--backlog N] [--trials T]

What runs, all on this machine:

- PostgreSQL database `clinic_bench_priority` (dropped, created and migrated at the start, dropped at
  the end) and Redis database 10 (BENCH_REDIS_URL overrides it), with a Celery queue and cache key
  prefix of the run's own.
- The app with the SMS sandbox under gunicorn (2 processes x 48 threads): the sandbox answers its
  Messages API after SMS_SANDBOX_LATENCY_MS=200, like Twilio over the internet; the crisis texts
  arrive there as signed inbound webhooks. Status callbacks are postponed past the run.
- One `celery worker` as the Procfile runs it (prefork, 2 processes); this process plays beat,
  sending `workers.tasks.outbox_dispatch` every SMS_DISPATCH_INTERVAL_SECONDS. SMS_RATE_PER_SECOND=100.

Measured: N due reminders (default 10,000) are in the outbox when the worker starts; after a few
seconds of draining, T crisis texts (default 20) arrive one after the other, each as a signed webhook
from a patient (the crisis route opens an urgent alert, which writes the on-call page to the outbox).
Page latency = the sandbox's `date_created` of the page minus the moment the webhook was posted.
Drain rate = N / (first dispatch to the last reminder's `sent_at`), as a fraction of the configured rate.

Baseline, in the same run: the same scenario with SMS_PRIORITY=false (first come, first served),
SMS_SEND_BATCH=1 and SMS_SEND_CONCURRENCY=1 (one row per task, one provider request at a time per
process: the path before priorities and batches), on a smaller backlog (default 400) and one trial,
since a page there waits for the whole backlog ahead of it: at the baseline's drain rate, a page
behind the full backlog would wait N / rate seconds, which is printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import (
    BACKEND_DIR,
    REPO_DIR,
    at_least,
    at_most,
    bench_stores_choose,
    bench_stores_release,
    django_setup,
    heading,
    logging_to_file,
    machine_load,
    postgres_database_recreate,
    quick_mode,
    say,
    summary_row_write,
    table_format,
)
from _outbox import clinic_and_patients_create, outbox_rows_add
from _usage import cpu_seconds

from tests.support.phones import ON_CALL
from tests.support.processes import CeleryWorker, Children, WebServer, free_port

BENCHMARK = "priority"
BENCH_DATABASE = "clinic_bench_priority"
BENCH_REDIS_DB = 10
RATE_PER_SECOND = 100
LATENCY_MS = 200
CALLBACK_DELAY_SECONDS = 3600.0
SENT_OR_BEYOND = ("sent", "delivered", "undelivered")
STALL_SECONDS = 60.0


@dataclass(frozen=True)
class Options:
    backlog: int
    trials: int
    baseline_backlog: int
    warmup: float
    trial_timeout: float
    keep_database: bool
    keep_logs: bool


@dataclass(frozen=True)
class Scenario:
    name: str
    backlog: int
    latencies: list[float]
    drain_seconds: float
    worker_cpu_ms_per_text: float
    sandbox_cpu_ms_per_text: float
    load_before: str
    load_after: str

    @property
    def drain_rate(self) -> float:
        return self.backlog / self.drain_seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def options_parse(argv: Sequence[str] | None) -> Options:
    quick = quick_mode()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backlog", type=int, default=2000 if quick else 10_000, help="due reminders (10,000)")
    parser.add_argument("--trials", type=int, default=5 if quick else 20, help="crisis texts (20)")
    parser.add_argument("--baseline-backlog", type=int, default=150 if quick else 400, help="baseline's backlog (400)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of draining before the first crisis text")
    parser.add_argument(
        "--trial-timeout", type=float, default=120.0, help="seconds a page may take before the run fails (120)"
    )
    parser.add_argument("--keep-database", action="store_true", help=f"leave {BENCH_DATABASE} in place at the end")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' and workers' logs (in /tmp)")
    args = parser.parse_args(argv)
    if args.backlog < 1 or args.trials < 1 or args.baseline_backlog < 1:
        parser.error("--backlog, --trials and --baseline-backlog must be at least 1")
    return Options(
        backlog=args.backlog,
        trials=args.trials,
        baseline_backlog=args.baseline_backlog,
        warmup=args.warmup,
        trial_timeout=args.trial_timeout,
        keep_database=args.keep_database,
        keep_logs=args.keep_logs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    options = options_parse(argv)
    stores = bench_stores_choose(BENCHMARK, database=BENCH_DATABASE, redis_db=BENCH_REDIS_DB)
    if stores is None:
        return 2
    work_dir = Path(tempfile.mkdtemp(prefix="bench-priority-"))
    finished = False
    try:
        with Children() as children:
            PriorityBench(options, children, stores=stores, work_dir=work_dir).run()
        finished = True
    except KeyboardInterrupt:
        say("priority: interrupted; servers and workers stopped")
        return 130
    finally:
        bench_stores_release(BENCHMARK, stores, keep_database=options.keep_database)
        if finished and not options.keep_logs:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            say(f"priority: the logs of this process, the app and the workers are in {work_dir}")
    return 0


class PriorityBench:
    def __init__(self, options: Options, children: Children, *, stores: Any, work_dir: Path) -> None:
        self.options = options
        self.children = children
        self.database_url = stores.database_url
        self.port = free_port()
        self.app_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": ":".join(filter(None, [str(BACKEND_DIR), str(REPO_DIR), os.environ.get("PYTHONPATH", "")])),
            "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS_MODULE", "bench._settings"),
            "BENCH_CELERY_QUEUE": stores.run_id,
            "CACHE_KEY_PREFIX": stores.run_id,
            "DATABASE_URL": stores.database_url,
            "REDIS_URL": stores.redis_url,
            "DEBUG": "false",
            "SMS_BACKEND": "sandbox",
            "SMS_RATE_PER_SECOND": str(RATE_PER_SECOND),
            "SMS_SANDBOX_LATENCY_MS": str(LATENCY_MS),
            "SMS_SANDBOX_CALLBACK_DELAY_SECONDS": str(CALLBACK_DELAY_SECONDS),
            "PUBLIC_BASE_URL": self.app_url,
            "TWILIO_API_URL": self.app_url,
            "VAR_DIR": str(work_dir / "var"),
        }
        self.work_dir = work_dir
        self.patients: list[Any] = []
        self.app: WebServer  # started by run()

    def run(self) -> None:
        options = self.options
        heading(
            f"priority: a crisis page against {options.backlog:,} due reminders, {LATENCY_MS} ms provider latency, "
            f"{RATE_PER_SECOND} texts/s"
        )
        if quick_mode():
            say("quick mode (BENCH_QUICK): smaller sizes unless given on the command line")
        say(f"before: {machine_load()}")
        postgres_database_recreate(self.database_url)
        django_setup(environ=self.env, settings_module=self.env["DJANGO_SETTINGS_MODULE"])
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        logging_to_file(self.work_dir / "bench.log")
        self.app = self.children.start(
            WebServer(self.env, self.work_dir / "app.log", name="app", port=self.port, workers=2, threads=48)
        )
        self.patients = clinic_and_patients_create()
        from clinic.core.models import Clinic

        Clinic.objects.update(on_call_phone=ON_CALL)

        measured = self.scenario(
            "measured",
            backlog=options.backlog,
            trials=options.trials,
            worker_env={},
            trial_timeout=options.trial_timeout,
        )
        baseline = self.scenario(
            "baseline",
            backlog=options.baseline_backlog,
            trials=1,
            worker_env={"SMS_PRIORITY": "false", "SMS_SEND_BATCH": "1", "SMS_SEND_CONCURRENCY": "1"},
            trial_timeout=max(300.0, options.baseline_backlog),
        )
        self.report(measured, baseline)

    # --- One scenario ---------------------------------------------------------------------------

    def tables_empty(self) -> None:
        from django.db import connection

        from clinic.checkins.models import Alert
        from clinic.messaging.models import InboundMessage, OutboundMessage
        from clinic.messaging.sandbox.models import SandboxMessage

        with connection.cursor() as cursor:
            for model in (OutboundMessage, SandboxMessage, InboundMessage, Alert):
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)} CASCADE")

    def scenario(
        self, name: str, *, backlog: int, trials: int, worker_env: dict[str, str], trial_timeout: float
    ) -> Scenario:
        from django.db.models import Max

        from clinic.messaging.models import OutboundMessage

        switches = f"; {worker_env}" if worker_env else ""
        heading(f"{name}: {backlog:,} due reminders, {trials} crisis text(s){switches}")
        self.tables_empty()
        ids = outbox_rows_add(self.patients, f"bench {name}", backlog, kind=OutboundMessage.Kind.REMINDER)
        reminders = OutboundMessage.objects.filter(id__in=ids)
        worker = self.children.start(
            CeleryWorker({**self.env, **worker_env}, self.work_dir / f"worker-{name}.log", name=f"worker-{name}")
        )
        load_before = machine_load()
        cpu_before = (cpu_seconds(worker.pid), cpu_seconds(self.app.pid))
        beat = BeatPlayer()
        started_wall = time.time()
        beat.start()
        latencies: list[float] = []
        try:
            time.sleep(self.options.warmup)
            for trial in range(trials):
                latencies.append(self.crisis_trial(trial, worker, timeout=trial_timeout))
                say(f"  crisis {trial + 1}: page at the sandbox {latencies[-1]:.2f} s after the webhook")
                time.sleep(0.5)
            self.wait_drained(reminders, worker, backlog=backlog)
        finally:
            beat.stop()
        cpu_after = (cpu_seconds(worker.pid), cpu_seconds(self.app.pid))
        load_after = machine_load()
        self.children.stop(worker)
        last_sent = reminders.aggregate(last=Max("sent_at"))["last"]
        drain_seconds = last_sent.timestamp() - started_wall
        self.cross_check(reminders, backlog=backlog, trials=trials)
        texts = backlog + trials
        scenario = Scenario(
            name=name,
            backlog=backlog,
            latencies=latencies,
            drain_seconds=drain_seconds,
            worker_cpu_ms_per_text=(cpu_after[0] - cpu_before[0]) / texts * 1000,
            sandbox_cpu_ms_per_text=(cpu_after[1] - cpu_before[1]) / texts * 1000,
            load_before=load_before,
            load_after=load_after,
        )
        say(
            f"{name}: {backlog:,} reminders drained in {drain_seconds:.1f} s: {scenario.drain_rate:.1f} texts/s "
            f"({scenario.drain_rate / RATE_PER_SECOND:.2f} of the configured rate); CPU per text: worker "
            f"{scenario.worker_cpu_ms_per_text:.1f} ms, app+sandbox {scenario.sandbox_cpu_ms_per_text:.1f} ms\n"
            f"  {load_after}"
        )
        return scenario

    def crisis_trial(self, trial: int, worker: CeleryWorker, *, timeout: float) -> float:
        import requests

        from clinic.messaging.sandbox.models import SandboxMessage
        from tests.support.sandbox import SMS_PATH, inbound_params, twilio_signature

        pages = SandboxMessage.objects.filter(direction="outbound-api", to_number=ON_CALL)
        before = pages.count()
        patient = self.patients[trial % len(self.patients)]
        sid = f"SM{os.getpid():08d}{trial:04d}{time.monotonic_ns() % 10**18:018d}"[:34]
        url = self.app_url + SMS_PATH
        params = inbound_params("i want to die tonight", sid=sid, from_number=patient.phone)
        signature = twilio_signature(url, params)
        posted = time.time()
        response = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"the crisis webhook answered {response.status_code}")
        deadline = time.monotonic() + timeout
        while pages.count() <= before:
            worker.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no page reached the sandbox {timeout:.0f} s after crisis text {trial + 1}")
            time.sleep(0.05)
        arrived = pages.order_by("-date_created").values_list("date_created", flat=True).first()
        assert arrived is not None
        return float(arrived.timestamp() - posted)

    def wait_drained(self, reminders: Any, worker: CeleryWorker, *, backlog: int) -> None:
        done, progressed = -1, time.monotonic()
        while done < backlog:
            worker.check_alive()
            count = reminders.filter(status__in=SENT_OR_BEYOND).count()
            if count > done:
                done, progressed = count, time.monotonic()
            elif time.monotonic() - progressed > STALL_SECONDS:
                raise TimeoutError(f"no reminder sent for {STALL_SECONDS:.0f} s ({done} of {backlog} sent)")
            time.sleep(0.5)

    def cross_check(self, reminders: Any, *, backlog: int, trials: int) -> None:
        from collections import Counter

        from clinic.messaging.sandbox.models import SandboxMessage

        received = SandboxMessage.objects.filter(direction="outbound-api")
        bodies = list(received.exclude(to_number=ON_CALL).values_list("body", flat=True))
        problems = []
        if len(bodies) != backlog or len(set(bodies)) != backlog:
            problems.append(f"the sandbox received {len(bodies)} reminders ({len(set(bodies))} distinct)")
        if received.filter(to_number=ON_CALL).count() != trials:
            problems.append(f"{received.filter(to_number=ON_CALL).count()} pages for {trials} crisis texts")
        attempts = Counter(reminders.values_list("attempts", flat=True))
        if attempts != Counter({1: backlog}):
            problems.append(f"attempts per reminder: {dict(attempts)}")
        if problems:
            raise RuntimeError("priority cross-check failed: " + "; ".join(problems))
        say(f"cross-check: each of the {backlog:,} reminders reached the sandbox once; one page per crisis text")

    # --- Report -----------------------------------------------------------------------------------

    def report(self, measured: Scenario, baseline: Scenario) -> None:
        heading("priority: results")
        say(f"after: {machine_load()}")
        p50, p99 = statistics.median(measured.latencies), measured.quantile(0.99)
        base_page = max(baseline.latencies)
        extrapolated = measured.backlog / baseline.drain_rate
        fraction = measured.drain_rate / RATE_PER_SECOND
        base_fraction = baseline.drain_rate / RATE_PER_SECOND
        cells = [
            ["page latency p50 / p99 (measured)", f"{p50:.2f} / {p99:.2f} s", f"{len(measured.latencies)} texts"],
            [
                "page latency (baseline)",
                f"{base_page:.1f} s",
                f"behind {baseline.backlog:,} reminders; behind {measured.backlog:,}: about {extrapolated:,.0f} s",
            ],
            ["drain rate (measured)", f"{measured.drain_rate:.1f} texts/s", f"{fraction:.2f} of the rate"],
            ["drain rate (baseline)", f"{baseline.drain_rate:.1f} texts/s", f"{base_fraction:.2f} of the rate"],
            [
                "CPU per text, worker (measured / baseline)",
                f"{measured.worker_cpu_ms_per_text:.1f} / {baseline.worker_cpu_ms_per_text:.1f} ms",
                "the Celery worker's processes",
            ],
            [
                "CPU per text, app+sandbox (measured / baseline)",
                f"{measured.sandbox_cpu_ms_per_text:.1f} / {baseline.sandbox_cpu_ms_per_text:.1f} ms",
                "gunicorn: the Messages API and the webhooks",
            ],
        ]
        say(table_format(["figure", "value", "note"], cells, right=[1]))
        say(f"load: measured {measured.load_before} -> {measured.load_after}")
        say(f"load: baseline {baseline.load_before} -> {baseline.load_after}")
        rows = [
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"page latency p99 s, behind {measured.backlog:,} reminders (baseline: FIFO, behind "
                f"{baseline.backlog:,})",
                value=p99,
                unit="s",
                baseline=base_page,
                ratio=p99 / base_page,
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric="page latency p99 under 5 s",
                value=p99,
                unit="s",
                target=at_most(5.0),
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"backlog drain rate / SMS_RATE_PER_SECOND={RATE_PER_SECOND} at {LATENCY_MS} ms latency",
                value=fraction,
                unit="",
                target=at_least(0.9),
                note=f"baseline (one request at a time per process): {base_fraction:.2f}",
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric="backlog drain rate (baseline: FIFO, one request at a time per process)",
                value=measured.drain_rate,
                unit="texts/s",
                baseline=baseline.drain_rate,
            ),
        ]
        for row in rows:
            if row.target is not None:
                say(f"target {row.target}: {'met' if row.met else 'MISSED'} -- {row.metric} = {row.value:.2f}")


class BeatPlayer:
    """Send the real dispatch task every SMS_DISPATCH_INTERVAL_SECONDS from a thread, as beat would."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="beat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        from django.conf import settings

        from config.celery_app import app

        interval = float(settings.SMS_DISPATCH_INTERVAL_SECONDS)
        next_tick = time.monotonic()
        while not self._stop.is_set():
            app.send_task("workers.tasks.outbox_dispatch")
            next_tick += interval
            self._stop.wait(max(0.0, next_tick - time.monotonic()))


if __name__ == "__main__":
    sys.exit(main())
