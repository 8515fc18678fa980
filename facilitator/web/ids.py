"""Ids in paths and forms, through the one guard (facilitator/domain/ids.py).

Routes write `{workshop_id:id}`: digits only (so -1 matches no route), and a number no row
can have is refused as not found before the route runs.
"""

from __future__ import annotations

from typing import Any

from starlette.convertors import Convertor, register_url_convertor

from facilitator.domain.errors import Invalid
from facilitator.domain.ids import checked
from facilitator.i18n import N_


class IdConvertor(Convertor[int]):
    regex = "[0-9]+"

    def convert(self, value: str) -> int:
        return checked(int(value))

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


def ids(values: list[Any]) -> list[int]:
    """Ids chosen in a form (groups, recommendations, people), each through the guard."""
    try:
        return [checked(int(v)) for v in values]
    except (TypeError, ValueError):
        raise Invalid(N_("Please choose groups from the list.")) from None
