"""The container recipe (Dockerfile, compose.yaml), checked as far as a machine without a
container runtime can: its files parse and agree with the settings, and the commands they
run serve the app here, on the same PostgreSQL and Redis as the scale-out tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from facilitator.config import PREFIX, Settings
from tests import backends
from tests.servers import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"


def compose() -> dict[str, Any]:
    return YAML(typ="safe").load(COMPOSE.read_text())  # type: ignore[no-any-return]


def dockerfile() -> dict[str, list[str]]:
    """Each instruction's lines (continuations joined), by instruction."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.setdefault(word.upper(), []).append(rest.strip())
    return found


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, from `env`."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"{name} must be set: {arg}")
        return arg

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, value)


def test_compose_runs_the_app_on_two_processes_with_postgres_and_redis() -> None:
    services = compose()["services"]
    assert set(services) == {"app", "postgres", "redis"}
    app = services["app"]
    command = app["command"]
    assert command[:2] == ["facilitator", "serve"]
    assert command[command.index("--workers") + 1] == "2"
    env = app["environment"]
    assert "@postgres:5432/" in env["FACILITATOR_DATABASE_URL"]
    assert env["FACILITATOR_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["FACILITATOR_REDIS_URL"].startswith("redis://redis:6379/")
    # Every FACILITATOR_ variable is a setting (a typo would be silently ignored).
    settings = {PREFIX + f.name.upper() for f in fields(Settings)}
    assert [name for name in env if name.startswith(PREFIX) and name not in settings] == []
    # Several processes must share one secret key, or each would sign cookies its own way.
    assert "FACILITATOR_SECRET_KEY" in env
    for name in ("postgres", "redis"):
        assert app["depends_on"][name] == {"condition": "service_healthy"}
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    assert "/srv/facilitator/data" in app["volumes"][0]


def test_the_image_is_slim_runs_as_a_user_and_checks_its_health() -> None:
    steps = dockerfile()
    assert re.fullmatch(r"python:3\.1[1-9]-slim", steps["FROM"][0])
    assert steps["USER"] == ["facilitator"]
    assert "useradd --system" in steps["RUN"][0]
    assert "/healthz" in steps["HEALTHCHECK"][0]
    assert json.loads(steps["CMD"][0])[:2] == ["facilitator", "serve"]
    assert any(run.startswith("pip install /tmp/src") for run in steps["RUN"])
    # What it copies is what the wheel needs (pyproject.toml's force-include).
    copied = " ".join(steps["COPY"])
    for needed in ("pyproject.toml", "facilitator", "templates", "static", "README.md"):
        assert needed in copied


@pytest.mark.slow
def test_compose_command_and_healthcheck_work_on_this_host(tmp_path: Path) -> None:
    """compose.yaml's command and environment, with its services' names pointed at this
    machine's PostgreSQL and Redis, serve; the image's HEALTHCHECK command says healthy."""
    backends.require_servers()
    port = free_port()
    with backends.scratch_database() as database_url:
        app = compose()["services"]["app"]
        given = {
            "POSTGRES_PASSWORD": "unused",
            "FACILITATOR_SECRET_KEY": "container-test-" + "k" * 32,
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
        for name, value in app["environment"].items():
            env[name] = interpolate(str(value), given)
        env["FACILITATOR_DATABASE_URL"] = database_url  # postgres:5432 is this machine's
        env["FACILITATOR_REDIS_URL"] = backends.REDIS
        env["FACILITATOR_REDIS_PREFIX"] = backends.redis_prefix()
        env["FACILITATOR_DATA_DIR"] = str(tmp_path)  # the image's volume
        command = [a if a != "8000" else str(port) for a in app["command"]]
        command = [a if a != "0.0.0.0" else "127.0.0.1" for a in command]
        server = subprocess.Popen(
            [sys.executable, "-m", "facilitator", *command[1:]],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            health = wait_healthy(f"http://127.0.0.1:{port}", seconds=120)
            assert health["hub"]["backend"] == "RedisHub"
            assert health["database"]["backend"] == "postgresql"
            check = json.loads(dockerfile()["HEALTHCHECK"][0].split("CMD", 1)[1])
            check = [part.replace("8000", str(port)) for part in check]
            assert subprocess.run([sys.executable, *check[1:]], timeout=30).returncode == 0
        finally:
            server.terminate()
            server.wait(timeout=30)
