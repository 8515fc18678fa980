"""The kinds of the plenary vote (issue #23): set up, opened, closed, a ballot cast."""

from __future__ import annotations

from dataclasses import dataclass

from facilitator.i18n import N_, gettext
from facilitator.vocabulary.kinds import STAFF, Audience, Follow, _kind


@dataclass(frozen=True, slots=True)
class PlenarySet:
    method: str  # a models.PlenaryMethod value
    budget: int
    cap: int
    items: list[int]  # the final recommendations in the vote, in the order shown

    def describe(self) -> str:
        if self.method == "ranking":
            return gettext(N_("ranking, {n} recommendations")).format(n=len(self.items))
        return gettext(N_("{budget} dots (at most {cap} on one), {n} recommendations")).format(
            budget=self.budget, cap=self.cap, n=len(self.items)
        )


@dataclass(frozen=True, slots=True)
class PlenaryChanged:
    open: bool
    closes_at: str | None = None  # ISO time of the timer, if one was set
    ballots: int = 0  # cast so far (at closing: the final count)

    def describe(self) -> str:
        return "" if self.open else gettext(N_("{n} ballots")).format(n=self.ballots)


@dataclass(frozen=True, slots=True)
class BallotCast:
    # No count of ballots: counting them at each ballot cost a tenth of a 10,000-phone vote's
    # time in the database (an archive's older events have one; reading ignores it).
    replaced: bool  # this device had voted before: its new ballot replaced the old

    def describe(self) -> str:
        return gettext(N_("changed a ballot")) if self.replaced else ""


# Phones follow the opening and closing on their group's channel: each gets its ballot card.
PLENARY_AUDIENCES = frozenset({Audience.facilitator, Audience.participant})
PLENARY_SET = _kind("plenary.set", PlenarySet, N_("set up the plenary vote"), Follow.board, STAFF)
PLENARY_OPENED = _kind(
    "plenary.opened",
    PlenaryChanged,
    N_("opened the plenary vote"),
    Follow.board,
    PLENARY_AUDIENCES,
)
PLENARY_CLOSED = _kind(
    "plenary.closed",
    PlenaryChanged,
    N_("closed the plenary vote"),
    Follow.board,
    PLENARY_AUDIENCES,
)
# A ballot is logged on its voter's group's ballot channel (`events.ballot_channel`): not the
# workshop's, because each channel's log takes one commit at a time and 10,000 phones voting
# within a minute on one channel waited on each other; not the group's, whose every event
# reaches every phone of the group. No page follows it: the projector and mission control
# ask for the count (`plenary_views.version`).
BALLOT_CAST = _kind(
    "plenary.ballot",
    BallotCast,
    N_("cast a plenary ballot"),
    Follow.nothing,
    STAFF,
    secret_actor=True,  # a ballot is secret, like a dot
)
