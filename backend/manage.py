#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    # The Celery app lives in workers/, beside backend/; make it importable from here.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    # Fail closed: without DJANGO_SETTINGS_MODULE, production settings, which refuse to start without
    # their secrets. `make run` and the tests name the settings they want.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
