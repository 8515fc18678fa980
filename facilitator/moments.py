"""The moments at which questions are asked, and the key of each occasion, pure.

A question is asked at moments (`joining`, `round`, `event`, `followup`). Each moment is one
occasion, except the end of a round in a workshop with rounds: it comes once per round, each
opened and closed on its own, its answers kept apart. An occasion's key is the moment itself,
or `round-N` for the end of the workshop's Nth round (by position, so a key reads the same in
an archive imported elsewhere). Answers and a moment's open or closed state are stored by key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from facilitator.i18n import N_, gettext

MOMENTS = ("joining", "round", "event", "followup")
ROUND = "round"
MAX_ROUNDS = 99
LABELS = {
    "joining": N_("on joining (baseline)"),
    "round": N_("at the end of a round"),
    "event": N_("at the end of the event"),
    "followup": N_("at a follow-up"),
}
_ROUND_KEY = re.compile(r"round-([1-9][0-9]?)")


def round_key(position: int) -> str:
    return f"{ROUND}-{position}"


def round_of(key: str) -> int | None:
    """The round's position of an end-of-round key; None for any other key."""
    found = _ROUND_KEY.fullmatch(key)
    return int(found[1]) if found else None


def base(key: str) -> str | None:
    """The moment of a key (`round-2` → `round`); None if it is not a key at all."""
    if key in MOMENTS:
        return key
    return ROUND if round_of(key) is not None else None


def keys(moments: Sequence[str], rounds: int) -> tuple[str, ...]:
    """The occasions of these moments, in order, in a workshop with `rounds` rounds."""
    out: list[str] = []
    for moment in moments:
        if moment == ROUND and rounds:
            out += [round_key(n) for n in range(1, min(rounds, MAX_ROUNDS) + 1)]
        else:
            out.append(moment)
    return tuple(out)


def label(key: str) -> str:
    """How an occasion reads, in the current language ("at the end of round 2")."""
    position = round_of(key)
    if position is not None:
        return gettext(N_("at the end of round {n}")).format(n=position)
    return gettext(LABELS[key]) if key in LABELS else key
