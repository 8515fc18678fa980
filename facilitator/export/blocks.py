"""The report's building blocks: what the DOCX and Markdown writers both render.

Sections (`export/sections/`) turn a snapshot into blocks; the writers never read the
snapshot, so both files always say the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from facilitator import i18n, metrics
from facilitator.i18n import gettext, ngettext


@dataclass(frozen=True)
class Heading:
    text: str
    level: int


@dataclass(frozen=True)
class Para:
    text: str
    label: str = ""  # a bold lead-in, "Question:"


@dataclass(frozen=True)
class Item:
    text: str
    level: int = 0
    number: int | None = None  # numbered lists restart in each section


@dataclass(frozen=True)
class Table:
    rows: Sequence[Sequence[object]]  # the first is the header row


@dataclass(frozen=True)
class Chart:
    series: metrics.Series
    caption: str


@dataclass(frozen=True)
class Bars:
    """Counts by category (a scale's values, a question's choices, statuses)."""

    counts: tuple[int, ...]
    labels: tuple[str, ...]  # one for each count
    caption: str

    def label(self, n: int) -> str:
        return self.labels[n]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Item | Table | Chart | Bars | PageBreak


def paragraphs(text: str) -> list[Block]:
    """Text typed (or written in YAML) with line breaks: a paragraph per blank line."""
    return [Para(" ".join(p.split())) for p in re.split(r"\n\s*\n", text) if p.strip()]


def votes(n: int) -> str:
    return ngettext("{n} vote", "{n} votes", n).format(n=i18n.format_number(n))


def ideas(n: int) -> str:
    return ngettext("{n} idea", "{n} ideas", n).format(n=i18n.format_number(n))


def plus_ones(n: int) -> str:
    """Phones that gave an idea their "+1" instead of sending their own."""
    return ngettext("{n} +1", "{n} +1s", n).format(n=i18n.format_number(n))


def who_acts_line(who_acts: str) -> list[Block]:
    """Who should act on a recommendation, under it, when it names anyone."""
    return [Item(gettext("Who acts: {who}").format(who=who_acts), level=1)] if who_acts else []
