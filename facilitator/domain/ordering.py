"""Moving an item one place up or down in an ordered list of rows."""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlmodel import Session

from facilitator.domain.errors import Invalid
from facilitator.i18n import N_


class Positioned(Protocol):
    position: int


P = TypeVar("P", bound=Positioned)


def check_direction(direction: object) -> str:
    if direction not in ("up", "down"):
        raise Invalid(N_("Move it up or down."))
    return str(direction)


def step(s: Session, rows: list[P], row: P, direction: str) -> bool:
    """Swap `row` with its neighbour and number the list 0..n-1; False at either end."""
    i = rows.index(row)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(rows):
        return False
    rows[i], rows[j] = rows[j], rows[i]
    for n, r in enumerate(rows):
        r.position = n
        s.add(r)
    return True
