"""Mission control over every group: live status, broadcast, and the workshop projector."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from facilitator import i18n, metrics
from facilitator.domain import (
    broadcast,
    impact_results,
    plenary_views,
    rounds,
    synthesis,
    workshop_views,
)
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Invalid
from facilitator.domain.exports import workshop_snapshot
from facilitator.domain.mission import mission
from facilitator.export import charts
from facilitator.i18n import N_, gettext
from facilitator.snapshot import Snapshot
from facilitator.store.events import group_channel
from facilitator.web import operations
from facilitator.web.auth import read_form
from facilitator.web.fragments import presence_summary
from facilitator.web.ids import ids
from facilitator.web.organiser import organiser_only
from facilitator.web.pages import base_url, page
from facilitator.web.state import services


async def _mission_context(request: Request, staff: Staff) -> dict[str, Any]:
    svc = services(request)
    view = await mission(svc.db, staff, request.path_params["workshop_id"])
    presence = {}
    for group in view.groups:
        room = svc.rooms.get(group_channel(group.id))
        presence[group.id] = presence_summary(room.viewers if room else ())
    return {"mission": view, "presence": presence}


async def control(
    request: Request, status: int = 200, notice: str | None = None, error: str | None = None
) -> Response:
    """Mission control: every group live, and broadcast actions over all or some."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    context = await _mission_context(request, staff)
    snap = await workshop_snapshot(
        services(request).db, staff, request.path_params["workshop_id"], False
    )
    wid = request.path_params["workshop_id"]
    impact = await services(request).db.read(lambda s: impact_results.results(s, staff, wid))
    plenary_setup = await services(request).db.read(lambda s: plenary_views.setup(s, staff, wid))
    plenary_results = await services(request).db.read(lambda s: plenary_views.results(s, wid))
    return await page(
        request,
        "organiser/control.html",
        status,
        staff=staff,
        notice=notice,
        error=error,
        participation=_participation(snap),
        rounds=await rounds.rounds_overview(
            services(request).db, staff, request.path_params["workshop_id"]
        ),
        chart=Markup(charts.svg_chart(metrics.submissions(snap))),  # built from numbers only
        impact=impact,
        plenary_setup=plenary_setup,
        plenary_results=plenary_results,
        projector=False,
        **context,
        **await operations.panel_context(request),
    )


def _participation(snap: Snapshot) -> list[tuple[metrics.Figures, int]]:
    """Each group's figures (then the workshop's) with its ideas on the board now: the one
    idea count mission control shows everywhere, as the group's console counts them."""
    on_board = [
        len([i for i in snap.ideas if i.group_id == g.id and i.status == "visible"])
        for g in snap.groups
    ]
    return list(zip(metrics.every_group(snap), [*on_board, sum(on_board)], strict=True))


async def control_table(request: Request) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    context = await _mission_context(request, staff)
    html = services(request).templates.block("organiser/control.html", "table", **context)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


async def run_broadcast(request: Request) -> Response:
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    db, workshop_id = services(request).db, request.path_params["workshop_id"]
    action, scope = form.get("action"), form.get("scope")
    groups = None if scope == "all" else ids(form.getlist("group"))
    try:
        if action in ("phase", "timer", "lock", "unlock") and scope not in ("all", "selected"):
            # Nothing is chosen for the organiser: a broadcast starts with no groups.
            raise Invalid(N_("Choose the groups first: all of them, or those ticked below."))
        if action == "phase":
            n = await broadcast.set_phase(db, staff, workshop_id, groups, form.get("phase"))
        elif action == "timer":
            n = await broadcast.start_timer(db, staff, workshop_id, groups, form.get("minutes"))
        elif action in ("lock", "unlock"):
            n = await broadcast.lock_writing(db, staff, workshop_id, groups, action == "lock")
        elif action in ("announce", "clear"):
            text = form.get("announcement", "") if action == "announce" else ""
            n = await broadcast.announce(db, staff, workshop_id, text)
        else:
            raise Invalid(N_("Choose what to broadcast."))
    except Invalid as exc:
        return await control(request, 400, error=exc.message)
    return await control(request, notice=gettext(N_("Done, for {n} groups.")).format(n=n))


async def _overview_context(request: Request, staff: Staff) -> dict[str, Any]:
    svc = services(request)
    workshop_id = request.path_params["workshop_id"]
    overview = await mission(svc.db, staff, workshop_id)
    board = await synthesis.board(svc.db, staff, workshop_id)
    agreed: dict[int, list[Any]] = {g.id: [] for g in overview.groups}
    for rec in board.recommendations:
        if rec.agreed:
            agreed[rec.group_id].append(rec)
    return {"overview": overview, "agreed": agreed}


async def workshop_projector(request: Request) -> Response:
    """Every group on one screen, with the workshop's join code and QR large."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    context = await _overview_context(request, staff)
    view = await workshop_views.organiser_workshop(
        services(request).db, staff, request.path_params["workshop_id"]
    )
    with i18n.using(view.language):  # a shared screen speaks the workshop's language
        return await page(
            request,
            "organiser/projector.html",
            staff=staff,
            workshop_code=view.code,
            base_host=urlsplit(base_url(request)).netloc,
            plenary=await services(request).db.read(
                lambda s: plenary_views.results(s, request.path_params["workshop_id"])
            ),
            **context,
        )


async def workshop_projector_groups(request: Request) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    context = await _overview_context(request, staff)
    view = await workshop_views.organiser_workshop(
        services(request).db, staff, request.path_params["workshop_id"]
    )
    with i18n.using(view.language):
        html = services(request).templates.block("organiser/projector.html", "overview", **context)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


routes = [
    Route("/organiser/workshops/{workshop_id:id}/control", control),
    Route("/organiser/workshops/{workshop_id:id}/control", run_broadcast, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/control/table", control_table),
    Route("/organiser/workshops/{workshop_id:id}/projector", workshop_projector),
    Route("/organiser/workshops/{workshop_id:id}/projector/groups", workshop_projector_groups),
]
