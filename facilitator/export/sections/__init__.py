"""The report's sections, in order: each is one function from the snapshot to blocks.

A new section is a module here with one builder, listed once in `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable

from facilitator.export.blocks import Block
from facilitator.export.sections import (
    appendix,
    baseline,
    finals,
    groups,
    next_steps,
    opening,
    participation,
    plenary,
)
from facilitator.snapshot import Snapshot

Section = Callable[[Snapshot], list[Block]]

SECTIONS: tuple[Section, ...] = (
    finals.section,
    plenary.section,
    groups.section,
    participation.section,
    baseline.section,
    next_steps.section,
    appendix.section,
)


def blocks(snap: Snapshot, summary: str = "") -> list[Block]:
    """The whole report: its opening (title, date, summary), then every section."""
    return opening.section(snap, summary) + [b for build in SECTIONS for b in build(snap)]
