"""Suggested themes for a 200-idea board in a process that just started: today's cold start
(no vector anywhere: all 200 computed) against one whose vectors are kept in the database.

    python -m bench.cold_suggestions            # the table
    python -m bench.cold_suggestions --json

A SQLite database in a temporary folder gets a workshop and 200 Pol.is comments (../shared/
data), through the package's own domain functions. Then, each in a fresh interpreter, as a
restarted server would: the SQLite writer is started, the engine imported, the language
identifier loaded and the vector workers started with their model (what `facilitator serve`
does at start-up, timed apart), then the facilitator's preview (`domain.suggestions.preview`: reads,
clusters, names) is timed. Runs, in order:

1. "cold, nothing kept": the database holds no vector (today's cold start before this
   change, when vectors were kept per process only); the preview computes all 200 and
   keeps them;
2. "cold, vectors kept": a new process, the same database: the 200 vectors are read back;
3. the same again (the spread between two runs of one thing);
4. "console opened 1 s before": the vectors forgotten again, the group's console opened
   (which queues its board for the background) a second before the preview, as a
   facilitator opens it and then clicks "Suggest" (``--opened`` sets the delay).

CPU time (every thread of the process and of its vector workers) is the fairer figure on a shared
machine; each process also times a fixed piece of work, TF-IDF suggestions for the same 200
ideas, as a baseline, and the report gives each preview's CPU time as a multiple of that
baseline measured in the same process, with the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from facilitator.vector_worker import cpu_seconds

REPO = Path(__file__).resolve().parent.parent


async def _board(url: str, texts: list[str]) -> dict[str, Any]:
    """A workshop of one group holding ``texts`` as ideas; its organiser's sign-in."""
    from facilitator.domain import JOB_MODULES, accounts, ideas, participants, workshops
    from facilitator.domain.actors import Staff
    from facilitator.domain.workshops import GroupDraft
    from facilitator.models import Role
    from facilitator.store.database import Database

    db = Database(url, job_modules=JOB_MODULES)
    try:
        email = f"bench-{secrets.token_hex(4)}@example.org"
        user_id = await accounts.create_user(db, email, secrets.token_urlsafe(18), Role.organiser)
        organiser = Staff(user_id, Role.organiser, email, "")
        drafts = [GroupDraft("Table 1", "What should we change first?")]
        workshop_id = await workshops.create_workshop(
            db, organiser, "Cold start", "2026-11-27", "", drafts
        )
        from facilitator.domain import workshop_views

        view = db.read_sync(lambda s: workshop_views.workshop_view(s, workshop_id))
        group_id = view.groups[0].id
        for n, text in enumerate(texts):
            # A participant per comment, as on a real board (five ideas each at most).
            person = await participants.join_group(db, f"bench-{n}", group_id)
            await ideas.submit_idea(db, person, group_id, f"bench-key-{n:05d}", text, 5000)
    finally:
        db.close()
    return {"user_id": user_id, "email": email, "group_id": group_id}


def _cpu() -> float:
    return cpu_seconds()


