"""A short run of the fault-injection script, so that it keeps working. Correctness only:
recovery times are measured by `python -m bench.faults`, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_short_fault_run_loses_and_doubles_nothing(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.faults", "--scenario", "both", "-n", "20"]
    command += ["--group-size", "10", "--duration", "4", "--interval", "1", "--faults", "1"]
    command += ["--drain", "40", "--json", "--work-dir", str(tmp_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=380)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["scenario"] for r in runs] == ["sigkill", "disconnect"]
    for run in runs:
        assert run["faults"] == 1 and run["acknowledged"] > 0, run
        assert run["lost"] == 0 and run["duplicated"] == 0 and run["seq_holes"] == 0, run
        assert run["unacknowledged"] == 0 and run["converged"], run
        assert run["phones_not_at_head"] == 0, run
