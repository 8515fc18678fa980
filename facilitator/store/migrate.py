"""Alembic, driven from code: `facilitator db upgrade`, and the check the app makes at start."""

from __future__ import annotations

from pathlib import Path

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


def upgrade(url: str, revision: str = "head") -> None:
    engine = make_engine(url, writer=True)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


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
