"""Pages for phones: join by code, the group board, and the no-JavaScript forms behind it."""

from __future__ import annotations

import io
from typing import Any

import segno
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from facilitator.domain import answers, codes, ideas, participants, plenary_vote, round_state, tags
from facilitator.domain.access import get_group, get_row
from facilitator.domain.actors import Participant
from facilitator.domain.board import phone_view
from facilitator.domain.errors import DomainError, Forbidden, Invalid, NotFound
from facilitator.domain.hints import similar_ideas
from facilitator.domain.joining import JoinTarget
from facilitator.i18n import N_
from facilitator.models import Idea
from facilitator.store.events import group_channel
from facilitator.web.auth import csrf_token, device_hash, random_key, read_form
from facilitator.web.commands import dispatch
from facilitator.web.fragments import presence_summary
from facilitator.web.limits import find_code_limited
from facilitator.web.pages import base_url, page, see_other
from facilitator.web.state import services

NO_DEVICE = N_("This phone is not in a group yet. Please scan your group's QR code again.")


async def home(request: Request) -> Response:
    return await page(request, "home.html", code="", error=None, staff=None)


async def join(request: Request) -> Response:
    """The code form: on to the group's board, or back with a friendly message."""
    code = request.query_params.get("code", "")
    try:
        target = await find_code_limited(request, code)
    except DomainError as exc:
        return await page(
            request,
            "home.html",
            exc.status,
            code=code[:20],
            error=exc.message,
            staff=None,
        )
    group_or_workshop = target.group.code if target.group else target.workshop.code
    return see_other(f"/j/{group_or_workshop}")


async def _join(request: Request, code: str, create: bool) -> tuple[JoinTarget, Participant]:
    target = await find_code_limited(request, code)
    if target.group is None:
        raise Invalid(N_("That is a workshop code. Please choose your group."))
    device = device_hash(request, create=create)
    if device is None:
        raise Forbidden(NO_DEVICE)
    who = await participants.join_group(services(request).db, device, target.group.id)
    return target, who


async def joined(request: Request, code: str) -> tuple[JoinTarget, Participant]:
    """The group of the code and this phone's participant in it (a form of its board)."""
    return await _join(request, code, create=False)


async def board_page(
    request: Request,
    *,
    error: str | None = None,
    draft: str = "",
    name_error: str | None = None,
    tag_error: str | None = None,
    plenary_error: str | None = None,
    status: int = 200,
) -> Response:
    """The phone's board: opening the join link is the join (QR to typing in two taps)."""
    code = request.path_params["code"]
    svc = services(request)
    target = await find_code_limited(request, code)
    if target.group is None:
        return await _picker(request, target)
    if target.group.code != code:  # typed in lower case or with a dash: use the canonical link
        return see_other(f"/j/{target.group.code}")
    open_ids = await _open_groups(request, target)
    if open_ids is not None and target.group.id not in open_ids:  # its round is over
        return see_other(f"/j/{target.workshop.code}")
    new_device = device_hash(request) is None
    target, who = await _join(request, code, create=True)
    assert target.group is not None
    asking = await svc.db.read(lambda s: answers.open_asking(s, who))
    if new_device and any(a.moment == "joining" for a in asking):
        return see_other(f"/j/{target.group.code}/questions/joining")  # the baseline first
    view = await phone_view(svc.db, who, target.group.id)
    tag = await svc.db.read(lambda s: tags.join_tag(s, who.id))
    vote = await svc.db.read(lambda s: plenary_vote.vote(s, who.workshop_id, who))
    return await page(
        request,
        "participant/board.html",
        status,
        workshop=target.workshop,
        group=target.group,
        board=view.board,
        ideas=view.board.ideas,
        counts=view.board.counts,
        mine=view.me.mine,
        own=view.me.own,
        votes=view.me.votes,
        key=random_key(),
        draft=draft,
        error=error,
        name_error=name_error,
        participant_name=who.display_name,
        limit=svc.settings.max_idea_length,
        name_limit=svc.settings.max_name_length,
        online=_phones_online(request, target.group.id),
        tag=tag,
        tag_error=tag_error,
        asking=asking,
        answered=request.query_params.get("answered"),
        vote=vote,
        plenary_error=plenary_error,
        staff=None,
    )


