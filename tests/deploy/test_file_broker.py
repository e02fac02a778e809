"""The broker `make run` uses without Redis survives a consumer reading while producers write.

kombu's filesystem transport creates a message file, then writes into it: a worker that lists the
folder in between read an empty file, died with JSONDecodeError, and took web and beat down with it.
These tests use the transport the development settings choose, as `make run` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kombu import Connection
from kombu.simple import SimpleQueue

from tests.support.processes import REPO
from tests.support.settings_env import embedded_env

MESSAGES = 400
PAYLOAD_BYTES = 64 * 1024


@pytest.fixture(scope="module")
def embedded_broker_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The broker transport and options of the development settings without REDIS_URL."""
    var_dir = tmp_path_factory.mktemp("broker-var")
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.CELERY_BROKER_URL, getattr(settings, 'CELERY_BROKER_TRANSPORT', None), "
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=REPO,
        env=embedded_env(var_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    url, transport, options = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    return {"url": url, "transport": transport, "options": options}


@pytest.fixture
def queue(embedded_broker_settings: dict[str, object]) -> Iterator[SimpleQueue]:
    connection = Connection(
        str(embedded_broker_settings["url"]),
        transport=embedded_broker_settings["transport"],
        transport_options=embedded_broker_settings["options"],
    )
    simple = connection.SimpleQueue(f"test-{uuid.uuid4().hex[:8]}")
    yield simple
    simple.clear()
    simple.close()
    connection.release()


def test_a_message_file_still_being_written_never_stops_the_consumer(
    queue: SimpleQueue, embedded_broker_settings: dict[str, object]
) -> None:
    options = embedded_broker_settings["options"]
    assert isinstance(options, dict)
    # What a writer that creates the file before writing into it leaves for a moment: an empty message.
    Path(options["data_folder_out"], f"0_{uuid.uuid4()}.{queue.queue.name}.msg").write_bytes(b"")
    queue.put({"n": 1})

    message = queue.get(timeout=5)

    assert message.payload == {"n": 1}
    message.ack()


WRITER = """
import sys
from kombu import Connection
import json
url, transport, options, name = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
count, size = int(sys.argv[5]), int(sys.argv[6])
with Connection(url, transport=transport, transport_options=options) as connection:
    queue = connection.SimpleQueue(name)
    for n in range(count):
        queue.put({"n": n, "pad": "x" * size})
    queue.close()
"""


def test_a_consumer_reading_while_two_producers_write_gets_every_message_whole(
    queue: SimpleQueue, embedded_broker_settings: dict[str, object]
) -> None:
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(embedded_broker_settings["url"]),
                json.dumps(embedded_broker_settings["transport"]),
                json.dumps(embedded_broker_settings["options"]),
                queue.queue.name,
                str(MESSAGES),
                str(PAYLOAD_BYTES),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": f"{REPO}"},
        )
        for _ in range(2)
    ]
    received: list[int] = []
    # A bound, not a sleep: the loop ends as soon as every message has arrived.
    deadline = time.monotonic() + 120
    while len(received) < 2 * MESSAGES and time.monotonic() < deadline:
        try:
            message = queue.get(timeout=0.05)
        except queue.Empty:
            continue
        assert len(message.payload["pad"]) == PAYLOAD_BYTES
        received.append(message.payload["n"])
        message.ack()
    for writer in writers:
        assert writer.wait(timeout=60) == 0

    assert sorted(received) == sorted(list(range(MESSAGES)) * 2)
