"""The broker `make run` uses when no Redis is configured: kombu's filesystem transport, made atomic.

kombu's own filesystem transport creates a message file and then writes into it, and a consumer
renames and reads whatever it lists. A worker that lists the folder between the two reads an empty
or half-written file: JSONDecodeError, the worker dies, honcho stops web and beat with it, and the
message is lost. Exchange tables are rewritten in place the same way.

Here a message is written under a temporary name that no consumer lists, then renamed into place
(atomic within one filesystem); a consumer claims a message by renaming it into the processed
folder beside it (so exactly one consumer wins) and logs and drops a file it cannot read instead of
dying; exchange tables are replaced whole under a lock. A task lost anyway costs nothing: the outbox
hands a row whose task never ran to the workers again (SMS_QUEUED_STALE_SECONDS).

Why not SQLAlchemy's kombu transport on a SQLite file, the other broker that needs no server:
measured here (2026-12, a shared 2-core machine; one producer and one consumer process, 300
small tasks): kombu's file transport 479 tasks/s but a JSONDecodeError and a lost task in one run
of two; these atomic files 177-327 tasks/s with none; SQLAlchemy on SQLite 8 tasks/s (a commit
per task) and, when two processes connected at once, "no such table: kombu_queue" as both
created its tables. It would also add a dependency. tests/deploy/test_file_broker.py checks a
consumer reading while two producers write.
"""

from __future__ import annotations

import importlib
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

# kombu's type stubs describe these modules only in part; their own signatures are what we extend.
filesystem: Any = importlib.import_module("kombu.transport.filesystem")
virtual: Any = importlib.import_module("kombu.transport.virtual")

logger = logging.getLogger(__name__)

ExchangeTable = list[Any]


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a name nobody reads (it starts with a dot), then rename it into place."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        try:
            _write_atomically(Path(self.data_folder_out) / name, str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add a message to {self.data_folder_out!r}") from exc

    def _get(self, queue: str) -> Any:
        wanted = f"{queue}.msg"
        inbox = Path(self.data_folder_in)
        claimed_folder = Path(self.processed_folder)
        for filename in sorted(os.listdir(inbox)):
            if filename.partition(".")[2] != wanted:
                continue  # another queue's message, or a file still being written
            claimed = claimed_folder / filename
            try:
                os.rename(inbox / filename, claimed)
            except OSError:
                continue  # another consumer claimed it first
            try:
                payload = claimed.read_bytes()
            finally:
                if not self.store_processed:
                    claimed.unlink(missing_ok=True)
            try:
                return loads(bytes_to_str(payload))
            except ValueError:
                logger.warning("file broker: dropped an unreadable message (%d bytes)", len(payload))
        raise Empty()

    def get_table(self, exchange: str) -> list[Any]:
        try:
            return list(super().get_table(exchange))
        except ValueError:
            return []  # a table torn by an older version of this broker; binding rebuilds it

    def _exchange_update(self, exchange: str, change: Callable[[ExchangeTable], ExchangeTable]) -> None:
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        with open(f"{file}.lock", "ab") as guard:
            filesystem.lock(guard, filesystem.LOCK_EX)
            try:
                try:
                    table = [filesystem.exchange_queue_t(*row) for row in loads(file.read_text())]
                except (FileNotFoundError, ValueError):
                    table = []
                updated = change(list(table))
                if updated != table:
                    _write_atomically(file, str_to_bytes(dumps(updated)))
            finally:
                filesystem.unlock(guard)

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._exchange_update(exchange, lambda table: table if row in table else [row, *table])

    def _delete(self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kwargs: Any) -> None:
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)
        row = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._exchange_update(exchange, lambda table: [kept for kept in table if kept != row])


class Transport(filesystem.Transport):
    Channel = Channel
    global_state = virtual.BrokerState()
    driver_name = "filesystem (atomic)"
