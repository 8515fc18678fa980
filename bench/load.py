"""Load generator: simulated phones speaking the app's real live protocol, against the app and
against the bare-transport floor (bench/floor.py) in the same run.

    python -m bench.load --scenario steady -n 5000 --json
    python -m bench.load --scenario scaling --runs 3 --json --out bench/results/latest.jsonl
    python -m bench.load --scenario plenary -n 2000 --duration 60 --json

The plenary scenario (issue #23): an open plenary vote on five final recommendations; every
phone casts one ballot at a random moment of the window, through its outbox; a projector
polls the results as the workshop projector does. It measures each ballot's ack latency and
how stale the projector's count was (from a ballot's ack until the projector showed a count
that includes it), and counts ballots lost (never acked) or doubled (in the database).

Each phone opens its group's join link (that sets the device cookie and makes it a participant),
opens /ws/groups/<id>?as=participant with that cookie, follows seq, submits ideas with unique
keys, and after any reconnect resumes from its last seq and resends what was not acknowledged,
as static/live.js does. Phones run in worker processes (a whole group per process, so "delivered
to every peer" is timed on one clock); the parent starts the server, reads its CPU and memory
from /proc, and prints one JSON object per run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import gc
import http.cookiejar
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson

from bench import scaleout
from bench.client import Socket
from bench.scaleout import CLK_TCK, proc_cpu, tree_rss

REPO = Path(__file__).resolve().parent.parent
TARGETS = ("floor", "app", "app2")
IDEA_ID = re.compile(r'id="idea-(\d+)"')
SCENARIOS = ("steady", "burst", "ramp", "storm", "replay", "scaling", "plenary")
VOTED = re.compile(rb'data-version="([^"]*)" data-voted="(\d+)"')
PLENARY_FINALS = 5  # final recommendations in the bench's vote
PROJECTOR_POLL = 0.5  # seconds, as the workshop projector's page (static/poll.js)
SCALING_N = (250, 500, 1000, 2000, 5000)
BURST_WINDOW = 10.0  # seconds in which every phone submits once (issue #7)
STORM_WINDOW = 10.0  # seconds in which every phone reconnects after the drop
RAMP_LIMIT_MS = 250.0


# -- Pol.is texts ----------------------------------------------------------------------------


def load_comments(data: Path) -> dict[str, list[tuple[int, int, str]]]:
    """Each conversation's comments as (timestamp ms, author id, cleaned text), oldest first."""
    from facilitator.demo.polis import clean_comment  # the demo's cleaner: same texts

    out: dict[str, list[tuple[int, int, str]]] = {}
    paths = sorted((data / "polis-opendata").glob("*/comments.csv"))
    if not paths:  # a checkout without ../shared/data: the packaged 60-comment sample
        paths = [REPO / "facilitator" / "demo_data" / "polis_bowling_green.csv"]
    for path in paths:
        rows = []
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                text = clean_comment(row.get("comment-body") or "")
                if text:
                    rows.append((int(row["timestamp"]), int(row.get("author-id") or 0), text))
        if rows:
            out[path.parent.name if path.name == "comments.csv" else path.stem] = sorted(rows)
    if not out:
        raise SystemExit(f"no Pol.is comments under {data / 'polis-opendata'}")
    return out


# -- /proc -----------------------------------------------------------------------------------


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot, from /proc/stat."""
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(p) for p in parts[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def python_ms(rounds: int = 5) -> float:
    """How long this machine takes for a fixed piece of pure Python (best of `rounds`):
    machines differ twofold and more, and runs on different ones compare through this."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        json.dumps([{"n": i, "text": str(i)} for i in range(20_000)])
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def fsync_ms(directory: Path, count: int = 100) -> dict[str, Any]:
    """How long this disk takes to make 4 KiB durable: the floor under every commit of
    SQLite with synchronous=FULL, which the bare-transport floor never pays."""
    probe = DiskProbe(directory)  # not started: probed here, back to back
    for _ in range(count):
        probe.once()
    return probe.close()


class DiskProbe(threading.Thread):
    """Makes 4 KiB durable every `period` seconds while a run goes on. Shared machines'
    disks stall now and then for hundreds of milliseconds, and every commit waiting then
    waits as long: a probe before the run seldom catches that, one beside it does."""

    SLOW_MS = 50.0

    def __init__(self, directory: Path, period: float = 0.1):
        super().__init__(daemon=True)
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"fsync-probe-{os.getpid()}-{id(self)}"
        self.fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
        self.period = period
        self.times: list[float] = []
        self.done = threading.Event()

    def once(self) -> None:
        os.write(self.fd, b"x" * 4096)
        start = time.perf_counter()
        os.fsync(self.fd)
        self.times.append((time.perf_counter() - start) * 1000)

    def run(self) -> None:
        while not self.done.wait(self.period):
            self.once()

    def close(self) -> dict[str, Any]:
        """Stop, and the figures: percentiles and how many probes took over SLOW_MS."""
        self.done.set()
        if self.is_alive():
            self.join()
        os.close(self.fd)
        self.path.unlink(missing_ok=True)
        return {**percentiles(self.times), "slow": sum(t > self.SLOW_MS for t in self.times)}


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None, "count": 0}
    s = sorted(values)

    def at(q: float) -> float:
        return round(s[min(len(s) - 1, int(q * len(s)))], 2)

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(s[-1], 2),
        "count": len(s),
    }


# -- a phone ---------------------------------------------------------------------------------


@dataclass
class Sub:
    """One idea as the generator saw it."""

    t_submit: float
    tag: str
    group: int
    phone: Phone
    idea_id: int | None = None
    t_ack: float | None = None


@dataclass(eq=False)
class Phone:
    idx: int
    group: int  # index into the run's groups
    gid: int
    code: str
    cookie: str = ""
    ws: Socket | None = None
    seq: int | None = None
    epoch: str = ""
    outbox: dict[str, str] = field(default_factory=dict)  # unacknowledged: key -> text
    seen: set[int] = field(default_factory=set)
    n: int = 0
    hold: bool = False  # dropped on purpose (storm): do not reconnect by itself
    connected: bool = False
    server_proc: int | None = None  # which server process holds the socket (app2), if known
    ballots: dict[str, str] = field(default_factory=dict)  # unacknowledged ballots: key -> JSON


