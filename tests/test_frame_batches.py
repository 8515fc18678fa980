"""Frames that wait for a socket together leave as one message, in order, none twice."""

from __future__ import annotations

import asyncio

import orjson
from websockets.frames import Frame as WsFrame
from websockets.streams import StreamReader

from facilitator.domain.actors import Participant
from facilitator.live.viewer import BATCH, Disconnected, Viewer, frame
from facilitator.live.wire import WriteNow
from facilitator.vocabulary import Audience


class RecordingSocket:
    """Stands in for a WebSocket: keeps every message sent."""

    open = True

    def __init__(self) -> None:
        self.write_now: WriteNow | None = None  # no direct writer: frames go through send
        self.sent: list[str] = []

    async def send(self, text: str) -> None:
        self.sent.append(text)

    async def receive(self) -> str | None:
        raise Disconnected(1000)

    async def close(self, code: int) -> None:
        self.open = False


def viewer(ws: RecordingSocket) -> Viewer:
    return Viewer(ws, Audience.participant, Participant(1, 1, 1), 1000)


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


class DirectSocket(RecordingSocket):
    """A socket whose server offers live_wire's direct writer; `full` refuses writes, as
    a transport whose buffer is over its high-water mark."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.full = False
        self.write_now = self.write_direct

    def write_direct(self, data: bytes) -> bool:
        if self.full:
            return False
        self.written.append(data)
        return True


def payloads(written: list[bytes]) -> list[str]:
    """The text of each unmasked WebSocket text frame written."""
    reader = StreamReader()
    for data in written:
        reader.feed_data(data)
    out = []
    for _ in written:
        parser = WsFrame.parse(reader.read_exact, mask=False)
        try:
            next(parser)
        except StopIteration as done:
            out.append(done.value.data.decode())
    return out


def test_what_is_offered_in_one_turn_is_written_at_once_as_one_message_by_the_idle_pump() -> None:
    async def scenario() -> DirectSocket:
        ws = DirectSocket()
        v = viewer(ws)
        pump = asyncio.get_running_loop().create_task(v.pump())
        await asyncio.sleep(0)  # the pump is parked, waiting
        v.offer(1, frame({"type": "seq", "seq": 1}))
        v.offer(None, frame({"type": "ack", "key": "k"}))
        await asyncio.sleep(0)  # the end of the turn: flushed
        v.offer(2, frame({"type": "seq", "seq": 2}))
        await asyncio.sleep(0.01)
        pump.cancel()
        return ws

    ws = asyncio.run(scenario())
    assert ws.sent == []  # nothing went through the ASGI send
    assert payloads(ws.written) == [
        '[{"type":"seq","seq":1},{"type":"ack","key":"k"}]',
        '{"type":"seq","seq":2}',
    ]


def test_a_full_transport_leaves_frames_to_the_pump_and_order_holds_when_it_empties() -> None:
    async def scenario() -> tuple[DirectSocket, int]:
        ws = DirectSocket()
        v = viewer(ws)
        sending = asyncio.Event()
        release = asyncio.Event()
        send = ws.send

        async def slow_send(text: str) -> None:  # the ASGI send waits for the buffer
            sending.set()
            await release.wait()
            await send(text)

        ws.send = slow_send  # type: ignore[method-assign]
        pump = asyncio.get_running_loop().create_task(v.pump())
        await asyncio.sleep(0)
        ws.full = True
        v.offer(1, frame({"type": "seq", "seq": 1}))
        await sending.wait()  # refused at once: the pump took it and waits to send
        ws.full = False
        v.offer(2, frame({"type": "seq", "seq": 2}))  # must not overtake seq 1
        v.offer(1, frame({"type": "seq", "seq": 1}))  # a repeat: never twice
        await asyncio.sleep(0.01)
        assert ws.written == []
        release.set()
        await asyncio.sleep(0.01)
        v.offer(3, frame({"type": "seq", "seq": 3}))  # the pump is idle again
        await asyncio.sleep(0.01)
        pump.cancel()
        return ws, v.sent_seq

    ws, sent_seq = asyncio.run(scenario())
    assert [f["seq"] for f in unpack(ws.sent)] == [1, 2]
    assert payloads(ws.written) == ['{"type":"seq","seq":3}']
    assert sent_seq == 3


def test_a_lone_frame_already_sent_is_dropped_and_the_next_one_written_at_once() -> None:
    async def scenario() -> tuple[DirectSocket, Viewer]:
        ws = DirectSocket()
        v = viewer(ws)
        v.sent_seq = 5  # the catch-up sent up to seq 5
        pump = asyncio.get_running_loop().create_task(v.pump())
        await asyncio.sleep(0)
        v.offer(5, frame({"type": "seq", "seq": 5}))  # the room's copy of the same event
        await asyncio.sleep(0)
        v.offer(6, frame({"type": "seq", "seq": 6}))
        await asyncio.sleep(0)
        v.offer(None, frame({"type": "ack", "key": "k"}))  # no seq: never skipped
        await asyncio.sleep(0.01)
        pump.cancel()
        return ws, v

    ws, v = asyncio.run(scenario())
    assert ws.sent == []
    assert payloads(ws.written) == ['{"type":"seq","seq":6}', '{"type":"ack","key":"k"}']
    assert v.sent_seq == 6 and not v.waiting


def test_a_loop_that_ends_right_after_an_offer_leaves_no_flush_list_behind() -> None:
    from facilitator.live import viewer as viewer_module

    async def scenario() -> asyncio.AbstractEventLoop:
        v = viewer(DirectSocket())
        v._wake = asyncio.get_running_loop().create_future()  # a parked pump
        v.offer(1, frame({"type": "seq", "seq": 1}))  # marked; the flush is still to come
        return asyncio.get_running_loop()

    loop = asyncio.run(scenario())
    assert loop not in viewer_module._flushing  # asyncio.run ran the flush as it ended
