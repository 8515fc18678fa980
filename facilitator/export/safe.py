"""Making untrusted text safe for files: spreadsheets and XML-based documents."""

from __future__ import annotations

import re

# XML 1.0 cannot hold C0 controls other than tab, newline and carriage return, lone
# surrogates, or U+FFFE/U+FFFF; lxml (python-docx) and openpyxl raise on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A spreadsheet treats a cell starting with these as a formula (or, for tab and CR, may be
# tricked into shifting cells); OWASP's CSV injection advice is to prefix an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_text(text: str) -> str:
    """The text without characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def cell(value: object) -> object:
    """A value for a CSV or XLSX cell: text that could run as a formula gets a leading '."""
    if isinstance(value, str):
        value = xml_text(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value
