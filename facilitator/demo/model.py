"""What the demo's content is made of: plain, frozen data written by hand.

A group lists its ideas in submission order, oldest first. Each idea may name the theme
a facilitator sorts it into, the earlier idea it repeats (merged into it) or why it is
hidden; a group lists its themes in board order, and the recommendations a facilitator
would write from each theme.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoIdea:
    text: str
    author: str | None  # display name, or None for an anonymous participant
    minutes_ago: int  # when it was submitted, relative to "now" (0..120)
    theme: str = ""  # the theme it is sorted into, once the group sorts its ideas
    repeats: str = ""  # the start of an earlier idea's text it repeats: merged into it
    hidden: str = ""  # why the facilitator hid it


@dataclass(frozen=True)
class DemoRecommendation:
    theme: str  # promoted from this theme, if the room puts its dots there
    title: str
    text: str
    rationale: str


@dataclass(frozen=True)
class DemoGroup:
    name: str  # e.g. "Skills and workforce"
    prompt: str  # the breakout question shown on phones
    description: str  # context shown under the question; may hold an attribution
    ideas: tuple[DemoIdea, ...]
    themes: tuple[str, ...] = ()  # in board order
    recommendations: tuple[DemoRecommendation, ...] = ()
    silent: int = 0  # phones that joined and have not written anything


@dataclass(frozen=True)
class DemoWorkshop:
    title: str
    description: str
    groups: tuple[DemoGroup, ...]


def idea(
    minutes_ago: int,
    author: str | None,
    text: str,
    theme: str = "",
    *,
    repeats: str = "",
    hidden: str = "",
) -> DemoIdea:
    return DemoIdea(text, author, minutes_ago, theme, repeats, hidden)
