"""The archive's ids and the new rows they became: every reference in the file is checked
against these, so it can only name a record of the same file (and, where it must, of the
same group)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from facilitator import i18n
from facilitator.domain import archive_rules as rules
from facilitator.i18n import N_
from facilitator.models import VoteTarget


def inserted(s: Session, rows: Sequence[tuple[int, object]]) -> dict[int, int]:
    """Add the rows; their new ids by the file's."""
    s.add_all([r for _, r in rows])
    s.flush()
    return {old: r.id for old, r in rows}  # type: ignore[attr-defined]


def same_group(table: dict[int, int], old: int, group: int, where: str) -> None:
    """`old` names a record of the file in the same group (ids of the file)."""
    if table.get(old, group) != group:
        message = i18n.gettext(N_("This names {ident}, which is in another group."))
        raise rules.BadArchive(where, message.format(ident=old))


@dataclass(frozen=True)
class Board:
    """New ids by the file's, and the file's group of each theme and idea."""

    people: dict[int, int]
    clusters: dict[int, int]
    ideas: dict[int, int]
    cluster_groups: dict[int, int]
    idea_groups: dict[int, int]

    def target(self, kind: str, old: int, group: int, where: str) -> tuple[VoteTarget, int]:
        """What a dot or a recommendation's source is on: an idea or a theme of `group`."""
        chosen = rules.choice(VoteTarget, kind, where.replace("target_id", "target"))
        table, groups = (
            (self.clusters, self.cluster_groups)
            if chosen == VoteTarget.cluster
            else (self.ideas, self.idea_groups)
        )
        same_group(groups, old, group, where)
        return chosen, rules.ref(table, old, where)
