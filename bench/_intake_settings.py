"""Settings of the intake benchmark's baseline server: the service's (bench._settings), another URLconf."""

from __future__ import annotations

from bench._settings import *  # noqa: F403

ROOT_URLCONF = "bench._intake_baseline"
