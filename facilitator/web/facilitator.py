"""Facilitator pages: their groups, and a group's live view."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator.domain import ideas, workshops
from facilitator.events import group_channel
from facilitator.web.fragments import presence_summary
from facilitator.web.pages import base_url, page, require_staff
from facilitator.web.state import services


async def my_groups(request: Request) -> Response:
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    groups = await workshops.groups_facilitated_by(services(request).db, staff)
    return await page(request, "facilitator/index.html", staff=staff, groups=groups)


async def group_view(request: Request) -> Response:
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    db = services(request).db
    workshop, group = await workshops.facilitated_group(db, staff, request.path_params["group_id"])
    board = await ideas.group_board(db, staff, group.id)
    room = services(request).rooms.get(group_channel(group.id))
    return await page(
        request,
        "facilitator/group.html",
        staff=staff,
        workshop=workshop,
        group=group,
        board=board,
        ideas=board.ideas,
        counts=board.counts,
        join_url=f"{base_url(request)}/j/{group.code}",
        presence=presence_summary(room.viewers if room else ()),
    )


routes = [
    Route("/facilitator", my_groups),
    Route("/facilitator/groups/{group_id:int}", group_view),
]
