"""Languages: markers, the reader's language for this request or render, and formatting.

Messages are marked with `N_` where written and translated where shown, in the language
`using()` set: a request's (cookie, then Accept-Language), a socket's, or a workshop's for
exports and the projector. Catalogues are the `.po` files in `facilitator/locale/`, compiled
in memory on first use, so a clean checkout needs no build step and no `.mo` is committed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext as _gettext
import io
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as _dates
from babel import numbers as _numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DEFAULT = "en"
LOCALES = ("en", "fr", "es", "ar")  # in the order the switcher lists them
NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}
RIGHT_TO_LEFT = frozenset({"ar"})
COOKIE = "lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, in the reader's language."""
    return message


def supported(code: object) -> str | None:
    """The supported language a code names ("fr", "fr-CA", "FR_be"), or None."""
    if not isinstance(code, str):
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LOCALES else None


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The device's own choice, else the browser's preferred language we speak, else English."""
    chosen = supported(cookie)
    if chosen:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = supported(tag)
        if code and quality > 0:
            ranked.append((-quality, n, code))
    return min(ranked)[2] if ranked else DEFAULT


def current() -> str:
    return _current.get()


def direction(locale: str | None = None) -> str:
    return "rtl" if (locale or current()) in RIGHT_TO_LEFT else "ltr"


@contextlib.contextmanager
def using(locale: str | None) -> Iterator[str]:
    """Translate and format in this language inside the block (unknown codes: English)."""
    code = supported(locale) or DEFAULT
    token = _current.set(code)
    try:
        yield code
    finally:
        _current.reset(token)


@cache
def catalogue(locale: str) -> _gettext.NullTranslations:
    """A language's messages, compiled from its `.po` file once per process."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as source:
        messages = read_po(source, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, messages, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(message: str) -> str:
    return catalogue(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return catalogue(current()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return catalogue(current()).npgettext(context, singular, plural, n)


# -- formatting -----------------------------------------------------------------------------


# English dates read the international way, "27 November 2026", not the American one.
_FORMATS = {"en": "en_GB"}


@cache
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(_FORMATS.get(code, code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


def format_date(value: dt.date | None, style: str = "medium") -> str:
    return _dates.format_date(value, style, locale=_locale(current())) if value else ""


def format_datetime(value: dt.datetime, style: str = "medium") -> str:
    """A UTC moment, written in UTC (pages turn it into the reader's time zone)."""
    return _dates.format_datetime(value, style, tzinfo=dt.UTC, locale=_locale(current()))


def format_time(value: dt.datetime, style: str = "short") -> str:
    return _dates.format_time(value, style, tzinfo=dt.UTC, locale=_locale(current()))


def format_number(value: float, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _numbers.format_decimal(value, pattern, locale=_locale(current()))


def format_percent(value: float) -> str:
    return _numbers.format_percent(value, locale=_locale(current()))
