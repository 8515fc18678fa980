"""Derive the demo's packaged voting patterns from a Pol.is open-data vote log.

Reads an upstream ``votes.csv`` and ``comments.csv`` (never modifies them) and writes
``facilitator/demo_data/polis_vote_patterns.csv``: how ``--voters`` real participants
voted on ``--comments`` statements. The statements are those accepted by the moderator
(``moderated == 1``) with the most voters, ties broken by the lower comment id, listed
by comment id; the voters are those who voted on the most of them, ties broken by the
lower voter id. A voter's last vote on a statement counts (Pol.is lets people change
their vote). Rows are ``voter,statement,vote`` (voter and statement renumbered from 0 in
the order above; vote 1 agree, -1 disagree, 0 pass), each voter's rows in the order they
voted. No text, ids or times of the upstream file are kept.

Usage, from the repository root::

    python scripts/make_vote_patterns.py
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = (
    REPO_ROOT.parent / "shared" / "data" / "polis-opendata" / "scoop-hivemind.biodiversity"
)
DEFAULT_OUTPUT = REPO_ROOT / "facilitator" / "demo_data" / "polis_vote_patterns.csv"
SIZE_LIMIT = 20 * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Derive the packaged voting patterns.")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="conversation folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--comments", type=int, default=24)
    parser.add_argument("--voters", type=int, default=80)
    args = parser.parse_args(argv)

    with (args.source / "comments.csv").open(encoding="utf-8", newline="") as fh:
        accepted = {int(r["comment-id"]) for r in csv.DictReader(fh) if r["moderated"] == "1"}
    last: dict[tuple[int, int], tuple[int, int]] = {}  # (voter, comment) -> (time, vote)
    with (args.source / "votes.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            key, at = (int(r["voter-id"]), int(r["comment-id"])), int(r["timestamp"])
            if key[1] in accepted and (key not in last or last[key][0] <= at):
                last[key] = (at, int(r["vote"]))
    voters_of = Counter(comment for _, comment in last)
    comments = sorted(sorted(voters_of, key=lambda c: (-voters_of[c], c))[: args.comments])
    wanted = set(comments)
    coverage = Counter(voter for voter, comment in last if comment in wanted)
    voters = sorted(coverage, key=lambda v: (-coverage[v], v))[: args.voters]

    rows = []
    for v_number, voter in enumerate(voters):
        votes = sorted((at, comments.index(c), vote) for (v, c), (at, vote) in last.items()
                       if v == voter and c in wanted)  # fmt: skip
        rows += [(v_number, statement, vote) for _, statement, vote in votes]
    with args.output.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("voter", "statement", "vote"))
        writer.writerows(rows)
    size = args.output.stat().st_size
    print(f"wrote {len(rows)} votes of {len(voters)} voters on {len(comments)} statements "
          f"to {args.output} ({size} bytes)")  # fmt: skip
    return 1 if size > SIZE_LIMIT else 0


if __name__ == "__main__":
    raise SystemExit(main())