class Worker:
    """The phones of some groups, in one process and one event loop."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.host, self.port = spec["host"], spec["port"]
        self.run_id = spec["run_id"]
        self.texts: list[str] = spec["texts"]
        self.rng = random.Random(spec["seed"])
        self.phones: list[Phone] = []
        self.members: dict[int, list[Phone]] = {}
        for g in spec["groups"]:
            for _ in range(g["size"]):
                p = Phone(len(self.phones), g["index"], g["id"], g["code"])
                self.phones.append(p)
                self.members.setdefault(g["index"], []).append(p)
        self.subs: dict[str, Sub] = {}
        self.delivered: dict[int, list[float]] = {}  # idea id -> [phones, last time]
        self.out_of_order = 0
        self.duplicate_acks = 0
        self.duplicate_ideas = 0
        self.errors: list[str] = []
        self.connect_failures = 0
        self.reconnects = 0
        self.frames = 0
        self.lags: list[float] = []
        self.stopping = False
        self.measuring = False
        self.hint_ms: list[float] = []  # --assist: the duplicate hint, as a typing phone asks
        self.suggest_ms: list[float] = []  # --assist: each group's suggested themes, once
        self.assist_errors: list[str] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.ballot_times: dict[str, list[float | None]] = {}  # key -> [sent, acked]
        self.projector: list[tuple[float, int]] = []  # (when, phones counted as voted)
        self.polls = {"fresh": 0, "unchanged": 0, "failed": 0}

    # -- joining -------------------------------------------------------------------------
    async def join(self, phone: Phone) -> None:
        """GET /j/<code> as a browser would; keep the device cookie the page sets."""
        for attempt in range(5):
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                request = (
                    f"GET /j/{phone.code} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    "User-Agent: bench-phone\r\nConnection: close\r\n\r\n"
                )
                writer.write(request.encode())
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.read()  # the page itself: a real phone downloads it too
                writer.close()
                for line in head.decode("latin-1").split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "set-cookie" and "facilitator_device=" in value:
                        phone.cookie = value.strip().split(";")[0]
                if not phone.cookie or not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head.split(b"\r\n")[0].decode("latin-1"))
                return
            except (OSError, RuntimeError, asyncio.IncompleteReadError) as exc:
                if attempt == 4:
                    raise RuntimeError(f"phone {phone.idx} could not join: {exc}") from exc
                await asyncio.sleep(0.2 * (attempt + 1))

    # -- the socket ----------------------------------------------------------------------
    async def connect(self, phone: Phone) -> None:
        path = f"/ws/groups/{phone.gid}?as=participant"
        if phone.seq is not None:
            path += f"&since={phone.seq}&epoch={phone.epoch}"
        for attempt in range(20):
            sock = Socket(
                self.host,
                self.port,
                path,
                headers={"Cookie": phone.cookie},
                on_text=lambda sock, raw: self.received(phone, sock, raw),
                on_closed=lambda sock: self.closed(phone, sock),
            )
            phone.ws = sock  # what follows the handshake at once belongs to this socket
            try:
                async with asyncio.timeout(30):
                    await sock.open()
                break
            except Exception:
                self.connect_failures += 1
                if attempt == 19 or self.stopping:
                    raise
                await asyncio.sleep(0.5 + self.rng.random())  # live.js backs off with jitter
        phone.connected = True
        phone.server_proc = None  # a new socket may land on another server process
        for key, text in list(phone.outbox.items()):  # resend with the same keys
            self.send(phone, key, text)
        for message in list(phone.ballots.values()):  # a ballot not acked: again, same key
            sock.send(message)

    def received(self, phone: Phone, sock: Socket, raw: str) -> None:
        if phone.ws is not sock:
            return  # frames still arriving on a dropped socket are not shown (live.js)
        t = time.monotonic()
        data = orjson.loads(raw)
        for m in data if isinstance(data, list) else (data,):  # frames sent together
            self.frame(phone, m, t)

    def closed(self, phone: Phone, sock: Socket) -> None:
        """The server closed the socket, or the connection died: come back, as live.js does."""
        if phone.ws is not sock:
            return
        phone.connected = False
        if not phone.hold and not self.stopping:
            self.reconnects += 1
            asyncio.get_running_loop().create_task(self.come_back(phone, 0.5 + self.rng.random()))

    async def come_back(self, phone: Phone, delay: float) -> None:
        await asyncio.sleep(delay)
        with contextlib.suppress(Exception):
            await self.connect(phone)

    def frame(self, phone: Phone, m: dict[str, Any], t: float) -> None:
        """One frame a phone received at time t."""
        self.frames += 1
        kind = m["type"]
        if kind == "patch" or kind == "seq":
            if phone.seq is not None and m["seq"] != phone.seq + 1:
                self.out_of_order += 1
            phone.seq = m["seq"]
            if kind == "patch":
                phone.epoch = m["epoch"]
                for op in m["ops"]:
                    if op[0] == "upsert":
                        self.saw(phone, IDEA_ID.search(op[2]), t)
        elif kind == "reset":
            phone.seq, phone.epoch = m["seq"], m["epoch"]
            for op in m["ops"]:
                for match in IDEA_ID.finditer(op[2]):
                    self.saw(phone, match, t)
        elif kind == "ack" and m.get("key") in self.ballot_times:
            phone.ballots.pop(m["key"], None)
            times = self.ballot_times[m["key"]]
            if times[1] is None:
                times[1] = t
        elif kind == "ack":
            self.ack(phone, m, t)
        elif kind == "error":
            phone.ballots.pop(m.get("key"), None)  # type: ignore[arg-type]
            self.errors.append(str(m.get("message")))
            if m.get("key") in phone.outbox:  # refused: it will never be acked
                del phone.outbox[m["key"]]

    def saw(self, phone: Phone, match: re.Match[str] | None, t: float) -> None:
        if match is None:
            return
        idea_id = int(match.group(1))
        if idea_id in phone.seen:
            return
        phone.seen.add(idea_id)
        record = self.delivered.get(idea_id)
        if record is None:
            self.delivered[idea_id] = [1, t]
        else:
            record[0] += 1
            record[1] = t

    def ack(self, phone: Phone, m: dict[str, Any], t: float) -> None:
        key = m.get("key")
        sub = self.subs.get(key) if isinstance(key, str) else None
        if sub is None:
            return
        phone.outbox.pop(key, None)  # type: ignore[arg-type]
        if sub.idea_id is None:
            sub.idea_id, sub.t_ack = m.get("idea_id"), t
        elif m.get("idea_id") != sub.idea_id:
            self.duplicate_ideas += 1  # the same key made a second idea
        else:
            self.duplicate_acks += 1  # a resend answered with the first result: fine

    def send(self, phone: Phone, key: str, text: str) -> None:
        if not phone.connected or phone.ws is None:
            return  # stays in the outbox; resent after the reconnect
        phone.ws.send(orjson.dumps({"type": "submit", "key": key, "text": text}).decode())

    def submit(self, phone: Phone, tag: str, text: str | None = None) -> None:
        phone.n += 1
        key = f"{self.run_id}-{phone.idx}-{phone.n}"
        text = text or self.texts[self.rng.randrange(len(self.texts))]
        if self.spec.get("assist"):
            # The phone asked for similar ideas while typing: the first half of its idea.
            draft = text[: max(12, len(text) // 2)]
            query = urllib.parse.urlencode({"text": draft})
            self.spawn(self.get(f"/j/{phone.code}/similar?{query}", phone.cookie, self.hint_ms))
        self.subs[key] = Sub(time.monotonic(), tag, phone.group, phone)
        phone.outbox[key] = text
        self.send(phone, key, text)

    # -- suggestions and hints (--assist) ---------------------------------------------------
    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def fetch(self, path: str, cookie: str | None) -> tuple[bytes, bytes]:
        """One GET as a browser's fetch would make it: its head and its body."""
        reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Cookie: {cookie or ''}\r\nConnection: close\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        body = await reader.read()
        writer.close()
        return head, body

    async def get(self, path: str, cookie: str | None, into: list[float]) -> None:
        """One GET; its time to the last byte, in ms."""
        start = time.monotonic()
        try:
            head, _ = await self.fetch(path, cookie)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.split(b"\r\n")[0].decode("latin-1"))
        except (OSError, RuntimeError, asyncio.IncompleteReadError) as exc:
            self.assist_errors.append(f"{path.split('?')[0]}: {exc}")
            return
        if self.measuring:
            into.append((time.monotonic() - start) * 1000)

    async def suggest_once(self, t0: float) -> None:
        """Each group's facilitator asks for suggested themes once, at a random moment after
        the first third of the run (its ideas then partly have vectors, partly not)."""
        staff = self.spec.get("staff_cookie")
        duration = self.spec["duration"]
        plan = sorted(
            (t0 + self.rng.uniform(duration / 3, duration), g["id"]) for g in self.spec["groups"]
        )
        asked = []
        for when, group_id in plan:
            await self.at(when)
            path = f"/facilitator/groups/{group_id}/suggestions"
            asked.append(asyncio.ensure_future(self.get(path, staff, self.suggest_ms)))
        await asyncio.gather(*asked)

    # -- helpers -------------------------------------------------------------------------
    async def lag_monitor(self) -> None:
        """How late the loop wakes a 10 ms sleeper: a saturated generator shows here."""
        while not self.stopping:
            t = time.monotonic()
            await asyncio.sleep(0.01)
            if self.measuring:
                self.lags.append((time.monotonic() - t - 0.01) * 1000)

    async def at(self, when: float) -> None:
        delay = when - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def fire(self, plan: Sequence[tuple[float, Phone, str, str | None]]) -> None:
        """Submit on a schedule of (time, phone, tag, text)."""
        for when, phone, tag, text in sorted(plan, key=lambda p: p[0]):
            await self.at(when)
            self.submit(phone, tag, text)

    def settled(self) -> bool:
        """Every idea acknowledged and seen by every member of its group."""
        if any(p.outbox for p in self.phones):
            return False
        for sub in self.subs.values():
            if sub.idea_id is None:
                return False
            record = self.delivered.get(sub.idea_id)
            if record is None or record[0] < len(self.members[sub.group]):
                return False
        return True

    def converged(self) -> bool:
        """Every phone connected, nothing unacked, every phone of a group at the same seq."""
        if not all(p.connected for p in self.phones) or not self.settled():
            return False
        return all(len({p.seq for p in members}) == 1 for members in self.members.values())

    async def drain(self, limit: float) -> float:
        end = time.monotonic() + limit
        # Polled: "settled" is a condition over every phone and idea, not one event.
        while time.monotonic() < end and not self.settled():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return time.monotonic()

    # -- scenarios -----------------------------------------------------------------------
    def steady_plan(self, t0: float, duration: float, interval: float, tag: str = "steady"):
        plan: list[tuple[float, Phone, str, str | None]] = []
        for p in self.phones:
            t = t0 + self.rng.uniform(0, interval)
            while t < t0 + duration:
                plan.append((t, p, tag, None))
                t += interval
        return plan

    async def scenario(self, t0: float) -> dict[str, Any]:
        s = self.spec
        kind, duration, interval = s["scenario"], s["duration"], s["interval"]
        extra: dict[str, Any] = {}
        if kind in ("steady", "scaling"):
            if s.get("assist") and s.get("staff_cookie"):
                self.spawn(self.suggest_once(t0))
            await self.fire(self.steady_plan(t0, duration, interval))
        elif kind == "burst":
            # Steady all along; at t0 + burst_at every phone submits once within 10 s.
            plan = self.steady_plan(t0, duration, interval)
            start = t0 + s["burst_at"]
            plan += [
                (start + self.rng.uniform(0, BURST_WINDOW), p, "burst", None) for p in self.phones
            ]
            await self.fire(plan)
        elif kind == "replay":
            plan = []
            for offset, author, text in s["replay"]:
                members = self.phones
                plan.append((t0 + offset, members[author % len(members)], "replay", text))
            await self.fire(plan)
        elif kind == "ramp":
            extra["steps"] = await self.ramp(t0)
        elif kind == "storm":
            extra["storm"] = await self.storm(t0)
        elif kind == "plenary":
            extra["plenary"] = await self.plenary(t0)
        await self.drain(s["drain"])
        if self.tasks:  # hints and suggestions still on their way
            await asyncio.wait(set(self.tasks), timeout=s["drain"])
        return extra

    async def ramp(self, t0: float) -> list[dict[str, Any]]:
        """Raise the idea rate step by step; stop after the step whose p99 passes 250 ms."""
        s = self.spec
        steps = []
        t = t0
        share = len(self.phones) / s["phones"]  # this worker's part of the total rate
        for index, rate in enumerate(s["rates"]):
            tag = f"step{index}"
            count = max(1, round(rate * share * s["step"]))
            plan = [
                (t + self.rng.uniform(0, s["step"]), self.rng.choice(self.phones), tag, None)
                for _ in range(count)
            ]
            await self.fire(plan)
            await self.at(t + s["step"])
            await self.drain(1.0)  # let the step's deliveries finish before judging it
            lat = sorted(self.all_peer_ms(tag))
            missing = sum(1 for sub in self.subs.values() if sub.tag == tag) - len(lat)
            p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("inf")
            steps.append({"rate": rate, "t_start": t - t0, "t_end": time.monotonic() - t0})
            if missing > 0.01 * count or p99 > RAMP_LIMIT_MS:
                break
            t = time.monotonic() + 0.2
        return steps

    async def storm(self, t0: float) -> dict[str, Any]:
        """Steady load; drop every socket at once; all reconnect within 10 s from their seq."""
        s = self.spec
        drop_at = t0 + s["storm_at"]
        stop_submits = drop_at + STORM_WINDOW
        plan = self.steady_plan(t0, stop_submits - t0, s["interval"])
        firing = asyncio.get_running_loop().create_task(self.fire(plan))
        await self.at(drop_at)
        for p in self.phones:  # the Wi-Fi goes: no close handshake, the TCP connection dies
            ws, p.ws = p.ws, None
            p.hold, p.connected = True, False
            if ws is not None:
                ws.abort()
        t_drop = time.monotonic()

        async def come_back(p: Phone) -> None:
            await self.at(t_drop + self.rng.uniform(0, STORM_WINDOW))
            p.hold = False
            with contextlib.suppress(Exception):
                await self.connect(p)

        await asyncio.gather(*(come_back(p) for p in self.phones))
        t_all_back = time.monotonic()
        await firing
        limit = t_drop + s["storm_limit"]
        # Polled every 50 ms: the convergence time is known to that resolution.
        while time.monotonic() < limit and not self.converged():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        t_conv = time.monotonic()
        return {
            "t_drop": t_drop - t0,
            "reconnected_s": t_all_back - t_drop,
            "converged": self.converged(),
            "converged_s": t_conv - t_drop,
        }

    async def plenary(self, t0: float) -> dict[str, Any]:
        """Every phone casts one ballot within the window; worker 0 polls the projector."""
        s = self.spec
        poller = None
        if s.get("projector"):
            poller = asyncio.get_running_loop().create_task(self.poll_projector())
        plan = sorted((t0 + self.rng.uniform(0, s["duration"]), p) for p in self.phones)
        items = s["items"]
        for when, phone in plan:
            await self.at(when)
            dots: dict[str, int] = {}
            for _ in range(5):  # a budget of 5, at most 3 on one recommendation
                item = str(self.rng.choice(items))
                if dots.get(item, 0) < 3:
                    dots[item] = dots.get(item, 0) + 1
            key = f"{self.run_id}-ballot-{phone.idx}"
            message = orjson.dumps({"type": "ballot", "key": key, "dots": dots}).decode()
            self.ballot_times[key] = [time.monotonic(), None]
            phone.ballots[key] = message
            if phone.connected and phone.ws is not None:
                phone.ws.send(message)
        end = time.monotonic() + s["drain"]
        # Polled: every ballot acked is a condition over every phone.
        while time.monotonic() < end and any(p.ballots for p in self.phones):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        if poller is not None:
            # The projector catches up with the last ballots (every worker's phones vote).
            while time.monotonic() < end + s["drain"]:
                if self.projector and self.projector[-1][1] >= s["phones"]:
                    break
                await asyncio.sleep(0.05)
            poller.cancel()
        return {
            "sent": [t[0] for t in self.ballot_times.values()],
            "acked": [t[1] for t in self.ballot_times.values()],
            "projector": self.projector,
            "polls": self.polls,
        }

    async def poll_projector(self) -> None:
        """The workshop projector's page: the results region, with the version it has."""
        version = ""
        path = f"/organiser/workshops/{self.spec['workshop_id']}/plenary/results?as=projector"
        while True:
            started = time.monotonic()
            try:
                head, body = await self.fetch(f"{path}&since={version}", self.spec["projector"])
                now = time.monotonic()
                if head.startswith(b"HTTP/1.1 204"):
                    self.polls["unchanged"] += 1
                    if self.projector:
                        self.projector.append((now, self.projector[-1][1]))
                else:
                    found = VOTED.search(body)
                    if found is None:
                        raise RuntimeError(head.split(b"\r\n")[0].decode("latin-1"))
                    self.polls["fresh"] += 1
                    version = found.group(1).decode()
                    self.projector.append((now, int(found.group(2))))
            except (OSError, RuntimeError, asyncio.IncompleteReadError) as exc:
                self.polls["failed"] += 1
                self.errors.append(f"projector: {exc}")
            await asyncio.sleep(max(0.0, PROJECTOR_POLL - (time.monotonic() - started)))

    def all_peer_ms(self, tag: str | None = None) -> list[float]:
        out = []
        for sub in self.subs.values():
            if (tag is not None and sub.tag != tag) or sub.idea_id is None:
                continue
            record = self.delivered.get(sub.idea_id)
            if record is not None and record[0] >= len(self.members[sub.group]):
                out.append((record[1] - sub.t_submit) * 1000)
        return out

    def crossed(self) -> dict[str, int]:
        """Deliveries to a phone on another server process than the submitter's (app2): they
        went through Redis. Only sockets whose process is known (not reconnected) count."""
        known = crossed = 0
        for sub in self.subs.values():
            source = sub.phone.server_proc
            if sub.idea_id is None or source is None:
                continue
            for peer in self.members[sub.group]:
                if (
                    peer is not sub.phone
                    and peer.server_proc is not None
                    and sub.idea_id in peer.seen
                ):
                    known += 1
                    crossed += peer.server_proc != source
        return {"deliveries_known": known, "deliveries_crossed": crossed}

    def report(self, t0: float) -> dict[str, Any]:
        ideas = []
        lost_deliveries = 0
        for sub in self.subs.values():
            ack_ms = all_ms = None
            delivered = 0
            if sub.idea_id is not None:
                ack_ms = (sub.t_ack - sub.t_submit) * 1000  # type: ignore[operator]
                record = self.delivered.get(sub.idea_id)
                delivered = int(record[0]) if record else 0
                expected = len(self.members[sub.group])
                if delivered >= expected and record is not None:
                    all_ms = (record[1] - sub.t_submit) * 1000
                lost_deliveries += max(0, expected - delivered)
            ideas.append([round(sub.t_submit - t0, 3), sub.tag, ack_ms, all_ms, delivered])
        return {
            "ideas": ideas,
            "lost_deliveries": lost_deliveries,
            "out_of_order": self.out_of_order,
            "duplicate_ideas": self.duplicate_ideas,
            "duplicate_acks": self.duplicate_acks,
            "errors": len(self.errors),
            "error_samples": sorted(set(self.errors))[:5],
            "connect_failures": self.connect_failures,
            "reconnects": self.reconnects,
            "frames": self.frames,
            "final_seq": {str(p.gid): p.seq for p in self.phones},
            "hint_ms": self.hint_ms,
            "suggest_ms": self.suggest_ms,
            "assist_errors": self.assist_errors,
            "crossed": self.crossed(),
        }


