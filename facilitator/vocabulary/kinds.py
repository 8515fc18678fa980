"""What an event kind is: its audiences, how live pages follow it, and the registry every
kind is defined in, once (`_kind`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from facilitator.i18n import gettext

P = TypeVar("P")


class Audience(StrEnum):
    """Who a live socket is for; each renders its own view of an event."""

    participant = "participant"
    facilitator = "facilitator"
    projector = "projector"  # what phones see, large, for a screen; opened by staff


class Follow(StrEnum):
    """How live pages follow an event of a kind."""

    idea = "idea"  # the idea's card and the counts, rendered from the payload alone
    vote = "vote"  # the item's tally, from the payload alone
    board = "board"  # the board's regions, rendered again from the database
    round = "round"  # phones go on to their group of the new round, from the payload alone
    plus = "plus"  # one item's +1s in the gallery, from the payload alone
    turnout = "turnout"  # how many phones have voted, read again (like a vote's results)
    nothing = "nothing"  # no live page shows it (screens that count it ask): the seq moves on


EVERYONE = frozenset(Audience)
STAFF = frozenset({Audience.facilitator})


def quote(text: str, limit: int = 80) -> str:
    """Text for an audit line, on one line, cut at `limit` characters, in quotation marks."""
    text = " ".join(text.split())
    return f"“{text[: limit - 1]}…”" if len(text) > limit else f"“{text}”"


@dataclass(frozen=True, eq=False)
class Kind(Generic[P]):
    name: str  # as stored in the log: "idea.submitted"
    payload: type[P]
    label: str  # for the audit trail, marked for translation: "submitted an idea"
    follow: Follow
    audiences: frozenset[Audience] = EVERYONE
    # Whether every audience's frame can be made from the payload alone, so a socket that
    # missed the event can be sent it again (else it takes a fresh board).
    replayable: bool = False
    secret_actor: bool = False  # who did it is never shown (dots are secret)

    @cached_property
    def _adapter(self) -> TypeAdapter[P]:
        return TypeAdapter(self.payload)

    def read(self, payload: dict[str, Any]) -> P | None:
        """The payload as its type; None for one this code cannot read (an old import)."""
        try:
            return self._adapter.validate_python(payload)
        except ValidationError:
            return None

    def describe(self, payload: dict[str, Any]) -> str:
        """A line of detail for the audit trail, in the current language."""
        typed = self.read(payload)
        describe: Callable[[], str] | None = getattr(typed, "describe", None)
        return describe() if describe is not None else ""


KINDS: dict[str, Kind[Any]] = {}
# Kinds once recorded under other names (migration 0007 renamed them in the log; an archive
# exported before it still has them).
RENAMED = {
    "final.created": "recommendation.created",
    "final.sources": "recommendation.sources",
    "final.edited": "recommendation.edited",
    "final.marked": "recommendation.agreed",
    "final.moved": "recommendation.moved",
    "final.deleted": "recommendation.deleted",
}


def _kind(
    name: str,
    payload: type[P],
    label: str,
    follow: Follow,
    audiences: frozenset[Audience] = EVERYONE,
    *,
    secret_actor: bool = False,
) -> Kind[P]:
    assert name not in KINDS, name
    replayable = follow is not Follow.board  # every other is rendered from its payload alone
    kind = Kind(name, payload, label, follow, audiences, replayable, secret_actor)
    KINDS[name] = kind
    return kind


def secret_actor(kind_name: str) -> bool:
    """Whether the audit trail and exports must not say who did it; unknown kinds are
    treated as secret only if they look like votes, as before there was a vocabulary."""
    kind = KINDS.get(kind_name)
    return kind.secret_actor if kind is not None else kind_name.startswith("vote.")


def audit_line(kind_name: str, payload: dict[str, Any]) -> tuple[str, str]:
    """An event's audit label and its line of detail, in the current language; an event of
    a kind this code does not know (an old import) shows its raw name."""
    kind = KINDS.get(kind_name)
    if kind is None:
        return kind_name, ""
    return gettext(kind.label), kind.describe(payload)
