"""Stored XSS: hostile texts, stored as every kind of text a workshop holds (workshop, group,
question, display name, idea, hide reason, theme, recommendation, final recommendation,
announcement), render as literal text in every view, live fragment and export.

Every page is reached by walking the app's GET routes, so a new view is checked too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from typing import Any

import docx
import openpyxl
import pytest
from starlette.routing import Route

from facilitator.export.formats import FORMATS
from tests.attack_support import Site, populate
from tests.conftest import Person, World
from tests.facilitation_support import opened

HOSTILE = {
    "script tag": "<script>alert('xss')</script>",
    "event handler": '<img src=x onerror="alert(1)">',
    "javascript URL": '<a href="javascript:alert(1)">go</a>',
    "htmx attributes": '<b hx-get="/logout" hx-trigger="load">x</b>',
    "data-hx attributes": "<i data-hx-post=/logout data-hx-trigger=load>",
    "broken HTML": "</p></li></ul><svg/onload=alert(1)><!--",
    "attribute breakout": "\"'><b onmouseover=alert(1)>`",
    "RTL override": "\u202eexe.txt\u202c \u2067isolate",
    "template syntax": "{{ 7*7 }} {% if 1 %}x{% endif %} ${7*7}",
}
# Pages that may show no stored text: the duplicate hint and theme suggestions (a few
# ideas give none), a code's QR image, the Server panel (the server's own figures), the
# questions' results alone (this workshop asks no questions).
SHOWS_NONE = re.compile(r"/(similar|suggestions|qr\.svg|control/server|questions/results)$")
SKIP = {"/healthz", "/login", "/account", "/", "/join", "/metrics"}  # /metrics: no HTML
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class Scan(HTMLParser):
    """Every tag with its attributes, and the text a reader sees (outside scripts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.literal: list[str] = []  # text and attribute values: shown, never run
        self._raw = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self.literal.extend(v for _, v in attrs if v)
        if tag in ("script", "style"):
            self._raw += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = max(0, self._raw - 1)

    def handle_data(self, data: str) -> None:
        if not self._raw:
            self.literal.append(data)


def inert(html: str, payload: str, where: str, expect: bool = True) -> None:
    """No element or attribute that can run script, and the payload shown as text."""
    scan = Scan()
    scan.feed(html)
    scan.close()
    for tag, attrs in scan.tags:
        names = [name for name, _ in attrs]
        assert not [n for n in names if n.startswith("on")], f"{where}: handler on <{tag}>"
        assert not [n for n in names if re.match(r"(data-)?hx-", n)], f"{where}: hx on <{tag}>"
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                assert not re.match(r"\s*javascript:", value, re.I), f"{where}: {name}={value}"
        if tag == "script":
            kinds = dict(attrs)
            src, kind = kinds.get("src") or "", kinds.get("type")
            assert src.startswith("/static/") or kind == "application/json", f"{where}: {attrs}"
    literal = "\n".join(scan.literal)
    if expect:
        assert payload in literal, f"{where}: the text is not shown as it was written"


def get_routes(world: World) -> list[str]:
    routes = [r for r in world.client.app.routes if isinstance(r, Route)]  # type: ignore[attr-defined]
    return [r.path for r in routes if "GET" in (r.methods or set()) and r.path not in SKIP]


def urls(path: str, site: Site) -> list[str]:
    values = {
        "workshop_id": [site.workshop.id],
        "group_id": [site.group.id, site.other.id],  # one far on, one still collecting
        "idea_id": [site.idea_id],
        "code": [site.group.code, site.other.code, site.workshop.code],
        "token": [],  # an invitation page shows no stored text (tests/test_accounts.py)
        "moment": ["joining", "event"],
        "fmt": sorted(FORMATS),
    }
    found = [path]
    for name in re.findall(r"\{(\w+)(?::\w+)?\}", path):
        assert name in values, f"no value for {{{name}}} in {path}"
        pattern = re.compile(r"\{" + name + r"(?::\w+)?\}")
        found = [pattern.sub(str(v), url) for url in found for v in values[name]]
    return found


def visit(person: Person, url: str, payload: str) -> None:
    response = person.get(url + ("?names=1" if "/export/" in url else ""))
    assert response.status_code in (200, 403), f"{url}: {response.status_code}"
    if response.status_code == 403:
        return  # not this person's page (the phone at /ideas/ of another's idea)
    kind = response.headers.get("content-type", "")
    if "/export/" in url:
        exported(url.rsplit("/", 1)[1], response.content, payload)
    elif kind.startswith("text/html"):
        inert(response.text, payload, url, expect=not SHOWS_NONE.search(url))


@pytest.fixture(params=list(HOSTILE), ids=list(HOSTILE))
def hostile(request: pytest.FixtureRequest, world: World) -> tuple[Site, str]:
    payload = HOSTILE[request.param]
    return populate(world, "x", payload), payload


def test_every_view_shows_hostile_text_as_text(world: World, hostile: tuple[Site, str]) -> None:
    site, payload = hostile
    staff = world.logged_in(site.organiser)
    phone = world.phone(site.group.code)
    for path in get_routes(world):
        for url in urls(path, site):
            if path.startswith("/facilitator/groups/") and "{idea_id" in path:
                # Merge candidates, as JSON: found for the idea's own group only.
                found = staff.get(url)
                assert found.status_code == 404 or "<" not in found.json().__repr__(), url
                continue
            visit(phone if path.startswith(("/j/", "/ideas/")) else staff, url, payload)


def test_every_live_fragment_shows_hostile_text_as_text(
    world: World, hostile: tuple[Site, str]
) -> None:
    site, payload = hostile
    staff = world.logged_in(site.organiser)
    for group in site.workshop.groups:  # one far on, one still collecting
        phone = world.phone(group.code)
        for person, audience in [
            (phone, "participant"),
            (staff, "facilitator"),
            (staff, "projector"),
        ]:
            with opened(person, group, audience) as sock:
                html = "\n".join(op[2] for f in sock.frames for op in f.get("ops", []))
                inert(html, payload, f"the {audience} socket of {group.name}")


# -- exports ---------------------------------------------------------------------------------


def cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def exported(fmt: str, data: bytes, payload: str) -> None:
    """The export holds the text as data, never as markup or a formula."""
    if fmt == "json":
        texts = strings(json.loads(data))
    elif fmt in ("csv", "audit", "plenary"):
        texts = cells(data)
    elif fmt == "polis":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            texts = cells(z.read("comments.csv"))
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        texts = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    elif fmt == "docx":
        document = docx.Document(io.BytesIO(data))
        texts = [p.text for p in document.paragraphs]
        texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    elif fmt == "md":
        text = data.decode()
        assert not re.search(r"(?<!\\)[<>]", text), "Markdown with raw HTML in it"
        texts = [re.sub(r"\\(.)", r"\1", text)]  # CommonMark's backslash escapes, undone
    else:
        raise AssertionError(f"add a check for the {fmt} export")
    assert any(payload in t for t in texts), f"{fmt}: the text is not in the export as written"
