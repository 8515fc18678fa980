"""Cross-site attacks: WebSocket hijacking by origin, CSRF on every state-changing route,
and the security headers (a CSP without inline script or eval) on every kind of response."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from facilitator.app import create_app
from facilitator.config import Settings
from facilitator.domain import accounts
from facilitator.models import Idea
from facilitator.paths import static_dir, templates_dir
from facilitator.web.middleware import CSP
from tests.conftest import Person, Socket, World, world_with
from tests.support import database_rows, handshake_refused, post_idea, refusal, shared_workshop

POLICY_VIOLATION = 1008
EXPIRED_FORM = "This form has expired. Please reload the page and try again."
CROSS_SITE = "Cross-site requests are not allowed."
EVIL = "http://evil.example"
FOREIGN_ORIGINS = [
    "http://evil.example",
    "http://testserver.evil.example",  # this host as a prefix of another
    "http://evil-testserver",
    "http://testserver:8080",  # another port
    "https://testserver",  # another scheme
    "null",  # sandboxed frames, some redirects
    "",
]


# -- WebSocket hijacking ---------------------------------------------------------------------


def test_a_socket_from_any_other_origin_is_refused_before_accept(
    world: World, subtests: pytest.Subtests
) -> None:
    group = shared_workshop(world).groups[0]
    phone = world.phone(group.code)
    organiser = world.logged_in(world.organiser("owen@example.org"))
    for origin in FOREIGN_ORIGINS:
        with subtests.test(origin):
            assert handshake_refused(phone, group.id, origin=origin or " ") == POLICY_VIOLATION
    with subtests.test("sec-fetch-site: cross-site"):
        url = f"/ws/groups/{group.id}"
        headers = {"origin": "http://testserver", "sec-fetch-site": "cross-site"}
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            phone.http.websocket_connect(url, headers=headers),
        ):
            pass
        assert refused.value.code == POLICY_VIOLATION
    with subtests.test("the same page's own origin"):
        url = f"/ws/groups/{group.id}"
        with phone.http.websocket_connect(url, headers={"origin": "http://testserver"}) as ws:
            assert Socket(ws).until_type("reset")
    # A logged-in organiser's browser on the evil page fares no better.
    assert handshake_refused(organiser, group.id, "facilitator", EVIL) == POLICY_VIOLATION


@pytest.fixture
def public_world(settings: Settings) -> Iterator[World]:
    """Served at https://facilitator.example behind a proxy, and embedded in one more site."""
    app = create_app(
        dataclasses.replace(
            settings,
            public_url="https://facilitator.example",
            allowed_origins="https://intranet.example, https://other.example:8443",
        )
    )
    with TestClient(app, base_url="http://testserver") as client:
        yield World(client)


def test_the_public_url_and_listed_origins_are_allowed_and_nothing_like_them(
    public_world: World, subtests: pytest.Subtests
) -> None:
    group = shared_workshop(public_world).groups[0]
    phone = public_world.phone(group.code)
    url = f"/ws/groups/{group.id}"
    for origin in [
        "https://facilitator.example",
        "https://intranet.example",
        "https://other.example:8443",
    ]:
        with (
            subtests.test(f"allowed {origin}"),
            phone.http.websocket_connect(url, headers={"origin": origin}) as ws,
        ):
            assert Socket(ws).until_type("reset")
    for origin in [
        "http://facilitator.example",
        "https://facilitator.example.evil.org",
        "https://intranet.example:444",
        "https://other.example",
    ]:
        with subtests.test(f"refused {origin}"):
            assert handshake_refused(phone, group.id, origin=origin) == POLICY_VIOLATION


# -- join links and QR codes ----------------------------------------------------------------


def join_link_pages(world: World) -> tuple[Person, list[str]]:
    """An organiser's browser, and every page that writes a join link or its host."""
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    group = workshop.groups[0]
    world.run(accounts.invite_facilitator, world.db, organiser, workshop.id, "f@x.org", [], 7)
    pages = [
        f"/j/{group.code}/qr.svg",
        f"/j/{workshop.code}/qr.svg",
        f"/facilitator/groups/{group.id}",
        f"/facilitator/groups/{group.id}/projector",
        f"/organiser/workshops/{workshop.id}",
        f"/organiser/workshops/{workshop.id}/cards",
        f"/organiser/workshops/{workshop.id}/projector",
    ]
    return world.logged_in(organiser), pages


