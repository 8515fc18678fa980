"""Translation markers. Messages are marked here and translated where they are shown."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, in the reader's language."""
    return message
