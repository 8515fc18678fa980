"""Bad input gets a clear message and changes nothing: forms, codes, cookies, frames, origins.

Each test runs many cases against one app (a subtest each), to keep the suite fast.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from facilitator.config import Settings
from facilitator.domain.workshop_views import GroupView, WorkshopView
from facilitator.models import Participant, Workshop
from facilitator.web.auth import DEVICE_COOKIE
from facilitator.web.commands import COMMANDS
from tests.attack_support import Site, populate
from tests.conftest import Person, Socket, World, world_with
from tests.facilitation_support import new_key, opened, reply
from tests.support import (
    database_rows,
    handshake_refused,
    idea_texts,
    live,
    only_idea,
    post_idea,
    redirects_to_login,
    refusal,
    rows,
    shared_workshop,
)
from tests.test_access_matrix import BROADCAST, SYNTHESIS, fill, foreign_fields

EMPTY = "Please write something first."
CONTROL = "That text holds control characters. Please retype it."
NO_DEVICE = "This phone is not in a group yet. Please scan your group's QR code again."
NOT_OWN = "You can only change your own ideas."
NOT_JOINED = "You can only take part in the group you joined."
EXPIRED_FORM = "This form has expired. Please reload the page and try again."
CROSS_SITE = "Cross-site requests are not allowed."
UNREADABLE = "That message could not be read."
WHICH_IDEA = "Which idea? That message names none."
NOT_A_CODE = "A code has 8 letters and numbers, like K7QM-2XPD. Please check and try again."
UNKNOWN_CODE = "We could not find a group with the code ZZZZ-ZZZZ. Please check your card."
POLICY_VIOLATION = 1008
EVIL = "http://evil.example"


def too_long(length: int, limit: int) -> str:
    return f"That is {length} characters; the limit is {limit}. Please shorten it."


@pytest.fixture
def group(world: World) -> GroupView:
    return shared_workshop(world).groups[0]


@pytest.fixture
def phone(world: World, group: GroupView) -> Person:
    return world.phone(group.code)


@pytest.fixture
def short_world(settings: Settings) -> Iterator[World]:
    """An app configured with a 20-character idea limit."""
    with world_with(settings, max_idea_length=20) as world:
        yield world


def refused_without_change(
    world: World, status: int, message: str, send: Callable[[], Any]
) -> None:
    """`send()` is answered with `status` and `message`, and the database stays as it was."""
    before = database_rows(world)
    refusal(send(), status, message)
    assert database_rows(world) == before


def socket_refuses(world: World, sock: Socket, message: dict[str, Any], expected: str) -> None:
    """A command on the socket gets an error frame saying `expected` and changes nothing."""
    before = database_rows(world)
    sock.send(message)
    assert sock.until_type("error", key=message.get("key"))["message"] == expected
    assert database_rows(world) == before


def other_workshop(world: World) -> WorkshopView:
    return world.workshop(world.organiser("oscar@example.org"), title="Another conference")


# -- ideas ----------------------------------------------------------------------------------

BAD_IDEAS = {
    "empty": ("", EMPTY),
    "whitespace": ("   \n\t  ", EMPTY),
    "over 500": ("x" * 501, too_long(501, 500)),
    "nul": ("a\x00b", CONTROL),
    "escape": ("colour \x1b[31mred", CONTROL),
    "delete": ("del\x7fete", CONTROL),
}


def test_bad_ideas_in_the_form_are_refused_and_change_nothing(
    world: World, group: GroupView, phone: Person, subtests: pytest.Subtests
) -> None:
    for case, (text, message) in BAD_IDEAS.items():
        with subtests.test(case):
            send = functools.partial(post_idea, phone, group.code, text)
            refused_without_change(world, 400, message, send)


def test_bad_ideas_on_the_socket_are_refused_and_change_nothing(
    world: World, group: GroupView, phone: Person, subtests: pytest.Subtests
) -> None:
    with live(phone, group.id) as sock:
        for n, (case, (text, message)) in enumerate(BAD_IDEAS.items()):
            with subtests.test(case):
                submit = {"type": "submit", "key": f"bad-idea-{n:04}", "text": text}
                socket_refuses(world, sock, submit, message)


def test_an_idea_of_exactly_the_limit_is_accepted(
    world: World, group: GroupView, phone: Person
) -> None:
    assert post_idea(phone, group.code, "x" * 500).status_code == 303
    assert idea_texts(world, group) == ["x" * 500]


def test_a_configured_smaller_limit_is_enforced_by_form_and_socket(short_world: World) -> None:
    group = shared_workshop(short_world).groups[0]
    phone = short_world.phone(group.code)
    assert 'maxlength="20"' in phone.get(f"/j/{group.code}").text

    typed = "twenty-one characters"
    send = functools.partial(post_idea, phone, group.code, typed)
    refused_without_change(short_world, 400, too_long(21, 20), send)
    # The typed text stays in the form, so nothing has to be typed again.
    assert f">{typed}</textarea>" in send().text
    with live(phone, group.id) as sock:
        submit = {"type": "submit", "key": "short-limit-1", "text": typed}
        socket_refuses(short_world, sock, submit, too_long(21, 20))

    assert post_idea(phone, group.code, "twenty characters ok").status_code == 303
    assert idea_texts(short_world, group) == ["twenty characters ok"]


# -- codes ----------------------------------------------------------------------------------

BAD_CODES = {
    "/join?code=ZZZZ-ZZZZ": (404, UNKNOWN_CODE),
    "/j/ZZZZZZZZ": (404, UNKNOWN_CODE),
    "/join?code=abc": (400, NOT_A_CODE),
    "/join?code=": (400, NOT_A_CODE),
    "/join?code=UUUUUUUU": (400, NOT_A_CODE),
    "/join?code=K7QM2XPDK7": (400, NOT_A_CODE),
    "/join?code=%3Ci%3Ezz": (400, NOT_A_CODE),
    "/j/abc": (400, NOT_A_CODE),
    "/j/%3Ci%3Ezz": (400, NOT_A_CODE),
}


def test_bad_codes_get_a_friendly_message_and_join_nobody(
    world: World, group: GroupView, subtests: pytest.Subtests
) -> None:
    visitor = world.browser()
    for url, (status, message) in BAD_CODES.items():
        with subtests.test(url):
            response = visitor.get(url)
            refusal(response, status, message)
            assert "<i>zz" not in response.text
            assert DEVICE_COOKIE not in response.cookies
    assert rows(world, Participant) == []


# -- device cookies -------------------------------------------------------------------------


def tampered(value: str) -> str:
    """The same cookie with one character of its token changed; its signature no longer fits."""
    return ("A" if value[0] != "A" else "B") + value[1:]


def test_without_a_valid_device_cookie_a_phone_can_neither_post_nor_listen(
    world: World, group: GroupView, subtests: pytest.Subtests
) -> None:
    genuine = world.phone(group.code).http.cookies[DEVICE_COOKIE]
    forgeries = {
        "missing": None,
        "tampered": tampered(genuine),
        "made up": "made-up-token.0123456789abcdef0123456789abcdef",
    }
    for case, cookie in forgeries.items():
        with subtests.test(case):
            phone = world.browser()
            if cookie is not None:
                phone.http.cookies.set(DEVICE_COOKIE, cookie, domain="testserver.local")
            idea = {"key": "forged-00001", "text": "Hello"}
            send = functools.partial(phone.post, f"/j/{group.code}/ideas", idea)
            refused_without_change(world, 403, NO_DEVICE, send)
            assert handshake_refused(phone, group.id) == POLICY_VIOLATION


# -- reaching into other groups and workshops -----------------------------------------------


def test_a_phone_cannot_open_another_groups_socket(world: World) -> None:
    mine, other = shared_workshop(world).groups
    phone = world.phone(mine.code)
    assert handshake_refused(phone, other.id) == POLICY_VIOLATION
    assert handshake_refused(phone, other_workshop(world).groups[0].id) == POLICY_VIOLATION


def test_posting_another_groups_form_moves_the_phone_there_like_its_link(world: World) -> None:
    """A code is the key to its group: its form, like its link, puts the phone in that group.

    From then on the phone speaks only in its new group: its old socket's commands are refused.
    """
    first, second = shared_workshop(world).groups
    phone = world.phone(first.code)
    with live(phone, first.id) as old_socket:
        assert post_idea(phone, second.code, "Said in the second group").status_code == 303
        submit = {"type": "submit", "key": "old-socket-01", "text": "Still in the first?"}
        socket_refuses(world, old_socket, submit, NOT_JOINED)
    assert idea_texts(world, first) == []
    assert idea_texts(world, second) == ["Said in the second group"]
    assert handshake_refused(phone, first.id) == POLICY_VIOLATION


def test_a_phone_cannot_change_an_idea_of_another_group_or_workshop(
    world: World, subtests: pytest.Subtests
) -> None:
    first, second = shared_workshop(world).groups
    author = world.phone(first.code)
    assert post_idea(author, first.code, "Mine to change").status_code == 303
    idea = only_idea(world, first)
    intruders = {
        "same workshop": (world.phone(second.code), NOT_JOINED),
        "other workshop": (world.phone(other_workshop(world).groups[0].code), NOT_OWN),
    }
    for case, (intruder, message) in intruders.items():
        for action, data in [("edit", {"text": "Changed by someone else"}), ("withdraw", {})]:
            with subtests.test(f"{action} from the {case}"):
                send = functools.partial(intruder.post, f"/ideas/{idea.id}/{action}", data)
                refused_without_change(world, 403, message, send)
    assert idea_texts(world, first) == ["Mine to change"]


# -- participants calling staff actions -----------------------------------------------------


def test_a_phone_gets_no_staff_pages_actions_or_sockets(
    world: World, group: GroupView, phone: Person
) -> None:
    for path in [
        "/facilitator",
        f"/facilitator/groups/{group.id}",
        "/organiser",
        f"/organiser/workshops/{group.workshop_id}",
        "/account",
    ]:
        redirects_to_login(phone.get(path, follow_redirects=False), path)

    before = database_rows(world)
    actions = {
        "/organiser/workshops": {"title": "Mine now", "groups": "A | B?"},
        f"/organiser/workshops/{group.workshop_id}": {"title": "Renamed"},
        f"/organiser/groups/{group.id}/delete": {},
    }
    for path, data in actions.items():
        redirects_to_login(phone.post(path, data), path)
    assert database_rows(world) == before

    assert handshake_refused(phone, group.id, "facilitator") == POLICY_VIOLATION


# -- malformed socket frames ----------------------------------------------------------------

BAD_FRAMES: dict[str, tuple[dict[str, Any] | str | bytes, str]] = {
    "not json": ("this is not json", UNREADABLE),
    # Commands are text frames; a binary one is malformed, even if it holds JSON.
    "binary frame": (b"\x00\xff\x00", UNREADABLE),
    "binary json": (b'{"type": "ping"}', UNREADABLE),
    "json array": ("[1, 2, 3]", UNREADABLE),
    "json string": ('"submit"', UNREADABLE),
    "missing type": ({"key": "no-type-0001", "text": "Hello"}, UNREADABLE),
    "type not text": ({"type": 7}, UNREADABLE),
    "unknown type": ({"type": "explode"}, "Unknown message type."),
    "over 16 KB": (
        {"type": "submit", "key": "huge-000001", "text": "x" * 17_000},
        "That message is too large.",
    ),
    "submit without text": ({"type": "submit", "key": "no-text-0001"}, "Please send text."),
    **{
        f"submit with key {key!r}": (
            {"type": "submit", "key": key, "text": "Hello"},
            "This submission has no valid id. Please reload the page.",
        )
        for key in ["has spaces!", "abc", 12345678, None]
    },
    **{
        f"edit with idea_id {idea_id!r}": ({"type": "edit", "idea_id": idea_id}, WHICH_IDEA)
        for idea_id in ["abc", None, [1], True]
    },
    "edit without idea_id": ({"type": "edit", "text": "New"}, WHICH_IDEA),
    "withdraw with idea_id 'abc'": ({"type": "withdraw", "idea_id": "abc"}, WHICH_IDEA),
    "edit of an unknown idea": (
        {"type": "edit", "idea_id": 999_999, "text": "New"},
        "That idea is not on the board any more.",
    ),
    "edit of an id beyond 64 bits": (
        {"type": "edit", "idea_id": "99999999999999999999", "text": "New"},
        "Nothing here has the number 99999999999999999999.",
    ),
}


def still_takes_ideas(world: World, sock: Socket, group: GroupView) -> None:
    sock.send({"type": "submit", "key": "after-the-error", "text": "Still working"})
    assert sock.until_type("ack", key="after-the-error")["repeated"] is False
    assert idea_texts(world, group)[-1] == "Still working"


def test_malformed_frames_get_errors_and_the_same_socket_keeps_working(
    world: World, group: GroupView, phone: Person, subtests: pytest.Subtests
) -> None:
    with live(phone, group.id) as sock:
        before = database_rows(world)
        for case, (frame, message) in BAD_FRAMES.items():
            with subtests.test(case):
                sock.send(frame)
                assert sock.until_type("error")["message"] == message
        assert database_rows(world) == before
        still_takes_ideas(world, sock, group)


def test_changing_another_persons_idea_on_the_socket_is_refused(
    world: World, group: GroupView, phone: Person
) -> None:
    assert post_idea(world.phone(group.code), group.code, "Not yours").status_code == 303
    idea = only_idea(world, group)
    with live(phone, group.id) as sock:
        for kind in ["edit", "withdraw"]:
            attempt = {"type": kind, "key": f"{kind}-other-01", "idea_id": idea.id, "text": "Mine"}
            socket_refuses(world, sock, attempt, NOT_OWN)
        still_takes_ideas(world, sock, group)
    assert idea_texts(world, group) == ["Not yours", "Still working"]


# -- CSRF and origins -----------------------------------------------------------------------


def test_a_form_without_the_right_csrf_token_is_refused(
    world: World, group: GroupView, phone: Person, subtests: pytest.Subtests
) -> None:
    tokens = {"missing": None, "empty": "", "wrong": "wrong", "another browser's": None}
    tokens["another browser's"] = world.browser().csrf()
    for case, token in tokens.items():
        with subtests.test(case):
            form = {"key": "csrf-test-001", "text": "Hello"}
            if token is not None:
                form["csrf"] = token
            url = f"/j/{group.code}/ideas"
            send = functools.partial(phone.http.post, url, data=form, follow_redirects=False)
            refused_without_change(world, 403, EXPIRED_FORM, send)


def test_staff_forms_need_the_csrf_token_too(world: World) -> None:
    organiser = world.logged_in(world.organiser())
    form = {"title": "Sneaky", "groups": "A | B?", "csrf": "wrong"}
    response = organiser.http.post("/organiser/workshops", data=form, follow_redirects=False)
    refusal(response, 403, EXPIRED_FORM)
    assert rows(world, Workshop) == []


def test_a_post_from_another_site_is_refused_even_with_a_valid_token(
    world: World, group: GroupView, phone: Person, subtests: pytest.Subtests
) -> None:
    idea = {"key": "cross-site-01", "text": "Hello"}
    for headers in [{"origin": EVIL}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}]:
        with subtests.test(str(headers)):
            send = functools.partial(phone.post, f"/j/{group.code}/ideas", idea, headers=headers)
            refused_without_change(world, 403, CROSS_SITE, send)
    # The same form from this site goes through.
    same_site = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    assert phone.post(f"/j/{group.code}/ideas", idea, headers=same_site).status_code == 303
    assert idea_texts(world, group) == ["Hello"]


def test_a_socket_from_another_site_is_refused(
    world: World, group: GroupView, phone: Person
) -> None:
    assert handshake_refused(phone, group.id, origin=EVIL) == POLICY_VIOLATION
    url = f"/ws/groups/{group.id}"
    with phone.http.websocket_connect(url, headers={"origin": "http://testserver"}) as ws:
        assert Socket(ws).until_type("reset")


def socket_denied(person: Person, group_id: str, audience: str = "participant") -> int:
    """The status of a handshake refused with an HTTP response, before accept."""
    url = f"/ws/groups/{group_id}?as={audience}"
    with pytest.raises(WebSocketDenialResponse) as denied, person.http.websocket_connect(url):
        pass
    return denied.value.status_code


def test_ids_beyond_64_bits_name_nothing(world: World, group: GroupView, phone: Person) -> None:
    huge = "99999999999999999999"
    no_such = f"Nothing here has the number {huge}."
    refusal(phone.get(f"/ideas/{huge}/edit"), 404, no_such)
    send = functools.partial(phone.post, f"/ideas/{huge}/withdraw")
    refused_without_change(world, 404, no_such, send)
    assert socket_denied(phone, huge) == 404

    organiser = world.logged_in(world.organiser("owen@example.org"))
    refusal(organiser.get(f"/facilitator/groups/{huge}"), 404, no_such)
    refusal(organiser.get(f"/organiser/workshops/{huge}"), 404, no_such)
    assert socket_denied(organiser, huge, "facilitator") == 404


# -- ids no row can have, in every route and command ----------------------------------------

OUT_OF_RANGE = [2**70, -1]
# Every form or message field that names a row.
ID_FIELDS = {"idea_id", "into", "cluster_id", "to", "from", "target_id", "source_id",
             "recommendation_id", "group", "user", "rec", "final"}  # fmt: skip
# Routes whose forms name rows, with the actions each can take.
FORM_ACTIONS = {
    "/organiser/workshops/{workshop_id}/synthesis": SYNTHESIS,
    "/organiser/workshops/{workshop_id}/control": BROADCAST,
    "/organiser/workshops/{workshop_id}/invitations": [""],
    "/organiser/workshops/{workshop_id}/assignments": [""],
}
COMMAND_ROUTES = {"/facilitator/groups/{group_id}/command", "/j/{code}/command"}


def with_bad_ids(fields: dict[str, Any], bad: int) -> dict[str, Any]:
    """The fields with every id in them replaced by `bad`."""
    out = {k: bad if k in ID_FIELDS else v for k, v in fields.items()}
    if "suggestions" in out:
        out["suggestions"] = [{"name": "x", "ideas": [bad]}]
    if "dots" in out:  # a plenary ballot: ids are its keys
        out["dots"] = {str(bad): 1}
    if "ranking" in out:
        out["ranking"] = [bad]
    return out


def every_command_naming_ids(site: Site) -> list[tuple[str, dict[str, Any]]]:
    spec = foreign_fields(site, site, site.other_idea_id)
    return [(kind, fields) for kind in COMMANDS for fields in spec[kind] if fields][:100]


def clean_refusal(response: Any, what: str) -> None:
    assert response.status_code in (400, 404), f"{what}: {response.status_code}"


def test_ids_no_row_can_have_are_refused_cleanly_in_every_route(
    world: World, subtests: pytest.Subtests
) -> None:
    """2**70 (past 64 bits) and -1 in every id of every path and form: 404 or 400, never
    500, and nothing changes."""
    site = populate(world, "a", "Alpha")
    office = world.logged_in(site.organiser)
    assert office.get(f"/j/{site.group.code}").status_code == 200  # and a phone of group 0
    valid = {
        "workshop_id": site.workshop.id,
        "group_id": site.group.id,
        "idea_id": site.idea_id,
        "code": site.group.code,
        "token": "no-such-token",
        "fmt": "json",
    }
    before = database_rows(world)
    paths = set()
    for route in world.client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route):
            continue
        path = re.sub(r":\w+\}", "}", route.path)
        paths.add(path)
        names = re.findall(r"\{(\w+_id)\}", path)
        methods = sorted((route.methods or set()) - {"HEAD"})
        for bad, name, method in itertools.product(OUT_OF_RANGE, names, methods):
            url = fill(route.path, {**{k: [v] for k, v in valid.items()}, name: [bad]})[0]
            with subtests.test(f"{method} {url}"):
                clean_refusal(office.http.request(method, url, data={"csrf": office.csrf()},
                                                  follow_redirects=False), url)  # fmt: skip
        if path in FORM_ACTIONS:
            url = fill(route.path, {k: [v] for k, v in valid.items()})[0]
            for bad, action in itertools.product(OUT_OF_RANGE, FORM_ACTIONS[path]):
                form = with_bad_ids({**dict.fromkeys(ID_FIELDS, 0), "scope": "some"}, bad)
                with subtests.test(f"POST {url} {action} {bad}"):
                    clean_refusal(office.post(url, {**form, "action": action}), url)
        if path in COMMAND_ROUTES:
            url = fill(route.path, {k: [v] for k, v in valid.items()})[0]
            for bad, (kind, fields) in itertools.product(
                OUT_OF_RANGE, every_command_naming_ids(site)
            ):
                with subtests.test(f"POST {url} {kind} {bad}"):
                    form = {"type": kind, "key": new_key(), **with_bad_ids(fields, bad)}
                    clean_refusal(office.post(url, form), f"{url} {kind}")
    assert FORM_ACTIONS.keys() | COMMAND_ROUTES <= paths
    assert database_rows(world) == before
    assert socket_denied(office, str(2**70), "facilitator") == 404  # and the socket's path
    with pytest.raises(WebSocketDisconnect), office.http.websocket_connect("/ws/groups/-1"):
        pass  # no such route


@pytest.fixture
def roomy_world(settings: Settings) -> Iterator[World]:
    """Sockets that may send a few hundred messages at once."""
    with world_with(settings, socket_burst=500) as world:
        yield world


def test_ids_no_row_can_have_are_refused_cleanly_in_every_command(
    roomy_world: World, subtests: pytest.Subtests
) -> None:
    world = roomy_world
    site = populate(world, "a", "Alpha")
    office = world.logged_in(site.organiser)
    before = database_rows(world)
    with opened(office, site.group, "facilitator") as sock:
        for bad, (kind, fields) in itertools.product(OUT_OF_RANGE, every_command_naming_ids(site)):
            with subtests.test(f"{kind} {bad}"):
                answer = reply(sock, kind, **with_bad_ids(fields, bad))
                assert answer["type"] == "error" and answer["status"] in (400, 404), answer
        assert database_rows(world) == before
        assert reply(sock, "set_phase", phase="collect")["type"] == "ack"  # the socket stays
