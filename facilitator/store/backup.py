"""Back up a SQLite database while the server runs, and restore it (`facilitator db backup`,
`facilitator db restore`).

The backup uses SQLite's online backup API in one step: one read transaction, so the copy is
the database as of one commit, whatever the writer does meanwhile (in WAL mode a reader never
blocks it). PostgreSQL has its own tools for this (pg_dump, pg_restore); the commands say how.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from facilitator.store import migrate

BUSY_MS = 30_000  # how long to wait for SQLite's locks (the writer's commits are short)


class BackupRefused(RuntimeError):
    """The backup or restore would lose data or cannot be done; the message says why."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupRefused("An in-memory database cannot be backed up or restored.")
    return Path(parsed.database)


def postgres_url(url: str) -> str:
    """The URL as libpq's tools (pg_dump, pg_restore, psql) read it."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=True)


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"{path.resolve().as_uri()}{'?mode=ro' if read_only else ''}"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def _has_data(counts: dict[str, int]) -> bool:
    return any(n for name, n in counts.items() if name != "alembic_version")


def _check(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupRefused(f"{what} is damaged: {result}")


def backup(url: str, target: Path, *, overwrite: bool = False) -> dict[str, int]:
    """Copy the running database to `target`, one self-contained file; return its row counts."""
    source = sqlite_file(url)
    if source is None:
        raise BackupRefused(
            "This database is PostgreSQL: back it up with its own tool, which also takes a "
            "consistent copy while the server runs:\n"
            f"  pg_dump --format=custom --file {target} '{postgres_url(url)}'\n"
            "(see docs/operations.md, Backups)."
        )
    if not source.exists():
        raise BackupRefused(f"There is no database at {source}.")
    if target.exists() and not overwrite:
        raise BackupRefused(f"{target} exists already. Choose another name, or pass --overwrite.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(source) as src, _connect(partial) as dst:
            src.backup(dst)  # all pages in one step: one read transaction, one commit's state
            dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            _check(dst, "The copy")
            counts = table_counts(dst)
        partial.replace(target)  # whole or not at all
    finally:
        partial.unlink(missing_ok=True)
    return counts


def restore(backup_file: Path, url: str, *, force: bool = False) -> dict[str, int]:
    """Put a backup in place of the database at `url`; refuse one with data unless `force`.

    Stop the server first: it would go on with what it had in memory."""
    target = sqlite_file(url)
    if target is None:
        raise BackupRefused(
            "This database is PostgreSQL: restore a pg_dump file with its own tool, into a "
            "new, empty database, then point FACILITATOR_DATABASE_URL at it:\n"
            f"  pg_restore --no-owner --dbname '{postgres_url(url)}' {backup_file}\n"
            "(see docs/operations.md, Backups)."
        )
    if not backup_file.is_file():
        raise BackupRefused(f"There is no backup at {backup_file}.")
    with _connect(backup_file, read_only=True) as src:
        try:
            _check(src, str(backup_file))
            counts = table_counts(src)
        except sqlite3.DatabaseError as exc:
            raise BackupRefused(f"{backup_file} is not a facilitator backup: {exc}") from None
        if "alembic_version" not in counts:
            raise BackupRefused(f"{backup_file} is not a facilitator backup (no schema version).")
        (revision,) = src.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision not in migrate.known_revisions():
            raise BackupRefused(
                f"{backup_file} comes from a newer facilitator (schema {revision}): "
                "upgrade facilitator first."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        with _connect(target) as dst:
            if _has_data(table_counts(dst)) and not force:
                raise BackupRefused(
                    f"The database at {target} already has data. Restore into an empty data "
                    "directory, or pass --force to replace it (stop the server first)."
                )
            src.backup(dst)
    migrate.upgrade(url)  # a backup from an older version gets today's schema
    return counts
