"""Pure ASGI middleware: the reader's language, queued cookies, cross-site refusal, body
limits, clients that go away, headers."""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facilitator import i18n
from facilitator.web.auth import cookie_header, same_origin
from facilitator.web.bodies import TOO_LARGE, BodyTooLarge, capped, declared_too_large
from facilitator.web.language import reader_locale

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
HSTS = "max-age=31536000"  # a year; sent only when the site is served over HTTPS


class WebMiddleware:
    def __init__(self, app: ASGIApp, secure_cookies: bool = False):
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        with i18n.using(reader_locale(request)):
            await self._respond(request, scope, receive, send)

    async def _respond(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        secure = self.secure_cookies or scope.get("scheme") == "https"
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, (value, max_age) in scope.get("state", {}).get("set_cookies", {}).items():
                    headers.append(
                        "set-cookie", cookie_header(name, value, max_age, secure).decode("latin-1")
                    )
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if secure:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        if request.method not in SAFE_METHODS and not same_origin(request):
            message = i18n.gettext(i18n.N_("Cross-site requests are not allowed."))
            await PlainTextResponse(message, 403)(scope, receive, send_with_headers)
            return
        if declared_too_large(scope):
            await _too_large()(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, capped(receive), send_with_headers)
        except BodyTooLarge:
            if not started:  # else the response is on its way, and the client has it
                await _too_large()(scope, receive, send_with_headers)
        except ClientDisconnect:
            # Nobody is left to answer, and nothing is wrong with the app: one quiet line.
            log.debug(
                "%s %s: the client went away during its request", request.method, scope["path"]
            )


def _too_large() -> PlainTextResponse:
    return PlainTextResponse(i18n.gettext(TOO_LARGE), 413)
