"""Celery task modules. The app itself is config.celery_app; `celery -A workers` finds it here too."""

from __future__ import annotations

import sys
from pathlib import Path

# Processes are started from the repository root; Django's project lives in backend/.
_BACKEND_DIR = str(Path(__file__).resolve().parent.parent / "backend")
if _BACKEND_DIR not in sys.path:
    sys.path.insert(0, _BACKEND_DIR)

from config.celery_app import app  # noqa: E402

__all__ = ["app"]
