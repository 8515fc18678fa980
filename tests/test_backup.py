"""`facilitator db backup` while the server writes, and `db restore` onto an empty data dir."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from facilitator.cli.main import main
from facilitator.config import Settings
from facilitator.domain import ideas
from facilitator.store.database import Database
from tests.conftest import World
from tests.support import all_rows, shared_workshop


@pytest.fixture
def backend() -> str:
    return "sqlite+memory"  # the online backup API is SQLite's; PostgreSQL has pg_dump


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def rows_of(url: str) -> dict[str, list[tuple[object, ...]]]:
    db = Database(url)
    try:
        found = db.read_sync(all_rows)
        found["alembic_version"] = db.read_sync(
            lambda s: sorted(s.execute(text("SELECT * FROM alembic_version")).all())
        )
        return found
    finally:
        db.close()


def consistent(path: Path) -> None:
    """What one commit left: every channel's seq is its last event, with no gap, and each idea
    came with its event."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for name, seq in conn.execute("SELECT name, seq FROM channel"):
            logged = conn.execute(
                "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM event WHERE channel = ?", (name,)
            ).fetchone()
            assert logged == (seq, seq), name
        ideas_n = conn.execute("SELECT COUNT(*) FROM idea").fetchone()[0]
        submitted = conn.execute(
            "SELECT COUNT(*) FROM event WHERE kind = 'idea.submitted'"
        ).fetchone()[0]
        assert ideas_n == submitted


def test_a_backup_under_load_restores_onto_an_empty_data_directory(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    written: list[int] = []
    stop = threading.Event()

    def load() -> None:  # ideas committed through the server's writer, without a pause
        n = 0
        while not stop.is_set():
            receipt = world.run(
                ideas.submit_idea,
                world.db,
                organiser,
                group.id,
                f"key-load-{n:06}",
                f"Idea {n}",
                500,
            )
            written.append(receipt.idea_id)
            n += 1

    writer = threading.Thread(target=load)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        backups = []
        for n in range(3):  # each while ideas keep coming
            target = tmp_path / f"backup-{n}.db"
            result = cli("db", "backup", str(target), "--database-url", settings.database_url)
            assert result.exit_code == 0, result.output
            backups.append(target)
            stop.wait(0.05)
    finally:
        stop.set()
        writer.join()

    counts = []
    for backup in backups:
        consistent(backup)
        with sqlite3.connect(backup) as conn:
            counts.append(conn.execute("SELECT COUNT(*) FROM idea").fetchone()[0])
    assert 0 < counts[0] < counts[-1] < len(written)  # taken during the load, not after it

    fresh = tmp_path / "fresh-machine"
    result = cli("db", "restore", str(backups[-1]), "--data-dir", str(fresh))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    restored = f"sqlite:///{fresh / 'facilitator.db'}"
    assert rows_of(restored) == rows_of(f"sqlite:///{backups[-1]}")  # every table, every row


def test_restore_refuses_a_database_with_data_unless_forced(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    shared_workshop(world)
    empty = tmp_path / "empty"
    assert cli("db", "upgrade", "--data-dir", str(empty)).exit_code == 0
    backup = tmp_path / "empty.db"
    url = f"sqlite:///{empty / 'facilitator.db'}"
    assert cli("db", "backup", str(backup), "--database-url", url).exit_code == 0
    before = rows_of(settings.database_url)

    refused = cli("db", "restore", str(backup), "--database-url", settings.database_url)
    assert refused.exit_code == 1
    assert "already has data" in refused.output and "--force" in refused.output
    assert rows_of(settings.database_url) == before  # untouched

    forced = cli("db", "restore", str(backup), "--database-url", settings.database_url, "--force")
    assert forced.exit_code == 0, forced.output
    assert rows_of(settings.database_url) == rows_of(url)


def test_backup_keeps_an_existing_file_unless_told(settings: Settings, tmp_path: Path) -> None:
    target = tmp_path / "precious.db"
    target.write_bytes(b"yesterday's backup")
    result = cli("db", "backup", str(target), "--database-url", settings.database_url)
    assert result.exit_code == 1 and "--overwrite" in result.output
    assert target.read_bytes() == b"yesterday's backup"
    again = cli("db", "backup", str(target), "--database-url", settings.database_url, "--overwrite")
    assert again.exit_code == 0, again.output
    assert target.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a database at all" * 100, "not a facilitator backup"), (None, "There is no backup")],
)
def test_restore_refuses_what_is_not_a_backup(
    settings: Settings, tmp_path: Path, content: bytes | None, message: str
) -> None:
    bogus = tmp_path / "bogus.db"
    if content is not None:
        bogus.write_bytes(content)
    result = cli("db", "restore", str(bogus), "--data-dir", str(tmp_path / "new"))
    assert result.exit_code == 1 and message in result.output


def test_on_postgres_the_commands_say_how_with_its_own_tools(
    settings: Settings, tmp_path: Path
) -> None:
    url = "postgresql+psycopg://facilitator:s3cret@db.example.org/facilitator"
    backup = cli("db", "backup", str(tmp_path / "x.dump"), "--database-url", url)
    assert backup.exit_code == 1
    assert "pg_dump --format=custom" in backup.output
    assert "postgresql://facilitator:***@db.example.org/facilitator" in backup.output
    assert "s3cret" not in backup.output  # a password is never printed
    restore = cli("db", "restore", str(tmp_path / "x.dump"), "--database-url", url)
    assert restore.exit_code == 1 and "pg_restore" in restore.output
