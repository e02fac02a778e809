"""Every entry point fails closed: without DJANGO_SETTINGS_MODULE it loads the production settings.

A deploy that forgets the variable must not run with DEBUG on, a known secret key and the
unauthenticated SMS sandbox: it refuses to start until the production secrets are set.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.processes import REPO
from tests.support.settings_env import production_env

# What each entry point runs when a process server imports it.
ENTRY_POINTS = {
    "wsgi": "import config.wsgi",
    "asgi": "import config.asgi",
    "celery": "from config.celery_app import app; app.loader.import_default_modules()",
}
REPORT = (
    "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SMS_SANDBOX_ENABLED)"
)


def run(code: str, *, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def without_settings_module(**overrides: str | None) -> dict[str, str]:
    return production_env(DJANGO_SETTINGS_MODULE=None, **overrides)


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_an_entry_point_without_a_settings_module_refuses_to_start_without_secrets(entry_point: str) -> None:
    result = run(f"{ENTRY_POINTS[entry_point]}; {REPORT}", env=without_settings_module(SECRET_KEY=None))

    assert result.returncode != 0, result.stdout
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_an_entry_point_without_a_settings_module_runs_production(entry_point: str) -> None:
    result = run(f"{ENTRY_POINTS[entry_point]}; {REPORT}", env=without_settings_module())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False", "False"]


def test_manage_py_without_a_settings_module_refuses_to_start_without_secrets() -> None:
    result = subprocess.run(
        [sys.executable, "backend/manage.py", "check"],
        cwd=REPO,
        env=without_settings_module(SECRET_KEY=None),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_the_development_processes_name_their_settings() -> None:
    # make run and the Procfile are the only places that choose the development settings.
    procfile = (REPO / "Procfile").read_text()
    processes = [line for line in procfile.splitlines() if line and not line.startswith("#")]
    assert processes
    assert all("DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}" in line for line in processes)
    makefile = (REPO / "Makefile").read_text()
    assert "run: export DJANGO_SETTINGS_MODULE ?= $(RUN_SETTINGS)" in makefile
    assert "DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS)" in makefile
