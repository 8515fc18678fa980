"""The one guard for ids that come from outside: URLs, forms, socket messages, files.

Ids are signed 64-bit integers in every database we run on. A larger number (2**70, say)
would make the driver raise instead of finding nothing, and a negative or zero one names no
row; either is refused here, as something that does not exist, before any query sees it.
"""

from __future__ import annotations

from facilitator.domain.errors import NotFound
from facilitator.i18n import N_

MAX_ID = 2**63 - 1
NO_SUCH = N_("Nothing here has the number {number}.")


def in_range(ident: int) -> bool:
    return 0 < ident <= MAX_ID


def checked(ident: int) -> int:
    """The id, or NotFound (404) for one no row can have."""
    if not in_range(ident):
        raise NotFound(NO_SUCH, number=ident)
    return ident
