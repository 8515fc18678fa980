"""The starting text of a recommendation written from a theme (issue #22, item 6).

The theme's name is the title; its most supported ideas, quoted one per line, are the text a
facilitator rewrites. An idea's support is its own dots (ideas keep none once in a theme, so
usually zero) and then the duplicates merged into it; ties keep the theme's order.
"""

from __future__ import annotations

from facilitator.domain.board import Board, ClusterView

QUOTED = 3  # ideas quoted: enough to start from, few enough to rewrite
QUOTE_LIMIT = 300  # characters of each, so the seed stays well under a text's 2,000


def seed_text(board: Board, cluster: ClusterView) -> str:
    order = {idea.id: n for n, idea in enumerate(cluster.ideas)}
    ranked = sorted(
        cluster.ideas,
        key=lambda idea: (
            -(board.tally("idea", idea.id) or 0),
            -len(board.merged.get(idea.id, [])),
            order[idea.id],
        ),
    )
    return "\n".join(_quote(idea.text) for idea in ranked[:QUOTED])


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > QUOTE_LIMIT:
        text = text[: QUOTE_LIMIT - 1].rstrip() + "…"
    return f"“{text}”"
