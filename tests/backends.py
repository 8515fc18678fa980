"""The real PostgreSQL and Redis the scale-out tests run on.

Each test run makes its own database (`facilitator_test_<random>`) and its own Redis
channel prefix, so runs in parallel (xdist workers, other checkouts) never meet. Faults are
injected only into our own connections: `pg_terminate_backend` on our database, `CLIENT
KILL` on clients named with our prefix, never on the shared servers as a whole.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Tests read the environment only to find the servers; the app never does (config.py does).
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _admin_url() -> str:
    return make_url(POSTGRES).set(database="postgres").render_as_string(hide_password=False)


def postgres_down() -> str:
    """Why PostgreSQL cannot be used, or "" when it can."""
    try:
        engine = create_engine(_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL is not reachable at {POSTGRES}: {exc}"
    return ""


def redis_down() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis is not reachable at {REDIS}: {exc}"
    return ""


def require_servers() -> None:
    """Skip (locally) when a server is absent; conftest turns the skip into a failure in CI."""
    reason = postgres_down() or redis_down()
    if reason:
        pytest.skip(reason + " (docs/development.md says how to start it)")


def _admin(sql: str) -> None:
    engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration; its URL."""
    name = f"facilitator_test_{secrets.token_hex(6)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_prefix() -> str:
    return f"facilitator-test-{secrets.token_hex(6)}:"


def truncate_all(url: str) -> None:
    """Empty every table but Alembic's, and restart the id sequences: a fresh database."""
    from sqlmodel import SQLModel

    import facilitator.models  # noqa: F401  (registers the tables)

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def terminate_backends(url: str) -> int:
    """End every other connection to this test database, as a failover or an admin would."""
    database = make_url(url).database
    engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": database},
                ).all()
            )
    finally:
        engine.dispose()


def kill_redis_clients(prefix: str) -> int:
    """Drop the Redis connections of the hubs using `prefix` (they name themselves with it)."""
    import redis

    r = redis.Redis.from_url(REDIS)
    try:
        killed = 0
        for client in r.client_list():
            if client.get("name", "").startswith(prefix):
                killed += int(r.execute_command("CLIENT", "KILL", "ID", client["id"]) or 0)
        return killed
    finally:
        r.close()
