"""The server's direct frame writer, on a real uvicorn server and a real client."""

from __future__ import annotations

import asyncio
import contextlib
import gc

import uvicorn
import uvloop
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import connect

from facilitator.live import wire
from facilitator.web import frame_protocol
from tests.servers import free_port
from tests.support import until


def test_frames_written_directly_reach_the_client_in_order_between_asgi_sends() -> None:
    written: list[bool] = []
    after_close: list[bool] = []

    async def socket(ws: WebSocket) -> None:
        await ws.accept()
        write_now = frame_protocol.write_now_of(ws.scope)
        assert write_now is not None
        written.append(write_now(wire.encoded(('{"n":1}',))))
        await ws.send_text('{"n":2}')  # the ordinary ASGI send, in between
        written.append(write_now(wire.encoded(('{"n":3}', '{"n":4}'))))
        written.append(write_now(wire.encoded(("é" * 70_000,))))  # a 64-bit length
        await ws.receive_text()  # the client's goodbye
        await ws.close()
        after_close.append(write_now(wire.encoded(('{"n":5}',))))

    async def scenario() -> list[str]:
        port = free_port()
        config = uvicorn.Config(
            Starlette(routes=[WebSocketRoute("/ws", socket)]),
            port=port,
            ws="facilitator.web.frame_protocol:FrameWritingProtocol",
            ws_per_message_deflate=False,
            log_level="warning",
        )
        server = uvicorn.Server(config)
        serving = asyncio.get_running_loop().create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        try:
            async with connect(f"ws://127.0.0.1:{port}/ws") as client:
                received = [str(await client.recv()) for _ in range(4)]
                await client.send("bye")
                await client.wait_closed()
        finally:
            server.should_exit = True
            await serving
        return received

    received = asyncio.run(scenario())
    assert received == ['{"n":1}', '{"n":2}', '[{"n":3},{"n":4}]', "é" * 70_000]
    assert written == [True, True, True]
    assert after_close == [False]  # a closing socket is left to the ASGI send, which refuses


def test_a_closed_connection_is_freed_without_the_cyclic_collector() -> None:
    """The server freezes what lives and does not collect when sockets go (collector.py),
    so what a closed connection held must go by reference counting alone: whether its peer
    closed properly or vanished, as phones do when the Wi-Fi drops."""
    ended: list[str] = []

    async def socket(ws: WebSocket) -> None:
        await ws.accept()
        assert frame_protocol.write_now_of(ws.scope) is not None
        with contextlib.suppress(WebSocketDisconnect):
            await ws.receive_text()
        ended.append("ended")

    async def scenario() -> list[object]:
        port = free_port()
        config = uvicorn.Config(
            Starlette(routes=[WebSocketRoute("/ws", socket)]),
            port=port,
            ws="facilitator.web.frame_protocol:FrameWritingProtocol",
            ws_per_message_deflate=False,
            log_level="warning",
        )
        server = uvicorn.Server(config)
        serving = asyncio.get_running_loop().create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        try:
            clients = [await connect(f"ws://127.0.0.1:{port}/ws") for _ in range(6)]
            for client in clients[:3]:
                await client.close()
            for client in clients[3:]:
                client.transport.abort()  # gone, no close handshake
            while len(ended) < len(clients):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            state = server.server_state
            await until(
                lambda: not state.tasks and not state.connections,
                "the handlers' tasks finished and the connections were let go",
            )
            del clients
            return [o for o in gc.get_objects() if type(o) is frame_protocol.FrameWritingProtocol]
        finally:
            server.should_exit = True
            await serving

    gc.collect()
    gc.disable()
    try:
        alive = uvloop.run(scenario())  # the server's loop, as uvicorn picks it
    finally:
        gc.enable()
    assert alive == []


def test_without_the_extension_a_socket_has_no_direct_writer() -> None:
    assert frame_protocol.write_now_of({"type": "websocket", "extensions": {}}) is None
    assert frame_protocol.write_now_of({"type": "websocket"}) is None
