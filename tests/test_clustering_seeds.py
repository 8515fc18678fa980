"""Suggested themes do not depend on the interpreter: the same board gives the same groups,
in the same order, with the same names, whatever `PYTHONHASHSEED` a process drew (each
server process and the writer draws its own). Boards where groups tie in size are where a
set's or a hash's order would show. Only the public API is called, so any engine fits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from facilitator.clustering import suggest_clusters, suggest_names

ROOT = Path(__file__).resolve().parents[1]

BOARDS = [
    # Three themes of four ideas each.
    [
        "more bike lanes",
        "plant more trees",
        "longer library hours",
        "safer bike lanes downtown",
        "trees in the park",
        "library open on sunday",
        "protected bike lanes on main street",
        "new trees along the streets",
        "more books in the library",
        "bike lanes to school",
        "a tree planting day",
        "faster wifi in the library",
    ],
    # Pairs that differ only in case and spaces always share a group: four groups of two.
    [
        "Free coffee at the morning break",
        "Shorter keynote speeches",
        "Name badges with large print",
        "Quiet room for calls",
        "free coffee at the  morning break",
        "SHORTER keynote speeches",
        " name badges with large print",
        "Quiet room for calls ",
    ],
    # Five themes of three ideas each.
    [
        "more bike lanes",
        "plant more trees",
        "longer library hours",
        "cheaper bus tickets",
        "cleaner public toilets",
        "safer bike lanes",
        "trees in the park",
        "library open on sunday",
        "more frequent bus service",
        "more public toilets in the park",
        "bike lanes to school",
        "new trees on the streets",
        "more books in the library",
        "night bus on weekends",
        "public toilets open at night",
    ],
    # Pairs in three scripts, and an idea alone.
    [
        "مكتبة مفتوحة يوم الأحد",
        "更安全的自行车道",
        "plus de pistes cyclables",
        "مكتبة مفتوحة يوم الأحد ",
        "更安全的自行车道",
        "Plus de pistes cyclables",
        "a stage for the closing plenary",
    ],
]


def outcomes(boards: list[list[str]]) -> list[Any]:
    """Each board's groups and their names, as JSON would carry them."""
    out = []
    for board in boards:
        groups = suggest_clusters(board)
        out.append([groups, suggest_names(board, groups)])
    return json.loads(json.dumps(out))  # type: ignore[no-any-return]


def outcomes_with_hash_seed(seed: int) -> list[Any]:
    """`outcomes(BOARDS)` worked out by another interpreter, with this hash seed."""
    script = (
        "import json, sys\n"
        "from tests.test_clustering_seeds import BOARDS, outcomes\n"
        "json.dump(outcomes(BOARDS), sys.stdout)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": str(seed)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def test_suggestions_are_the_same_under_every_hash_seed() -> None:
    here = outcomes(BOARDS)
    ties = [groups for groups, _ in here if len({len(g) for g in groups}) < len(groups)]
    assert ties, f"no board has groups of the same size, so this proves nothing: {here}"
    assert outcomes_with_hash_seed(1) == here
    assert outcomes_with_hash_seed(2) == here
