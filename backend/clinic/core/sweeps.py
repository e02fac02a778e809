"""Periodic sweeps (beat's tasks) over many rows: a row that raises is logged and skipped, never the end of the sweep.

The same rule as the outbox dispatcher's steps and its reconciliation: one bad row (data the code
did not expect, a constraint the database enforces) must not keep every row after it waiting for
a fix, least of all a page about an urgent alert.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

logger = logging.getLogger(__name__)


def exception_summary(exc: BaseException) -> str:
    """The exception's type and frames, never its text: a message can quote a row's values (a number, a text)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return f"{type(exc).__name__}\n{frames}"


@contextmanager
def sweep_row(sweep: str, row_id: object) -> Iterator[None]:
    """Run one row of a sweep in its own savepoint: if it raises, undo that row's writes, log it and go on.

    The savepoint keeps the connection usable for the next row when the caller is in a transaction,
    and keeps a row half-done by the failure from being committed.
    """
    try:
        with transaction.atomic():
            yield
    except Exception as exc:
        logger.error("%s: row %s failed, skipped: %s", sweep, row_id, exception_summary(exc))
