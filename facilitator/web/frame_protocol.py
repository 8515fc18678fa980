"""uvicorn's websockets protocol, offering the app a direct writer of ready-made frames.

See live/wire.py for why: an event's frame is encoded once and written to every socket of
its room without the ASGI send's task switch and framing. The app finds the writer in the
socket's scope (`write_now_of`); the test client has none, and sockets then use the ASGI
send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from facilitator.live.wire import WriteNow

EXTENSION = "facilitator.write_frame"  # scope["extensions"][EXTENSION]["write"]: WriteNow


def write_now_of(scope: Mapping[str, Any]) -> WriteNow | None:
    """The socket's direct writer, if the server provides one (not the test client)."""
    extension = scope.get("extensions", {}).get(EXTENSION)
    return None if extension is None else extension["write"]  # type: ignore[no-any-return]


class FrameWritingProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets protocol, offering `EXTENSION` to the app."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # absent when the handshake was refused
        if scope is not None:
            # The app's task has been created but has not run yet: it sees this.
            scope["extensions"][EXTENSION] = {"write": self.write_now}

    def write_now(self, data: bytes) -> bool:
        if (
            self.close_sent
            or self.disconnected
            or not self.handshake_complete
            or self.initial_response is not None
            or not self.writable.is_set()  # the buffer is full: the ASGI send waits
            or self.conn.state is not State.OPEN
            or self.conn.extensions  # a compressed socket needs websockets' own framing
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(data)
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        # Leave nothing for the cyclic collector: the server freezes long-lived objects
        # (collector.py) and does not collect when sockets go, so a closed connection must
        # be freed by reference counting. Two cycles held each one (50 objects): the
        # scope's writer, a method of this protocol, and websockets' parser, a generator
        # suspended in a method of its connection when the peer vanished without a close.
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"].pop(EXTENSION, None)
        self.conn.parser.close()
