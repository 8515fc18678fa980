"""A phone's plenary ballot card as swap ops: the same template as its board page."""

from __future__ import annotations

from typing import Any

from facilitator import i18n
from facilitator.domain import plenary_vote
from facilitator.domain.access import get_group
from facilitator.domain.actors import Participant
from facilitator.store.database import Database
from facilitator.web.templating import Templates

CARD = "plenary/_ballot_card.html"


async def ballot_card(
    templates: Templates, db: Database, who: Participant | None, group_id: int, locale: str
) -> list[list[str]]:
    """The card for this group's phones; with `who`, that phone's own ballot in it (else
    the card every phone of the group gets when the vote opens or closes)."""

    def read(s: Any) -> tuple[str, plenary_vote.VoteView | None]:
        group = get_group(s, group_id)
        return group.code, plenary_vote.vote(s, group.workshop_id, who)

    code, vote = await db.read(read)
    return render_card(templates, vote, code, locale)


def render_card(
    templates: Templates, vote: plenary_vote.VoteView | None, code: str, locale: str
) -> list[list[str]]:
    """The card for a vote as read (a ballot's command returns it with the ballot)."""
    with i18n.using(locale):
        html = templates.render(
            CARD, vote=vote, group={"code": code}, csrf="", key="", plenary_error=None
        )
    return [["replace", "plenary-card", html]]