async def _worker(spec: dict[str, Any], conn: Connection) -> None:
    w = Worker(spec)
    loop = asyncio.get_running_loop()
    limit = asyncio.Semaphore(64)

    async def bounded(coro_fn: Any, phone: Phone) -> None:
        async with limit:
            await coro_fn(phone)

    given: dict[str, list[str]] = spec.get("cookies") or {}
    if given:  # a stored workshop whose phones joined before: their cookies still work
        for index, members in w.members.items():
            for phone, cookie in zip(members, given[str(index)], strict=True):
                phone.cookie = cookie
    else:
        await asyncio.gather(*(bounded(w.join, p) for p in w.phones))
    conn.send(("joined", {str(i): [p.cookie for p in ms] for i, ms in w.members.items()}))
    await loop.run_in_executor(None, conn.recv)  # parent reads RSS, then says "connect"
    # Handshakes in flight: far below the listen backlog. Against several server processes,
    # one at a time: a worker woken by a burst of connections accepts the whole burst, so a
    # group could land on one process; one by one, each is a fresh race between them.
    limit = asyncio.Semaphore(spec["handshakes"])
    await asyncio.gather(*(bounded(w.connect, p) for p in w.phones))
    # Thousands of long-lived connection objects make every full collection slow; move them
    # out of the collector's view so the generator's own pauses do not show up as latency.
    gc.collect()
    gc.freeze()
    ports = [p.ws.local_port if p.connected and p.ws else None for p in w.phones]
    groups = [p.group for p in w.phones]
    conn.send(
        (
            "ready",
            {"connected": sum(p.connected for p in w.phones), "ports": ports, "groups": groups},
        )
    )
    _, t0, server_procs = await loop.run_in_executor(None, conn.recv)
    for phone, server_proc in zip(w.phones, server_procs, strict=True):
        phone.server_proc = server_proc
    lag = loop.create_task(w.lag_monitor())
    await w.at(t0)
    w.measuring = True
    cpu0, wall0 = time.process_time(), time.monotonic()
    extra = await w.scenario(t0)
    cpu1, wall1 = time.process_time(), time.monotonic()
    w.measuring = False
    w.stopping = True
    lag.cancel()
    result = w.report(t0)
    result.update(extra)
    result["t_end"] = wall1 - t0
    result["cpu_pct"] = 100 * (cpu1 - cpu0) / max(1e-9, wall1 - wall0)
    result["cpu_s"] = cpu1 - cpu0
    result["nice"] = os.getpriority(os.PRIO_PROCESS, 0)
    lags = sorted(w.lags)
    result["lag_p99_ms"] = lags[int(0.99 * (len(lags) - 1))] if lags else None
    result["lag_max_ms"] = lags[-1] if lags else None
    for p in w.phones:
        if p.ws is not None:
            p.ws.abort()
    conn.send(("result", result))


