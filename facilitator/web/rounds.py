"""Rounds from mission control: start the next one, and every phone moves to its group."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator.domain import round_setup, rounds, tags
from facilitator.domain.actors import Staff
from facilitator.domain.errors import DomainError
from facilitator.i18n import N_, gettext
from facilitator.store.database import Database
from facilitator.web import participant
from facilitator.web.auth import read_form
from facilitator.web.mission_control import control
from facilitator.web.organiser import organiser_only, workshop_page
from facilitator.web.pages import see_other
from facilitator.web.state import services


async def next_round(request: Request) -> Response:
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    from_round = str(form.get("from_round", ""))
    listed = str(form.get("list", ""))
    try:
        started = await rounds.start_next_round(
            services(request).db,
            staff,
            request.path_params["workshop_id"],
            int(from_round) if from_round.isdigit() else 0,
            listed,
            None,
        )
    except DomainError as exc:
        return await control(request, exc.status, error=exc.message)
    notice = gettext(
        N_("{round} has started: {seated} phones seated, {choosing} choosing.")
    ).format(round=started.name, seated=started.seated, choosing=started.choosing)
    return await control(request, notice=notice)


async def set_tag(request: Request) -> Response:
    """The phone's answer to the workshop's question at join (the plain form)."""
    form = await read_form(request)
    code = request.path_params["code"]
    try:
        target, who = await participant.joined(request, code)
        await tags.set_tag(services(request).db, who, str(form.get("tag", "")))
    except DomainError as exc:
        return await participant.board_page(request, tag_error=exc.message, status=exc.status)
    assert target.group is not None
    return see_other(f"/j/{target.group.code}")


async def _setup_form(request: Request, run: Any) -> Response:
    """A rounds form on the workshop page: run the command, show the page again."""
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    try:
        await run(services(request).db, staff, request.path_params["workshop_id"], form)
    except DomainError as exc:
        return await workshop_page(request, exc.status, error=exc.message)
    return await workshop_page(request, notice=gettext(N_("Rounds saved.")))


async def add_round(request: Request) -> Response:
    async def run(db: Database, staff: Staff, workshop_id: int, form: Any) -> None:
        name, way = form.get("name", ""), form.get("assignment", "")
        await round_setup.add_round(db, staff, workshop_id, name, way)

    return await _setup_form(request, run)


async def place_groups(request: Request) -> Response:
    async def run(db: Database, staff: Staff, workshop_id: int, form: Any) -> None:
        places = []
        for key, value in form.multi_items():
            group, rnd = key.removeprefix("round-"), str(value)
            if key.startswith("round-") and group.isdigit() and rnd.isdigit():
                places.append((int(group), int(rnd)))
        await round_setup.place_groups(db, staff, workshop_id, places)

    return await _setup_form(request, run)


async def set_tag_label(request: Request) -> Response:
    async def run(db: Database, staff: Staff, workshop_id: int, form: Any) -> None:
        await round_setup.set_tag_label(db, staff, workshop_id, form.get("tag_label", ""))

    return await _setup_form(request, run)


routes = [
    Route("/organiser/workshops/{workshop_id:id}/rounds", add_round, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/rounds/places", place_groups, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/tag-label", set_tag_label, methods=["POST"]),
    Route("/j/{code}/tag", set_tag, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/rounds/next", next_round, methods=["POST"]),
]
