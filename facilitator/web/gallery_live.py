"""What goes down the workshop's channel to the report-back gallery's pages (phones and the
projector), and which renderer a channel's events go to.

A +1 changes one count: rendered from the event's payload alone, so it replays like an
idea. Opening or closing the gallery, or a group's recommendation changing while it is
open, renders its body again from the database. The
workshop's other events (rounds, questions, answers) show nothing here: only their seq
moves on.
"""

from __future__ import annotations

from facilitator.domain import gallery
from facilitator.domain.actors import Participant
from facilitator.live.rooms import Renderer, Room
from facilitator.live.viewer import Frame, Viewer, frame
from facilitator.store.database import Database
from facilitator.store.events import LiveEvent
from facilitator.vocabulary import (
    GALLERY_CHANGED,
    GALLERY_CLOSED,
    GALLERY_OPENED,
    GALLERY_PLUS,
    KINDS,
    Audience,
)
from facilitator.web.templating import Templates

PHONE = "gallery/phone.html"
PROJECTOR = "gallery/projector.html"
COUNT = "gallery/_count.html"
GALLERY_KINDS = {k.name for k in (GALLERY_OPENED, GALLERY_CLOSED, GALLERY_CHANGED, GALLERY_PLUS)}


def workshop_id_of(channel: str) -> int:
    kind, _, ident = channel.partition(":")
    assert kind == "workshop"
    return int(ident)


def plussed(on: list[int], off: list[int], *, everything: bool = False) -> Frame:
    """This phone's own +1s: which buttons are pressed (`all`: these and no others)."""
    return frame({"type": "plussed", "on": on, "off": off, "all": everything})


class GalleryRenderer(Renderer):
    def __init__(self, templates: Templates, db: Database):
        self.templates = templates
        self.db = db

    def replayable(self, event: LiveEvent) -> bool:
        kind = KINDS.get(event.kind)
        return event.kind not in GALLERY_KINDS or (kind is not None and kind.replayable)

    async def event(self, event: LiveEvent, audience: Audience) -> Frame | None:
        if event.kind not in GALLERY_KINDS or audience not in KINDS[event.kind].audiences:
            return None
        if event.kind == GALLERY_PLUS.name:
            payload = event.payload
            html = self.templates.render(
                COUNT, rec_id=payload["recommendation"], n=payload["count"]
            )
            ops = [["replace", f"plus-{payload['recommendation']}", html]]
        else:
            ops = await self._body_ops(event.channel, audience)
        return frame({"type": "patch", "seq": event.seq, "epoch": event.epoch, "ops": ops})

    async def board(self, channel: str, audience: Audience, viewer: Viewer) -> tuple[int, Frame]:
        view = await self.db.read(lambda s: gallery.read_gallery(s, workshop_id_of(channel)))
        ops = self._ops(view, audience)
        message = {"type": "reset", "seq": view.seq, "epoch": view.epoch, "ops": ops}
        return view.seq, frame(message)

    def presence(self, room: Room, audience: Audience) -> Frame | None:
        return None

    async def personal(self, event: LiveEvent, viewer: Viewer) -> list[Frame]:
        """The phone that gave or took back a +1 sees its own button follow."""
        actor = viewer.actor
        if event.kind != GALLERY_PLUS.name or not isinstance(actor, Participant):
            return []
        payload = event.payload
        if payload.get("participant") != actor.id:
            return []
        rec = [payload["recommendation"]]
        return [plussed(rec, []) if payload["given"] else plussed([], rec)]

    async def _body_ops(self, channel: str, audience: Audience) -> list[list[str]]:
        view = await self.db.read(lambda s: gallery.read_gallery(s, workshop_id_of(channel)))
        return self._ops(view, audience)

    def _ops(self, view: gallery.Gallery, audience: Audience) -> list[list[str]]:
        page = PROJECTOR if audience is Audience.projector else PHONE
        html = self.templates.block(page, "body", gallery=view, mine=(), csrf="")
        return [["replace", "gallery-body", html]]


class ChannelRenderer(Renderer):
    """A group's events go to its board's renderer; the workshop's, to the gallery's."""

    def __init__(self, group: Renderer, workshop: Renderer):
        self.group = group
        self.workshop = workshop

    def _of(self, channel: str) -> Renderer:
        return self.workshop if channel.startswith("workshop:") else self.group

    def replayable(self, event: LiveEvent) -> bool:
        return self._of(event.channel).replayable(event)

    async def event(self, event: LiveEvent, audience: Audience) -> Frame | None:
        return await self._of(event.channel).event(event, audience)

    async def personal(self, event: LiveEvent, viewer: Viewer) -> list[Frame]:
        return await self._of(event.channel).personal(event, viewer)

    async def board(self, channel: str, audience: Audience, viewer: Viewer) -> tuple[int, Frame]:
        return await self._of(channel).board(channel, audience, viewer)

    def presence(self, room: Room, audience: Audience) -> Frame | None:
        return self._of(room.channel).presence(room, audience)