async def _open_groups(request: Request, target: JoinTarget) -> set[int] | None:
    """The groups phones may join now: the current round's; None: any (no rounds)."""
    wid = target.workshop.id
    open_ids = await services(request).db.read(lambda s: round_state.open_group_ids(s, wid))
    return None if open_ids is None else set(open_ids)


async def _picker(request: Request, target: JoinTarget) -> Response:
    """A workshop code: on to this phone's group of the current round if it has one, else
    the list of groups it may join now."""
    open_ids = await _open_groups(request, target)
    if open_ids is None:
        return await page(
            request,
            "participant/picker.html",
            workshop=target.workshop,
            groups=target.workshop.groups,
            staff=None,
        )
    device = device_hash(request)
    if device is not None:
        wid = target.workshop.id
        who = await services(request).db.read(
            lambda s: participants.find_participant(s, device, wid)
        )
        if who is not None and who.group_id in open_ids:
            seat = next(g for g in target.workshop.groups if g.id == who.group_id)
            return see_other(f"/j/{seat.code}")
    groups = [g for g in target.workshop.groups if g.id in open_ids]
    return await page(
        request, "participant/picker.html", workshop=target.workshop, groups=groups, staff=None
    )


def _phones_online(request: Request, group_id: int) -> int:
    room = services(request).rooms.get(group_channel(group_id))
    return int(presence_summary(room.viewers)["phones"]) if room else 0


async def submit(request: Request) -> Response:
    """The plain form POST; a repeat of the same form (same key) makes one idea."""
    form = await read_form(request)
    code, text = request.path_params["code"], str(form.get("text", ""))
    svc = services(request)
    try:
        target, who = await _join(request, code, create=False)
        assert target.group is not None
        receipt = await ideas.submit_idea(
            svc.db,
            who,
            target.group.id,
            str(form.get("key", "")),
            text,
            svc.settings.max_idea_length,
        )
    except Invalid as exc:
        return await board_page(
            request,
            error=exc.message,
            draft=text[: svc.settings.max_idea_length * 2],
            status=400,
        )
    return see_other(f"/j/{target.group.code}#idea-{receipt.idea_id}")


async def set_name(request: Request) -> Response:
    form = await read_form(request)
    svc = services(request)
    code = request.path_params["code"]
    try:
        target, who = await _join(request, code, create=False)
        await participants.set_display_name(
            svc.db, who, str(form.get("name", "")), svc.settings.max_name_length
        )
    except Invalid as exc:
        return await board_page(request, name_error=exc.message, status=400)
    assert target.group is not None
    return see_other(f"/j/{target.group.code}")


async def _idea_owner(request: Request) -> tuple[int, Participant, str]:
    """The idea in the path, the participant acting on it, and their board's link."""
    idea_id = request.path_params["idea_id"]
    device = device_hash(request)
    if device is None:
        raise Forbidden(NO_DEVICE)

    def read(s: Session) -> tuple[Participant | None, str]:
        idea = get_row(s, Idea, idea_id)
        if idea is None:
            raise NotFound(N_("That idea is not on the board any more."))
        group = get_group(s, idea.group_id)
        return participants.find_participant(s, device, group.workshop_id), group.code

    who, code = await services(request).db.read(read)
    if who is None:
        raise Forbidden(N_("You can only change your own ideas."))
    return idea_id, who, f"/j/{code}"


