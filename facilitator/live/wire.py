"""Writing a live frame straight to a socket's transport, encoded once for many sockets.

An event goes to the forty sockets of its room as the same bytes. Through ASGI, each of
them cost a task switch, five nested sends and its own framing (three times the write
itself, in a profile at 450 ideas/s). The server therefore runs uvicorn's websockets
protocol with one addition: an ASGI extension through which `viewer.Viewer` writes a
ready-made text frame at once, while nothing else is waiting for that socket. Whenever it
cannot (the socket is closing, its buffer is full, or a send is under way), the viewer
falls back to the ordinary ASGI send, which also waits for the buffer to drain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

EXTENSION = "facilitator.write_frame"  # scope["extensions"][EXTENSION]["write"]: WriteNow
# Writes one encoded frame now; False (and nothing written) when it cannot.
WriteNow = Callable[[bytes], bool]


def message(frames: Sequence[str]) -> str:
    """Several JSON frames as one message (an array, made without decoding them again)."""
    return frames[0] if len(frames) == 1 else "[" + ",".join(frames) + "]"


@lru_cache(maxsize=256)
def encoded(frames: tuple[str, ...]) -> bytes:
    """`message(frames)` as a server's unmasked WebSocket text frame. Cached: the sockets
    of a room are sent the same frames, as the same string objects, so the key hashes and
    compares cheaply."""
    return _text_frame(message(frames))


@lru_cache(maxsize=256)
def encoded_frame(text: str) -> bytes:
    """One frame alone, cached like `encoded` but without a tuple built per socket: most
    turns of the loop offer a socket one frame."""
    return _text_frame(text)


def _text_frame(text: str) -> bytes:
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


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