def test_join_links_never_follow_the_host_header(world: World, subtests: pytest.Subtests) -> None:
    """With no public URL set (the default, and the demo's), a forged Host must not reach a
    join link or a QR code: a cache in front would keep it for everyone."""
    office, pages = join_link_pages(world)
    for url in pages:
        with subtests.test(url):
            response = office.get(url, headers={"host": "evil.example"})
            assert response.status_code == 200
            assert "evil.example" not in response.text
            assert "testserver" in response.text  # the server's own address instead
    qr = office.get(pages[0])
    assert qr.headers["cache-control"] == "private, max-age=3600"


@pytest.fixture
def listed_world(settings: Settings) -> Iterator[World]:
    """Reached under two names, both listed; no public URL."""
    allowed = "http://hall.example, http://intranet.example:8080"
    with world_with(settings, allowed_origins=allowed) as world:
        yield world


def test_join_links_follow_a_listed_host(listed_world: World) -> None:
    office, pages = join_link_pages(listed_world)
    for host in ["hall.example", "intranet.example:8080"]:
        qr = office.get(pages[0], headers={"host": host})
        assert f"<title>http://{host}/j/" in qr.text
    assert "<title>http://testserver/j/" in office.get(pages[0], headers={"host": "x.example"}).text


# -- CSRF on every state-changing route -----------------------------------------------------


def unsafe_routes(world: World) -> list[tuple[str, str]]:
    """(method, path) of every route that may change state, read from the app itself."""
    found = []
    for route in world.client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
                found.append((method, route.path))
    return found


@pytest.fixture
def insider(world: World) -> tuple[Person, dict[str, Any]]:
    """A browser that is an organiser, logged in, and also a phone in a group with an idea:
    every route has something to act on. Returns it and the values of the path parameters."""
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    group = workshop.groups[0]
    person = world.logged_in(organiser)
    assert person.get(f"/j/{group.code}").status_code == 200
    assert post_idea(person, group.code, "An idea to act on").status_code == 303
    invite = accounts.invite_facilitator
    token = world.run(invite, world.db, organiser, workshop.id, "f@example.org", [group.id], 7)
    idea_id = world.read(lambda s: s.exec(select(Idea.id)).first())
    values = {
        "workshop_id": workshop.id,
        "group_id": group.id,
        "idea_id": idea_id,
        "code": group.code,
        "token": token,
        "moment": "joining",
    }
    return person, values


