"""Cleaning and checking what people type."""

from __future__ import annotations

import re
import unicodedata

from facilitator.domain.errors import Invalid
from facilitator.i18n import N_

# C0 and C1 controls and DEL, except tab and newline, which people type.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_ENDS = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean(text: object, *, limit: int, multiline: bool = True, required: bool = True) -> str:
    """Normalise text (NFC, line ends, outer spaces) or refuse it with a readable message."""
    if not isinstance(text, str):
        raise Invalid(N_("Please send text."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(N_("That text holds characters we cannot store.")) from None
    text = unicodedata.normalize("NFC", _LINE_ENDS.sub("\n", text)).strip()
    if _CONTROL.search(text):
        raise Invalid(N_("That text holds control characters. Please retype it."))
    if not multiline:
        text = " ".join(text.split())
    else:
        text = _BLANK_LINES.sub("\n\n", text.replace("\t", " "))
    if required and not text:
        raise Invalid(N_("Please write something first."))
    if len(text) > limit:
        raise Invalid(
            N_("That is {length} characters; the limit is {limit}. Please shorten it."),
            length=len(text),
            limit=limit,
        )
    return text


_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def client_key(key: object) -> str:
    """The client-made id that makes a retried submission return the first result."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise Invalid(N_("This submission has no valid id. Please reload the page."))
    return key
