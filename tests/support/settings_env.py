"""Environments for processes that load the project's settings in one of their shapes: production, or the
embedded default (`make run` on a fresh clone: no DATABASE_URL nor REDIS_URL)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from tests.support.processes import REPO, VENV_BIN


def production_env(**overrides: str | None) -> dict[str, str]:
    """The environment of a production process; an override of None removes the variable."""
    env: dict[str, str | None] = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": f"{REPO / 'backend'}{os.pathsep}{REPO}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "clinic.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "PUBLIC_BASE_URL": "https://clinic.example.org",
        "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_FROM_NUMBER": "+15005550006",
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def embedded_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a development process with no DATABASE_URL or REDIS_URL: the embedded default."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", str(var_dir)),
        "LANG": "C.UTF-8",
        "PYTHONPATH": f"{REPO / 'backend'}{os.pathsep}{REPO}",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "VAR_DIR": str(var_dir),
    }
    env.update(overrides)
    return env