async def _preview(url: str, board: dict[str, Any], opened: float = 0.0) -> dict[str, Any]:
    """One fresh process's figures: start-up, the preview, the baseline. With ``opened``, the
    group's console is opened that many seconds before "Suggest", as a facilitator does."""
    load_start = os.getloadavg()[0]
    started, started_cpu = time.perf_counter(), _cpu()
    from facilitator.domain import JOB_MODULES, suggestions
    from facilitator.domain.actors import Staff
    from facilitator.models import Role
    from facilitator.store.database import Database

    # What the server does as it starts (app.py), before anyone can ask for a preview: its
    # SQLite writer process, the engine, the language identifier and the vector workers.
    db = Database(url, job_modules=JOB_MODULES)
    db.start()
    clustering = suggestions.load_engine()
    clustering.languages.detect(["warm up"])
    clustering.preload()
    clustering.multilingual.wait_warm()
    startup_s, startup_cpu = time.perf_counter() - started, _cpu() - started_cpu
    try:
        suggestions.keep_vectors(db)
        actor = Staff(board["user_id"], Role.organiser, board["email"], "")
        # Vectors the model computed from here on (not those read back from the database): a
        # count, where the workers' CPU time comes in clock ticks that idle workers can earn.
        computed: list[int] = []
        clustering.multilingual.on_computed(lambda blobs: computed.append(len(blobs)))
        opened_cpu = _cpu()
        if opened:
            suggestions.prepare(db, board["group_id"])  # what opening the console does
            await asyncio.sleep(opened)
        started, started_cpu, own_cpu = time.perf_counter(), _cpu(), time.process_time()
        preview = await suggestions.preview(db, actor, board["group_id"])
        wall, cpu = time.perf_counter() - started, _cpu() - started_cpu
        since_opened_cpu = _cpu() - opened_cpu
        # What the vector workers spent: the vectors the preview had computed, if any.
        workers_cpu = max(0.0, cpu - (time.process_time() - own_cpu))
        await suggestions.flush()
        texts = [i.text for p in preview.proposals for i in p.ideas]
        texts += [i.text for i in preview.left_alone]
        started_cpu = _cpu()
        for _ in range(3):
            clustering.suggest_names(texts, clustering.suggest_clusters(texts, "tfidf"))
        baseline = (_cpu() - started_cpu) / 3
    finally:
        db.close()
    return {
        "preview_s": round(wall, 3),
        "preview_cpu_s": round(cpu, 3),
        "baseline_cpu_s": round(baseline, 3),
        "preview_in_baselines": round(cpu / baseline, 1),
        "startup_s": round(startup_s, 2),
        "startup_cpu_s": round(startup_cpu, 2),
        "workers_cpu_s": round(workers_cpu, 2),
        "vectors_computed": sum(computed),
        "console_opened_s": opened,
        "cpu_since_console_opened_s": round(since_opened_cpu, 2),
        "groups": len(preview.proposals),
        "ideas": len(texts),
        "load_average": [round(load_start, 1), round(os.getloadavg()[0], 1)],
    }


def _child(url: str, board: dict[str, Any], opened: float = 0.0) -> dict[str, Any]:
    command = ["-m", "bench.cold_suggestions", "--child", url, json.dumps(board)]
    run = subprocess.run(
        [sys.executable, *command, "--opened", str(opened)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
        timeout=600,
    )
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def _forget_vectors(url: str) -> None:
    """The database as before the first run: no vector kept."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as con, con:
        con.execute("DELETE FROM idea_vector")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--ideas", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--opened",
        type=float,
        default=1.0,
        help=('seconds between opening the console and "Suggest" in the last run (default 1)'),
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        figures = _preview(args.child[0], json.loads(args.child[1]), args.opened)
        print(json.dumps(asyncio.run(figures)))
        return 0

    from bench.cluster_quality import polis_board
    from facilitator.store import migrate

    texts = polis_board(args.data, args.ideas)
    with tempfile.TemporaryDirectory(prefix="cold-suggestions-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        board = asyncio.run(_board(url, texts))
        runs = {
            "cold, nothing kept": _child(url, board),
            "cold, vectors kept": _child(url, board),
            "cold, vectors kept (again)": _child(url, board),
        }
        _forget_vectors(url)
        runs[f"cold, console opened {args.opened:g} s before"] = _child(url, board, args.opened)
    today = runs["cold, nothing kept"]["preview_cpu_s"]
    kept = runs["cold, vectors kept"]["preview_cpu_s"]
    report = {"ideas": args.ideas, "runs": runs, "cpu_ratio_kept_to_today": round(kept / today, 3)}
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{args.ideas}-idea Pol.is board, each run a fresh process")
    print(
        "| run | preview wall s | preview CPU s | in baselines | of it, vector workers' CPU s "
        "| CPU s since the console opened | start-up CPU s | load average |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        print(
            f"| {name} | {r['preview_s']:.2f} | {r['preview_cpu_s']:.2f} | "
            f"{r['preview_in_baselines']:.1f} | {r['workers_cpu_s']:.2f} | "
            f"{r['cpu_since_console_opened_s']:.2f} | {r['startup_cpu_s']:.2f} | "
            f"{r['load_average'][0]} → {r['load_average'][1]} |"
        )
    print(f"CPU time, vectors kept ÷ nothing kept: {report['cpu_ratio_kept_to_today']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