def fill(path: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(1) in values, f"no value for {{{match.group(1)}}} in {path}"
        return str(values[match.group(1)])

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


FORM = {"text": "Changed", "title": "Changed", "name": "Changed", "key": "csrf-probe-0001"}


def test_every_state_changing_route_needs_the_csrf_token(
    world: World, insider: tuple[Person, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    person, values = insider
    routes = unsafe_routes(world)
    assert len(routes) >= 20  # the enumeration found the app's routes
    for method, path in routes:
        url = fill(path, values)
        for case, token in {"no token": None, "a wrong token": "0" * 64}.items():
            with subtests.test(f"{method} {path} with {case}"):
                form = FORM if token is None else {**FORM, "csrf": token}
                before = database_rows(world)
                response = person.http.request(
                    method, url, data=form, follow_redirects=False, headers=SAME_ORIGIN
                )
                refusal(response, 403, EXPIRED_FORM)
                assert database_rows(world) == before


SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def test_every_state_changing_route_refuses_other_sites_even_with_the_token(
    world: World, insider: tuple[Person, dict[str, Any]], subtests: pytest.Subtests
) -> None:
    person, values = insider
    token = person.csrf()
    headers: list[dict[str, str]] = [{"origin": o} for o in FOREIGN_ORIGINS if o]
    headers.append({"sec-fetch-site": "cross-site"})
    headers.append({"origin": "http://testserver", "sec-fetch-site": "cross-site"})
    for method, path in unsafe_routes(world):
        url = fill(path, values)
        for header in headers:
            with subtests.test(f"{method} {path} {header}"):
                before = database_rows(world)
                response = person.http.request(
                    method,
                    url,
                    data={**FORM, "csrf": token},
                    headers=header,
                    follow_redirects=False,
                )
                refusal(response, 403, CROSS_SITE)
                assert database_rows(world) == before


def test_the_same_form_from_this_site_goes_through(
    world: World, insider: tuple[Person, dict[str, Any]]
) -> None:
    """A control for the two tests above: the token and this site's origin are enough."""
    person, values = insider
    url = fill("/j/{code}/ideas", values)
    form = {"csrf": person.csrf(), "text": "Through", "key": "csrf-control-01"}
    response = person.http.post(url, data=form, headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303


def test_every_form_in_the_templates_posts_with_the_token() -> None:
    """A form without the hidden field would be refused; one that bypasses read_form would
    fail the route tests above."""
    for path in sorted(templates_dir().rglob("*.html")):
        text = path.read_text()
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, re.S):
            if re.search(r'method="post"', form, re.I):
                # A form with files carries the token in its address (auth.read_form).
                token = "?csrf={{ csrf }}" if "multipart/form-data" in form else 'name="csrf"'
                assert token in form or "csrf_field" in form, f"{path.name}: {form[:80]}"


# -- security headers ----------------------------------------------------------------------

HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def responses(world: World) -> dict[str, Any]:
    """One response of each kind: page, error page, refused POST, static file, fragment."""
    group = shared_workshop(world).groups[0]
    phone = world.phone(group.code)
    return {
        "page": phone.get(f"/j/{group.code}"),
        "not found": phone.get("/no/such/page"),
        "refused post": phone.http.post(f"/j/{group.code}/ideas", data={}),
        "cross-site post": phone.post("/login", {}, headers={"origin": EVIL}),
        "static": phone.get("/static/live.js"),
        "fragment": phone.get(f"/j/{group.code}/similar?text=hello"),
        "qr": phone.get(f"/j/{group.code}/qr.svg"),
        "health": phone.get("/healthz"),
    }


def test_every_response_carries_the_security_headers(
    world: World, subtests: pytest.Subtests
) -> None:
    for kind, response in responses(world).items():
        for name, value in {**HEADERS, "content-security-policy": CSP}.items():
            with subtests.test(f"{kind}: {name}"):
                assert response.headers.get(name) == value


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_the_csp_allows_no_inline_script_no_eval_and_nothing_from_elsewhere() -> None:
    csp = directives(CSP)
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    assert "unsafe-hashes" not in CSP and "data:" not in csp.get("script-src", [])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]  # sockets and fetches: this origin only
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


def test_hsts_is_sent_over_https_only(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url="http://testserver") as plain:
        assert "strict-transport-security" not in plain.get("/").headers
    with TestClient(create_app(settings), base_url="https://testserver") as tls:
        assert tls.get("/").headers["strict-transport-security"] == "max-age=31536000"
    secure = dataclasses.replace(settings, secure_cookies=True)
    with TestClient(create_app(secure), base_url="http://testserver") as proxied:
        assert proxied.get("/").headers["strict-transport-security"] == "max-age=31536000"


# -- nothing for the CSP to forgive -----------------------------------------------------------

INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx attribute": re.compile(r"\s(data-)?hx-[a-z-]+\s*=", re.I),
}


def test_templates_hold_no_inline_script_handler_style_or_htmx_attribute(
    subtests: pytest.Subtests,
) -> None:
    """The CSP would block these; the page would break silently. None is needed."""
    for path in sorted(templates_dir().rglob("*.html")):
        text = path.read_text()
        for name, pattern in INLINE.items():
            with subtests.test(f"{path.name}: {name}"):
                assert not pattern.search(text), pattern.search(text)


# gettext's result is marked safe, so `_()` of a stored text would be shown unescaped (and
# %-formatted): templates translate only literals and the server's own labels.
TRANSLATED = re.compile(
    r"""_\((?!["'])(?!phase_labels\[|phase_hints\[|e\.what\)|moment_labels\[|kind_labels\[|status_labels\["""
    r"""|engine_sentences\[)"""
)


def test_templates_translate_only_their_own_words(subtests: pytest.Subtests) -> None:
    for path in sorted(templates_dir().rglob("*.html")):
        with subtests.test(path.name):
            assert not TRANSLATED.search(path.read_text())


def test_scripts_use_no_eval_and_fetch_only_their_own_origin(subtests: pytest.Subtests) -> None:
    """live.js and the others apply only fragments the server rendered, fetched from paths on
    this site (data attributes the templates write) or sent on the site's own socket."""
    for path in sorted(static_dir().glob("*.js")):
        text = path.read_text()
        with subtests.test(path.name):
            assert not re.search(r"\beval\s*\(|new Function\s*\(|setTimeout\(\s*[\"'`]", text)
            assert not re.search(r"https?://", text), "a script names another site"
    for path in sorted(templates_dir().rglob("*.html")):
        for attribute, url in re.findall(r'data-(live|url|refresh)="([^"]*)"', path.read_text()):
            with subtests.test(f"{path.name} data-{attribute}"):
                assert url.startswith("/") and not url.startswith("//"), url
