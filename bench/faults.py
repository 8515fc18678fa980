"""Fault injection with a few hundred simulated phones: the server is killed with SIGKILL at
seeded random moments (and started again), or phones' connections are cut without a close,
while the phones keep sending ideas. Prints ideas acknowledged, lost, duplicated, and the
recovery time p50/p95.

    python -m bench.faults --scenario both -n 300 --json

The phones are bench/load.py's: they speak the real live protocol, keep an outbox of
unacknowledged ideas that they send again with the same keys after any reconnect (with
jitter), and resume from their last seq, as static/live.js does. Afterwards the database is
read directly: an idea acknowledged but not stored is lost; a key stored twice, or a second
idea for one key, is duplicated; a channel whose seqs are not 1..head has a hole.

Recovery time: from the fault (the kill, or the cut) to the moment each affected phone has
its socket open again (after a kill this includes the server's own restart,
`server_restart_s`); `converged_s` is from the last fault until every phone is connected,
every idea acknowledged and every phone at its group's head.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.load import (
    REPO,
    Phone,
    Server,
    Worker,
    load_comments,
    percentiles,
    raise_fd_limit,
    start_server,
)

SCENARIOS = ("sigkill", "disconnect")


class FaultWorker(Worker):
    """bench/load.py's phones, noting when each comes back after a fault."""

    def __init__(self, spec: dict[str, Any]):
        super().__init__(spec)
        self.faulted: dict[int, float] = {}  # phone -> when its fault happened
        self.recovery: list[float] = []  # seconds, one per phone per fault

    async def connect(self, phone: Phone) -> None:
        # A phone never gives up (load.py's tries out after ~20 s, less than a restart can
        # take on a busy machine); live.js retries for as long as the page is open.
        while True:
            try:
                await super().connect(phone)
                break
            except Exception:
                if self.stopping:
                    raise
                await asyncio.sleep(0.5 + self.rng.random())
        began = self.faulted.pop(phone.idx, None)
        if began is not None:
            self.recovery.append(time.monotonic() - began)

    def fault(self, phones: list[Phone]) -> None:
        now = time.monotonic()
        for p in phones:
            self.faulted.setdefault(p.idx, now)

    def unacked(self) -> int:
        return sum(len(p.outbox) for p in self.phones)


