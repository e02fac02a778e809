from __future__ import annotations

# The live sandbox and worker fixtures live in tests/conftest.py; these names stay importable from here.
from tests.live import WorkerProcess, wait_until

__all__ = ["WorkerProcess", "wait_until"]
