"""A short run of the benchmark, so that it keeps working. Correctness only: speed is measured
by `python -m bench.load`, never asserted here (a shared CI machine would make it flaky)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import backends

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_a_short_benchmark_run_loses_and_doubles_nothing(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.load", "--target", "both", "-n", "120"]
    command += ["--duration", "3", "--interval", "1.5", "--settle", "0.5", "--drain", "8"]
    command += ["--quiet", "0", "--json", "--work-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=80)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = [json.loads(line) for line in done.stdout.splitlines()]
    assert {r["target"] for r in runs} == {"app", "floor"}
    for run in runs:
        assert run["connected"] == 120
        assert run["submitted"] > 0
        assert run["acked"] == run["submitted"], run
        assert run["lost"] == 0 and run["lost_deliveries"] == 0, run
        assert run["duplicated"] == 0 and run["out_of_order"] == 0, run
        assert run["errors"] == 0, run["error_samples"]
        # The disk was probed beside the run: a commit's tail is the disk's.
        assert run["machine"]["fsync_during_ms"]["count"] > 0
    app = next(r for r in runs if r["target"] == "app")
    # The server's own record agrees: one stored idea per acknowledged key, heads as seen.
    assert app["db"]["ideas"] == app["acked"] and app["db"]["duplicated_in_db"] == 0
    assert app["db"]["groups_not_at_server_head"] == 0


def two_processes(tmp_path: Path, *more: str) -> dict[str, Any]:
    """A tiny `--target app2` run (48 phones, 24 a group, two generator processes): its JSON."""
    backends.require_servers()
    command = [sys.executable, "-m", "bench.load", "--target", "app2", "-n", "48", *more]
    command += ["--group-size", "24", "--procs", "2", "--duration", "3"]
    command += ["--settle", "0.5", "--drain", "8", "--quiet", "0", "--json"]
    command += ["--work-dir", str(tmp_path)]
    command += ["--postgres-url", backends.POSTGRES, "--redis-url", backends.REDIS]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-2000:]
    [run] = [json.loads(line) for line in done.stdout.splitlines()]
    return run  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_two_process_run_shares_every_idea_across_processes(tmp_path: Path) -> None:
    """`--target app2`: serve --workers 2 on PostgreSQL with Redis between the processes."""
    run = two_processes(tmp_path, "--interval", "1.5")
    assert run["target"] == "app2" and run["connected"] == 48
    assert run["submitted"] > 0 and run["acked"] == run["submitted"], run
    assert run["lost"] == 0 and run["lost_deliveries"] == 0, run
    assert run["duplicated"] == 0 and run["out_of_order"] == 0, run
    assert run["errors"] == 0, run["error_samples"]
    assert run["db"]["ideas"] == run["acked"] and run["db"]["duplicated_in_db"] == 0
    assert run["db"]["groups_not_at_server_head"] == 0
    # Phones of one group sat on both processes, and ideas reached peers on the other one.
    processes = run["processes"]
    assert processes["processes"] == 2 and processes["unplaced"] == 0, processes
    assert processes["groups_on_every_process"] >= 1, processes
    assert processes["deliveries_crossed"] > 0, processes


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_short_plenary_run_counts_every_ballot_once(tmp_path: Path) -> None:
    """`--scenario plenary`: every phone casts one ballot; the projector's count catches up."""
    command = [sys.executable, "-m", "bench.load", "--target", "app", "--scenario", "plenary"]
    command += ["-n", "60", "--group-size", "20", "--duration", "3", "--settle", "0.5"]
    command += ["--drain", "8", "--quiet", "0", "--json", "--work-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-2000:]
    [run] = [json.loads(line) for line in done.stdout.splitlines()]
    assert run["connected"] == 60 and run["errors"] == 0, run["error_samples"]
    vote = run["plenary"]
    assert vote["sent"] == vote["acked"] == 60, vote
    assert vote["lost"] == 0 and vote["doubled"] == 0, vote
    assert vote["db"] == {"rows": 60, "events": 60, "replaced": 0}
    # The projector showed every ballot, and rendered once a poll at most, not once a ballot.
    assert vote["projector_last_count"] == 60 and vote["projector_missed"] == 0, vote
    assert vote["projector_polls"]["failed"] == 0
    assert vote["projector_stale_ms"]["count"] == 60


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_two_process_plenary_run_counts_every_ballot_once(tmp_path: Path) -> None:
    """`--scenario plenary --target app2`: ballots on both processes, one database."""
    run = two_processes(tmp_path, "--scenario", "plenary")
    assert run["connected"] == 48 and run["errors"] == 0, run["error_samples"]
    vote = run["plenary"]
    assert vote["acked"] == 48 and vote["lost"] == 0 and vote["doubled"] == 0, vote
    assert vote["db"] == {"rows": 48, "events": 48, "replaced": 0}
    assert vote["projector_last_count"] == 48 and vote["projector_missed"] == 0, vote
    assert run["processes"]["processes"] == 2 and run["processes"]["unplaced"] == 0
