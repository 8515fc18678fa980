"""Engines with the project's SQLite pragmas (durable, WAL, foreign keys) and PostgreSQL pools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import SingletonThreadPool
from sqlmodel import create_engine


def make_engine(url: str, *, writer: bool = False, threads: int = 5) -> Engine:
    """An engine with durable SQLite pragmas; `writer` engines take the write lock at BEGIN.

    On PostgreSQL the pool keeps a connection for each of the `threads` that use the
    engine at once: a pool closes what it lends beyond its size when it comes back, so
    with fewer, each such query under load paid for a new backend (a fork and its
    start-up). The overflow is for the odd caller outside those threads.
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=threads, max_overflow=5)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        # The writer thread keeps one open connection: opening one (and its pragmas) per
        # batch cost about as much as a small batch itself. One per thread, so write_sync
        # from another thread never shares it.
        poolclass=SingletonThreadPool if writer else None,
    )
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN, so SAVEPOINTs work (SQLAlchemy docs).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine
