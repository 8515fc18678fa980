"""The report-back gallery: the phones' page and its plain form, the projector's page, the
organiser's open and close, and the workshop's socket that keeps them live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from facilitator import i18n
from facilitator.domain import gallery, participants
from facilitator.domain.access import get_workshop, require_organiser
from facilitator.domain.actors import Actor, Participant, Staff
from facilitator.domain.errors import DomainError, Forbidden, Invalid
from facilitator.domain.joining import JoinTarget
from facilitator.i18n import N_, gettext
from facilitator.live.viewer import Viewer
from facilitator.store import events
from facilitator.throttle import SocketLimits
from facilitator.vocabulary import Audience
from facilitator.web.auth import current_staff, device_hash, random_key, read_form
from facilitator.web.commands import flag, ident
from facilitator.web.gallery_live import plussed
from facilitator.web.limits import find_code_limited
from facilitator.web.mission_control import control
from facilitator.web.organiser import organiser_only
from facilitator.web.pages import base_url, page, see_other
from facilitator.web.sockets import MAX_MESSAGE, run_socket
from facilitator.web.state import Services, services

NOT_HERE = N_("This phone has not joined this workshop. Please scan your group's QR code.")


async def _phone(request: Request) -> tuple[JoinTarget, Participant]:
    """The workshop of the code (a group's or the workshop's) and this phone in it."""
    target = await find_code_limited(request, request.path_params["code"])
    device = device_hash(request)
    wid = target.workshop.id
    who = None
    if device is not None:
        who = await services(request).db.read(
            lambda s: participants.find_participant(s, device, wid)
        )
    if who is None:
        raise Forbidden(NOT_HERE)
    return target, who


async def phone_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    """Every group's agreed recommendations, for one phone, with its own +1s marked."""
    target, who = await _phone(request)

    def read(s: Any) -> tuple[gallery.Gallery, frozenset[int]]:
        return gallery.read_gallery(s, who.workshop_id), gallery.my_plus(s, who.id)

    view, mine = await services(request).db.read(read)
    return await page(
        request,
        "gallery/phone.html",
        status,
        gallery=view,
        mine=mine,
        error=error,
        back=target.workshop.code,
        staff=None,
    )


async def plus_form(request: Request) -> Response:
    """A +1 from the plain form (no JavaScript): the same command as the socket's."""
    form = await read_form(request)
    _, who = await _phone(request)
    try:
        rec = ident(form, "recommendation_id")
        await gallery.plus_one(services(request).db, who, rec, flag(form, "given"), random_key())
    except DomainError as exc:
        return await phone_page(request, exc.message, exc.status)
    return see_other(f"/j/{request.path_params['code']}/gallery#rec-{rec}")


async def projector_page(request: Request) -> Response:
    """The gallery on the workshop's screen, live, in the workshop's language."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    wid = request.path_params["workshop_id"]
    view = await services(request).db.read(lambda s: gallery.staff_gallery(s, staff, wid))
    with i18n.using(view.language):
        return await page(
            request,
            "gallery/projector.html",
            staff=staff,
            gallery=view,
            mine=(),
            base_host=urlsplit(base_url(request)).netloc,
        )


async def set_open(request: Request) -> Response:
    """Mission control's Open and Close buttons."""
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    open_ = form.get("open") == "1"
    try:
        await gallery.set_gallery(
            services(request).db, staff, request.path_params["workshop_id"], open_
        )
    except DomainError as exc:
        return await control(request, exc.status, error=exc.message)
    done = N_("The gallery is open on every phone.") if open_ else N_("The gallery is closed.")
    return await control(request, notice=gettext(done))


# -- the workshop's socket -------------------------------------------------------------------


async def _authorise(ws: WebSocket, workshop_id: int, audience: Audience) -> Actor:
    db = services(ws).db
    if audience is Audience.projector:
        staff = await current_staff(ws)
        if staff is None:
            raise Forbidden(N_("Please log in."))
        await db.read(lambda s: require_organiser(s, staff, workshop_id))
        return staff
    if audience is not Audience.participant:
        raise Forbidden(N_("This page is for organisers."))
    device = device_hash(ws)
    who = None
    if device is not None:
        who = await db.read(lambda s: participants.find_participant(s, device, workshop_id))
    if who is None:  # a phone of another workshop, or of none
        raise Forbidden(NOT_HERE)
    return who


async def gallery_socket(ws: WebSocket) -> None:
    svc = services(ws)
    workshop_id = ws.path_params["workshop_id"]

    async def authorise(audience: Audience) -> Actor:
        return await _authorise(ws, workshop_id, audience)

    async def language() -> str:
        return await svc.db.read(lambda s: get_workshop(s, workshop_id).language)

    await run_socket(ws, authorise, GalleryEndpoint(svc, workshop_id), language)


@dataclass(frozen=True)
class GalleryEndpoint:
    """The workshop's channel, as the gallery's phones and projector see it."""

    svc: Services
    workshop_id: int

    @property
    def channel(self) -> str:
        return events.workshop_channel(self.workshop_id)

    @property
    def limits(self) -> SocketLimits:
        settings = self.svc.settings
        return SocketLimits(MAX_MESSAGE, settings.socket_rate, settings.socket_burst)

    async def greet(self, viewer: Viewer, fresh: bool) -> None:
        """After a fresh body (rendered for everyone), the phone's own +1s."""
        if not fresh or not isinstance(viewer.actor, Participant):
            return
        who = viewer.actor
        mine = await self.svc.db.read(lambda s: gallery.my_plus(s, who.id))
        viewer.offer(None, plussed(sorted(mine), [], everything=True))

    async def handle(self, viewer: Viewer, message: dict[str, Any]) -> dict[str, Any] | None:
        key = message.get("key")
        key = key if isinstance(key, str) and len(key) <= 64 else None
        try:
            if message.get("type") != "plus":
                raise Invalid(N_("Unknown message type."))
            rec = ident(message, "recommendation_id")
            receipt = await gallery.plus_one(
                self.svc.db, viewer.actor, rec, flag(message, "given"), key
            )
        except DomainError as exc:
            return {"type": "error", "key": key, "status": exc.status, "message": exc.message}
        plus = {"recommendation": receipt.recommendation, "given": receipt.given}
        return {"type": "ack", "key": key, "plus": plus, "count": receipt.count}


routes = [
    Route("/j/{code}/gallery", phone_page),
    Route("/j/{code}/gallery", plus_form, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/gallery", projector_page),
    Route("/organiser/workshops/{workshop_id:id}/gallery", set_open, methods=["POST"]),
    WebSocketRoute("/ws/workshops/{workshop_id:id}/gallery", gallery_socket),
]
