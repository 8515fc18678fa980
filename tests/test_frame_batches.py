"""Frames that wait for a socket together leave as one message, in order, none twice."""

from __future__ import annotations

import asyncio

import orjson
from starlette.websockets import WebSocketState

from facilitator.domain.actors import Participant
from facilitator.live import BATCH, Audience, Viewer, frame


class RecordingSocket:
    """Stands in for a WebSocket: keeps every message sent."""

    application_state = WebSocketState.CONNECTED

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text(self, text: str) -> None:
        self.sent.append(text)


def viewer(ws: RecordingSocket) -> Viewer:
    return Viewer(ws, Audience.participant, Participant(1, 1, 1), 1000)  # type: ignore[arg-type]


def unpack(messages: list[str]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for text in messages:
        data = orjson.loads(text)
        out += data if isinstance(data, list) else [data]
    return out


def test_frames_queued_together_go_out_as_one_array_in_order_without_stale_seqs() -> None:
    async def scenario() -> tuple[list[str], int]:
        ws = RecordingSocket()
        v = viewer(ws)
        v.sent_seq = 3  # the catch-up sent up to seq 3
        v.offer(2, frame({"type": "seq", "seq": 2}))  # already sent: skipped
        v.offer(4, frame({"type": "patch", "seq": 4}))
        v.offer(None, frame({"type": "ack", "key": "k"}))
        v.offer(4, frame({"type": "patch", "seq": 4}))  # the same event twice: once
        v.offer(5, frame({"type": "seq", "seq": 5}))
        pump = asyncio.get_running_loop().create_task(v.pump())
        await asyncio.sleep(0.01)
        pump.cancel()
        return ws.sent, v.sent_seq

    sent, sent_seq = asyncio.run(scenario())
    assert len(sent) == 1 and sent[0].startswith("[")
    assert unpack(sent) == [
        {"type": "patch", "seq": 4},
        {"type": "ack", "key": "k"},
        {"type": "seq", "seq": 5},
    ]
    assert sent_seq == 5


def test_a_lone_frame_is_sent_as_itself_and_a_long_queue_in_batches_of_at_most_batch() -> None:
    async def scenario() -> list[str]:
        ws = RecordingSocket()
        v = viewer(ws)
        v.offer(None, frame({"type": "pong"}))
        pump = asyncio.get_running_loop().create_task(v.pump())
        await asyncio.sleep(0.01)
        for n in range(1, 2 * BATCH + 2):
            v.offer(n, frame({"type": "seq", "seq": n}))
        await asyncio.sleep(0.01)
        pump.cancel()
        return ws.sent

    sent = asyncio.run(scenario())
    assert sent[0] == '{"type":"pong"}'
    assert all(len(orjson.loads(m)) <= BATCH for m in sent[1:])
    assert [f["seq"] for f in unpack(sent[1:])] == list(range(1, 2 * BATCH + 2))
