"""A recommendation written from a theme starts from its most supported ideas, quoted."""

from __future__ import annotations

from facilitator.domain.board import Board, ClusterView, GroupState
from facilitator.domain.rec_seed import QUOTE_LIMIT, QUOTED, seed_text
from facilitator.vocabulary import Counts, IdeaView


def idea(n: int, text: str) -> IdeaView:
    return IdeaView(n, 1, text, "", None, "visible", False, "2026-01-01T00:00:00", 7)


def board(ideas: list[IdeaView], tallies: dict[str, int], merged: dict[int, int]) -> Board:
    return Board(
        group=GroupState.__new__(GroupState),
        seq=0,
        epoch="",
        counts=Counts(len(ideas), 1, 0),
        ideas=ideas,
        clusters=[],
        unclustered=[],
        recommendations=[],
        tallies=tallies,
        merged={k: [idea(100 + i, "dup") for i in range(v)] for k, v in merged.items()},
    )


def test_the_seed_quotes_the_most_supported_ideas_first() -> None:
    ideas = [idea(1, "Quiet one"), idea(2, "Twice  merged\n idea"), idea(3, "Voted"), idea(4, "x")]
    theme = ClusterView(7, "Theme", ideas)
    seed = seed_text(board(ideas, {"idea-3": 2}, {2: 2, 4: 1}), theme)
    assert seed.split("\n") == ["“Voted”", "“Twice merged idea”", "“x”"][:QUOTED]


def test_ties_keep_the_theme_order_and_long_ideas_are_cut() -> None:
    ideas = [idea(1, "a" * 1000), idea(2, "b")]
    seed = seed_text(board(ideas, {}, {}), ClusterView(7, "T", ideas))
    first, second = seed.split("\n")
    assert len(first) == QUOTE_LIMIT + 2 and first.endswith("…”") and second == "“b”"
    assert seed_text(board([], {}, {}), ClusterView(7, "Empty", [])) == ""
