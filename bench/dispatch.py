"""Dispatch benchmark: due texts from the outbox to the SMS sandbox through Celery, against a plain SDK loop.

    PYTHONPATH=backend:. DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic \\
        REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/python bench/dispatch.py [--messages N] [--future-rows M]

What runs, all on this machine:

- PostgreSQL database `clinic_bench_dispatch` (on DATABASE_URL's server; dropped, created and migrated
  at the start, dropped at the end) and Redis database 9 on REDIS_URL's server (BENCH_REDIS_URL
  overrides it), where the run has a Celery queue and cache key prefix of its own, deleted at the end.
- The SMS sandbox (clinic.messaging.sandbox, Twilio's Messages API) served by gunicorn on a free
  port; PUBLIC_BASE_URL and TWILIO_API_URL point at it.
- Baseline: this process calls `client.messages.create(...)` N times in a plain loop, one thread,
  one client (the project's `twilio_client_build`, which honours TWILIO_API_URL): half before the
  measured path and half after it, so that a change in the machine's load shows and weighs on both.
- Measured: N due rows in the outbox; one `celery worker --pool=prefork --concurrency=2` (two worker
  processes, as the Procfile runs it); this process plays beat, sending the real
  `workers.tasks.outbox_dispatch` task every SMS_DISPATCH_INTERVAL_SECONDS. Timed from the first
  dispatch to the last row's `sent_at`, cross-checked against the texts the sandbox received.
- Claim query: `outbox_claim_due()` as the dispatcher runs it, with 1,000 due rows among 10,000 and
  among 1,000,000 future rows, repeated in rolled-back transactions; then a fresh worker sends those
  due rows and its peak RSS (VmHWM) is read from /proc.

Every other setting comes from the environment as for the service (e.g. DB_CONN_MAX_AGE=60 to try
persistent connections); BENCH_SETTINGS_MODULE names a settings module building on bench._settings
to try a settings change without editing config/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
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
    figure,
    heading,
    logging_to_file,
    machine_load,
    median,
    postgres_database_recreate,
    quick_mode,
    say,
    summary_row_write,
    table_format,
    time_repeated,
    timed,
)
from _outbox import (
    claim_plan,
    clinic_and_patients_create,
    outbox_future_rows_insert,
    outbox_rows_add,
    reconcile_stale,
    rolled_back,
    text_body,
)
from _usage import cpu_seconds, memory_use

from tests.support.processes import CeleryWorker, Children, WebServer, free_port

BENCHMARK = "dispatch"
BENCH_DATABASE = "clinic_bench_dispatch"
# Not the test suite's (15): its cache.clear() empties its database. The run's keys are its own anyway.
BENCH_REDIS_DB = 9
STALL_SECONDS = 30.0
# Baseline halves further apart than this ratio mean the machine's load changed during the run.
BASELINE_DRIFT = 1.25
# Far above what two workers reach: the shared limiter still runs (a Redis INCR per send) but never waits.
RATE_PER_SECOND = 100_000
# Postpone the sandbox's status callbacks past the end of the run (see --callback-delay).
CALLBACK_DELAY_SECONDS = 3600.0
SENT_OR_BEYOND = ("sent", "delivered", "undelivered")
KIB_PER_MIB = 1024


@dataclass(frozen=True)
class Options:
    messages: int
    future_rows: int
    base_future_rows: int
    due_rows: int
    claim_repeats: int
    callback_delay: float
    keep_database: bool
    keep_logs: bool


def options_parse(argv: Sequence[str] | None) -> Options:
    quick = quick_mode()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500 if quick else 5000, help="N texts (default 5000)")
    parser.add_argument(
        "--future-rows", type=int, default=100_000 if quick else 1_000_000, help="large backlog (default 1,000,000)"
    )
    parser.add_argument("--base-future-rows", type=int, default=10_000, help="small backlog (default 10,000)")
    parser.add_argument("--due-rows", type=int, default=1000, help="due rows in the claim cases (default 1,000)")
    parser.add_argument("--claim-repeats", type=int, default=20, help="timed claims per case (default 20)")
    parser.add_argument(
        "--callback-delay",
        type=float,
        default=CALLBACK_DELAY_SECONDS,
        help="SMS_SANDBOX_CALLBACK_DELAY_SECONDS; the default postpones status callbacks past the run, "
        "0.2 (the project's default) lets them load the web server during it",
    )
    parser.add_argument("--keep-database", action="store_true", help=f"leave {BENCH_DATABASE} in place at the end")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' and workers' logs (in /tmp)")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.due_rows < 1 or args.claim_repeats < 1:
        parser.error("--messages, --due-rows and --claim-repeats must be at least 1")
    return Options(
        messages=args.messages,
        future_rows=args.future_rows,
        base_future_rows=args.base_future_rows,
        due_rows=args.due_rows,
        claim_repeats=args.claim_repeats,
        callback_delay=args.callback_delay,
        keep_database=args.keep_database,
        keep_logs=args.keep_logs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    # Started in the background by a shell, Python would inherit SIGINT ignored; Ctrl-C must always stop it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    options = options_parse(argv)
    # The run's own database, queue and cache prefix: no other worker takes its tasks, nor its workers theirs.
    stores = bench_stores_choose("dispatch", database=BENCH_DATABASE, redis_db=BENCH_REDIS_DB)
    if stores is None:
        return 2

    work_dir = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    finished = False
    try:
        with Children() as children:
            Dispatch(
                options,
                children,
                database_url=stores.database_url,
                redis_url=stores.redis_url,
                run_id=stores.run_id,
                work_dir=work_dir,
            ).run()
        finished = True
    except KeyboardInterrupt:
        say("dispatch: interrupted; servers and workers stopped")
        return 130
    finally:
        bench_stores_release("dispatch", stores, keep_database=options.keep_database)
        if finished and not options.keep_logs:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            say(f"dispatch: the logs of this process, the sandbox and the workers are in {work_dir}")
    return 0


class Dispatch:
    def __init__(
        self,
        options: Options,
        children: Children,
        *,
        database_url: str,
        redis_url: str,
        run_id: str,
        work_dir: Path,
    ) -> None:
        self.options = options
        self.children = children
        self.database_url = database_url
        self.redis_url = redis_url
        self.port = free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.port}"
        # BENCH_SETTINGS_MODULE tries a settings change without editing config/ (it must build on bench._settings).
        settings_module = os.environ.get("BENCH_SETTINGS_MODULE", "bench._settings")
        self.env = {
            **os.environ,
            "PYTHONPATH": ":".join(filter(None, [str(BACKEND_DIR), str(REPO_DIR), os.environ.get("PYTHONPATH", "")])),
            "DJANGO_SETTINGS_MODULE": settings_module,
            "BENCH_CELERY_QUEUE": run_id,
            "CACHE_KEY_PREFIX": run_id,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "false",
            "SMS_BACKEND": "sandbox",
            "SMS_RATE_PER_SECOND": str(RATE_PER_SECOND),
            "SMS_SANDBOX_CALLBACK_DELAY_SECONDS": str(options.callback_delay),
            "PUBLIC_BASE_URL": self.sandbox_url,
            "TWILIO_API_URL": self.sandbox_url,
            "VAR_DIR": str(work_dir / "var"),
        }
        self.work_dir = work_dir
        self.patients: list[Any] = []
        self.diagnostics: dict[str, float] = {}
        self.sandbox: WebServer  # started by run()
        self.dispatch_interval: float  # read from the settings by settings_describe()

    # --- Set-up -----------------------------------------------------------------------------

    def run(self) -> None:
        options = self.options
        heading(f"dispatch: {options.messages:,} texts; claim with {options.due_rows:,} due rows")
        if quick_mode():
            say("quick mode (BENCH_QUICK): smaller sizes unless given on the command line")
        say(f"before: {machine_load()}")
        self.stores_prepare()
        self.sandbox = self.children.start(
            WebServer(self.env, self.work_dir / "sandbox.log", name="sandbox", port=self.port)
        )
        self.patients = clinic_and_patients_create()
        self.settings_describe()

        # The baseline runs in two halves, before and after the measured path, so that a change in the
        # machine's load during the run shows (and weighs on both sides alike).
        first_count = (options.messages + 1) // 2
        heading("baseline: a plain loop calling the Twilio SDK against the sandbox (first half)")
        self.sdk_loop_rate("bench warmup", 40, client_per_message=True)  # warms both gunicorn processes
        first = self.baseline_half("bench baseline-1", first_count)
        self.diagnostics_measure()
        celery_rate, celery_memory = self.celery_measure()
        halves = [first]
        if options.messages > first_count:
            heading("baseline: second half")
            halves.append(self.baseline_half("bench baseline-2", options.messages - first_count))
        baseline = options.messages / sum(seconds for _, seconds in halves)
        rates = [count / seconds for count, seconds in halves]
        say(f"baseline over all {options.messages:,} texts: {baseline:,.1f} msg/s")
        if max(rates) > BASELINE_DRIFT * min(rates):
            say(
                f"WARNING: the baseline moved from {rates[0]:,.1f} to {rates[-1]:,.1f} msg/s during the run: the "
                "machine's load changed, so take the ratio with care"
            )
        small = self.claim_case(options.base_future_rows)
        large = self.claim_case(options.future_rows)
        self.report(
            baseline=baseline, celery_rate=celery_rate, celery_memory_kib=celery_memory, small=small, large=large
        )

    def stores_prepare(self) -> None:
        with timed() as watch:
            postgres_database_recreate(self.database_url)
            django_setup(environ=self.env, settings_module=self.env["DJANGO_SETTINGS_MODULE"])
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
        # The SDK logs every request at INFO; here as in the workers, to a file rather than the console.
        logging_to_file(self.work_dir / "bench.log")
        say(
            f"database {BENCH_DATABASE} created and migrated ({watch.seconds:.1f} s); "
            f"Redis {self.redis_url}, Celery queue {self.env['BENCH_CELERY_QUEUE']}"
        )

    def settings_describe(self) -> None:
        from django.conf import settings

        from clinic.messaging.outbox import dispatch_batch_size

        interval, batch = float(settings.SMS_DISPATCH_INTERVAL_SECONDS), dispatch_batch_size()
        self.dispatch_interval = interval
        say(
            f"sandbox: gunicorn (2 processes x 4 threads, keep-alive) at {self.sandbox_url}\n"
            f"SMS_RATE_PER_SECOND={settings.SMS_RATE_PER_SECOND:g}: the shared rate limit runs but never caps the "
            "benchmark\n"
            f"SMS_SANDBOX_CALLBACK_DELAY_SECONDS={settings.SMS_SANDBOX_CALLBACK_DELAY_SECONDS:g}: "
            + (
                "status callbacks come after the run, so they load neither side"
                if settings.SMS_SANDBOX_CALLBACK_DELAY_SECONDS >= 600
                else "status callbacks hit the web server during the run"
            )
            + f"\ndispatcher: one outbox_dispatch task every {interval:g} s claims up to {batch} rows "
            f"(ceiling {batch / interval:,.0f} msg/s); DB_CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}"
            f", DEBUG={settings.DEBUG}, settings {self.env['DJANGO_SETTINGS_MODULE']}"
        )

    def sdk_send(self, client: Any, tag: str, n: int) -> str:
        """One create call, with the same parameters sending.py gives the SDK."""
        from django.conf import settings

        patient = self.patients[n % len(self.patients)]
        created = client.messages.create(
            to=patient.phone,
            from_=settings.TWILIO_FROM_NUMBER,
            body=text_body(self.patients, tag, n),
            status_callback=f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/status/",
        )
        return str(created.sid)

    def sdk_loop_rate(self, tag: str, count: int, *, client_per_message: bool) -> float:
        from clinic.messaging.twilio_client import twilio_client_build

        client = twilio_client_build()
        with timed() as watch:
            for n in range(count):
                if client_per_message:
                    client = twilio_client_build()
                self.sdk_send(client, tag, n)
        return count / watch.seconds

    # --- Baseline and diagnostics -------------------------------------------------------------

    def usage(self, worker: CeleryWorker | None = None) -> dict[str, float]:
        """CPU seconds so far of this process, the sandbox and `worker`; PostgreSQL sessions and commits so far."""
        import resource

        from django.db import connection

        time.sleep(1.0)  # PostgreSQL publishes a backend's counters at most once a second
        with connection.cursor() as cursor:
            cursor.execute("SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = current_database()")
            sessions, commits = cursor.fetchone()
        own = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "this process": own.ru_utime + own.ru_stime,
            "sandbox": cpu_seconds(self.sandbox.pid),
            "worker": cpu_seconds(worker.pid) if worker else 0.0,
            "sessions": float(sessions),
            "commits": float(commits),
        }

    @staticmethod
    def usage_per_text(before: dict[str, float], after: dict[str, float], texts: int) -> str:
        cpu = [
            f"{name} {(after[name] - before[name]) / texts * 1000:.1f} ms"
            for name in ("worker", "sandbox", "this process")
            if after[name] - before[name] > 0
        ]
        return (
            f"per text: CPU {', '.join(cpu)}; PostgreSQL {(after['sessions'] - before['sessions']) / texts:.1f} "
            f"new sessions, {(after['commits'] - before['commits']) / texts:.1f} commits (all clients of the database)"
        )

    def baseline_half(self, tag: str, count: int) -> tuple[int, float]:
        """Send `count` texts in a plain SDK loop (one thread, one client); return (count, seconds)."""
        before = self.usage()
        rate = self.sdk_loop_rate(tag, count, client_per_message=False)
        after = self.usage()
        say(f"{count:,} texts, one thread, one client: {rate:,.1f} msg/s\n" + self.usage_per_text(before, after, count))
        return count, count / rate

    def diagnostics_measure(self) -> None:
        """Where a send's time goes outside Celery: the SDK's logging, a new client per text, the send service."""
        import logging

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from clinic.messaging import sending

        heading("diagnostics (not part of the targets)")
        count = min(self.options.messages, 500)
        sdk_logger = logging.getLogger("twilio.http_client")
        level = sdk_logger.level
        sdk_logger.setLevel(logging.WARNING)
        try:
            quiet_rate = self.sdk_loop_rate("bench quiet", count, client_per_message=False)
        finally:
            sdk_logger.setLevel(level)
        fresh_client_rate = self.sdk_loop_rate("bench fresh-client", count, client_per_message=True)

        ids = outbox_rows_add(self.patients, "bench in-process", count + 1, status="queued")
        with CaptureQueriesContext(connection) as queries:
            outcome = sending.outbox_send(message_id=ids[0])
        if outcome.result != "sent":
            raise RuntimeError(f"a probe send ended as {outcome.result!r}, not 'sent'")
        with timed() as watch:
            for message_id in ids[1:]:
                sending.outbox_send(message_id=message_id)
        service_rate = count / watch.seconds
        say(
            f"{count:,} texts each, one thread:\n"
            f"  SDK loop with twilio.http_client's INFO logging off: {quiet_rate:,.1f} msg/s\n"
            f"  SDK loop with a new client per text (as sending._provider_send does): {fresh_client_rate:,.1f} msg/s\n"
            f"  sending.outbox_send in a plain loop (no Celery, one DB connection kept): {service_rate:,.1f} msg/s, "
            f"{len(queries.captured_queries)} SQL statements per text"
        )
        self.diagnostics = {
            "SDK loop, SDK logging off": quiet_rate,
            "SDK loop, new client per text": fresh_client_rate,
            "outbox_send loop, no Celery": service_rate,
        }

    # --- Through Celery ---------------------------------------------------------------------

    def dispatch_until_sent(self, ids: list[int], worker: CeleryWorker, *, timeout: float) -> tuple[float, int]:
        """Play beat until every row in `ids` is sent; return (seconds from the first dispatch to the last
        `sent_at`, dispatch tasks sent)."""
        from django.db.models import Max

        from clinic.messaging.models import OutboundMessage
        from config.celery_app import app

        rows = OutboundMessage.objects.filter(id__gte=min(ids), id__lte=max(ids))
        started_wall, started = time.time(), time.perf_counter()
        next_tick, ticks = started, 0
        done, progressed = 0, started
        while done < len(ids):
            now = time.perf_counter()
            if now >= next_tick:
                app.send_task("workers.tasks.outbox_dispatch")
                ticks += 1
                next_tick += self.dispatch_interval
            time.sleep(max(0.0, min(0.1, next_tick - time.perf_counter())))
            worker.check_alive()
            count = rows.filter(status__in=SENT_OR_BEYOND).count()
            if count > done:
                done, progressed = count, now
            elif now - progressed > STALL_SECONDS or now - started > timeout:
                self.stall_explain(rows, seconds=now - progressed)
        last_sent = rows.aggregate(last=Max("sent_at"))["last"]
        return last_sent.timestamp() - started_wall, ticks

    def stall_explain(self, rows: Any, *, seconds: float) -> None:
        import redis

        counts = dict(Counter(rows.values_list("status", flat=True)))
        client = redis.Redis.from_url(self.redis_url)
        try:
            waiting = int(client.llen(self.env["BENCH_CELERY_QUEUE"]))
        finally:
            client.close()
        hint = ""
        if counts.get("queued") and not waiting:
            hint = (
                " Rows are queued but their tasks are gone from Redis: did something empty "
                f"{self.redis_url} meanwhile (a test suite's cache.clear() does)? Set BENCH_REDIS_URL to a "
                "Redis database nobody else uses."
            )
        raise TimeoutError(
            f"no text sent for {seconds:.0f} s: rows {counts}, {waiting} tasks waiting in the queue.{hint}"
        )

    def celery_measure(self) -> tuple[float, int]:
        from clinic.messaging.models import OutboundMessage
        from clinic.messaging.sandbox.models import SandboxMessage

        count = self.options.messages
        heading("measured: outbox -> Celery (1 worker, prefork, 2 processes) -> sandbox")
        ids = outbox_rows_add(self.patients, "bench dispatch", count)
        worker = self.children.start(CeleryWorker(self.env, self.work_dir / "worker.log", name="worker", concurrency=2))
        before = self.usage(worker)
        seconds, ticks = self.dispatch_until_sent(ids, worker, timeout=max(120.0, count / 5))
        after = self.usage(worker)
        memory = memory_use(worker.pid)
        self.children.stop(worker)

        rows = OutboundMessage.objects.filter(id__in=ids)
        received = list(
            SandboxMessage.objects.filter(body__contains="[bench dispatch ", direction="outbound-api").values_list(
                "sid", "body"
            )
        )
        sids = set(rows.values_list("provider_sid", flat=True))
        attempts = Counter(rows.values_list("attempts", flat=True))
        problems = []
        if len(received) != count or len({body for _, body in received}) != count:
            problems.append(f"the sandbox received {len(received)} texts ({len({b for _, b in received})} distinct)")
        if sids != {sid for sid, _ in received}:
            problems.append("the outbox's provider SIDs differ from the sandbox's")
        if attempts != Counter({1: count}):
            problems.append(f"attempts per row: {dict(attempts)}")
        if problems:
            raise RuntimeError("dispatch cross-check failed: " + "; ".join(problems))
        rate = count / seconds
        say(
            f"{count:,} texts in {seconds:.2f} s (first dispatch to last sent_at; {ticks} dispatch tasks): "
            f"{rate:,.1f} msg/s\n"
            f"cross-check: the sandbox received exactly {count:,} texts, each once, with the outbox's SIDs; "
            "one attempt each\n"
            f"worker peak RSS: largest process {memory.largest_peak_kib / KIB_PER_MIB:.0f} MiB, "
            f"all {len(memory.peaks_kib)} processes {memory.total_peak_kib / KIB_PER_MIB:.0f} MiB\n"
            + self.usage_per_text(before, after, count)
        )
        return rate, memory.largest_peak_kib

    # --- The claim query against the backlog --------------------------------------------------

    def claim_case(self, future_rows: int) -> ClaimCase:
        from django.db import connection

        from clinic.messaging import outbox
        from clinic.messaging.models import OutboundMessage
        from clinic.messaging.sandbox.models import SandboxMessage
        from workers.tasks import outbox_dispatch

        due = self.options.due_rows
        heading(f"claim: {due:,} due rows among {future_rows:,} future rows")
        with connection.cursor() as cursor:
            for model in (OutboundMessage, SandboxMessage):
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)} CASCADE")
        with timed() as watch:
            outbox_future_rows_insert(self.patients, future_rows)
            ids = outbox_rows_add(self.patients, f"bench claim {future_rows}", due)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(OutboundMessage._meta.db_table)}")
        say(f"built with INSERT ... SELECT generate_series, then ANALYZE: {watch.seconds:.1f} s")

        claimed: list[int] = []

        def claim() -> None:
            claimed.append(len(rolled_back(outbox.outbox_claim_due)))

        repeats = self.options.claim_repeats
        claim_ms = median(time_repeated(claim, repeats=repeats)) * 1000
        tick_ms = median(time_repeated(lambda: rolled_back(outbox_dispatch), repeats=max(5, repeats // 4))) * 1000
        parts: dict[str, float] = {
            name: median(time_repeated(partial(rolled_back, run), repeats=max(5, repeats // 4))) * 1000
            for name, run in (
                ("reconcile_stale", reconcile_stale),
                ("requeue_lost", outbox.outbox_requeue_lost),
                ("claim_due", outbox.outbox_claim_due),
            )
        }
        plan = claim_plan()
        say(
            f"outbox_claim_due(): median {claim_ms:.2f} ms over {repeats} rolled-back runs, "
            f"claiming {claimed[-1]} rows (the dispatch batch) each\n"
            f"plan of its SELECT: {plan}\n"
            f"whole dispatch tick (workers.tasks.outbox_dispatch): median {tick_ms:.1f} ms; its parts alone: "
            + ", ".join(f"{name} {ms:.1f} ms" for name, ms in parts.items())
        )

        name = f"worker-{future_rows}"
        worker = self.children.start(CeleryWorker(self.env, self.work_dir / f"{name}.log", name=name, concurrency=2))
        seconds, _ = self.dispatch_until_sent(ids, worker, timeout=max(120.0, due / 5))
        memory = memory_use(worker.pid)
        self.children.stop(worker)
        say(
            f"a fresh worker sent the {due:,} due rows in {seconds:.2f} s; peak RSS: largest process "
            f"{memory.largest_peak_kib / KIB_PER_MIB:.0f} MiB, all {len(memory.peaks_kib)} processes "
            f"{memory.total_peak_kib / KIB_PER_MIB:.0f} MiB"
        )
        return ClaimCase(
            future_rows=future_rows,
            claim_ms=claim_ms,
            tick_ms=tick_ms,
            tick_parts_ms=parts,
            send_seconds=seconds,
            largest_peak_kib=memory.largest_peak_kib,
            total_peak_kib=memory.total_peak_kib,
        )

    # --- Report -------------------------------------------------------------------------------

    def report(
        self, *, baseline: float, celery_rate: float, celery_memory_kib: int, small: ClaimCase, large: ClaimCase
    ) -> None:
        heading("dispatch: results")
        say(f"after: {machine_load()}")
        n = self.options.messages
        rows = [
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"send rate, outbox->Celery(2 procs)->sandbox, N={n:,} (baseline: plain SDK loop)",
                value=celery_rate,
                unit="msg/s",
                baseline=baseline,
                target=at_least(0.5),
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"claim query, {self.options.due_rows:,} due among {large.future_rows:,} future rows "
                f"(baseline: among {small.future_rows:,})",
                value=large.claim_ms,
                unit="ms",
                baseline=small.claim_ms,
                target=at_most(2.0),
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"worker peak RSS (largest process), {large.future_rows:,} future rows "
                f"(baseline: {small.future_rows:,})",
                value=large.largest_peak_kib / KIB_PER_MIB,
                unit="MiB",
                baseline=small.largest_peak_kib / KIB_PER_MIB,
            ),
            summary_row_write(
                benchmark=BENCHMARK,
                metric=f"whole dispatch tick, {large.future_rows:,} future rows (baseline: {small.future_rows:,})",
                value=large.tick_ms,
                unit="ms",
                baseline=small.tick_ms,
                note="informational: the claim plus the other work the outbox_dispatch task does",
            ),
        ]
        cells = [
            ["plain SDK loop (baseline)", f"{baseline:,.1f} msg/s", ""],
            *([name, f"{rate:,.1f} msg/s", "diagnostic"] for name, rate in self.diagnostics.items()),
            ["outbox -> Celery -> sandbox", f"{celery_rate:,.1f} msg/s", f"ratio {celery_rate / baseline:.2f}"],
            ["worker peak RSS", f"{celery_memory_kib / KIB_PER_MIB:.0f} MiB", f"largest process, N={n:,} run"],
        ]
        for case in (small, large):
            cells += [
                [
                    f"claim, {case.future_rows:,} future",
                    f"{case.claim_ms:.2f} ms",
                    f"tick {case.tick_ms:.1f} ms (requeue_lost {case.tick_parts_ms['requeue_lost']:.1f} ms)",
                ],
                [
                    f"worker RSS, {case.future_rows:,} future",
                    f"{case.largest_peak_kib / KIB_PER_MIB:.0f} MiB",
                    f"all processes {case.total_peak_kib / KIB_PER_MIB:.0f} MiB; "
                    f"{self.options.due_rows:,} sent in {case.send_seconds:.2f} s",
                ],
            ]
        say(table_format(["figure", "value", "note"], cells, right=[1]))
        for row in rows:
            if row.target is not None:
                verdict = "met" if row.met else "MISSED"
                say(f"target {row.target} on ratio {figure(row.ratio)}: {verdict} -- {row.metric}")


@dataclass(frozen=True)
class ClaimCase:
    future_rows: int
    claim_ms: float
    tick_ms: float
    tick_parts_ms: dict[str, float]
    send_seconds: float
    largest_peak_kib: int
    total_peak_kib: int


if __name__ == "__main__":
    sys.exit(main())
