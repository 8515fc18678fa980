"""Core statements of the hottest paths, run on the driver's own cursor.

A submission and a reconnect each run a handful of small statements; SQLAlchemy's execution
layer cost five times the statements themselves (a profile of the SQLite writer at 250
ideas/s). Each statement is compiled once per dialect and set of parameters, with
SQLAlchemy's type conversions and error wrapping, then run as the driver's SQL.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable
from sqlmodel import Session


def core(s: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """Run a Core statement in the session's transaction, on the driver's own cursor.

    Anything unusual in it (expanding IN lists, say) takes SQLAlchemy's path. Pending ORM
    changes are flushed first, as the ORM's autoflush would."""
    s.flush()
    conn = s.connection()
    params = params or {}
    prepared = _prepared(statement, conn.dialect, tuple(params))
    if prepared is None:
        result = conn.execute(statement, params)
        return Rows(result if result.returns_rows else ())
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(prepared.sql, prepared.bind(params))
        return Rows(prepared.rows(cursor))
    except Exception as exc:
        # SQLAlchemy wraps the driver's error as for its own statements (the write paths
        # retry on its OperationalError and IntegrityError) and notices a lost connection.
        conn._handle_dbapi_exception(exc, prepared.sql, params, cursor, None)
    finally:
        cursor.close()


class Rows(list[Any]):
    """A statement's rows (named tuples), with the few readers the hot paths use."""

    def first(self) -> Any:
        return self[0] if self else None

    def one(self) -> Any:
        if len(self) != 1:
            raise ValueError(f"expected one row, got {len(self)}")
        return self[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def all(self) -> list[Any]:
        return list(self)


@dataclass
class _Prepared:
    """A statement compiled for one dialect, with SQLAlchemy's type conversions."""

    statement: Executable  # kept so its id stays this statement's
    compiled: Any
    sql: str
    positions: Sequence[str] | None  # parameter order for positional drivers (SQLite)
    converters: dict[str, Callable[[Any], Any]]
    results: list[Callable[[Any], Any] | None]
    row: Any = None  # the named-tuple class, made from the first cursor's description

    def bind(self, params: Mapping[str, Any]) -> Any:
        values = self.compiled.construct_params(params)
        for name, convert in self.converters.items():
            values[name] = convert(values[name])
        if self.positions is None:
            return values
        return [values[name] for name in self.positions]

    def rows(self, cursor: Any) -> list[Any]:
        if cursor.description is None:
            return []
        if self.row is None:
            names = [column[0] for column in cursor.description]
            self.row = collections.namedtuple("Row", names, rename=True)  # type: ignore[misc]
        make, results = self.row._make, self.results
        if not any(results):
            return [make(raw) for raw in cursor.fetchall()]
        return [
            make(
                value if convert is None else convert(value)
                for convert, value in zip(results, raw, strict=True)
            )
            for raw in cursor.fetchall()
        ]


# By statement, dialect and the names of the parameters given: an INSERT's columns are those.
_PREPARED: dict[tuple[int, str, tuple[str, ...]], _Prepared | None] = {}


def _prepared(statement: Executable, dialect: Any, names: tuple[str, ...]) -> _Prepared | None:
    key = (id(statement), dialect.name, names)
    if key in _PREPARED:
        found = _PREPARED[key]
        if found is None or found.statement is statement:
            return found
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(names))  # type: ignore[attr-defined]
    prepared = None
    unusual = (
        "POSTCOMPILE" in compiled.string  # expanding IN lists
        or compiled.literal_execute_params
        # Columns left to their Python-side defaults, which SQLAlchemy computes per run.
        or compiled.insert_prefetch
        or compiled.update_prefetch
    )
    if not unusual:
        converters = {}
        for bind, name in compiled.bind_names.items():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                converters[name] = convert
        results = [  # SQLAlchemy's own record of the columns a statement returns
            entry.type.dialect_impl(dialect).result_processor(dialect, None)
            for entry in compiled._result_columns
        ]
        prepared = _Prepared(
            statement, compiled, compiled.string, compiled.positiontup, converters, results
        )
    _PREPARED[key] = prepared
    return prepared
