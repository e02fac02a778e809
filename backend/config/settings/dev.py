"""Settings for `make run` and local work: base defaults, nothing more."""

from __future__ import annotations

from .base import *  # noqa: F403
