"""Alembic upgrades from an empty database and from every earlier revision, on SQLite and
PostgreSQL, to a schema equal to the models; the app refuses a database that is behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from facilitator.app import create_app
from facilitator.config import Settings
from facilitator.store import migrate
from facilitator.store.engines import make_engine
from tests import backends


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    backends.require_servers()
    with backends.scratch_database() as url:
        yield url


def schema_diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), SQLModel.metadata))
    finally:
        engine.dispose()


@pytest.mark.parametrize("start", [None, *revisions()[:-1]], ids=lambda r: r or "empty")
def test_upgrade_reaches_the_models_from_every_earlier_state(
    empty_url: str, start: str | None
) -> None:
    if start is not None:
        migrate.upgrade(empty_url, start)
        engine = make_engine(empty_url)
        try:
            assert migrate.current(engine) == {start}
        finally:
            engine.dispose()
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        assert migrate.current(engine) == migrate.heads()
        migrate.check(engine)  # what the app checks at start
    finally:
        engine.dispose()
    assert schema_diff(empty_url) == []
    migrate.upgrade(empty_url)  # running it again changes nothing and does not fail


def test_the_app_refuses_an_unmigrated_database_and_says_how_to_fix_it(
    empty_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=empty_url, secret_key="k")
    with (
        pytest.raises(migrate.NotMigrated, match="facilitator db upgrade"),
        TestClient(create_app(settings)),
    ):
        pass
