"""Writing a live frame straight to a socket's transport, encoded once for many sockets.

An event goes to the forty sockets of its room as the same bytes. Through ASGI, each of
them cost a task switch, five nested sends and its own framing (three times the write
itself, in a profile at 450 ideas/s). So a socket may offer a direct writer (`WriteNow`;
the server's comes from web/frame_protocol.py) through which `viewer.Viewer` writes a
ready-made text frame at once, while nothing else is waiting for that socket. Whenever it
cannot (the socket is closing, its buffer is full, or a send is under way), the viewer
falls back to the socket's ordinary send, which also waits for the buffer to drain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from websockets.frames import Frame, Opcode

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
