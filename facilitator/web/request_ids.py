"""Each request and each socket gets an id, which its log lines carry (facilitator/logs.py).

An HTTP request keeps a proxy's `X-Request-ID` when it is a plain token, so lines can be
matched across the proxy and the app; the response sends the id back."""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facilitator import logs

GIVEN = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIds:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            token = logs.socket_id.set(logs.new_id())
            try:
                await self.app(scope, receive, send)
            finally:
                logs.socket_id.reset(token)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if GIVEN.fullmatch(given) else logs.new_id()
        token = logs.request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logs.request_id.reset(token)
