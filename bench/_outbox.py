"""Outbox data for the benchmarks: consenting patients, due and future texts, and the claim's plan.

Rows are written the way the project writes them (the models and their defaults), only faster:
bulk_create for thousands, one INSERT ... SELECT over generate_series for millions.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from tests.support.phones import CLINIC_PHONE, phone_number

PATIENTS = 100


def clinic_and_patients_create(count: int = PATIENTS) -> list[Any]:
    """A clinic that texts around the clock and `count` patients with SMS consent and numbers not opted out."""
    from django.utils import timezone

    from clinic.core.models import Clinic
    from clinic.patients.models import Patient

    # The workers run on the wall clock: a clinic that texts around the clock keeps quiet hours out of it.
    Clinic.objects.create(
        name="Bench Clinic",
        short_name="Bench Clinic",
        timezone="America/New_York",
        phone=CLINIC_PHONE,
        texting_starts=datetime.time(0, 0),
        texting_ends=datetime.time(23, 59, 59, 999999),
    )
    now = timezone.now()
    return Patient.objects.bulk_create(
        Patient(
            first_name=f"Pat{n}",
            last_name="Bench",
            phone=phone_number(n),
            timezone="America/New_York",
            sms_consent_at=now,
            sms_consent_version="bench",
            sms_consent_source="bench",
        )
        for n in range(count)
    )


def text_body(patients: Sequence[Any], tag: str, n: int) -> str:
    """A one-segment reminder-sized text, unique per tag and number."""
    patient = patients[n % len(patients)]
    return (
        f"Hi {patient.first_name}, this is Bench Clinic: your visit is on Tue 2 Dec at 10:00. "
        f"Reply C to confirm, STOP to opt out. [{tag} {n}]"
    )


def outbox_rows_add(
    patients: Sequence[Any], tag: str, count: int, *, status: str = "scheduled", kind: str = "ad_hoc"
) -> list[int]:
    """Write `count` due texts to the patients, the way outbox_enqueue writes them; return their ids."""
    from django.utils import timezone

    from clinic.messaging.models import OutboundMessage

    now = timezone.now()
    rows = [
        OutboundMessage(
            kind=kind,
            to_number=patients[n % len(patients)].phone,
            body=text_body(patients, tag, n),
            patient_id=patients[n % len(patients)].pk,
            idempotency_key=f"{tag}-{n}",
            send_after=now - datetime.timedelta(milliseconds=count - n),
            status=status,
            queued_at=now if status == "queued" else None,
        )
        for n in range(count)
    ]
    return [row.pk for row in OutboundMessage.objects.bulk_create(rows, batch_size=2000)]


def outbox_future_rows_insert(patients: Sequence[Any], count: int) -> None:
    """Insert `count` texts due tomorrow and later in one INSERT ... SELECT over generate_series.

    Every column not varied here takes the value the model would write (defaults, auto_now), so the
    statement follows the model as it changes.
    """
    from django.db import connection
    from django.utils import timezone

    from clinic.messaging.models import OutboundMessage

    if count <= 0:
        return
    now = timezone.now()
    template = OutboundMessage(
        kind=OutboundMessage.Kind.REMINDER,
        body=text_body(patients, "bench future", 0),
        send_after=now,
        status=OutboundMessage.Status.SCHEDULED,
    )
    varied: dict[str, tuple[str, list[Any]]] = {
        "idempotency_key": ("'bench-future-' || g", []),
        "to_number": ("(%s::text[])[1 + g %% %s]", [[p.phone for p in patients], len(patients)]),
        "patient": ("(%s::bigint[])[1 + g %% %s]", [[p.pk for p in patients], len(patients)]),
        "send_after": ("%s::timestamptz + interval '1 day' + g * interval '1 second'", [now]),
    }
    columns: list[str] = []
    expressions: list[str] = []
    params: list[Any] = []
    for field in OutboundMessage._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.name in varied:
            expression, values = varied[field.name]
            expressions.append(expression)
            params.extend(values)
        else:
            value = field.get_db_prep_save(field.pre_save(template, add=True), connection)
            expressions.append(f"CAST(%s AS {field.db_type(connection)})")
            params.append(value)
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    # Table and column names come from the model's metadata, quoted; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM generate_series(1, %s) AS g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, count])


def rolled_back(run: Callable[[], Any]) -> Any:
    """Run `run` in a transaction that is rolled back, so every repetition finds the same rows (and
    on_commit hooks, such as enqueuing send tasks, never fire)."""
    from django.db import transaction

    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


def reconcile_stale() -> object:
    from clinic.messaging.sending import outbox_reconcile_stale

    return outbox_reconcile_stale()


def claim_plan() -> str:
    """The plan PostgreSQL runs for outbox_claim_due's SELECT (captured as executed, explained rolled back)."""
    from django.db import connection, transaction

    from clinic.messaging.outbox import outbox_claim_due

    captured: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "FOR UPDATE" in sql and not captured:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        rolled_back(outbox_claim_due)
    if not captured:
        return "(no SELECT ... FOR UPDATE was run)"
    sql, params = captured[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        explained = cursor.fetchone()[0]
        transaction.set_rollback(True)
    document = explained[0] if isinstance(explained, list) else explained
    nodes: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        name = node["Node Type"] + (f" using {node['Index Name']}" if "Index Name" in node else "")
        nodes.append(f"{name} (rows {node.get('Actual Rows')}, buffers {node.get('Shared Hit Blocks', 0)})")
        for child in node.get("Plans", []):
            walk(child)

    walk(document["Plan"])
    return " > ".join(nodes)
