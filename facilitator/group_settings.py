"""How a facilitator runs a group, defined once, with the one check of its bounds.

The console's settings form, the set-up file and the JSON archive all arrive here to be
checked; the group's row, the rules its commands read, its board and its snapshot carry one.
It sits beside the models, below the domain and the exports, so every layer can import it.

The live state (phase, reveals, timer, pause) is not in it: each of those moves by its own
command and event while the group runs, whereas these are chosen up front and changed
together, by one form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from facilitator.i18n import N_

MAX_BUDGET = 50
# Ends of a timer and "now" compared as datetimes, or as ISO 8601 strings in UTC (the board's).
When = TypeVar("When", dt.datetime, str)


class SettingsRefused(ValueError):
    """Settings a group cannot run with: the field at fault, its value and bounds, and a
    sentence for a person (marked with N_, translated where shown). `highest_field` names the
    field whose value is the upper bound, when it is one. A ValueError, so pydantic reports
    it where an archive is read."""

    def __init__(
        self,
        field: str,
        value: object,
        lowest: int,
        highest: int,
        msgid: str,
        highest_field: str | None = None,
        **params: Any,
    ):
        super().__init__(msgid.format(**params) if params else msgid)
        self.field, self.value, self.lowest, self.highest = field, value, lowest, highest
        self.highest_field, self.msgid, self.params = highest_field, msgid, params

    def __reduce__(self) -> tuple[Any, ...]:
        # Refusals may cross back from the writer process, pickled with their details.
        return _rebuild, (
            self.field,
            self.value,
            self.lowest,
            self.highest,
            self.msgid,
            self.highest_field,
            self.params,
        )


def _rebuild(
    field: str,
    value: object,
    lowest: int,
    highest: int,
    msgid: str,
    highest_field: str | None,
    params: dict[str, Any],
) -> SettingsRefused:
    return SettingsRefused(field, value, lowest, highest, msgid, highest_field, **params)


_NOT_WHOLE = N_("Dots and the cap per item must be whole numbers.")


@dataclass(frozen=True, slots=True)
class GroupSettings:
    """A group's facilitation settings. Every instance is within bounds."""

    private_mode: bool = False  # ideas hidden from other phones until revealed
    premoderation: bool = False  # ideas reach other phones once approved
    vote_budget: int = 5  # dots per phone
    vote_cap: int = 3  # dots one phone may put on one item
    lock_on_timer: bool = False  # no writing once the timer has run out

    def __post_init__(self) -> None:
        budget, cap = self.vote_budget, self.vote_cap
        if not 1 <= budget <= MAX_BUDGET:
            raise SettingsRefused(
                "vote_budget",
                budget,
                1,
                MAX_BUDGET,
                N_("Each phone can have between 1 and {max} dots."),
                max=MAX_BUDGET,
            )
        if not 1 <= cap <= budget:
            raise SettingsRefused(
                "vote_cap",
                cap,
                1,
                budget,
                N_("The cap per item must be between 1 and the number of dots."),
                "vote_budget",
            )

    @classmethod
    def parse(
        cls,
        private_mode: object,
        premoderation: object,
        vote_budget: object,
        vote_cap: object,
        lock_on_timer: object,
    ) -> GroupSettings:
        """Settings from a form's values (numbers as text), or SettingsRefused."""
        try:
            budget, cap = int(str(vote_budget)), int(str(vote_cap))
        except ValueError:
            raise SettingsRefused("vote_budget", vote_budget, 1, MAX_BUDGET, _NOT_WHOLE) from None
        return cls(bool(private_mode), bool(premoderation), budget, cap, bool(lock_on_timer))

    @staticmethod
    def names() -> tuple[str, ...]:
        """The fields, in order: the columns of a group's row and the keys of files."""
        return _NAMES

    def time_is_up(self, ends_at: When | None, now: When) -> bool:
        """Whether phones may no longer write because a locking timer has run out."""
        return self.lock_on_timer and ends_at is not None and ends_at <= now


_NAMES = tuple(f.name for f in fields(GroupSettings))
DEFAULTS = GroupSettings()
