"""The two-process target (`--target app2`): its own PostgreSQL database and Redis prefix, and
the processes whose CPU and memory count as "the server" (the uvicorn master, its workers,
this database's PostgreSQL backends and redis-server), read from /proc.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"
REDIS = "redis://127.0.0.1:6379/0"


# -- /proc -----------------------------------------------------------------------------------


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss(pid: int) -> int:
    """Resident memory in bytes, from /proc/<pid>/statm."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE


def _processes() -> Iterator[tuple[int, int, str, str]]:
    """Every process as (pid, parent pid, comm, command line)."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
        except OSError:  # ended while we looked
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat.rpartition(")")[2].split()[1])
        yield int(entry.name), ppid, comm, cmdline.replace(b"\0", b" ").decode(errors="replace")


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants (uvicorn's master and its worker processes)."""
    children: dict[int, list[int]] = {}
    for p, parent, _comm, _cmd in _processes():
        children.setdefault(parent, []).append(p)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def service_pids(database: str) -> tuple[list[int], list[int]]:
    """PostgreSQL processes working for `database` (its backends, and the shared writers and
    checkpointer its commits keep busy; not other databases' backends), and redis-server."""
    db, redis = [], []
    for pid, _parent, comm, cmd in _processes():
        if comm == "redis-server":
            redis.append(pid)
        elif cmd.startswith("postgres: ") or "/bin/postgres " in cmd:
            title = cmd.split(": ")[-1]
            other_backend = "(" in title or "[local]" in title or "autovacuum worker" in title
            if f" {database} " in f" {title} " or not other_backend:
                db.append(pid)
    return db, redis


@dataclass
class CpuMeter:
    """CPU seconds used by a server's processes since `start()`: its process tree and, given
    its PostgreSQL database, that database's processes and redis-server. Processes that appear
    later (a new pooled connection) count from zero; `refresh()` finds them."""

    database: str
    server_pid: int
    base: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    roles: dict[int, str] = field(default_factory=dict)

    def _find(self) -> None:
        db, redis = service_pids(self.database) if self.database else ([], [])
        for role, pids in (("app", tree(self.server_pid)), ("db", db), ("redis", redis)):
            for pid in pids:
                self.roles.setdefault(pid, role)

    def _read(self) -> None:
        for pid in self.roles:
            with contextlib.suppress(OSError):  # ended: keep what it used until then
                self.last[pid] = proc_cpu(pid)

    def start(self) -> None:
        self._find()
        self._read()
        self.base = dict(self.last)

    def refresh(self) -> None:
        self._find()
        self._read()

    def pids(self) -> list[int]:
        return list(self.roles)

    def rss(self) -> int:
        """Resident memory of the server's own processes (not the database's)."""
        total = 0
        for pid, role in self.roles.items():
            if role == "app":
                with contextlib.suppress(OSError):
                    total += proc_rss(pid)
        return total

    def used(self) -> dict[str, float]:
        """CPU seconds since start, by role: app, db, redis."""
        self._read()
        out = {"app": 0.0, "db": 0.0, "redis": 0.0}
        for pid, cpu in self.last.items():
            out[self.roles[pid]] += cpu - self.base.get(pid, 0.0)
        return out


def tree_rss(pid: int) -> int:
    total = 0
    for p in tree(pid):
        with contextlib.suppress(OSError):
            total += proc_rss(p)
    return total


def socket_owners(pids: list[int], port: int) -> dict[int, int]:
    """Which process holds each accepted connection on `port`: {peer port: pid}."""
    inodes: dict[str, int] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.scandir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = str(Path(fd.path).readlink())
                    if target.startswith("socket:["):
                        inodes[target[8:-1]] = pid
    owners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local, remote, inode = parts[1], parts[2], parts[9]
                if int(local.rsplit(":", 1)[1], 16) == port and inode in inodes:
                    owners[int(remote.rsplit(":", 1)[1], 16)] = inodes[inode]
    return owners


# -- PostgreSQL and Redis --------------------------------------------------------------------


def _admin(server_url: str, sql: str) -> None:
    admin = make_url(server_url).set(database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def create_database(server_url: str) -> str:
    """A new, empty database `facilitator_bench_<random>` on that server; its URL."""
    name = f"facilitator_bench_{secrets.token_hex(5)}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def database_name(url: str) -> str:
    return make_url(url).database or ""


def drop_database(url: str) -> None:
    name = database_name(url)
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_prefix() -> str:
    """Channels of this run only: another run or test on the same Redis never hears them."""
    return f"facilitator-bench-{secrets.token_hex(5)}:"