async def edit_page(request: Request) -> Response:
    idea_id, who, back = await _idea_owner(request)
    svc = services(request)
    view = await phone_view(svc.db, who, who.group_id or 0)
    ideas_of_mine = [*view.board.ideas, *view.me.own]
    idea = next((i for i in ideas_of_mine if i.id == idea_id and i.participant_id == who.id), None)
    if idea is None:
        raise Forbidden(N_("You can only change your own ideas."))
    return await _edit_form(request, idea, idea.text, back)


async def _edit_form(
    request: Request, idea: Any, text: str, back: str, error: str | None = None, status: int = 200
) -> HTMLResponse:
    return await page(
        request,
        "participant/edit.html",
        status,
        idea=idea,
        text=text,
        back=back,
        error=error,
        limit=services(request).settings.max_idea_length,
        staff=None,
    )


async def edit(request: Request) -> Response:
    form = await read_form(request)
    idea_id, who, back = await _idea_owner(request)
    svc = services(request)
    text = str(form.get("text", ""))
    try:
        await ideas.edit_own_idea(svc.db, who, idea_id, text, svc.settings.max_idea_length)
    except Invalid as exc:
        return await _edit_form(request, {"id": idea_id}, text[:10_000], back, exc.message, 400)
    return see_other(f"{back}#idea-{idea_id}")


async def withdraw(request: Request) -> Response:
    await read_form(request)
    idea_id, who, back = await _idea_owner(request)
    await ideas.withdraw_own_idea(services(request).db, who, idea_id)
    return see_other(back)


async def run_command(request: Request) -> Response:
    """A phone's command from a plain form (votes without JavaScript); the same dispatch as
    the socket's."""
    form = await read_form(request)
    svc = services(request)
    target, who = await _join(request, request.path_params["code"], create=False)
    assert target.group is not None
    try:
        await dispatch(svc, who, target.group.id, form)
    except Invalid as exc:
        return await board_page(request, error=exc.message, status=400)
    return see_other(f"/j/{target.group.code}")


async def similar(request: Request) -> Response:
    """The duplicate hint: ideas on the board much like what the phone is typing."""
    svc = services(request)
    code, device = request.path_params["code"], device_hash(request)
    # A look-up, not a join: only a phone already in this group gets hints from its board.
    # No code throttle: an unknown code and a phone of another group get the same refusal,
    # so a guesser learns nothing here.
    text = request.query_params.get("text", "")
    found = None if device is None else await similar_ideas(svc.db, code, device, text)
    if found is None:
        raise Forbidden(NO_DEVICE)
    who, ideas = found
    html = svc.templates.render(
        "participant/_similar.html",
        ideas=ideas,
        me=who.id,
        code=codes.normalise(code),
        csrf=csrf_token(request),
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


async def qr_code(request: Request) -> Response:
    """The join link as an SVG QR code, for screens and printed cards."""
    target = await find_code_limited(request, request.path_params["code"])
    code = target.group.code if target.group else target.workshop.code
    url = f"{base_url(request)}/j/{code}"
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(
        out,
        kind="svg",
        border=2,
        title=url,
        dark="#000",
        light="#fff",
        omitsize=True,
        xmldecl=False,
        svgns=True,
    )
    svg = out.getvalue()
    # Private: a shared cache must not hand one reader's image to another (the link is built
    # from configuration, but the code came from this reader's request and throttle).
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )


routes = [
    Route("/", home),
    Route("/join", join),
    Route("/j/{code}", board_page),
    Route("/j/{code}/ideas", submit, methods=["POST"]),
    Route("/j/{code}/name", set_name, methods=["POST"]),
    Route("/j/{code}/command", run_command, methods=["POST"]),
    Route("/j/{code}/similar", similar),
    Route("/j/{code}/qr.svg", qr_code),
    Route("/ideas/{idea_id:id}/edit", edit_page),
    Route("/ideas/{idea_id:id}/edit", edit, methods=["POST"]),
    Route("/ideas/{idea_id:id}/withdraw", withdraw, methods=["POST"]),
]
