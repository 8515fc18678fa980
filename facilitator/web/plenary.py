"""The plenary vote over HTTP: the organiser's set-up, open and close (mission control),
the live results (projector and mission control poll them), a phone's ballot as a plain
form, and the timer that closes a vote when its time is up."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from facilitator import i18n
from facilitator.domain import plenary, plenary_views
from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Staff
from facilitator.domain.errors import DomainError, Invalid
from facilitator.i18n import N_, gettext
from facilitator.store.database import Database
from facilitator.web import participant
from facilitator.web.auth import read_form
from facilitator.web.ids import ids
from facilitator.web.mission_control import control
from facilitator.web.organiser import organiser_only
from facilitator.web.pages import see_other
from facilitator.web.state import services

log = logging.getLogger(__name__)
RESULTS = "plenary/_results.html"
TIMER_CHECK = 1.0  # seconds between looks for a plenary whose timer has run out


async def run(request: Request) -> Response:
    """Mission control's plenary form: set up, open or close."""
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    db, wid = services(request).db, request.path_params["workshop_id"]
    action = form.get("action")
    try:
        if action == "setup":
            chosen = ids(form.getlist("item"))
            setup = plenary.check_setup(
                form.get("method"), form.get("budget", ""), form.get("cap", ""), chosen
            )
            await plenary.set_up(db, staff, wid, setup)
            notice = N_("The plenary vote is set up. Open it when the room is ready.")
        elif action == "open":
            await plenary.open_vote(db, staff, wid, plenary.check_minutes(form.get("minutes")))
            notice = N_("The plenary vote is open: every phone shows the ballot.")
        elif action == "close":
            await plenary.close_vote(db, staff, wid)
            notice = N_("The plenary vote is closed. Its results go into every export.")
        else:
            raise Invalid(N_("Choose what to do with the plenary vote."))
    except DomainError as exc:
        return await control(request, exc.status, error=exc.message)
    return await control(request, notice=gettext(notice))


async def results(request: Request) -> Response:
    """The results region, for the projector and mission control; 204 when nothing changed
    since the version the page has (`?since=`), so polling costs one small read."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    svc, wid = services(request), request.path_params["workshop_id"]
    seen = request.query_params.get("since", "")

    def read(s: Any) -> tuple[str, plenary_views.Results | None, str]:
        workshop = require_organiser(s, staff, wid)
        now = plenary_views.version(s, wid)
        if seen and seen == now:
            return now, None, workshop.language
        return now, plenary_views.results(s, wid), workshop.language

    version, found, language = await svc.db.read(read)
    if found is None and seen == version:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    big = request.query_params.get("as") == "projector"
    with i18n.using(language if big else i18n.current()):
        html = svc.templates.render(
            RESULTS, plenary=found, big=big, version=version, workshop_id=wid
        )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


async def ballot(request: Request) -> Response:
    """A phone's ballot as a plain form (without JavaScript): `dots.<id>` fields, or
    `rank` fields in order."""
    form = await read_form(request)
    code = request.path_params["code"]
    svc = services(request)
    try:
        _, who = await participant.joined(request, code)
        dots = {k[5:]: v for k, v in form.multi_items() if k.startswith("dots.")}
        ranking = form.getlist("rank") or None
        await plenary.cast_ballot(
            svc.db, who, who.workshop_id, form.get("key"), dots or None, ranking
        )
    except DomainError as exc:
        return await participant.board_page(request, plenary_error=exc.message, status=exc.status)
    return see_other(f"/j/{code}#plenary-card")


async def close_when_due(db: Database) -> None:
    """Close every plenary vote whose timer has run out. Ballots are refused from the
    deadline on whatever this loop does; this records the close, so phones and screens
    hear of it (after a restart too, at its first look)."""
    while True:
        try:
            for workshop_id in await db.read(plenary.due):
                await plenary.close_due(db, workshop_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("closing plenary votes whose time is up failed")
        await asyncio.sleep(TIMER_CHECK)


routes = [
    Route("/organiser/workshops/{workshop_id:id}/plenary", run, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/plenary/results", results),
    Route("/j/{code}/plenary", ballot, methods=["POST"]),
]
