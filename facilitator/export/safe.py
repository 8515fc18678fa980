"""Making untrusted text safe for files: spreadsheets and XML-based documents."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

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


def csv_bytes(rows: Iterable[Sequence[object]], *, bom: bool = False) -> bytes:
    """CSV (RFC 4180 line ends) with every cell made safe; `bom` for spreadsheet programs,
    which otherwise guess the encoding and garble emoji and accents."""
    out = io.StringIO()
    # Every field quoted: a spreadsheet that splits on ";" (Excel in French, German and
    # Spanish) then keeps "Budget;=1+1" in one cell, whose apostrophe still holds.
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")
