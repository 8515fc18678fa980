"""Staff log in and out, change their password, and accept invitations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator.domain import accounts
from facilitator.domain.errors import Invalid, TooMany
from facilitator.web.auth import (
    SESSION_COOKIE,
    current_staff,
    end_session,
    read_form,
    start_session,
)
from facilitator.web.limits import login_limited
from facilitator.web.pages import page, require_staff, safe_path, see_other
from facilitator.web.state import services


async def login_page(request: Request) -> Response:
    staff = await current_staff(request)
    nxt = safe_path(request.query_params.get("next"))
    if staff is not None:
        return see_other(nxt or _landing(staff.is_organiser))
    return await page(request, "login.html", next=nxt, email="", error=None)


def _landing(is_organiser: bool) -> str:
    return "/organiser" if is_organiser else "/facilitator"


async def login(request: Request) -> Response:
    form = await read_form(request)
    email = str(form.get("email", ""))[:254]
    nxt = safe_path(form.get("next"))
    svc = services(request)
    password, previous = str(form.get("password", "")), request.cookies.get(SESSION_COOKIE)
    try:
        token = await login_limited(
            request, email, lambda: accounts.log_in(svc.db, email, password, previous)
        )
    except (Invalid, TooMany) as exc:
        return await page(
            request, "login.html", exc.status, next=nxt, email=email, error=exc.message
        )
    start_session(request, token)
    staff = await accounts.session_user(svc.db, token, svc.session_policy)
    return see_other(nxt or _landing(bool(staff and staff.is_organiser)))


async def logout(request: Request) -> Response:
    await read_form(request)
    staff = await current_staff(request)
    if staff is not None:
        await accounts.log_out(services(request).db, staff)
    end_session(request)
    return see_other("/login")


async def account_page(request: Request) -> Response:
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    done = request.query_params.get("done") == "1"
    return await page(request, "account/index.html", staff=staff, error=None, done=done)


async def change_password(request: Request) -> Response:
    form = await read_form(request)
    staff = await require_staff(request)
    if isinstance(staff, Response):
        return staff
    try:
        token = await accounts.change_password(
            services(request).db, staff, str(form.get("current", "")), str(form.get("new", ""))
        )
    except Invalid as exc:
        return await page(
            request,
            "account/index.html",
            400,
            staff=staff,
            error=exc.message,
            done=False,
        )
    start_session(request, token)
    return see_other("/account?done=1")


async def invitation_page(request: Request) -> Response:
    token = request.path_params["token"]
    view = await accounts.invitation(services(request).db, token)
    return await page(
        request,
        "account/invitation.html",
        invitation=view,
        token=token,
        name="",
        error=None,
        staff=None,
    )


async def accept_invitation(request: Request) -> Response:
    form = await read_form(request)
    token = request.path_params["token"]
    db = services(request).db
    name = str(form.get("name", ""))[:120]
    try:
        session = await accounts.accept_invitation(db, token, name, str(form.get("password", "")))
    except Invalid as exc:
        view = await accounts.invitation(db, token)
        return await page(
            request,
            "account/invitation.html",
            400,
            invitation=view,
            token=token,
            name=name,
            error=exc.message,
            staff=None,
        )
    start_session(request, session)
    return see_other("/facilitator")


routes = [
    Route("/login", login_page),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account", account_page),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/invite/{token}", invitation_page),
    Route("/invite/{token}", accept_invitation, methods=["POST"]),
]
