"""A light WebSocket client for thousands of simulated phones in one process.

websockets' asyncio client runs a reading task per connection and hands every message
through futures; at 20,000 deliveries a second that cost the generator more CPU than the
server's own write, and its loop lag made runs invalid. This client keeps websockets'
sans-I/O protocol (the same parsing, pings answered, close handshake) on a plain asyncio
Protocol and calls back synchronously for each text message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri


class Socket(asyncio.Protocol):
    """One client connection. `on_text` gets each text message; `on_closed` is called once
    when the connection ends, however it ends (not when opening it failed)."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        *,
        headers: dict[str, str],
        on_text: Callable[[Socket, str], None],
        on_closed: Callable[[Socket], None],
        max_size: int = 2**22,
    ):
        self.host, self.port = host, port
        self.protocol = ClientProtocol(parse_uri(f"ws://{host}:{port}{path}"), max_size=max_size)
        self.request = self.protocol.connect()
        for name, value in headers.items():
            self.request.headers[name] = value
        self.on_text, self.on_closed = on_text, on_closed
        self.transport: asyncio.Transport | None = None
        self.is_open = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._parts: list[bytes] = []  # a fragmented message, until its last frame

    async def open(self) -> None:
        """Connect and complete the handshake; raise if either fails (or is cancelled, as
        by a time-out). Messages that follow the handshake at once reach `on_text` even
        before this returns."""
        loop = asyncio.get_running_loop()
        try:
            await loop.create_connection(lambda: self, self.host, self.port)
            await self.opened
        except BaseException:
            self.abort()
            raise

    # -- asyncio.Protocol ----------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # uvloop's are not subclasses
        self.protocol.send_request(self.request)
        self._write()

    def data_received(self, data: bytes) -> None:
        self.protocol.receive_data(data)
        self._write()  # pongs and close frames the protocol answered with
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                if self.protocol.handshake_exc is not None:
                    self._fail(self.protocol.handshake_exc)
                elif not self.opened.done():
                    self.is_open = True
                    self.opened.set_result(None)
            elif isinstance(event, Frame):
                self._frame(event)
        if self.protocol.close_expected() and self.transport is not None:
            self.transport.close()

    def eof_received(self) -> bool | None:
        self.protocol.receive_eof()
        self._write()
        return None  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.is_open:
            self.is_open = False
            self.on_closed(self)
        elif not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))

    # -- for the phone ---------------------------------------------------------------------
    @property
    def local_port(self) -> int | None:
        if self.transport is None:
            return None
        return self.transport.get_extra_info("sockname")[1]  # type: ignore[no-any-return]

    def send(self, text: str) -> None:
        """Send a text message; dropped when the connection has gone (the caller's outbox
        keeps what was not acknowledged)."""
        if self.transport is None or self.transport.is_closing():
            return
        self.protocol.send_text(text.encode())
        self._write()

    def abort(self) -> None:
        """End the TCP connection without a close handshake, as when the Wi-Fi drops."""
        if self.transport is not None:
            self.transport.abort()

    # -- inside --------------------------------------------------------------------------
    def _frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.TEXT or frame.opcode is Opcode.CONT:
            if frame.fin and not self._parts:
                self.on_text(self, bytes(frame.data).decode())
                return
            self._parts.append(bytes(frame.data))
            if frame.fin:
                text, self._parts = b"".join(self._parts).decode(), []
                self.on_text(self, text)

    def _write(self) -> None:
        if self.transport is None:
            return
        for data in self.protocol.data_to_send():
            if data:
                self.transport.write(data)
            else:  # the protocol asks for the end of the stream
                self.transport.close()

    def _fail(self, exc: BaseException) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc)
        self.abort()
