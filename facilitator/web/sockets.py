"""The group WebSocket: authorise before accept, then commands in and frames out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketState

from facilitator import i18n
from facilitator.domain import participants, rounds
from facilitator.domain.access import require_facilitator, workshop_language
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.board import own_state
from facilitator.domain.errors import DomainError, Forbidden
from facilitator.i18n import N_
from facilitator.live.socket import Endpoint, Resume, serve_socket
from facilitator.live.viewer import Disconnected, Viewer, frame
from facilitator.store import events
from facilitator.throttle import SocketLimits
from facilitator.vocabulary import Audience
from facilitator.web.auth import current_staff, device_hash, same_origin
from facilitator.web.commands import dispatch
from facilitator.web.fragments import questions_card
from facilitator.web.frame_protocol import write_now_of
from facilitator.web.language import reader_locale
from facilitator.web.plenary_card import ballot_card
from facilitator.web.state import Services, services

POLICY_VIOLATION = 1008
MAX_MESSAGE = 16 * 1024  # characters; far more than any command needs


async def _authorise(ws: WebSocket, group_id: int, audience: Audience) -> Actor:
    db = services(ws).db
    if audience in (Audience.facilitator, Audience.projector):
        staff = await current_staff(ws)
        if staff is None:
            raise Forbidden(N_("Please log in."))
        await db.read(lambda s: require_facilitator(s, staff, group_id))
        return staff
    device = device_hash(ws)
    if device is None:
        raise Forbidden(N_("This phone is not in a group yet."))
    who = await db.read(lambda s: participants.in_group(s, device, group_id))
    if who is None:  # a phone of an earlier round: let in, to be sent on (greet)
        who = await db.read(lambda s: rounds.moved_on(s, device, group_id))
    if who is None:
        raise Forbidden(N_("You can only take part in the group you joined."))
    return who


async def group_socket(ws: WebSocket) -> None:
    svc = services(ws)
    group_id = ws.path_params["group_id"]

    async def authorise(audience: Audience) -> Actor:
        return await _authorise(ws, group_id, audience)

    async def language() -> str:  # a shared screen speaks the workshop's language
        return await svc.db.read(lambda s: workshop_language(s, group_id))

    await run_socket(ws, authorise, GroupEndpoint(svc, group_id), language)


async def run_socket(
    ws: WebSocket,
    authorise: Callable[[Audience], Awaitable[Actor]],
    endpoint: Endpoint,
    projector_language: Callable[[], Awaitable[str]],
) -> None:
    """Authorise before accept (a refusal is the handshake's 403), then serve the socket in
    its reader's language; a projector's, in its workshop's."""
    svc = services(ws)
    try:
        audience = Audience(ws.query_params.get("as", "participant"))
        since_raw = ws.query_params.get("since", "")
        since = int(since_raw) if since_raw.isdigit() else None
        epoch = ws.query_params.get("epoch", "")[:16]
        if not same_origin(ws):
            raise Forbidden(N_("This page comes from another site."))
        actor = await authorise(audience)
    except (DomainError, ValueError):
        await ws.close(POLICY_VIOLATION)  # before accept: the handshake is refused (403)
        return
    await ws.accept()
    if audience is Audience.projector:
        locale = await projector_language()
    else:
        locale = reader_locale(ws)
    viewer = Viewer(StarletteSocket(ws), audience, actor, svc.settings.socket_queue_size, locale)
    with i18n.using(locale):
        await serve_socket(svc.rooms, endpoint, viewer, Resume(since, epoch))


class StarletteSocket:
    """Starlette's WebSocket as live/'s Socket."""

    def __init__(self, ws: WebSocket):
        self._ws = ws
        self.write_now = write_now_of(ws.scope)

    @property
    def open(self) -> bool:
        return self._ws.application_state == WebSocketState.CONNECTED

    async def receive(self) -> str | None:
        message = await self._ws.receive()
        if message["type"] == "websocket.disconnect":
            raise Disconnected(message.get("code"))
        text = message.get("text")
        return text if isinstance(text, str) else None

    async def send(self, text: str) -> None:
        await self._ws.send_text(text)

    async def close(self, code: int) -> None:
        await self._ws.close(code)


@dataclass(frozen=True)
class GroupEndpoint:
    """A group's socket: phones, its console and its projector."""

    svc: Services
    group_id: int

    @property
    def channel(self) -> str:
        return events.group_channel(self.group_id)

    @property
    def limits(self) -> SocketLimits:
        settings = self.svc.settings
        return SocketLimits(MAX_MESSAGE, settings.socket_rate, settings.socket_burst)

    async def greet(self, viewer: Viewer, fresh: bool) -> None:
        """What is this phone's own: its ideas, their states, its dots. After a replay the
        phone has it already: the replay's personal frames brought it up to date."""
        if not isinstance(viewer.actor, Participant):
            return
        if viewer.actor.group_id != self.group_id:  # its round is over: on to its group
            await self._send_on(viewer)
            return
        if not fresh:
            return
        own = await own_state(self.svc.db, viewer.actor, self.group_id)
        status = self.svc.templates.render("participant/_own_status.html", own=own.own)
        ops = [["replace", "own-status", status]]
        mine = sorted(own.mine)
        viewer.offer(None, frame({"type": "own", "ops": ops, "mine": mine, "all": True}))
        state = {"type": "votes", "remaining": own.votes.remaining, "placed": own.votes.placed}
        viewer.offer(None, frame(state))
        # A fresh board follows missed events that were not replayed: a moment may have
        # opened or closed meanwhile.
        card = await questions_card(
            self.svc.templates, self.svc.db, viewer.actor, self.group_id, viewer.locale
        )
        viewer.offer(None, card)
        ops = await ballot_card(
            self.svc.templates, self.svc.db, viewer.actor, self.group_id, viewer.locale
        )
        viewer.offer(None, frame({"type": "plenary", "ops": ops}))

    async def _send_on(self, viewer: Viewer) -> None:
        moved = await self.svc.db.read(lambda s: rounds.moved_on_from(s, self.group_id))
        if moved is None:
            return
        with i18n.using(viewer.locale):
            html = self.svc.templates.render("rounds/_notice.html", started=moved, go=True)
        viewer.offer(None, frame({"type": "go", "ops": [["replace", "round-notice", html]]}))

    async def handle(self, viewer: Viewer, message: dict[str, Any]) -> dict[str, Any] | None:
        return await _command(self.svc, self.group_id, viewer, message)


async def _command(
    svc: Services, group_id: int, viewer: Viewer, message: dict[str, Any]
) -> dict[str, Any]:
    """One command from a socket. Each answer carries the message's key, for the outbox."""
    key = message.get("key")
    key = key if isinstance(key, str) and len(key) <= 64 else None
    try:
        reply = await dispatch(svc, viewer.actor, group_id, message) or {}
    except DomainError as exc:
        return {
            "type": "error",
            "key": key,
            "status": exc.status,
            "message": exc.message,
        }
    actor = reply.pop("actor", None)
    if actor is not None:  # a new display name: the presence list shows it
        viewer.actor = actor
        room = svc.rooms.get(events.group_channel(group_id))
        if room is not None:
            room.presence_changed()
    return {"type": "ack", "key": key, **reply}


routes = [WebSocketRoute("/ws/groups/{group_id:id}", group_socket)]
