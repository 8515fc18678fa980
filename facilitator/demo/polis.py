"""Real Pol.is data packaged for the demo (see ``demo_data/ATTRIBUTION.md``): comments
from one public conversation, shown as a group's ideas, and how real participants of
another voted, which decides where the demo's phones put their dots."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from facilitator.demo.model import DemoGroup, DemoIdea

MAX_IDEA_CHARS = 500
WINDOW_MINUTES = 120
COMMENTS = "polis_bowling_green.csv"
VOTES = "polis_vote_patterns.csv"
NAME = "Open data sample: Bowling Green 2018"
PROMPT = (
    "What do you believe should change in Bowling Green/Warren County in order to make it a "
    "better place to live, work and spend time?"
)
ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is "
    "sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy "
    "Project. Case study: https://compdemocracy.org/case-studies/2018-kentucky"
)

Pattern = tuple[tuple[int, int], ...]  # (statement, vote) in the order voted; 1 agree


def _read(name: str) -> list[dict[str, str]]:
    raw = (files("facilitator") / "demo_data" / name).read_bytes().decode("utf-8")
    # newline="" hands line endings to the csv module untouched, as it expects.
    return list(csv.DictReader(io.StringIO(raw, newline="")))


def clean_comment(text: str) -> str | None:
    """Collapse whitespace; None if the text is empty, too long or has control characters."""
    # Tabs and line breaks are ordinary in typed comments; any other control
    # character means the text is damaged, so the comment is skipped.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        return None
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > MAX_IDEA_CHARS:
        return None
    return cleaned


def _ideas() -> tuple[DemoIdea, ...]:
    """Ideas from the packaged comments, their timeline squeezed into 120 minutes."""
    comments: list[tuple[int, int, str]] = []
    for row in _read(COMMENTS):
        text = clean_comment(row["comment-body"])
        if text is not None:
            comments.append((int(row["timestamp"]), int(row["comment-id"]), text))
    if not comments:
        return ()
    comments.sort(key=lambda c: (c[0], c[1]))
    oldest, newest = comments[0][0], comments[-1][0]
    span = newest - oldest
    ideas = []
    for timestamp, _comment_id, text in comments:
        # Integer rounding keeps the mapping exact and monotonic: oldest -> 120, newest -> 0.
        minutes_ago = (WINDOW_MINUTES * (newest - timestamp) + span // 2) // span if span else 0
        ideas.append(DemoIdea(text=text, author=None, minutes_ago=minutes_ago))
    return tuple(ideas)


def group() -> DemoGroup:
    return DemoGroup(name=NAME, prompt=PROMPT, description=ATTRIBUTION, ideas=_ideas())


@cache
def patterns() -> tuple[Pattern, ...]:
    """Each real voter's votes, in the order they voted."""
    voters: dict[int, list[tuple[int, int]]] = {}
    for row in _read(VOTES):
        voters.setdefault(int(row["voter"]), []).append((int(row["statement"]), int(row["vote"])))
    return tuple(tuple(voters[v]) for v in sorted(voters))


def dots(pattern: Pattern, statements: Sequence[int], budget: int, cap: int) -> list[int]:
    """Where one phone puts its dots, item i standing for `statements[i]`: on the items
    whose statement the real voter agreed with, in the order they voted, a dot each in
    turn until the budget is spent or each has `cap`; none if they agreed with none."""
    liked = [statements.index(s) for s, vote in pattern if vote == 1 and s in statements]
    out: list[int] = []
    for _round in range(cap):
        for item in liked:
            if len(out) < budget:
                out.append(item)
    return out
