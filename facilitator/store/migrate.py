"""Alembic, driven from code: `facilitator db upgrade`, and the check the app makes at start."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from facilitator.store.engines import make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class NotMigrated(RuntimeError):
    """The database is behind the code."""


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def _migrating(url: str) -> Iterator[Config]:
    """Alembic's config on a connection in one transaction. On SQLite, foreign keys are off
    meanwhile (and checked after): to alter a table SQLite copies it and drops the old one,
    and with them on, the drop would delete every row that points at it (ON DELETE CASCADE)."""
    engine = make_engine(url, writer=True)
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            raw: Any = conn.connection.driver_connection
            if sqlite:  # outside any transaction, where SQLite only heeds it
                raw.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    cfg = alembic_config(url)
                    cfg.attributes["connection"] = conn
                    yield cfg
                    dangling = sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if dangling:
                        raise RuntimeError("the migration left rows that point at nothing")
            finally:
                if sqlite:
                    raw.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    with _migrating(url) as cfg:
        command.upgrade(cfg, revision)


def downgrade(url: str, revision: str) -> None:
    """Back to `revision` (for tests of the migrations; the app only goes forward)."""
    with _migrating(url) as cfg:
        command.downgrade(cfg, revision)


def heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def check(engine: Engine) -> None:
    """Refuse to run on a database that is not at the latest migration."""
    if current(engine) != heads():
        raise NotMigrated(
            "The database is not up to date. Run `facilitator db upgrade` "
            "(with the same --database-url), then start again."
        )


def known_revisions() -> set[str]:
    """Every schema revision this code knows (a database at another came from a newer one)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {rev.revision for rev in script.walk_revisions()}
