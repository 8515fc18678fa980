"""What goes down a group's sockets: each event rendered once per audience, as swap ops.

A frame is JSON: {"type": "patch", "seq", "epoch", "ops": [[op, target, html], ...]} where op
is "upsert" (replace the element with the same id, or put it first in `target`), "replace"
(the element with id `target`) or "remove". Every fragment comes from the template of the
page that shows it, so a live update and a reload give the same markup.

Frequent events (ideas while collecting, votes) render from their payload alone, but for a
vote's results (turnout and ranking), read again as a dot can reorder them, and as a phone
joining during the vote changes how many may vote. The rest
(phases, moderation, themes, recommendations) re-render the board's regions from the
database, once per audience; a socket that missed one of those catches up with a fresh
board rather than a replay.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from facilitator import i18n
from facilitator.domain import answers
from facilitator.domain.access import get_group
from facilitator.domain.actors import Participant
from facilitator.domain.board import Board, board
from facilitator.live.rooms import Renderer, Room
from facilitator.live.viewer import TRY_AGAIN, Frame, Viewer, frame
from facilitator.store.database import Database
from facilitator.store.events import LiveEvent
from facilitator.vocabulary import (
    CHATHAM_HOUSE,
    KINDS,
    MOMENT_CLOSED,
    MOMENT_OPENED,
    PLENARY_CLOSED,
    PLENARY_OPENED,
    Audience,
    Counts,
    Follow,
    IdeaView,
    RoundStarted,
)
from facilitator.web.plenary_card import ballot_card
from facilitator.web.templating import Templates

PLENARY_KINDS = (PLENARY_OPENED.name, PLENARY_CLOSED.name)

PHONE = "participant/board.html"
CONSOLE = "facilitator/group.html"
PROJECTOR = "facilitator/projector.html"
CARD = "facilitator/_card.html"
RESULTS = "_results.html"
ROUND_NOTICE = "rounds/_notice.html"
ASKING_KEPT = 8  # moment events whose cards are kept while their group's phones get them


def group_id_of(channel: str) -> int:
    kind, _, ident = channel.partition(":")
    assert kind == "group"
    return int(ident)


class GroupRenderer(Renderer):
    def __init__(self, templates: Templates, db: Database):
        self.templates = templates
        self.db = db
        # The questions cards of the last moment events, by (channel, seq): code and answers.
        self._asking: dict[tuple[str, int], tuple[str, dict[int, list[answers.Asking]]]] = {}

    # -- shared, per audience -------------------------------------------------------------
    def replayable(self, event: LiveEvent) -> bool:
        kind = KINDS.get(event.kind)
        return kind is not None and kind.replayable

    async def event(self, event: LiveEvent, audience: Audience) -> Frame | None:
        kind = KINDS.get(event.kind)
        if kind is not None and audience not in kind.audiences:
            return None
        follow = kind.follow if kind is not None else Follow.board  # an unknown: read it all
        if follow is Follow.nothing:
            return None
        if follow is Follow.idea:
            ops = self._idea_ops(event, audience)
        elif follow is Follow.vote:
            ops = await self._vote_ops(event, audience)
        elif follow is Follow.round:
            ops = self._round_ops(event.payload, audience)
        elif follow is Follow.turnout:
            ops = await self._turnout_ops(event, audience)
        else:
            ops = None
        if ops is None:  # re-render the regions from the database
            snapshot = await self._board(event.channel, audience)
            ops = self._region_ops(snapshot, audience)
        if event.kind in PLENARY_KINDS and audience is Audience.participant:
            # The vote opened or closed: the same card for every phone of the group (none
            # has a ballot when it opens; one it cast shows on its next load).
            group_id = group_id_of(event.channel)
            ops += await ballot_card(self.templates, self.db, None, group_id, i18n.current())
        if not ops:
            return None
        return frame({"type": "patch", "seq": event.seq, "epoch": event.epoch, "ops": ops})

    async def board(self, channel: str, audience: Audience, viewer: Viewer) -> tuple[int, Frame]:
        snapshot = await self._board(channel, audience)
        ops = self._region_ops(snapshot, audience)
        message = {"type": "reset", "seq": snapshot.seq, "epoch": snapshot.epoch, "ops": ops}
        return snapshot.seq, frame(message)

    def presence(self, room: Room, audience: Audience) -> Frame | None:
        summary = presence_summary(room.viewers)
        if audience is Audience.participant:
            html = self._block(PHONE, "online", online=summary["phones"])
            return frame({"type": "presence", "ops": [["replace", "online", html]]})
        if audience is Audience.projector:
            return None
        html = self._block(CONSOLE, "presence", presence=summary)
        return frame({"type": "presence", "ops": [["replace", "presence", html]]})

    # -- personal -------------------------------------------------------------------------
    async def personal(self, event: LiveEvent, viewer: Viewer) -> list[Frame]:
        """The author's view of their own idea, and a voter's dots: small, from the payload.
        A moment opening or closing (rare) reads the phone's questions card again."""
        actor = viewer.actor
        if not isinstance(actor, Participant):
            return []
        if event.kind == CHATHAM_HOUSE.name and event.payload.get("on") and actor.display_name:
            # The rule came on and erased this phone's name, which its socket's actor still
            # holds (the consoles' who-is-online list shows it): it comes back at once, read
            # afresh, nameless.
            await viewer.close(TRY_AGAIN)
            return []
        moment = event.kind in (MOMENT_OPENED.name, MOMENT_CLOSED.name)
        if moment and viewer.audience in KINDS[event.kind].audiences:
            return [await self._questions_card(event, actor, viewer.locale)]
        payload, frames = event.payload, []
        kind = KINDS.get(event.kind)
        if kind is not None and kind.follow is Follow.vote and payload.get("voter") == actor.id:
            frames.append(frame({"type": "votes", **payload["state"]}))
        changed = payload.get("votes")  # a facilitator's action moved or dropped its dots
        if isinstance(changed, dict) and str(actor.id) in changed:
            frames.append(frame({"type": "votes", **changed[str(actor.id)]}))
        idea_data = payload.get("idea")
        if isinstance(idea_data, dict) and idea_data.get("participant_id") == actor.id:
            with i18n.using(viewer.locale):
                own = self._own(IdeaView.from_payload(payload), bool(payload.get("shown")))
            frames.append(own)
        return frames

    async def _questions_card(self, event: LiveEvent, who: Participant, locale: str) -> Frame:
        """A moment opened or closed: every phone of the group gets its card again. Their
        answers are read once for the group, on the first phone's turn, not once a phone."""
        key = (event.channel, event.seq)
        found = self._asking.get(key)
        if found is None:
            group_id = group_id_of(event.channel)

            def read(s: Any) -> tuple[str, dict[int, list[answers.Asking]]]:
                return get_group(s, group_id).code, answers.open_asking_in_group(s, group_id)

            found = self._asking[key] = await self.db.read(read)
            while len(self._asking) > ASKING_KEPT:
                del self._asking[next(iter(self._asking))]
        code, by_device = found
        asking = by_device.get(who.id)
        if asking is None:  # a phone of an earlier round, still on this group's page
            return await questions_card(
                self.templates, self.db, who, group_id_of(event.channel), locale
            )
        return _questions_frame(self.templates, code, asking, locale)

    def _own(self, idea: IdeaView, shown: bool) -> Frame:
        own_id = f"own-{idea.id}"
        if idea.status == "withdrawn" or shown:
            mine = [idea.id] if shown else []
            return frame({"type": "own", "ops": [["remove", own_id, ""]], "mine": mine})
        html = self.templates.render("participant/_own_item.html", idea=idea)
        return frame({"type": "own", "ops": [["upsert", "own-status", html]], "mine": []})

    # -- rendering ------------------------------------------------------------------------
    def _block(self, page: str, block: str, **context: Any) -> str:
        return self.templates.block(page, block, mine=(), csrf="", **context)

    async def _board(self, channel: str, audience: Audience) -> Board:
        staff = audience is Audience.facilitator  # the projector shows what phones see
        group_id = group_id_of(channel)
        return await self.db.read(lambda s: board(s, group_id, staff=staff))

    def _region_ops(self, snapshot: Board, audience: Audience) -> list[list[str]]:
        context = {"board": snapshot, "counts": snapshot.counts, "ideas": snapshot.ideas}
        if audience is Audience.participant:
            return [["replace", "board-body", self._block(PHONE, "body", **context)]]
        if audience is Audience.projector:
            return [["replace", "board-body", self._block(PROJECTOR, "body", **context)]]
        return [
            ["replace", "controls", self._block(CONSOLE, "controls", **context)],
            ["replace", "workspace", self._block(CONSOLE, "workspace", **context)],
            ["replace", "results", self.templates.render(RESULTS, board=snapshot)],
            ["replace", "recommendations", self._block(CONSOLE, "recommendations", **context)],
            ["replace", "idea-count", self._block(CONSOLE, "counts", **context)],
        ]

    def _idea_ops(self, event: LiveEvent, audience: Audience) -> list[list[str]] | None:
        payload = event.payload
        idea = IdeaView.from_payload(payload)
        if "unclustered" not in payload["counts"]:
            return None  # logged before that count was: re-render the regions from the database
        counts = Counts(**payload["counts"])
        if audience in (Audience.participant, Audience.projector):
            if payload.get("phase", "collect") != "collect":
                return None  # outside collecting, phones show themes: the region re-renders
            page = PHONE if audience is Audience.participant else PROJECTOR
            if payload.get("shown"):
                support = int(payload.get("support", 0))
                ops = [["upsert", "ideas", self._block(page, "idea", idea=idea, support=support)]]
            else:
                ops = [["remove", f"idea-{idea.id}", ""]]
            return [*ops, ["replace", "idea-count", self._block(page, "counts", counts=counts)]]
        if idea.status == "pending":
            return None  # the approval queue is part of the workspace region
        if idea.status == "visible":
            tally = 0 if idea.cluster_id is None else None
            card = self.templates.render(
                CARD, idea=idea, tally=tally, merged=(), support=int(payload.get("support", 0))
            )
            ops = [["upsert", "unclustered", card]]
        else:
            ops = [["remove", f"idea-{idea.id}", ""]]
        return [
            *ops,
            ["replace", "idea-count", self._block(CONSOLE, "counts", counts=counts)],
            [
                "replace",
                "unclustered-count",
                self._block(CONSOLE, "unclustered_count", counts=counts),
            ],
        ]

    def _round_ops(self, payload: dict[str, Any], audience: Audience) -> list[list[str]]:
        """Phones get a link on to their new group, which the page follows at once; the
        console and projector say the round has moved on."""
        html = self.templates.render(
            ROUND_NOTICE, started=RoundStarted(**payload), go=audience is Audience.participant
        )
        return [["replace", "round-notice", html]]

    async def _turnout_ops(self, event: LiveEvent, audience: Audience) -> list[list[str]]:
        """A phone joined or left while the group votes: the results say how many phones
        may vote. (Recorded only while voting; a late replay after the vote shows nothing.)"""
        snapshot = await self._board(event.channel, audience)
        if snapshot.group.phase != "vote":
            return []
        if audience is Audience.projector:  # its results replace its list of themes
            return self._region_ops(snapshot, audience)
        return [["replace", "results", self.templates.render(RESULTS, board=snapshot)]]

    async def _vote_ops(self, event: LiveEvent, audience: Audience) -> list[list[str]] | None:
        """The item's tally from the payload; the results (who has voted, the ranking) read
        again: a dot can reorder them. The projector, whose results replace its list of
        themes, re-renders its board."""
        payload = event.payload
        if audience is Audience.projector:
            return None
        snapshot = await self._board(event.channel, audience)
        ops = [["replace", "results", self.templates.render(RESULTS, board=snapshot)]]
        if audience is Audience.facilitator or payload.get("revealed"):
            item, tally = payload["item"], payload["tally"]
            html = self.templates.render("_tally.html", item=item, tally=tally)
            ops.append(["replace", f"tally-{item}", html])
        return ops


async def questions_card(
    templates: Templates, db: Database, who: Participant, group_id: int, locale: str
) -> Frame:
    """This phone's questions card as its board shows it: the open moments with questions,
    answered or not (the same template as the page)."""

    def read(s: Any) -> tuple[str, list[answers.Asking]]:
        return get_group(s, group_id).code, answers.open_asking(s, who)

    code, asking = await db.read(read)
    return _questions_frame(templates, code, asking, locale)


def _questions_frame(
    templates: Templates, code: str, asking: list[answers.Asking], locale: str
) -> Frame:
    with i18n.using(locale):
        html = templates.render(
            "participant/_questions_card.html", asking=asking, group={"code": code}, answered=None
        )
    return frame({"type": "questions", "ops": [["replace", "questions-card", html]]})


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
