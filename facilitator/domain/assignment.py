"""Who sits where when a round starts: pure functions from phones to groups.

Every way but "choose" puts each phone in a group of the new round; "choose" leaves them
all to pick. Balanced means group sizes differ by at most one among the phones dealt.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.domain.errors import Invalid
from facilitator.i18n import N_
from facilitator.models import Assignment

LIST_LIMIT = 200_000  # characters of a pasted list; some 10,000 rows


@dataclass(frozen=True, slots=True)
class Phone:
    id: int
    group_id: int | None  # where it sits now
    tag: str = ""  # the answer given at join (organisation, country)
    name: str = ""  # its display name, which a pre-assigned list names


Seats = dict[int, int | None]  # phone id -> group id in the new round (None: it chooses)


def assign(
    mode: Assignment,
    phones: Sequence[Phone],
    old_groups: Sequence[int],
    new_groups: Sequence[int],
    rng: random.Random,
    listed: dict[str, int] | None = None,
) -> Seats:
    """Each phone's group in the new round. `listed` maps a display name (case-folded) to
    a group, for `Assignment.list`; phones it does not name are dealt at random."""
    if not new_groups:
        raise Invalid(N_("The next round has no groups yet."))
    if mode is Assignment.choose:
        return {p.id: None for p in phones}
    if mode is Assignment.stay:
        place = {g: i for i, g in enumerate(old_groups)}
        seats: Seats = {}
        loose = []
        for p in phones:
            if p.group_id in place:
                seats[p.id] = new_groups[place[p.group_id] % len(new_groups)]
            else:
                loose.append(p)
        return seats | _deal(_shuffled(loose, rng), new_groups, seats)
    if mode is Assignment.tag:
        by_tag: dict[str, list[Phone]] = {}
        for p in _shuffled(phones, rng):
            by_tag.setdefault(p.tag.strip().casefold(), []).append(p)
        # Largest tags first, dealt in turn: each tag spreads over the tables, and the
        # tables stay even in size.
        order = sorted(by_tag.values(), key=len, reverse=True)
        return _deal([p for group in order for p in group], new_groups, {})
    if mode is Assignment.list:
        seats = {}
        loose = []
        for p in phones:
            chosen = (listed or {}).get(p.name.strip().casefold()) if p.name.strip() else None
            if chosen is None:
                loose.append(p)
            else:
                seats[p.id] = chosen
        return seats | _deal(_shuffled(loose, rng), new_groups, seats)
    return _deal(_shuffled(phones, rng), new_groups, {})  # random


def _shuffled(phones: Sequence[Phone], rng: random.Random) -> list[Phone]:
    out = sorted(phones, key=lambda p: p.id)  # the same input gives the same draw
    rng.shuffle(out)
    return out


def _deal(phones: Sequence[Phone], groups: Sequence[int], seated: Seats) -> Seats:
    """Each phone to the currently smallest group (the first of equals), counting those
    already seated."""
    size = {g: 0 for g in groups}
    for g in seated.values():
        if g in size:
            size[g] += 1
    out: Seats = {}
    for p in phones:
        smallest = min(groups, key=lambda g: size[g])
        out[p.id] = smallest
        size[smallest] += 1
    return out


def read_list(text: str, groups: dict[str, int]) -> dict[str, int]:
    """A pre-assigned list: CSV rows of `name,group` (a header row is allowed), groups named
    as in the round. Refused whole if it names a group the round does not have."""
    if len(text) > LIST_LIMIT:
        raise Invalid(N_("That list is too long."))
    known = {name.strip().casefold(): gid for name, gid in groups.items()}
    out: dict[str, int] = {}
    unknown: list[str] = []
    for row in csv.reader(io.StringIO(text)):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise Invalid(N_("Each line of the list needs a name, a comma and a group."))
        name, group = cells[0], cells[1]
        if not out and not unknown and (name.casefold(), group.casefold()) == ("name", "group"):
            continue  # the header
        gid = known.get(group.casefold())
        if gid is None:
            if group not in unknown:
                unknown.append(group)
            continue
        out[name.casefold()] = gid
    if unknown:
        raise Invalid(
            N_("The list names groups this round does not have: {groups}."),
            groups=", ".join(unknown[:10]),
        )
    if not out:
        raise Invalid(N_("The list is empty."))
    return out
