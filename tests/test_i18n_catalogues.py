"""Every user-facing string is marked, extracted and translated in every language we ship."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from facilitator import i18n

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
POT = i18n.LOCALE_DIR / "messages.pot"
TRANSLATED = [code for code in i18n.LOCALES if code != i18n.DEFAULT]

# -- nothing unmarked -------------------------------------------------------------------------

JINJA = re.compile(r"{%-?\s*trans\b.*?endtrans\s*-?%}|{{.*?}}|{%.*?%}|{#.*?#}", re.S)
CLASS_BLOCK = re.compile(r"{%\s*block body_class\s*%}.*?{%\s*endblock\s*%}", re.S)
PATH = re.compile(r"[\w.-]*/[\w./-]*")  # a URL path written out, like /j/
READ_ALOUD = {"placeholder", "aria-label", "title", "alt", "aria-description", "label"}


class _Unmarked(HTMLParser):
    """Text and read-aloud attributes that are written out, not produced by `_()`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ALOUD and value and _has_words(value):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _has_words(data):
            self.found.append(data.strip())


def _has_words(text: str) -> bool:
    """Words, not paths or codes in capitals (an example code, K7QM-2XPD, is not English)."""
    return any(
        any(ch.isalpha() and not (ch.isascii() and ch.isupper()) for ch in w)
        and not PATH.fullmatch(w)
        for w in text.split()
    )


def unmarked_in_template(source: str) -> list[str]:
    """Template tags become spaces, so what is left is what the template writes out."""
    parser = _Unmarked()
    parser.feed(JINJA.sub(" ", CLASS_BLOCK.sub("", source)))
    parser.close()
    return parser.found


def test_the_checker_finds_written_out_text() -> None:
    assert unmarked_in_template("<p>Hello {{ name }}</p>") == ["Hello"]
    assert unmarked_in_template('<input placeholder="Your name">') == ['placeholder="Your name"']
    assert unmarked_in_template("<p>{{ _('Hello') }} · {{ n }}</p>") == []
    assert unmarked_in_template("<a title=\"{{ _('Go') }}\">→</a>") == []
    assert unmarked_in_template("{% trans %}Hi {{ x }}{% endtrans %}") == []


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_templates_mark_every_user_facing_string(template: str) -> None:
    assert unmarked_in_template((TEMPLATES / template).read_text()) == []


ERRORS = {"Invalid", "Forbidden", "NotFound", "Conflict", "DomainError", "BadSetup"}


def unmarked_in_python(source: str) -> list[str]:
    """Refusals built from a written-out string instead of an `N_()` message."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        first = node.args[0]
        if name in ERRORS and isinstance(first, ast.Constant | ast.JoinedStr):
            found.append(f"line {node.lineno}: {name}({ast.unparse(first)[:60]})")
    return found


def test_the_python_checker_finds_written_out_messages() -> None:
    assert unmarked_in_python('raise Invalid("Nope.")') == ["line 1: Invalid('Nope.')"]
    assert unmarked_in_python('raise Invalid(N_("Nope {n}."), n=1)') == []


@pytest.mark.parametrize(
    "module", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "facilitator").rglob("*.py"))
)
def test_command_messages_are_marked(module: str) -> None:
    assert unmarked_in_python((ROOT / module).read_text()) == []


# -- the catalogues ---------------------------------------------------------------------------


def _extracted() -> set[object]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {
        (context, message)
        for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map
        )
    }


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def _ids(catalog: Catalog) -> set[object]:
    return {(m.context, m.id) for m in catalog if m.id}


def test_the_template_is_up_to_date_with_the_sources() -> None:
    """A new or changed string fails here until `pybabel extract` (docs/languages.md) runs."""
    assert _ids(_read(POT)) == _extracted()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_each_catalogue_is_complete(locale: str) -> None:
    catalog = _read(i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po", locale)
    assert _ids(catalog) == _ids(_read(POT)), "run pybabel update (docs/languages.md)"
    assert catalog.plural_forms == Catalog(locale=locale).plural_forms  # CLDR's rules
    problems = []
    for m in catalog:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(strs):
            problems.append(f"untranslated or fuzzy: {ids[0]!r}")
            continue
        wanted = placeholders(ids[-1])
        for s in strs:
            # A plural form may leave the number out ("one idea"); none adds or drops another.
            if not wanted - {"num", "n"} <= placeholders(s) <= wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
    assert problems == []


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)[sd]", text) + re.findall(r"\{(\w*)\}", text))
