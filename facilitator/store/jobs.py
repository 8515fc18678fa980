"""Write jobs defined once: `@write_job` on a module-level `fn(session, *args)`.

The function runs in one write transaction: in SQLite's writer process, or in a PostgreSQL
writer thread. The same name, awaited with the database first, runs it there and returns its
result once committed:

    @write_job
    def rename(s: Session, actor: Actor, cluster_id: int, name: object) -> None: ...

    await clusters.rename(db, actor, cluster_id, "CERT staff")

It crosses to the writer process by its module and name, which the writer resolves on the
other side (importing the module if its caller did not hand it over at start), so there is
no second, async twin of each command.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

from sqlmodel import Session

if TYPE_CHECKING:
    from facilitator.store.database import Database

P = ParamSpec("P")
T = TypeVar("T")


class WriteJob(Generic[P, T]):
    """A write command: `fn(session, *args)`, awaited as `job(db, *args)`."""

    def __init__(self, fn: Callable[Concatenate[Session, P], T]):
        self.fn = fn
        self.__module__ = fn.__module__
        self.__qualname__ = fn.__qualname__
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__

    def __call__(self, db: Database, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, T]:
        if kwargs:  # they would not cross to the writer in order
            raise TypeError(f"{self.__qualname__}: give a write job its values in order")
        return db.write(self, *args)

    def __reduce__(self) -> tuple[Callable[[str, str], Any], tuple[str, str]]:
        return _named, (self.__module__, self.__qualname__)

    def __repr__(self) -> str:
        return f"<write job {self.__module__}.{self.__qualname__}>"


def write_job(fn: Callable[Concatenate[Session, P], T]) -> WriteJob[P, T]:
    return WriteJob(fn)


def body(fn: Callable[..., T] | WriteJob[Any, T]) -> Callable[..., T]:
    """What runs in the transaction: a write job's function, or a plain job function."""
    return fn.fn if isinstance(fn, WriteJob) else fn


def _named(module: str, qualname: str) -> Any:
    return getattr(importlib.import_module(module), qualname)