def worker_main(spec: dict[str, Any], conn: Connection) -> None:
    _raise_priority(spec["nice"])
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # uvloop comes with uvicorn[standard]; plain asyncio works too
        runner = asyncio.run
    try:
        runner(_worker(spec, conn))
    except BaseException as exc:
        conn.send(("failed", repr(exc)))
        raise


def _raise_priority(nice: int) -> None:
    """Let the generator run as soon as it wakes: it is the instrument. On two cores its loop
    otherwise waits behind the server's time slices, and that scheduling lag (not the
    server) made most high-rate runs invalid. It uses a fifth of a core, so the server
    loses little; the JSON records the niceness each run had."""
    with contextlib.suppress(OSError):  # lowering niceness needs root (CAP_SYS_NICE)
        os.setpriority(os.PRIO_PROCESS, 0, nice)


# -- the servers -----------------------------------------------------------------------------


def free_port() -> int:
    """A free loopback port: the first free one of BENCH_PORTS ("9500-9599") when set (a
    shared machine where each person keeps to a range), else any."""
    first, _, last = os.environ.get("BENCH_PORTS", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def wait_healthy(url: str, proc: subprocess.Popen[bytes], seconds: float = 120.0) -> None:
    # A deadline, not a count of tries: on a busy machine (CI runs tests beside this) two
    # workers can take a minute to import and connect.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} never became healthy")


@dataclass
class Server:
    target: str
    proc: subprocess.Popen[bytes]
    port: int
    groups: list[dict[str, Any]]
    data_dir: Path
    database_url: str = ""
    command: list[str] = field(default_factory=list)  # how it was started, for a restart
    env: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def restart(self, sig: int = signal.SIGKILL) -> None:
        """Stop the server with `sig` (SIGKILL: no shutdown at all) and start it again on the
        same port and data, as a supervisor would."""
        self.proc.send_signal(sig)
        self.proc.wait()
        log = (self.data_dir / "server.log").open("ab")
        self.proc = subprocess.Popen(
            self.command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=REPO
        )
        wait_healthy(f"http://127.0.0.1:{self.port}", self.proc)

    @property
    def database_name(self) -> str:
        return scaleout.database_name(self.database_url) if self.target == "app2" else ""

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        finally:
            if self.database_name:  # app2's database was made for this run only
                scaleout.drop_database(self.database_url)


def bench_setup(
    where: list[str], groups: int, env: dict[str, str], data_dir: Path, finals: int = 0
) -> Any:
    """`python -m bench.setup` in its own process; its JSON, also kept in data_dir."""
    command = [sys.executable, "-m", "bench.setup", *where, "--groups", str(groups)]
    command += ["--plenary", str(finals)] if finals else []
    out = subprocess.run(command, check=True, capture_output=True, env=env, cwd=REPO)
    (data_dir / "setup.json").write_text(out.stdout.decode())
    return json.loads(out.stdout)


def start_server(
    target: str,
    groups: int,
    work: Path,
    template: Path | None = None,
    postgres_url: str = scaleout.POSTGRES,
    redis_url: str = scaleout.REDIS,
    finals: int = 0,
) -> Server:
    data_dir = Path(tempfile.mkdtemp(prefix=f"{target}-", dir=work))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    log = (data_dir / "server.log").open("wb")
    database_url = ""
    serve = [sys.executable, "-m", "facilitator", "serve", "--port", str(port)]
    serve += ["--data-dir", str(data_dir)]
    if target == "app" and template is not None and (template / "cookies.json").exists():
        for name in ("facilitator.db", "secret_key", "setup.json"):
            if (template / name).exists():
                shutil.copy(template / name, data_dir / name)
        info = json.loads((template / "setup.json").read_text())
        database_url = f"sqlite:///{data_dir / 'facilitator.db'}"
        codes, command = info["groups"], serve
    elif target == "app":
        info = bench_setup(["--data-dir", str(data_dir)], groups, env, data_dir, finals)
        database_url, codes, command = info["database_url"], info["groups"], serve
    elif target == "app2":
        # Two processes sharing a fresh PostgreSQL database; fan-out between them via Redis,
        # on channels of this run only.
        database_url = scaleout.create_database(postgres_url)
        try:
            info = bench_setup(["--database-url", database_url], groups, env, data_dir, finals)
        except BaseException:
            scaleout.drop_database(database_url)
            raise
        codes = info["groups"]
        command = [*serve, "--workers", "2", "--database-url", database_url]
        command += ["--redis-url", redis_url]
        env["FACILITATOR_REDIS_PREFIX"] = scaleout.redis_prefix()
    else:
        codes = [{"id": n, "code": f"FLOOR{n}"} for n in range(1, groups + 1)]
        command = [sys.executable, "-m", "bench.floor", "--port", str(port)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    server = Server(target, proc, port, codes, data_dir, database_url, command, env)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        if target == "app2":
            wait_started(server, 2)
    except BaseException:
        server.stop()
        raise
    return server


def log_in(server: Server) -> str:
    """The organiser of the bench workshop logs in (--assist asks for suggestions as a
    facilitator would); the session's Cookie header."""
    info = json.loads((server.data_dir / "setup.json").read_text())
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{server.port}"
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("no CSRF token on the login page")
    form = {"email": info["organiser"]["email"], "password": info["organiser"]["password"]}
    body = urllib.parse.urlencode({**form, "csrf": match.group(1)}).encode()
    opener.open(f"{base}/login", data=body, timeout=30).read()
    if not any(c.name == "facilitator_session" for c in jar):
        raise RuntimeError("the bench organiser could not log in")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wait_started(server: Server, workers: int, seconds: float = 120.0) -> None:
    """Healthy means one worker answers; phones must be able to land on every worker."""
    log = server.data_dir / "server.log"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count("Application startup complete") >= workers:
            return
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited with {server.proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"{workers} workers never started (see {log})")


def placement(server: Server, ready: list[dict[str, Any]]) -> dict[str, Any]:
    """Which server process holds each phone's socket, by worker: app2's phones of one group
    should land on both processes, so that fan-out crosses Redis."""
    if server.target != "app2":
        return {"phones": [[None] * len(r["ports"]) for r in ready], "summary": None}
    owners = scaleout.socket_owners(scaleout.tree(server.pid), server.port)
    owners.pop(0, None)  # the listening socket
    procs = sorted(set(owners.values()))
    phones = [
        [procs.index(owners[port]) if port in owners else None for port in r["ports"]]
        for r in ready
    ]
    spread: dict[int, set[int]] = {}
    for r, placed in zip(ready, phones, strict=True):
        for group, proc in zip(r["groups"], placed, strict=True):
            if proc is not None:
                spread.setdefault(group, set()).add(proc)
    summary = {
        "processes": len(procs),
        "connections": [sum(p == k for ps in phones for p in ps) for k in range(len(procs))],
        "unplaced": sum(p is None for ps in phones for p in ps),
        "groups_on_every_process": sum(len(s) == len(procs) for s in spread.values()),
    }
    return {"phones": phones, "summary": summary}


def wait_quiet(limit: float, ours: list[int], longest: float = 120.0) -> None:
    """Wait (up to `longest` s) until other processes use under `limit` % of one core.

    The machine is shared; a run taken while something else computes is not comparable.
    Whatever was used during the run itself is reported as other_cpu_pct either way.
    """
    if limit <= 0:
        return
    end = time.monotonic() + longest
    while time.monotonic() < end:
        busy, mine = machine_busy(), sum(proc_cpu(p) for p in ours)
        time.sleep(1.0)
        other = (machine_busy() - busy) - (sum(proc_cpu(p) for p in ours) - mine)
        if 100 * other < limit:
            return


def raise_fd_limit() -> int:
    """5,000 sockets each side need more than the usual 1,024 descriptors; children inherit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# -- one run ---------------------------------------------------------------------------------


def run_once(
    args: argparse.Namespace,
    target: str,
    n: int,
    scenario: str,
    texts: list[str],
    replay: list[tuple[float, int, str]],
) -> dict[str, Any]:
    group_size = args.group_size
    n_groups = -(-n // group_size)
    work = Path(args.work_dir)
    disk = fsync_ms(work)  # measured before the server starts, on the disk it writes to
    speed = python_ms()
    # --reuse keeps a copy of the database after the phones joined (with their cookies), so
    # later runs skip 5,000 join pages. Each run still starts its server on a fresh copy.
    template = work / f"joined-{n}-{group_size}" if args.reuse and target == "app" else None
    cookies = None
    if template is not None and (template / "cookies.json").exists():
        cookies = json.loads((template / "cookies.json").read_text())
    plenary = scenario == "plenary" and target != "floor"
    finals = PLENARY_FINALS if plenary else 0
    if plenary and n_groups > 200:
        raise SystemExit("the plenary scenario runs one workshop: at most 200 groups")
    server = start_server(
        target, n_groups, work, template, args.postgres_url, args.redis_url, finals
    )
    ctx = multiprocessing.get_context("spawn")
    workers: list[tuple[Any, Connection]] = []
    try:
        time.sleep(0.5)
        rss_start = tree_rss(server.pid)
        procs = max(1, min(args.procs, n_groups))
        sizes = [min(group_size, n - i * group_size) for i in range(n_groups)]
        run_id = f"{int(time.time()) % 100000}{target[0]}"
        wants_staff = (args.assist or plenary) and target != "floor"
        staff_cookie = log_in(server) if wants_staff else None
        vote = (
            json.loads((server.data_dir / "setup.json").read_text())["plenary"] if plenary else None
        )
        rates = [args.ramp_start * args.ramp_factor**k for k in range(args.ramp_steps)]
        for w in range(procs):
            groups = [
                {
                    "index": i,
                    "id": server.groups[i]["id"],
                    "code": server.groups[i]["code"],
                    "size": sizes[i],
                }
                for i in range(w, n_groups, procs)
            ]
            spec = {
                "host": "127.0.0.1",
                "port": server.port,
                "run_id": f"{run_id}{w}",
                "texts": texts,
                "seed": args.seed * 1000 + w,
                "groups": groups,
                "phones": n,
                "scenario": scenario,
                "handshakes": 1 if target == "app2" else 128,
                "nice": args.generator_nice,
                "duration": args.duration,
                "interval": args.interval,
                "burst_at": args.burst_at,
                "storm_at": args.storm_at,
                "storm_limit": args.storm_limit,
                "drain": args.drain,
                "rates": rates,
                "step": args.step,
                "replay": [r for r in replay if (r[1] % n_groups) % procs == w],
                "cookies": {str(g["index"]): cookies[str(g["index"])] for g in groups}
                if cookies
                else None,
                "assist": args.assist,
                "staff_cookie": staff_cookie,
                "items": vote["items"] if vote else [],
                "workshop_id": vote["workshop_id"] if vote else None,
                "projector": staff_cookie if vote and w == 0 else None,  # one projector
            }
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(spec, child), daemon=True)
            proc.start()
            workers.append((proc, parent))

        def gather(kind: str, timeout: float) -> list[Any]:
            out = []
            deadline = time.monotonic() + timeout
            for proc, conn in workers:
                if not conn.poll(max(0.1, deadline - time.monotonic())):
                    raise RuntimeError(f"workers did not report {kind!r} in {timeout} s")
                got, value = conn.recv()
                if got != kind:
                    raise RuntimeError(f"worker {proc.pid}: {got} {value}")
                out.append(value)
            return out

        t_setup = time.monotonic()
        joined = gather("joined", 1800)
        joined_s = time.monotonic() - t_setup
        if template is not None and cookies is None:
            save_template(server, template, {k: v for part in joined for k, v in part.items()})
        time.sleep(1.0)
        rss_joined = tree_rss(server.pid)
        for _, conn in workers:
            conn.send("connect")
        t_conn = time.monotonic()
        ready = gather("ready", 600)
        connected = sum(r["connected"] for r in ready)
        connect_s = time.monotonic() - t_conn
        time.sleep(args.settle)  # presence updates and the first heartbeats settle
        rss_idle = tree_rss(server.pid)
        meter = scaleout.CpuMeter(server.database_name, server.pid)
        meter.refresh()
        wait_quiet(args.quiet, [*meter.pids(), *(p.pid for p, _ in workers)])
        placed = placement(server, ready)
        t0 = time.monotonic() + 1.0
        for (_, conn), server_procs in zip(workers, placed["phones"], strict=True):
            conn.send(("go", t0, server_procs))
        spy = None
        if args.profile and target in args.profile_targets.split(","):
            # Collapsed stacks of the server during the load, for `bench/report.py top`.
            out = args.profile / f"{target}-{scenario}-{n}-{int(time.time())}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            spy_bin = str(Path(sys.executable).parent / "py-spy")
            command = [spy_bin, "record", "--pid", str(server.pid), "--rate", "200"]
            # Its processes too: app2's workers, and the SQLite writer and vector workers.
            command += ["--subprocesses"]
            command += ["--gil"] if args.profile_gil else []
            # A storm goes on after the load's duration, until every phone has converged.
            seconds = args.duration + (args.storm_limit if scenario == "storm" else 0)
            command += ["--format", "raw", "--duration", str(int(seconds))]
            command += ["--nonblocking", "--output", str(out)]
            spy = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        # Sample the server, the workers and the machine while the scenario runs.
        pids = [p.pid for p, _ in workers]
        samples = []
        time.sleep(max(0.0, t0 - time.monotonic()))
        meter.start()
        disk_during = DiskProbe(work)
        disk_during.start()
        base = (time.monotonic(), machine_busy(), sum(map(proc_cpu, pids)))
        results: list[dict[str, Any] | None] = [None] * len(workers)
        rss_peak = tree_rss(server.pid)
        next_scan = time.monotonic() + 2.0
        while any(r is None for r in results):
            for i, (proc, conn) in enumerate(workers):
                if results[i] is None and conn.poll(0):
                    got, value = conn.recv()
                    if got != "result":
                        raise RuntimeError(f"worker {proc.pid}: {got} {value}")
                    results[i] = value
            now = time.monotonic()
            if now - t0 > args.duration + args.storm_limit + args.drain + 600:
                raise RuntimeError("workers never finished")
            if now > next_scan:  # new pooled connections to the database, now and then
                meter.refresh()
                next_scan = now + 2.0
            rss = meter.rss()
            rss_peak = max(rss_peak, rss)
            samples.append((now - t0, sum(meter.used().values()), rss))
            time.sleep(0.25)
        t_end = max(r["t_end"] for r in results if r)
        fsync_during = disk_during.close()
        cpu = meter.used()
        server_cpu_s = sum(cpu.values())
        wall = time.monotonic() - base[0]
        other_s = (machine_busy() - base[1]) - server_cpu_s - (sum(map(proc_cpu, pids)) - base[2])
        db_check = check_database(server, plenary) if target != "floor" else None
        if spy is not None:
            # Its duration is an upper bound (a storm may converge early): stopped with
            # Ctrl-C, py-spy writes what it has sampled.
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
    finally:
        for proc, _ in workers:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
        server.stop()
    if not args.keep:
        shutil.rmtree(server.data_dir, ignore_errors=True)
    return summarise(
        args,
        target,
        scenario,
        n,
        n_groups,
        [r for r in results if r],
        samples,
        {
            "joined_s": round(joined_s, 2),
            "connect_s": round(connect_s, 2),
            "connected": connected,
            "rss_start": rss_start,
            "rss_joined": rss_joined,
            "rss_idle": rss_idle,
            "rss_peak": rss_peak,
            "server_cpu_s": server_cpu_s,
            "server_cpu_by_role": cpu,
            "placement": placed["summary"],
            "wall_s": wall,
            "t_end": t_end,
            "other_cpu_pct": round(100 * max(0.0, other_s) / wall, 1),
            "db_check": db_check,
            "fsync_ms": disk,
            "fsync_during_ms": fsync_during,
            "python_ms": speed,
        },
    )


def save_template(server: Server, template: Path, cookies: dict[str, list[str]]) -> None:
    """Keep the joined workshop: an online copy of the database, the secret, the cookies."""
    import sqlite3

    template.mkdir(parents=True, exist_ok=True)
    path = server.database_url.split("///", 1)[1]
    with (
        contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source,
        contextlib.closing(sqlite3.connect(template / "facilitator.db")) as copy,
    ):
        source.backup(copy)
    for name in ("secret_key", "setup.json"):
        if (server.data_dir / name).exists():
            shutil.copy(server.data_dir / name, template / name)
    (template / "cookies.json").write_text(json.dumps(cookies))


def check_database(server: Server, plenary: bool = False) -> dict[str, Any]:
    """The server's own record, read after the run: ideas stored and each channel's head;
    with the plenary, the ballots stored and the ballot events (a doubled ballot would be a
    second row, impossible by the key, or a "replaced" event: each phone votes once)."""
    ideas_sql = (
        "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT group_id, client_key FROM idea)"
        " AS k) FROM idea"
    )
    heads_sql = "SELECT name, seq FROM channel WHERE name LIKE 'group:%'"
    ballots_sql = (
        "SELECT (SELECT count(*) FROM plenary_ballot),"
        " (SELECT count(*) FROM event WHERE kind = 'plenary.ballot'),"
        " (SELECT count(*) FROM event WHERE kind = 'plenary.ballot'"
        " AND payload LIKE '%\"replaced\":true%')"
    )
    queries = [ideas_sql, heads_sql, *([ballots_sql] if plenary else [])]
    if server.database_url.startswith("sqlite"):
        import sqlite3

        path = server.database_url.split("///", 1)[1]
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            found = [db.execute(q).fetchall() for q in queries]
    else:
        from sqlalchemy import create_engine, text

        engine = create_engine(server.database_url)
        try:
            with engine.connect() as conn:
                # text() reads ":name" as a parameter; the ballots' pattern has a colon.
                found = [
                    [tuple(r) for r in conn.execute(text(q.replace(":", "\\:")))] for q in queries
                ]
        finally:
            engine.dispose()
    ideas, heads = found[0][0], dict(found[1])
    out = {"ideas": ideas[0], "distinct_keys": ideas[1], "heads": heads}
    if plenary:
        rows, events, replaced = found[2][0]
        out["ballots"] = {"rows": rows, "events": events, "replaced": replaced}
    return out


def summarise(
    args: argparse.Namespace,
    target: str,
    scenario: str,
    n: int,
    n_groups: int,
    results: list[dict[str, Any]],
    samples: list[tuple[float, float, int]],
    server: dict[str, Any],
) -> dict[str, Any]:
    ideas = [i for r in results for i in r["ideas"]]
    duration = server["t_end"]
    acked = [i for i in ideas if i[2] is not None]
    lost_unacked = len(ideas) - len(acked)
    lost_deliveries = sum(r["lost_deliveries"] for r in results)
    deliveries = sum(i[4] for i in ideas)
    window = args.duration if scenario != "ramp" else duration
    out: dict[str, Any] = {
        "commit": git_commit(),
        "target": target,
        "scenario": scenario,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cores": os.cpu_count(),
            "python": sys.version.split()[0],
            "fsync_ms": server.get("fsync_ms"),
            "fsync_during_ms": server.get("fsync_during_ms"),
            "python_ms": server.get("python_ms"),
        },
        "params": {
            "phones": n,
            "groups": n_groups,
            "group_size": args.group_size,
            "interval_s": args.interval,
            "duration_s": args.duration,
            "procs": args.procs,
            "seed": args.seed,
        },
        "connected": server["connected"],
        "setup": {"joined_s": server["joined_s"], "connect_s": server["connect_s"]},
        "submitted": len(ideas),
        "acked": len(acked),
        "lost": lost_unacked + sum(1 for i in acked if i[3] is None),
        "lost_unacked": lost_unacked,
        "lost_deliveries": lost_deliveries,
        "duplicated": sum(r["duplicate_ideas"] for r in results),
        "out_of_order": sum(r["out_of_order"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "error_samples": sorted({e for r in results for e in r["error_samples"]})[:5],
        "connect_failures": sum(r["connect_failures"] for r in results),
        "reconnects": sum(r["reconnects"] for r in results),
        "deliveries": deliveries,
        "ideas_per_s": round(len(acked) / window, 1),
        "deliveries_per_s": round(deliveries / window, 1),
        "ack_ms": percentiles([i[2] for i in acked]),
        "all_peers_ms": percentiles([i[3] for i in acked if i[3] is not None]),
        "assist": {
            "hints": sum(len(r["hint_ms"]) for r in results),
            "hint_ms": percentiles([t for r in results for t in r["hint_ms"]]),
            "suggestions": sum(len(r["suggest_ms"]) for r in results),
            "suggest_ms": percentiles([t for r in results for t in r["suggest_ms"]]),
            "errors": sum(len(r["assist_errors"]) for r in results),
            "error_samples": sorted({e for r in results for e in r["assist_errors"]})[:5],
        }
        if args.assist
        else None,
        "server": {
            "cpu_pct": round(100 * server["server_cpu_s"] / server["wall_s"], 1),
            "cpu_us_per_delivery": round(1e6 * server["server_cpu_s"] / deliveries, 2)
            if deliveries
            else None,
            "rss_start_mb": round(server["rss_start"] / 2**20, 1),
            "rss_idle_mb": round(server["rss_idle"] / 2**20, 1),
            "rss_peak_mb": round(server["rss_peak"] / 2**20, 1),
            "rss_per_phone_kb": round((server["rss_idle"] - server["rss_start"]) / n / 1024, 1),
            "rss_per_socket_kb": round((server["rss_idle"] - server["rss_joined"]) / n / 1024, 1),
        },
        "generator": {
            "procs": len(results),
            "cpu_pct_max": round(max(r["cpu_pct"] for r in results), 1),
            "nice": max(r["nice"] for r in results),
            "lag_p99_ms": round(max(r["lag_p99_ms"] or 0 for r in results), 2),
            "lag_max_ms": round(max(r["lag_max_ms"] or 0 for r in results), 2),
        },
        "other_cpu_pct": server["other_cpu_pct"],
    }
    g = out["generator"]
    if target == "app2":
        # Server CPU above is the sum of all of these: the database and Redis work for it.
        for role, seconds in server["server_cpu_by_role"].items():
            out["server"][f"{role}_cpu_pct"] = round(100 * seconds / server["wall_s"], 1)
        crossed = {k: sum(r["crossed"][k] for r in results) for k in results[0]["crossed"]}
        out["processes"] = {**server["placement"], **crossed}
    out["valid"] = g["cpu_pct_max"] < 70 and g["lag_p99_ms"] < 10 and out["other_cpu_pct"] < 5
    if scenario == "burst":
        out["burst"] = burst_figures(ideas, args)
    if scenario == "ramp":
        out["ramp"] = ramp_figures(ideas, results, samples, args)
    if scenario == "plenary":
        out["plenary"] = plenary_figures(results, server["db_check"], n)
    if scenario == "storm":
        storms = [r["storm"] for r in results]
        out["storm"] = {
            "converged": all(s["converged"] for s in storms),
            "converged_s": round(max(s["converged_s"] for s in storms), 2),
            "reconnected_s": round(max(s["reconnected_s"] for s in storms), 2),
        }
    check = server["db_check"]
    if check is not None:
        final: dict[str, int | None] = {}
        for r in results:
            final.update(r["final_seq"])
        behind = sum(1 for gid, seq in final.items() if check["heads"].get(f"group:{gid}") != seq)
        out["db"] = {
            "ideas": check["ideas"],
            "acked_keys": len(acked),
            "duplicated_in_db": check["ideas"] - check["distinct_keys"],
            "groups_not_at_server_head": behind,
        }
    return out


def git_commit() -> str:
    """The code a run measured: HEAD, with "+dirty" when the tree has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            # Results appended by the runs themselves do not make the code dirty.
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return ""
    return head + ("+dirty" if dirty else "")


def plenary_figures(
    results: list[dict[str, Any]], check: dict[str, Any] | None, n: int
) -> dict[str, Any]:
    """Ballot ack latency; projector staleness: for the k-th ballot acked, the time from its
    ack until the projector first showed k or more phones as voted (the poll's interval
    included, as on the real screen); ballots lost (never acked) and doubled (in the db)."""
    parts = [r["plenary"] for r in results if "plenary" in r]
    sent = [t for p in parts for t in p["sent"]]
    acks = sorted(
        (a, s) for p in parts for s, a in zip(p["sent"], p["acked"], strict=True) if a is not None
    )
    shown = [obs for p in parts for obs in p["projector"]]
    stale = []
    at = 0
    for k, (acked, _) in enumerate(acks, start=1):
        while at < len(shown) and (shown[at][1] < k or shown[at][0] < acked):
            at += 1
        if at == len(shown):
            break  # the projector never showed it within the drain
        stale.append((shown[at][0] - acked) * 1000)
    polls = {k: sum(p["polls"][k] for p in parts) for k in ("fresh", "unchanged", "failed")}
    ballots = (check or {}).get("ballots") or {}
    return {
        "phones": n,
        "sent": len(sent),
        "acked": len(acks),
        # Each phone sends one ballot and the database keeps one row per device: a row
        # beyond the ballots sent, or a "replaced" event, is a double. An acknowledged
        # ballot missing from the rows is lost; one stored but not acknowledged within the
        # drain is neither (its phone would resend it with the same key).
        "unacked": len(sent) - len(acks),
        "stored_unacked": max(0, ballots.get("rows", 0) - len(acks)),
        "lost": max(0, len(acks) - ballots.get("rows", 0)),
        "doubled": max(0, ballots.get("rows", 0) - len(sent)) + ballots.get("replaced", 0),
        "db": ballots,
        "ack_ms": percentiles([(a - s) * 1000 for a, s in acks]),
        "projector_stale_ms": percentiles(stale),
        "projector_missed": len(acks) - len(stale),
        "projector_last_count": shown[-1][1] if shown else None,
        "projector_polls": polls,  # "fresh": a render, however many ballots came between
    }


def burst_figures(ideas: list[list[Any]], args: argparse.Namespace) -> dict[str, Any]:
    """Burst p99, the steady p99 before it, and how soon 1-s buckets are back at steady."""
    burst = [i[3] for i in ideas if i[1] == "burst" and i[3] is not None]
    before = [i[3] for i in ideas if i[1] == "steady" and i[0] < args.burst_at and i[3] is not None]
    steady_p99 = percentiles(before)["p99"] or 0.0
    end = args.burst_at + BURST_WINDOW
    threshold = max(2 * steady_p99, steady_p99 + 10)
    recovered = None
    second = end
    while second < args.duration:
        bucket = [i[3] for i in ideas if second <= i[0] < second + 1 and i[3] is not None]
        p = percentiles(bucket)["p99"]
        if p is not None and p <= threshold:
            recovered = round(second - end, 1)
            break
        second += 1
    return {
        "burst_ms": percentiles(burst),
        "steady_before_p99_ms": steady_p99,
        "recovered_after_s": recovered,
    }


def ramp_figures(
    ideas: list[list[Any]],
    results: list[dict[str, Any]],
    samples: list[tuple[float, float, int]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    steps = results[0]["steps"]
    table = []
    capacity = None
    for index, step in enumerate(steps):
        tag = f"step{index}"
        mine = [i for i in ideas if i[1] == tag]
        lat = [i[3] for i in mine if i[3] is not None]
        acked = sum(1 for i in mine if i[2] is not None)
        span = args.step
        cpu = [s for s in samples if step["t_start"] <= s[0] <= step["t_end"]]
        cpu_pct = (
            100 * (cpu[-1][1] - cpu[0][1]) / (cpu[-1][0] - cpu[0][0]) if len(cpu) > 1 else None
        )
        row = {
            "rate": round(step["rate"], 1),
            "acked_per_s": round(acked / span, 1),
            "deliveries_per_s": round(sum(i[4] for i in mine) / span, 1),
            "all_peers_ms": percentiles(lat),
            "lost": len(mine) - len(lat),
            "server_cpu_pct": round(cpu_pct, 1) if cpu_pct is not None else None,
        }
        table.append(row)
        p99 = row["all_peers_ms"]["p99"]
        if p99 is not None and p99 <= RAMP_LIMIT_MS and row["lost"] == 0:
            capacity = row
    return {"steps": table, "capacity": capacity}


# -- entry point -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=SCENARIOS, default="steady")
    parser.add_argument(
        "--target",
        type=parse_targets,
        default="both",
        help="comma-separated: floor, app (one process, SQLite), app2 (serve --workers 2 on "
        "PostgreSQL with Redis between the processes); both = floor,app (default)",
    )
    parser.add_argument("-n", "--phones", type=int, default=1000)
    parser.add_argument("--group-size", type=int, default=40)
    parser.add_argument(
        "--interval", type=float, default=30.0, help="seconds between a phone's ideas"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per target, floor and app alternating"
    )
    parser.add_argument("--procs", type=int, default=1, help="generator processes")
    parser.add_argument(
        "--generator-nice",
        type=int,
        default=-10,
        help="the generator processes' niceness (below 0 needs root; else they keep 0)",
    )
    parser.add_argument(
        "--assist",
        action="store_true",
        help="suggestions and hints in use in every group: each phone asks for similar ideas "
        "before each idea, each group's facilitator asks for suggested themes once",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--settle", type=float, default=3.0, help="idle seconds before measuring")
    parser.add_argument("--drain", type=float, default=10.0, help="seconds to wait for stragglers")
    parser.add_argument("--burst-at", type=float, default=10.0)
    parser.add_argument("--storm-at", type=float, default=10.0)
    parser.add_argument("--storm-limit", type=float, default=60.0, help="give up converging after")
    parser.add_argument("--ramp-start", type=float, default=50.0, help="ideas/s of the first step")
    parser.add_argument("--ramp-factor", type=float, default=1.4)
    parser.add_argument("--ramp-steps", type=int, default=12)
    parser.add_argument("--step", type=float, default=6.0, help="seconds per ramp step")
    parser.add_argument("--replay", default="", help="conversation to replay (default: largest)")
    parser.add_argument("--factor", type=float, default=0.0, help="replay time compression")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--work-dir", default=tempfile.gettempdir() + "/facilitator-bench")
    parser.add_argument("--scaling", default=",".join(map(str, SCALING_N)))
    parser.add_argument("--json", action="store_true", help="print one JSON object per run")
    parser.add_argument("--out", type=Path, help="also append each run's JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the servers' data directories")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a stored joined workshop of the same size (app only; app2 joins every run)",
    )
    parser.add_argument(
        "--postgres-url",
        default=scaleout.POSTGRES,
        help="PostgreSQL server where app2 creates (and then drops) its database",
    )
    parser.add_argument("--redis-url", default=scaleout.REDIS, help="Redis server for app2")
    parser.add_argument("--quiet", type=float, default=5.0, help="wait for other CPU < this %%")
    parser.add_argument("--profile", type=Path, help="py-spy the server into this folder")
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="sample only the thread holding the interpreter lock (where Python's CPU goes)",
    )
    parser.add_argument("--profile-targets", default="app", help="which servers to profile")
    args = parser.parse_args(argv)

    # A stopped benchmark (timeout, kill) still stops its server and workers (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise_fd_limit()
    comments = load_comments(args.data)
    texts = [c[2] for rows in comments.values() for c in rows]
    replay: list[tuple[float, int, str]] = []
    if args.scenario == "replay":
        name = args.replay or max(comments, key=lambda k: len(comments[k]))
        rows = comments[name]
        span = (rows[-1][0] - rows[0][0]) / 1000 or 1.0
        factor = args.factor or span / args.duration  # default: the whole conversation fits
        replay = [((ts - rows[0][0]) / 1000 / factor, author, text) for ts, author, text in rows]
        replay = [r for r in replay if r[0] < args.duration]
    sizes = (
        [int(x) for x in args.scaling.split(",")] if args.scenario == "scaling" else [args.phones]
    )
    targets = args.target
    for n in sizes:
        for run in range(args.runs):
            order = targets if run % 2 == 0 else targets[::-1]  # alternate who goes first
            for target in order:
                result = run_once(args, target, n, args.scenario, texts, replay)
                result["run"] = run
                line = json.dumps(result)
                if args.out:
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    with args.out.open("a") as f:
                        f.write(line + "\n")
                if args.json:
                    print(line, flush=True)
                else:
                    print(headline(result), flush=True)


def parse_targets(value: str) -> list[str]:
    names = [t.strip() for t in value.split(",") if t.strip()]
    names = [t for name in names for t in (["floor", "app"] if name == "both" else [name])]
    unknown = sorted(set(names) - set(TARGETS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown target {', '.join(unknown) or value!r}: use {', '.join(TARGETS)} or both"
        )
    return list(dict.fromkeys(names))


def headline(r: dict[str, Any]) -> str:
    a, s, g = r["all_peers_ms"], r["server"], r["generator"]
    return (
        (
            f"{r['target']:5} {r['scenario']:7} N={r['params']['phones']:5} acked={r['acked']} "
            f"lost={r['lost']} dup={r['duplicated']} ooo={r['out_of_order']} "
            f"all-peers p50/p99/max={a['p50']}/{a['p99']}/{a['max']} ms "
            f"server cpu={s['cpu_pct']}% {s['cpu_us_per_delivery']} us/delivery "
            f"rss/phone={s['rss_per_phone_kb']} KB gen cpu={g['cpu_pct_max']}% "
            f"lag p99={g['lag_p99_ms']} ms other={r['other_cpu_pct']}% valid={r['valid']}"
        )
        + (
            f" hint p50/p99={r['assist']['hint_ms']['p50']}/{r['assist']['hint_ms']['p99']} ms "
            f"({r['assist']['hints']}) suggestions p50/p99={r['assist']['suggest_ms']['p50']}/"
            f"{r['assist']['suggest_ms']['p99']} ms ({r['assist']['suggestions']}) "
            f"errors={r['assist']['errors']}"
            if r.get("assist")
            else ""
        )
        + (
            f" db cpu={s['db_cpu_pct']}% redis cpu={s['redis_cpu_pct']}% "
            f"crossed={r['processes']['deliveries_crossed']}"
            if "processes" in r
            else ""
        )
    )


if __name__ == "__main__":
    main()
