"""Move an event between databases: every table, in foreign-key order, ids, seqs and epochs
kept, so phones and facilitators carry on where they were (`facilitator db copy`)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, func, insert, select, text
from sqlmodel import SQLModel

import facilitator.models  # noqa: F401  (registers the tables)
from facilitator.store import migrate
from facilitator.store.engines import make_engine

BATCH = 1000


class CopyRefused(RuntimeError):
    """The copy would lose or mix data; the message says why."""


def copy_database(
    source_url: str, target_url: str, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy all rows from source to an empty, migrated target in one target transaction."""
    source, target = make_engine(source_url), make_engine(target_url, writer=True)
    try:
        migrate.check(source)  # both sides must have the same schema: the code's
        migrate.upgrade(target_url)
        counts: dict[str, int] = {}
        with source.connect() as src, target.begin() as dst:
            _refuse_non_empty(dst)
            for table in SQLModel.metadata.sorted_tables:  # parents before children
                rows = src.execute(select(table)).mappings()
                n = 0
                while batch := rows.fetchmany(BATCH):
                    dst.execute(insert(table), [dict(r) for r in batch])
                    n += len(batch)
                counts[table.name] = n
                if progress is not None:
                    progress(table.name, n)
            if dst.dialect.name == "postgresql":
                _advance_sequences(dst)
        return counts
    finally:
        source.dispose()
        target.dispose()


def _refuse_non_empty(conn: Connection) -> None:
    for table in SQLModel.metadata.sorted_tables:
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            raise CopyRefused(
                f"The target database already has data (table {table.name}). "
                "Copy into a new, empty database."
            )


def _advance_sequences(conn: Connection) -> None:
    """Rows came with their ids: move each id sequence past them, or the next insert clashes."""
    for table in SQLModel.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].autoincrement is False or pk[0].type.python_type is not int:
            continue
        name, column = table.name, pk[0].name
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                f'COALESCE((SELECT MAX("{column}") FROM "{name}"), 0) + 1, false)'
            ),
            {"t": f'"{name}"', "c": column},
        )
