"""Derive the packaged Pol.is demo sample from the Bowling Green open-data export.

Reads the upstream ``comments.csv`` (never modifies it) and writes
``facilitator/demo_data/polis_bowling_green.csv``: the ``--count`` comments accepted
by the moderator (``moderated == 1``) with the most agrees, ties broken by the lower
comment id, listed oldest first, with columns ``timestamp,comment-id,comment-body``.
Comment text is cleaned the way ``facilitator.demo.polis`` cleans it on load
(whitespace collapsed; comments with control characters or over 500 characters are
skipped before selection), so every row in the sample is usable.

Usage, from the repository root::

    python scripts/make_demo_sample.py
    python scripts/make_demo_sample.py --source path/to/comments.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from facilitator.demo.polis import clean_comment as clean

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = (
    REPO_ROOT.parent
    / "shared"
    / "data"
    / "polis-opendata"
    / "american-assembly.bowling-green"
    / "comments.csv"
)
DEFAULT_OUTPUT = REPO_ROOT / "facilitator" / "demo_data" / "polis_bowling_green.csv"
SIZE_LIMIT = 20 * 1024
COLUMNS = ("timestamp", "comment-id", "comment-body")


def select(rows: list[dict[str, str]], count: int) -> list[tuple[int, int, str]]:
    """The accepted comments with the most agrees, oldest first."""
    candidates: list[tuple[int, int, int, str]] = []
    for row in rows:
        if row["moderated"].strip() != "1":
            continue
        body = clean(row["comment-body"])
        if body is None:
            continue
        candidates.append((int(row["agrees"]), int(row["comment-id"]), int(row["timestamp"]), body))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    chosen = [(ts, cid, body) for _agrees, cid, ts, body in candidates[:count]]
    chosen.sort(key=lambda c: (c[0], c[1]))
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Derive the packaged Pol.is demo sample.")
    parser.add_argument(
        "--source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="Bowling Green comments.csv (default: %(default)s)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="sample to write (default: %(default)s)"
    )
    parser.add_argument("--count", type=int, default=60, help="comments to keep")
    args = parser.parse_args(argv)

    with args.source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    chosen = select(rows, args.count)
    if len(chosen) < args.count:
        print(f"only {len(chosen)} usable comments in {args.source}", file=sys.stderr)
        return 1

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(chosen)

    size = args.output.stat().st_size
    print(f"wrote {len(chosen)} of {len(rows)} comments to {args.output} ({size} bytes)")
    if size > SIZE_LIMIT:
        print(f"sample is over {SIZE_LIMIT} bytes; lower --count", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
