"""The reader's language: the device's own choice (a cookie), else the browser's."""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator import i18n
from facilitator.web.auth import queue_cookie, read_form
from facilitator.web.pages import safe_path, see_other

YEAR = 365 * 24 * 3600


def reader_locale(conn: HTTPConnection) -> str:
    return i18n.negotiate(conn.cookies.get(i18n.COOKIE), conn.headers.get("accept-language"))


async def choose(request: Request) -> Response:
    """One tap on a language: it sticks to this device for a year."""
    form = await read_form(request)
    chosen = i18n.supported(form.get("lang"))
    if chosen:
        queue_cookie(request, i18n.COOKIE, chosen, YEAR)
    return see_other(safe_path(form.get("next")) or "/")


routes = [Route("/language", choose, methods=["POST"])]
