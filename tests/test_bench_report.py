"""The benchmark report's tables take medians over valid runs only (issue #7's rule)."""

from __future__ import annotations

from typing import Any

from bench.report import markdown


def run(target: str, p99: float, valid: bool) -> dict[str, Any]:
    return {
        "target": target,
        "scenario": "steady",
        "params": {"phones": 100},
        "all_peers_ms": {"p99": p99},
        "valid": valid,
    }


def row(table: str, label: str) -> list[str]:
    line = next(x for x in table.splitlines() if x.startswith(f"| {label} |"))
    return [cell.strip() for cell in line.strip("|").split("|")][1:]


def test_a_run_that_was_not_valid_is_left_out_of_the_medians() -> None:
    table = markdown(
        [run("app", 10, True), run("app", 12, True), run("app", 900, False), run("floor", 5, True)]
    )
    assert row(table, "submit→all peers p99 ms")[:2] == ["11", "5"]
    assert "medians of 2 app and 1 floor runs; 3 of 4 runs valid" in table


def test_when_no_run_was_valid_the_table_still_shows_them() -> None:
    table = markdown([run("app2", 700, False), run("app2", 900, False)])
    assert row(table, "submit→all peers p99 ms")[0] == "800"
    assert "0 of 2 runs valid" in table
