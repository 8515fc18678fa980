"""Request bodies capped in the app itself: `--host 0.0.0.0` (the README's venue Wi-Fi set-up)
has no proxy in front to do it."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope

from facilitator.i18n import N_

# Bytes. The largest body is a set-up file (1 MB at most) in its multipart form; the sample
# proxy configuration (docs/deployment.md) allows the same.
MAX_BODY = 2 * 1024 * 1024
TOO_LARGE = N_("That request is too large: 2 MB at most.")


class BodyTooLarge(Exception):
    """A body that passed MAX_BODY while it was being read."""


def declared_too_large(scope: Scope) -> bool:
    """A Content-Length over the cap, refused before a byte of the body is read."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return not value.isdigit() or int(value) > MAX_BODY
    return False


def capped(receive: Receive) -> Receive:
    """`receive`, raising BodyTooLarge once the body read so far passes the cap (a chunked
    body declares no length)."""
    taken = 0

    async def receive_capped() -> Message:
        nonlocal taken
        message = await receive()
        if message["type"] == "http.request":
            taken += len(message.get("body", b""))
            if taken > MAX_BODY:
                raise BodyTooLarge
        return message

    return receive_capped
