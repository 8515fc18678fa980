"""The rules an imported workshop archive (JSON) meets: the same as live input.

An archive comes from elsewhere and may have been edited by hand, or made to attack: its
texts follow the forms' rules (limits, no control characters), its numbers the settings'
ranges, and every id it uses must name a record of the same file. A problem is refused
with where it is ("ideas[3].text: ..."), before anything is written.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from facilitator.domain.errors import Invalid
from facilitator.domain.text import clean
from facilitator.i18n import N_, gettext

E = TypeVar("E", bound=enum.Enum)
MAX_POSITION = 2**31 - 1  # positions are small; this keeps any of them storable
MAX_PAYLOAD = 64 * 1024  # bytes of one event's JSON, far above any the app writes


class BadArchive(Invalid):
    def __init__(self, where: str, problem: str):
        super().__init__(N_("{where}: {problem}"), where=where, problem=problem)


def text(
    value: object, where: str, *, limit: int, multiline: bool = True, required: bool = True
) -> str:
    try:
        return clean(value, limit=limit, multiline=multiline, required=required)
    except Invalid as exc:
        raise BadArchive(where, exc.message) from None


def optional_line(value: object, where: str, *, limit: int) -> str:
    """A one-line text that may be empty (a name, a reason, a note)."""
    return text(value, where, limit=limit, multiline=False, required=False)


def number(value: int, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not low <= value <= high:
        message = gettext(N_("This should be a whole number from {low} to {high}."))
        raise BadArchive(where, message.format(low=low, high=high))
    return value


def choice(kind: type[E], value: str, where: str) -> E:
    try:
        return kind(value)
    except ValueError:
        expected = ", ".join(str(k.value) for k in kind)
        message = gettext(N_("This should be one of: {expected}."))
        raise BadArchive(where, message.format(expected=expected)) from None


def ref(table: Mapping[int, int], old: int, where: str) -> int:
    """The new id of the record the file calls `old`; refused if the file has no such one."""
    if old not in table:
        message = gettext(N_("This names {ident}, which is not in the file."))
        raise BadArchive(where, message.format(ident=old))
    return table[old]
