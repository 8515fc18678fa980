"""The kinds of rounds (issue #23): a round started, the rounds changed."""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.i18n import N_
from facilitator.vocabulary.kinds import STAFF, Follow, _kind, quote


@dataclass(frozen=True, slots=True)
class RoundStarted:
    round: int
    name: str
    position: int
    workshop_code: str  # where a phone asks for its new group (its seat is its own)

    def describe(self) -> str:
        return quote(self.name)


@dataclass(frozen=True, slots=True)
class RoundChanged:
    round: int  # 0: the question at join
    name: str

    def describe(self) -> str:
        return quote(self.name) if self.name else ""


ROUND_STARTED = _kind("round.started", RoundStarted, N_("started the next round"), Follow.round)
ROUND_CHANGED = _kind("round.changed", RoundChanged, N_("changed the rounds"), Follow.board, STAFF)
