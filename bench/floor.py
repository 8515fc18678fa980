"""The bare-transport floor: the app's join/ack/frame shapes with no persistence and no logic.

    python -m bench.floor --port 8123

Same uvicorn settings as `facilitator serve` (no per-message deflate, 64 KB messages), one
process, state in memory. It does only what the protocol needs so that the same generator
drives it: a join link that sets the device cookie, a socket per group, keys deduplicated (or
a resend after reconnect would double an idea), seq per group, resync from `since`, and each
idea sent to every socket of its group as one pre-encoded frame. Every benchmark figure is
reported as a ratio to this server, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import secrets
from dataclasses import dataclass, field

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

DEVICE_COOKIE = "facilitator_device"  # the app's cookie name, so the generator is the same
RESYNC_LIMIT = 200  # as the app's default: further behind gets a fresh board
EPOCH = secrets.token_hex(4)
WS_MAX_SIZE = 64 * 1024


@dataclass
class Group:
    seq: int = 0
    sockets: set[WebSocket] = field(default_factory=set)
    frames: list[str] = field(default_factory=list)  # frames[n] is seq n + 1
    items: list[str] = field(default_factory=list)  # the board's <li>s, oldest first
    keys: dict[str, int] = field(default_factory=dict)  # idempotency: key -> idea id
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


groups: dict[int, Group] = {}
next_idea = 0


def _group(group_id: int) -> Group:
    return groups.setdefault(group_id, Group())


def _item(idea_id: int, text: str) -> str:
    # About the size of the app's rendered idea, so frames weigh the same on the wire.
    return (
        f'<li id="idea-{idea_id}" class="idea" data-id="{idea_id}">'
        f'<p class="idea-text" dir="auto">{html.escape(text)}</p>'
        '<p class="idea-meta"><span class="mine-tag">Your idea ·</span><bdi>Anonymous</bdi></p>'
        f'<div class="own-actions"><a href="/ideas/{idea_id}/edit" class="button small" '
        f'data-action="edit">Edit</a><form method="post" action="/ideas/{idea_id}/withdraw" '
        'data-action="withdraw"><input type="hidden" name="csrf" value="">'
        '<button type="submit" class="small">Withdraw</button></form></div></li>'
    )


async def join(request: Request) -> HTMLResponse:
    response = HTMLResponse("<!doctype html><title>floor</title><p>joined</p>")
    if DEVICE_COOKIE not in request.cookies:
        token = secrets.token_urlsafe(24)
        response.set_cookie(DEVICE_COOKIE, token, httponly=True, samesite="lax")
    return response


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def _reset(group: Group) -> str:
    count = f'<span id="idea-count" class="count">{len(group.items)}</span>'
    ops = [["replace", "ideas", '<ul id="ideas">' + "".join(reversed(group.items)) + "</ul>"]]
    ops.append(["replace", "idea-count", count])
    return orjson.dumps({"type": "reset", "seq": group.seq, "epoch": EPOCH, "ops": ops}).decode()


async def socket(ws: WebSocket) -> None:
    if DEVICE_COOKIE not in ws.cookies:
        await ws.close(1008)
        return
    group_id = ws.path_params["group_id"]
    group = _group(group_id)
    since_raw = ws.query_params.get("since", "")
    since = int(since_raw) if since_raw.isdigit() else None
    await ws.accept()
    async with group.lock:  # catch up and join atomically, so no frame falls between
        epoch_ok = ws.query_params.get("epoch") == EPOCH
        if since is not None and epoch_ok and group.seq - RESYNC_LIMIT <= since <= group.seq:
            for message in group.frames[since:]:
                await ws.send_text(message)
        else:
            await ws.send_text(_reset(group))
        group.sockets.add(ws)
    try:
        while True:
            message = orjson.loads(await ws.receive_text())
            if message.get("type") == "submit":
                await _submit(ws, group, str(message.get("key", "")), str(message.get("text", "")))
            elif message.get("type") == "ping":
                await ws.send_text('{"type":"pong"}')
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        group.sockets.discard(ws)


async def _submit(ws: WebSocket, group: Group, key: str, text: str) -> None:
    global next_idea
    async with group.lock:  # one sender per group at a time keeps every socket's seq in order
        repeated = key in group.keys
        if not repeated:
            next_idea += 1
            group.keys[key] = next_idea
            group.seq += 1
            item = _item(next_idea, text[:500])
            group.items.append(item)
            count = f'<span id="idea-count" class="count">{len(group.items)}</span>'
            ops = [["upsert", "ideas", item], ["replace", "idea-count", count]]
            patch = {"type": "patch", "seq": group.seq, "epoch": EPOCH, "ops": ops}
            encoded = orjson.dumps(patch).decode()
            group.frames.append(encoded)
            for peer in tuple(group.sockets):
                try:
                    await peer.send_text(encoded)
                except Exception:  # a closing peer catches up by seq when it returns
                    group.sockets.discard(peer)
    ack = {"type": "ack", "key": key, "idea_id": group.keys[key], "repeated": repeated}
    await ws.send_text(orjson.dumps(ack).decode())


app = Starlette(
    routes=[
        Route("/j/{code}", join),
        Route("/healthz", healthz),
        WebSocketRoute("/ws/groups/{group_id:int}", socket),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description="The bare-transport floor server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--backlog", type=int, default=2048)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ws_max_size=WS_MAX_SIZE,
        ws_per_message_deflate=False,
        log_level="info",
        backlog=args.backlog,
    )


if __name__ == "__main__":
    main()
