"""The synthesis board: every group's recommendations into the workshop's final ones."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator.domain import recommendations, synthesis
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Invalid
from facilitator.domain.recommendations import check_draft
from facilitator.i18n import N_
from facilitator.web.auth import read_form
from facilitator.web.ids import ids
from facilitator.web.organiser import organiser_only
from facilitator.web.pages import page, see_other
from facilitator.web.state import services


async def synthesis_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    board = await synthesis.board(services(request).db, staff, request.path_params["workshop_id"])
    return await page(
        request,
        "organiser/synthesis.html",
        status,
        staff=staff,
        board=board,
        error=error,
        suggestions=await synthesis.near_duplicates(board),
    )


async def synthesis_action(request: Request) -> Response:
    """One synthesis form; each action calls one command."""
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    db, workshop_id = services(request).db, request.path_params["workshop_id"]
    action = form.get("action")
    try:
        if action in ("create", "merge_pair"):
            picked = form.getlist("rec") if action == "create" else str(form.get("rec")).split(",")
            draft = check_draft(form.get("title", ""), "", "", blank_title=True)
            await recommendations.synthesise(db, staff, workshop_id, draft, ids(picked))
        elif action == "add":
            final_id = ids([form.get("final")])[0]
            for rec_id in ids(form.getlist("rec")):
                await recommendations.add_source(db, staff, final_id, rec_id)
        elif action == "remove_source":
            final_id, rec_id = ids([form.get("final"), form.get("rec")])
            await recommendations.remove_source(db, staff, final_id, rec_id)
        elif action == "edit":
            texts = (form.get(k, "") for k in ("text", "rationale", "who_acts"))
            draft = check_draft(form.get("title"), *texts)
            await recommendations.edit(db, staff, ids([form.get("final")])[0], draft)
        elif action == "mark":
            await recommendations.set_agreed(
                db, staff, ids([form.get("final")])[0], form.get("value") == "1"
            )
        elif action == "move":
            await recommendations.move(
                db, staff, ids([form.get("final")])[0], form.get("direction")
            )
        elif action == "delete":
            await recommendations.delete(db, staff, ids([form.get("final")])[0])
        else:
            raise Invalid(N_("Choose what to do."))
    except Invalid as exc:
        return await synthesis_page(request, 400, exc.message)
    return see_other(f"/organiser/workshops/{workshop_id}/synthesis")


routes = [
    Route("/organiser/workshops/{workshop_id:id}/synthesis", synthesis_page),
    Route("/organiser/workshops/{workshop_id:id}/synthesis", synthesis_action, methods=["POST"]),
]
