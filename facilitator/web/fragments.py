"""What goes down a group's sockets: each event rendered once per audience, as swap ops.

A frame is JSON: {"type": "patch", "seq", "epoch", "ops": [[op, target, html], ...]} where op
is "upsert" (replace the element with the same id, or put it first in `target`), "replace"
(the element with id `target`) or "remove". Every fragment comes from a named block of the
page that shows it, so a live update and a reload give the same markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from facilitator.db import Database
from facilitator.domain import ideas
from facilitator.domain.actors import Participant
from facilitator.domain.ideas import Counts, IdeaView
from facilitator.events import LiveEvent
from facilitator.live import Audience, Frame, Renderer, Room, Viewer, frame
from facilitator.templating import Templates

PAGES = {
    Audience.participant: "participant/board.html",
    Audience.facilitator: "facilitator/group.html",
}
IDEA_EVENTS = {"idea.submitted", "idea.edited", "idea.withdrawn"}


def group_id_of(channel: str) -> int:
    kind, _, ident = channel.partition(":")
    assert kind == "group"
    return int(ident)


class GroupRenderer(Renderer):
    def __init__(self, templates: Templates, db: Database):
        self.templates = templates
        self.db = db

    def _block(self, audience: Audience, block: str, **context: Any) -> str:
        return self.templates.block(PAGES[audience], block, mine=(), csrf="", **context)

    def event(self, event: LiveEvent, audience: Audience) -> Frame | None:
        if event.kind not in IDEA_EVENTS:
            return None
        idea = IdeaView.from_payload(event.payload)
        if event.kind == "idea.withdrawn":
            ops = [["remove", f"idea-{idea.id}", ""]]
        else:
            ops = [["upsert", "ideas", self._block(audience, "idea", idea=idea)]]
        counts = Counts(**event.payload["counts"])
        ops.append(["replace", "idea-count", self._block(audience, "counts", counts=counts)])
        return frame({"type": "patch", "seq": event.seq, "epoch": event.epoch, "ops": ops})

    async def board(self, channel: str, audience: Audience, viewer: Viewer) -> tuple[int, Frame]:
        board = await self.db.read(lambda s: ideas.board(s, group_id_of(channel)))
        ops = [
            ["replace", "ideas", self._block(audience, "ideas", ideas=board.ideas)],
            ["replace", "idea-count", self._block(audience, "counts", counts=board.counts)],
        ]
        return board.seq, frame(
            {"type": "reset", "seq": board.seq, "epoch": board.epoch, "ops": ops}
        )

    def presence(self, room: Room, audience: Audience) -> Frame | None:
        summary = presence_summary(room.viewers)
        if audience is Audience.participant:
            html = self._block(audience, "online", online=summary["phones"])
            return frame({"type": "presence", "ops": [["replace", "online", html]]})
        html = self._block(audience, "presence", presence=summary)
        return frame({"type": "presence", "ops": [["replace", "presence", html]]})


def presence_summary(viewers: Iterable[Viewer]) -> dict[str, Any]:
    """Who is online in a group: phones (one per participant, however many tabs), the
    names they gave, and the facilitators."""
    phones: dict[int, str] = {}
    staff: dict[int, str] = {}
    for viewer in viewers:
        if isinstance(viewer.actor, Participant):
            phones[viewer.actor.id] = viewer.name
        else:
            staff[viewer.actor.id] = viewer.name or viewer.actor.email
    names = sorted(n for n in phones.values() if n)
    return {
        "phones": len(phones),
        "names": names,
        "anonymous": len(phones) - len(names),
        "staff": sorted(staff.values()),
    }
