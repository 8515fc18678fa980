"""The wheel carries the templates, static files, migrations, catalogues and demo data, and
not the benchmarks."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_templates_static_and_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("facilitator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "facilitator/templates/base.html",
        "facilitator/templates/participant/board.html",
        "facilitator/static/live.js",
        "facilitator/static/app.css",
        "facilitator/demo_data/polis_bowling_green.csv",
        "facilitator/demo_data/ATTRIBUTION.md",
        "facilitator/demo_data/polis_vote_patterns.csv",
        "facilitator/examples/workshop.yaml",  # served on the dashboard
        "facilitator/migrations/env.py",
        "facilitator/migrations/versions/0001_first_tables.py",
        # The catalogues, compiled when first used: a wheel needs no .mo files.
        "facilitator/locale/fr/LC_MESSAGES/messages.po",
        "facilitator/locale/es/LC_MESSAGES/messages.po",
        "facilitator/locale/ar/LC_MESSAGES/messages.po",
    }
    assert expected <= names, expected - names
    for path in ROOT.glob("templates/**/*.html"):
        assert f"facilitator/{path.relative_to(ROOT)}" in names
    assert not any(n.endswith((".db", "secret_key")) for n in names)
    # The benchmarks run from a clone; the wheel installs only the app.
    assert not any(n.startswith("bench/") for n in names)


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [line[2:] for line in readme.splitlines() if line.startswith("$ ")]
    assert len(commands) >= 2
    demo, tests = commands[0], commands[1]
    assert "facilitator demo" in demo and "pip install" in demo
    assert "pytest" in tests and "pip install" in tests
    assert tests in (ROOT / ".ci" / "run").read_text()
