"""Join codes: 8 characters of Crockford's base32 (40 bits), read case-insensitively.

Crockford's alphabet leaves out I, L, O and U; a typed O is read as 0 and I or L as 1,
so a code copied from a card by hand still works.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str | None:
    """The canonical code for what someone typed, or None if it cannot be a code."""
    code = "".join(raw.split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display(code: str) -> str:
    """Grouped for reading aloud and copying: K7QM-2XPD."""
    return f"{code[:4]}-{code[4:]}"