async def run(args: argparse.Namespace, scenario: str, texts: list[str]) -> dict[str, Any]:
    n_groups = -(-args.phones // args.group_size)
    server = start_server("app", n_groups, Path(args.work_dir))
    loop = asyncio.get_running_loop()
    rng = random.Random(args.seed)
    groups = [
        {
            "index": i,
            "id": g["id"],
            "code": g["code"],
            "size": min(args.group_size, args.phones - i * args.group_size),
        }
        for i, g in enumerate(server.groups)
    ]
    spec = {
        "host": "127.0.0.1",
        "port": server.port,
        "run_id": f"f{int(time.time()) % 100000}{scenario[0]}",
        "texts": texts,
        "seed": args.seed,
        "groups": groups,
    }
    w = FaultWorker(spec)
    try:
        limit = asyncio.Semaphore(64)

        async def bounded(step: Any, p: Phone) -> None:
            async with limit:
                await step(p)

        await asyncio.gather(*(bounded(w.join, p) for p in w.phones))
        await asyncio.gather(*(bounded(w.connect, p) for p in w.phones))
        t0 = time.monotonic() + 0.5
        done = asyncio.Event()

        async def keep_loading() -> None:
            """Each phone sends an idea per interval, for the duration and until the faults
            are over (a restart can take long on a busy machine)."""
            t = t0
            while t < t0 + args.duration or not done.is_set():
                await w.fire(w.steady_plan(t, args.interval, args.interval))
                t += args.interval

        load = loop.create_task(keep_loading())
        faults, restarts = [], []
        for _ in range(args.faults):
            await asyncio.sleep(rng.uniform(0.3, 1.0) * args.duration / args.faults)
            # Each fault after the phones recovered from the last, so each is timed alone.
            while w.faulted and time.monotonic() < t0 + args.duration + args.drain:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            if scenario == "sigkill":
                w.fault(w.phones)
                faults.append(time.monotonic())
                # Killed in the middle of whatever it was doing; up again on the same port.
                await loop.run_in_executor(None, server.restart)
                restarts.append(time.monotonic() - faults[-1])
            else:
                cut = rng.sample(w.phones, max(1, round(args.share * len(w.phones))))
                w.fault(cut)
                faults.append(time.monotonic())
                for p in cut:  # the Wi-Fi goes: no close, the connection just dies
                    if p.ws is not None:
                        p.ws.abort()
        done.set()
        await load
        end = time.monotonic() + args.drain
        while time.monotonic() < end and not w.converged():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        converged_s = time.monotonic() - faults[-1] if faults else 0.0
        converged = w.converged()
        w.stopping = True
        for p in w.phones:
            if p.ws is not None:
                p.ws.abort()
        stored = read_database(server)
    finally:
        server.stop()
    acked = {key: sub.idea_id for key, sub in w.subs.items() if sub.idea_id is not None}
    lost = [key for key, idea in acked.items() if stored["keys"].get(key) != [idea]]
    final = {str(p.gid): p.seq for p in w.phones}
    behind = sum(1 for gid, seq in final.items() if stored["heads"].get(f"group:{gid}") != seq)
    return {
        "scenario": scenario,
        "phones": args.phones,
        "groups": n_groups,
        "faults": len(faults),
        "seed": args.seed,
        "submitted": len(w.subs),
        "acknowledged": len(acked),
        "unacknowledged": w.unacked(),
        "lost": len(lost),
        "duplicated": stored["duplicated"] + w.duplicate_ideas,
        "seq_holes": stored["holes"],
        "phones_not_at_head": behind,
        "reconnects": w.reconnects,
        "recovery_s": {k: v for k, v in percentiles(w.recovery).items() if k != "p99"},
        "server_restart_s": percentiles(restarts)["max"],  # killed until healthy again
        "converged": converged,
        "converged_s": round(converged_s, 2),
    }


def read_database(server: Server) -> dict[str, Any]:
    """The server's own record after the run: ideas by key, duplicates, seq holes, heads."""
    path = server.database_url.split("///", 1)[1]
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        keys: dict[str, list[int]] = {}
        for idea_id, key in db.execute("SELECT id, client_key FROM idea"):
            keys.setdefault(key, []).append(idea_id)
        holes = db.execute(
            "SELECT count(*) FROM (SELECT channel, count(*) AS n, max(seq) AS top, "
            "min(seq) AS bottom FROM event GROUP BY channel) WHERE n != top OR bottom != 1"
        ).fetchone()[0]
        heads = dict(db.execute("SELECT name, seq FROM channel WHERE name LIKE 'group:%'"))
    duplicated = sum(len(ids) - 1 for ids in keys.values())
    return {"keys": keys, "duplicated": duplicated, "holes": holes, "heads": heads}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=(*SCENARIOS, "both"), default="both")
    parser.add_argument("-n", "--phones", type=int, default=300)
    parser.add_argument("--group-size", type=int, default=30)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between ideas")
    parser.add_argument("--faults", type=int, default=3, help="kills or cuts in the run")
    parser.add_argument("--share", type=float, default=0.3, help="phones cut per disconnect")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to converge after")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--work-dir", default=tempfile.gettempdir() + "/facilitator-faults")
    parser.add_argument("--json", action="store_true", help="print one JSON object per run")
    args = parser.parse_args(argv)
    # A stopped run (timeout, kill) still stops its server (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise_fd_limit()
    Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    comments = load_comments(args.data)
    texts = [c[2] for rows in comments.values() for c in rows]
    for scenario in SCENARIOS if args.scenario == "both" else (args.scenario,):
        result = asyncio.run(run(args, scenario, texts))
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            r = result["recovery_s"]
            print(
                f"{scenario:10} phones={result['phones']} faults={result['faults']} "
                f"acknowledged={result['acknowledged']} lost={result['lost']} "
                f"duplicated={result['duplicated']} seq_holes={result['seq_holes']} "
                f"unacknowledged={result['unacknowledged']} recovery p50/p95="
                f"{r['p50']}/{r['p95']} s converged={result['converged']} "
                f"in {result['converged_s']} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
