"""The vote's ranking: most dots first, equal dots share a rank and say so."""

from __future__ import annotations

from facilitator.domain.ranking import rank


def test_equal_dots_share_a_rank_and_the_next_rank_skips() -> None:
    items = [("cluster", 1, "Training", 3), ("cluster", 2, "Funding", 2), ("idea", 9, "Pay", 1)]
    ranked = rank(items, {"cluster-1": 4, "cluster-2": 7, "idea-9": 4})
    assert [(r.label, r.dots, r.rank, r.tied) for r in ranked] == [
        ("Funding", 7, 1, False),
        ("Training", 4, 2, True),
        ("Pay", 4, 2, True),
    ]
    assert [r.share for r in ranked] == [100, 57, 57]
    assert ranked[0].item == "cluster-2"


def test_no_dots_at_all_draws_no_bars() -> None:
    ranked = rank([("idea", 1, "A", 1), ("idea", 2, "B", 1)], {})
    assert [(r.rank, r.tied, r.share) for r in ranked] == [(1, True, 0), (1, True, 0)]
