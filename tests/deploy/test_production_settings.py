"""Production settings pass Django's deploy checks and refuse to load without their secrets."""

from __future__ import annotations

import subprocess
import sys

from tests.support.processes import REPO
from tests.support.settings_env import production_env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "backend/manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_checks() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "?: (security." not in output
    assert "System check identified no issues" in output


def test_deploy_checks_can_fail_when_a_setting_is_weak() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(SECRET_KEY="too-short"))

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_settings_refuse_to_load_without_secret_key() -> None:
    result = manage("check", env=production_env(SECRET_KEY=None))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_the_empty_values_docker_compose_passes_for_unset_secrets() -> None:
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN"):
        result = manage("check", env=production_env(**{name: ""}))

        assert result.returncode != 0, name
        assert f"Set {name}" in result.stderr
