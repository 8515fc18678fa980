"""Reading YAML within budgets, so a small file cannot cost a large amount of time or memory.

YAML's aliases let a few hundred bytes stand for millions of values (the "billion laughs"),
and deep nesting exhausts Python's stack. The composer below counts as it builds: values
(each use of an alias counting every value it stands for), nesting depth, and anchors and
aliases, and stops at the first budget passed, before the expansion happens. A set-up file of
200 groups uses a few thousand values and four levels.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.events import AliasEvent

from facilitator.i18n import N_

MAX_VALUES = 20_000
MAX_DEPTH = 20
MAX_ALIASES = 100  # anchors and aliases together


class OverBudget(Exception):
    """A document past a budget: the message (marked with N_), its parameters and line."""

    def __init__(self, msgid: str, line: int, **params: Any):
        super().__init__(msgid)
        self.msgid, self.line, self.params = msgid, line, params


class _BudgetComposer(Composer):
    def __init__(self, loader: Any = None):
        super().__init__(loader)
        self.values = 0
        self.aliases = 0
        self.sizes: dict[str, int] = {}  # an anchor's value count, its aliases expanded

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        line = event.start_mark.line + 1
        if event.anchor is not None:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise OverBudget(
                    N_("This file uses more than {limit} anchors and aliases (& and *)."),
                    line,
                    limit=MAX_ALIASES,
                )
        if isinstance(event, AliasEvent):
            self._spend(self.sizes.get(event.anchor, 0), line)
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:
            raise OverBudget(
                N_("This file nests more than {limit} levels deep."), line, limit=MAX_DEPTH
            )
        before = self.values
        self._spend(1, line)
        node = super().compose_node(parent, index)
        if event.anchor is not None:
            self.sizes[event.anchor] = self.values - before
        return node

    def _spend(self, values: int, line: int) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            raise OverBudget(
                N_(
                    "This file holds more than {limit} values (each use of an alias counts "
                    "all the values it stands for)."
                ),
                line,
                limit=MAX_VALUES,
            )


def load(text: str) -> Any:
    """The document, as ruamel's round-trip containers (which keep line numbers); raises
    OverBudget, or ruamel's own errors for text that is not YAML."""
    yaml = YAML(typ="rt")
    yaml.Composer = _BudgetComposer
    return yaml.load(text)
