"""Facilitator pages: their groups, a group's live console, its audit trail."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from facilitator import i18n
from facilitator.domain import audit, merging, workshop_views
from facilitator.domain import suggestions as suggestions_domain
from facilitator.domain.board import console_view, projector_view
from facilitator.domain.errors import Invalid
from facilitator.i18n import N_
from facilitator.store.events import group_channel
from facilitator.web.auth import read_form
from facilitator.web.commands import dispatch
from facilitator.web.fragments import presence_summary
from facilitator.web.pages import base_url, page, require_staff, see_other
from facilitator.web.state import services

# How each engine grouped the ideas, as whole sentences (translated where shown: a name put
# into a translated sentence would stay in English).
ENGINE_SENTENCES = {
    "tfidf": N_("Grouped by the words the ideas share (TF-IDF)."),
    "semantic": N_("Grouped by what the ideas mean (English sentence embeddings)."),
    "multilingual": N_("Grouped by what the ideas mean, in any language."),
}


async def my_groups(request: Request) -> Response:
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    groups = await workshop_views.groups_facilitated_by(services(request).db, staff)
    return await page(request, "facilitator/index.html", staff=staff, groups=groups)


async def group_view(request: Request, error: str | None = None, status: int = 200) -> Response:
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    svc = services(request)
    workshop, group = await workshop_views.facilitated_group(
        svc.db, staff, request.path_params["group_id"]
    )
    board = await console_view(svc.db, staff, group.id)
    # A console open is a group likely to ask for suggestions: its ideas' vectors are computed
    # in the background from now on (or read back from the database), so that "Suggest" finds
    # them ready.
    suggestions_domain.prepare(svc.db, group.id)
    room = svc.rooms.get(group_channel(group.id))
    return await page(
        request,
        "facilitator/group.html",
        status,
        staff=staff,
        workshop=workshop,
        group=group,
        board=board,
        ideas=board.ideas,
        counts=board.counts,
        join_url=f"{base_url(request)}/j/{group.code}",
        presence=presence_summary(room.viewers if room else ()),
        error=error,
    )


async def run_command(request: Request) -> Response:
    """A console command from a plain form: the same dispatch as the socket's."""
    form = await read_form(request)
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    group_id = request.path_params["group_id"]
    try:
        await dispatch(services(request), staff, group_id, form)
    except Invalid as exc:
        return await group_view(request, exc.message, 400)
    return see_other(f"/facilitator/groups/{group_id}")


async def projector(request: Request) -> Response:
    """The group for a screen at 1920×1080: join code large, the live board, the timer."""
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    svc = services(request)
    workshop, group = await workshop_views.facilitated_group(
        svc.db, staff, request.path_params["group_id"]
    )
    board = await projector_view(svc.db, staff, group.id)
    with i18n.using(workshop.language):  # a shared screen speaks the workshop's language
        return await page(
            request,
            "facilitator/projector.html",
            staff=staff,
            workshop=workshop,
            group=group,
            board=board,
            ideas=board.ideas,
            counts=board.counts,
            base_host=urlsplit(base_url(request)).netloc,
        )


async def suggestions(request: Request) -> Response:
    """A preview of suggested themes, as a fragment for the console; it changes nothing."""
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    preview = await suggestions_domain.preview(
        services(request).db, staff, request.path_params["group_id"]
    )
    html = services(request).templates.render(
        "facilitator/_suggestions.html",
        preview=preview,
        engine_sentences=ENGINE_SENTENCES,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


async def merge_candidates(request: Request) -> Response:
    """The ideas this one could be merged into, most alike first, for the console's list."""
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    found = await merging.merge_candidates(
        services(request).db,
        staff,
        request.path_params["group_id"],
        request.path_params["idea_id"],
    )
    body = [{"id": c.idea_id, "score": c.score, "alike": c.alike} for c in found]
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def audit_page(request: Request) -> Response:
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    svc = services(request)
    workshop, group = await workshop_views.facilitated_group(
        svc.db, staff, request.path_params["group_id"]
    )
    entries = await audit.group_trail(svc.db, staff, group.id)
    return await page(
        request,
        "facilitator/audit.html",
        staff=staff,
        workshop=workshop,
        group=group,
        entries=entries,
    )


routes = [
    Route("/facilitator", my_groups),
    Route("/facilitator/groups/{group_id:id}", group_view),
    Route("/facilitator/groups/{group_id:id}/command", run_command, methods=["POST"]),
    Route("/facilitator/groups/{group_id:id}/audit", audit_page),
    Route("/facilitator/groups/{group_id:id}/projector", projector),
    Route("/facilitator/groups/{group_id:id}/suggestions", suggestions),
    Route("/facilitator/groups/{group_id:id}/ideas/{idea_id:id}/similar", merge_candidates),
]
