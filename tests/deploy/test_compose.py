"""docker-compose.yml renders, and has the production shape: one image run as web, worker and beat."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_DIR / "docker-compose.yml"
DOCKER_COMPOSE = shutil.which("docker-compose")


@pytest.fixture(autouse=True)
def _require_docker_compose() -> None:
    if DOCKER_COMPOSE is None:
        pytest.fail(
            "docker-compose is not installed; these tests need it: apt-get install docker-compose", pytrace=False
        )


REQUIRED_ENV = {
    "POSTGRES_PASSWORD": "compose-test-password",
    "SECRET_KEY": "compose-test-secret-key-" + "x" * 50,
    "ALLOWED_HOSTS": "clinic.example.org",
    "PUBLIC_BASE_URL": "https://clinic.example.org",
    "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
    "TWILIO_AUTH_TOKEN": "compose-test-auth-token",
}


def compose(
    *args: str, compose_file: Path = COMPOSE_FILE, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run docker-compose against compose_file, always resolving paths from the repository root."""
    assert DOCKER_COMPOSE is not None
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [DOCKER_COMPOSE, "-f", str(compose_file), "--project-directory", str(REPO_DIR), *args],
        env={**base, **(REQUIRED_ENV if env is None else env)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    result = compose("config")
    assert result.returncode == 0, result.stderr
    rendered: dict[str, Any] = yaml.safe_load(result.stdout)
    return rendered["services"]


def is_enabled(healthcheck: dict[str, Any] | None) -> bool:
    return bool(healthcheck) and not healthcheck.get("disable") and healthcheck.get("test") not in (None, ["NONE"])


def test_config_validates() -> None:
    result = compose("config", "-q")

    assert result.returncode == 0, result.stderr


def test_config_validates_without_any_secret_and_leaves_them_empty() -> None:
    # Validators run `docker-compose config` bare; the running stack refuses empty secrets instead
    # (PostgreSQL without a password, and test_production_settings' empty-value checks).
    result = compose("config", env={})

    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)["services"]
    assert rendered["web"]["environment"]["SECRET_KEY"] in ("", None)
    assert rendered["postgres"]["environment"]["POSTGRES_PASSWORD"] in ("", None)


def test_an_invalid_key_fails_validation(tmp_path: Path) -> None:
    original = COMPOSE_FILE.read_text()
    anchor = "  beat:\n    <<: *app\n"
    assert anchor in original
    valid_copy = tmp_path / "valid.yml"
    valid_copy.write_text(original)
    broken_copy = tmp_path / "broken.yml"
    broken_copy.write_text(original.replace(anchor, anchor + "    replicaz: 2\n"))

    # The unchanged copy passes from the same place, so only the invalid key can explain the failure.
    assert compose("config", "-q", compose_file=valid_copy).returncode == 0
    result = compose("config", "-q", compose_file=broken_copy)

    assert result.returncode != 0
    assert "replicaz" in result.stderr


def test_the_five_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_long_running_services_have_a_healthcheck(services: dict[str, dict[str, Any]], name: str) -> None:
    assert is_enabled(services[name].get("healthcheck")), services[name].get("healthcheck")


def test_web_healthcheck_probes_healthz(services: dict[str, dict[str, Any]]) -> None:
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_web_worker_and_beat_wait_for_healthy_stores(services: dict[str, dict[str, Any]]) -> None:
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_worker_and_beat_reuse_the_web_definition(services: dict[str, dict[str, Any]], name: str) -> None:
    web, service = services["web"], services[name]

    assert service.get("build") == web.get("build")
    assert service.get("image") == web.get("image")
    assert service["environment"] == web["environment"]
    assert service["command"][:3] == ["celery", "-A", "config.celery_app"]


def test_the_app_talks_to_the_compose_stores_and_twilio(services: dict[str, dict[str, Any]]) -> None:
    environment = services["web"]["environment"]

    assert environment["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["SECRET_KEY"] == REQUIRED_ENV["SECRET_KEY"]
    assert environment["SMS_BACKEND"] == "twilio"
    assert {"ALLOWED_HOSTS", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "CLINIC_TIMEZONE"} <= set(
        environment
    )


def test_beat_runs_exactly_one_instance(services: dict[str, dict[str, Any]]) -> None:
    beat = services["beat"]

    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1
    assert "beat" in beat["command"]
