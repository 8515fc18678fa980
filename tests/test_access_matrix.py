"""Access control as a generated matrix: role × action × ownership.

A participant, a facilitator and an organiser of workshop A try every command of the
registry (over the WebSocket and over the form routes) and every staff route of the app on
workshop B, and on the group of A they are not in. Every attempt is refused, changes
nothing, and no text of B (nor of the other group) appears in what comes back.

The actions are read from the command registry and the app's routes, so a new command or
route that this matrix does not know fails the test until it is added.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.routing import Route

from facilitator.domain import phases
from facilitator.export.formats import FORMATS
from facilitator.web.commands import COMMANDS
from tests.attack_support import Site, populate
from tests.conftest import Person, World
from tests.facilitation_support import everything, new_key, opened
from tests.support import database_rows, handshake_refused

SECRET_A = "Alphasecret"
SECRET_B = "Bravosecret"
POLICY_VIOLATION = 1008
# Participant pages reached by a join code or an invitation token: the code or token is
# the key itself (tests/test_bad_input.py and test_accounts.py cover them).
# Keyed by a code or an unguessable token: a phone's, an invitation's, a follow-up link's, a
# public status page's (tests/test_questions_pages.py, tests/test_follow_up.py).
KEYED = re.compile(r"^/(j/\{code\}|invite/\{token\}|f/\{token\}|status/\{token\}|join$|$)")
PUBLIC = {"/login", "/logout", "/healthz", "/account", "/account/password", "/language"}
PUBLIC |= {"/metrics"}  # for a scraper with its token or address (tests/test_operations.py)

Fields = dict[str, Any]


def foreign_fields(mine: Site, theirs: Site, other_idea: int) -> dict[str, list[Fields]]:
    """Each command with fields naming something that is not the actor's to touch.

    `other_idea` is an idea of a group the actor is not in. Commands that name nothing but
    the socket's own group (authorised at the handshake) have no such fields: they are
    tried against the foreign group through its form route instead.
    """
    idea, cluster, rec = theirs.idea_id, theirs.cluster_id, theirs.rec_id
    own_idea, own_cluster = mine.idea_id, mine.cluster_id
    group_only: list[Fields] = []
    return {
        "submit": group_only,
        "name": group_only,
        "set_phase": group_only,
        "settings": group_only,
        "start_timer": group_only,
        "stop_timer": group_only,
        "lock_writing": group_only,
        "reveal": group_only,
        "edit": [{"idea_id": i, "text": "changed"} for i in (idea, other_idea)],
        "withdraw": [{"idea_id": i} for i in (idea, other_idea)],
        "support": [{"idea_id": i} for i in (idea, other_idea)],
        "hide": [{"idea_id": i, "reason": "x"} for i in (idea, other_idea)],
        "restore": [{"idea_id": theirs.hidden_id}],
        "moderate_edit": [{"idea_id": i, "text": "changed"} for i in (idea, other_idea)],
        "merge": [
            {"idea_id": idea, "into": theirs.other_idea_id},
            {"idea_id": own_idea, "into": idea},
            {"idea_id": idea, "into": own_idea},
            {"idea_id": own_idea, "into": other_idea},
        ],
        "create_cluster": [{"name": "Mine now", "idea_id": i} for i in (idea, other_idea)],
        "rename_cluster": [{"cluster_id": cluster, "name": "Renamed"}],
        "delete_cluster": [{"cluster_id": cluster}],
        "move": [
            {"idea_id": idea, "to": own_cluster, "from": "any"},
            {"idea_id": own_idea, "to": cluster, "from": "any"},
            {"idea_id": other_idea, "to": None, "from": "any"},
        ],
        "accept_suggestions": [
            {"suggestions": [{"name": "Taken", "ideas": [i]}]} for i in (idea, other_idea)
        ],
        "vote": [
            {"target": "idea", "target_id": idea},
            {"target": "cluster", "target_id": cluster},
        ],
        "unvote": [{"target": "cluster", "target_id": cluster}],
        "promote": [
            {"source": "idea", "source_id": idea, "title": "Taken"},
            {"source": "cluster", "source_id": cluster, "title": "Taken"},
        ],
        "edit_recommendation": [{"recommendation_id": rec, "title": "Changed"}],
        "agree": [{"recommendation_id": rec, "agreed": "0"}],
        "move_recommendation": [{"recommendation_id": rec, "direction": "up"}],
        "delete_recommendation": [{"recommendation_id": rec}],
        # The vote is the phone's own workshop's; another workshop's recommendation is not
        # in it (and staff cast no ballot at all).
        "ballot": [{"dots": {str(rec): 1}}, {"ranking": [rec]}],
    }


# Fields that get a group-scoped command past its input checks, to its access check.
GROUP_FIELDS: dict[str, Fields] = {
    "submit": {"text": "Planted"},
    "name": {"name": "Planted"},
    "set_phase": {"phase": "collect"},
    "settings": {"vote_budget": "5", "vote_cap": "3"},
    "start_timer": {"minutes": "5"},
    "lock_writing": {"locked": "1"},
    "reveal": {"what": "ideas", "shown": "1"},
}


@dataclass
class Actor:
    role: str
    person: Person
    audience: str  # the socket it opens on its own group
    foreign_groups: list[int]
    other_idea: int  # an idea of a group it is not in (B's, or A's other group's)


@dataclass
class Matrix:
    world: World
    a: Site
    b: Site
    actors: list[Actor]

    def leaks(self, actor: Actor) -> list[str]:
        """What must never reach this actor: B's texts and codes; the other group's idea."""
        codes = [self.b.workshop.code, *(g.code for g in self.b.workshop.groups)]
        hidden = [SECRET_B, *codes]
        if actor.role != "organiser":
            hidden.append(f"{SECRET_A} other idea")
        return hidden


@pytest.fixture
def matrix(world: World) -> Matrix:
    a = populate(world, "a", SECRET_A)
    b = populate(world, "b", SECRET_B)
    participant = world.phone(a.group.code)
    actors = [
        Actor("participant", participant, "participant", [a.other.id, b.group.id], b.idea_id),
        Actor(
            "facilitator",
            world.logged_in(a.facilitator),
            "facilitator",
            [a.other.id, b.group.id],
            a.other_idea_id,
        ),
        Actor(
            "organiser",
            world.logged_in(a.organiser),
            "facilitator",
            [b.group.id, b.other.id],
            b.idea_id,
        ),
    ]
    return Matrix(world, a, b, actors)


def no_leak(m: Matrix, actor: Actor, text: str, what: str) -> None:
    found = [secret for secret in m.leaks(actor) if secret in text]
    assert not found, f"{actor.role}: {what} shows {found}"


def test_the_matrix_knows_every_command() -> None:
    class Stub:
        idea_id = hidden_id = cluster_id = rec_id = other_idea_id = 0

    known = set(foreign_fields(Stub(), Stub(), 0))  # type: ignore[arg-type]
    assert known == set(COMMANDS), "add the new command to foreign_fields"


# -- the WebSocket ---------------------------------------------------------------------------


def test_no_role_opens_a_socket_on_a_group_it_is_not_in(
    matrix: Matrix, subtests: pytest.Subtests
) -> None:
    for actor in matrix.actors:
        for group_id in actor.foreign_groups:
            for audience in ("participant", "facilitator", "projector"):
                with subtests.test(f"{actor.role} as {audience} on group {group_id}"):
                    code = handshake_refused(actor.person, group_id, audience)
                    assert code == POLICY_VIOLATION


@contextlib.contextmanager
def own_socket(m: Matrix, actor: Actor) -> Iterator[Any]:
    with opened(actor.person, m.a.group, actor.audience) as sock:
        yield sock


def attempts(m: Matrix, actor: Actor) -> Iterator[tuple[str, Fields]]:
    spec = foreign_fields(m.a, m.b, actor.other_idea)
    for kind in COMMANDS:
        for fields in spec[kind]:
            yield kind, fields


def in_phase(m: Matrix, kind: str) -> None:
    """The own group is in the phase where the command would be allowed on own things, so
    only ownership stands in the way."""
    phase = "vote" if kind in ("vote", "unvote") else "recommend"
    m.world.run(phases.set_phase, m.world.db, m.a.organiser, m.a.group.id, phase)
    m.world.run(phases.set_phase, m.world.db, m.b.organiser, m.b.group.id, phase)


def test_every_command_on_the_socket_naming_foreign_things_is_refused(
    matrix: Matrix, subtests: pytest.Subtests
) -> None:
    for actor in matrix.actors:
        with own_socket(matrix, actor) as sock:
            for kind, fields in attempts(matrix, actor):
                with subtests.test(f"{actor.role} {kind} {fields}"):
                    in_phase(matrix, kind)
                    before, seen = database_rows(matrix.world), len(sock.frames)
                    key = new_key()
                    sock.send({"type": kind, "key": key, **fields})
                    answer = sock.until(
                        lambda f, key=key: f["type"] in ("ack", "error") and f.get("key") == key
                    )
                    assert answer["type"] == "error", answer
                    assert database_rows(matrix.world) == before
                    no_leak(matrix, actor, everything(sock, seen), "the socket")


# -- form routes -------------------------------------------------------------------------------


def post_refused(m: Matrix, actor: Actor, url: str, form: Fields, what: str) -> None:
    before = database_rows(m.world)
    response = actor.person.post(url, {k: v for k, v in form.items() if v is not None})
    refused(response, f"{actor.role} {what}")
    assert database_rows(m.world) == before, f"{actor.role} {what} changed rows"
    no_leak(m, actor, response.text, what)


def refused(response: Any, what: str) -> None:
    """A refusal: 403, 404, a 400 naming the problem, or a redirect to the login page."""
    status = response.status_code
    if status == 303:
        assert response.headers["location"].startswith("/login"), what
    else:
        assert status in (400, 403, 404), f"{what}: {status}"


def test_every_command_through_the_form_routes_is_refused(
    matrix: Matrix, subtests: pytest.Subtests
) -> None:
    for actor in matrix.actors:
        own = (
            f"/j/{matrix.a.group.code}/command"
            if actor.role == "participant"
            else f"/facilitator/groups/{matrix.a.group.id}/command"
        )
        for kind, fields in attempts(matrix, actor):
            with subtests.test(f"{actor.role} {kind} {fields} on its own group's form"):
                in_phase(matrix, kind)
                post_refused(matrix, actor, own, {"type": kind, "key": new_key(), **fields}, own)
        for group_id in actor.foreign_groups:
            url = f"/facilitator/groups/{group_id}/command"
            for kind in COMMANDS:
                form = {"type": kind, "key": new_key(), **GROUP_FIELDS.get(kind, {})}
                with subtests.test(f"{actor.role} {kind} on {url}"):
                    post_refused(matrix, actor, url, form, url)


# -- every staff route of the app ---------------------------------------------------------------


def staff_routes(world: World) -> list[Route]:
    routes = [r for r in world.client.app.routes if isinstance(r, Route)]  # type: ignore[attr-defined]
    return [r for r in routes if not KEYED.match(r.path) and r.path not in PUBLIC]


def fill(path: str, values: dict[str, list[Any]]) -> list[str]:
    """Every way to fill the path's parameters from `values`."""
    urls = [path]
    for name in re.findall(r"\{(\w+)(?::\w+)?\}", path):
        assert name in values, f"the matrix has no value for {{{name}}} in {path}"
        pattern = re.compile(r"\{" + name + r"(?::\w+)?\}")
        urls = [pattern.sub(str(v), url) for url in urls for v in values[name]]
    return urls


def targets(m: Matrix, actor: Actor, path: str) -> dict[str, list[Any]]:
    """Workshops, groups and ideas that are not this actor's, for a path of a staff route."""
    a, b = m.a, m.b
    organiser_only = path.startswith("/organiser")
    workshops = [b.workshop.id] + ([a.workshop.id] if actor.role != "organiser" else [])
    groups = list(actor.foreign_groups)
    if organiser_only and actor.role == "facilitator":
        groups.append(a.group.id)  # its own group, but not its workshop to change
    if actor.role == "participant":
        groups.append(a.group.id)  # no staff page of its own group either
    return {
        "workshop_id": workshops,
        "group_id": groups,
        "idea_id": [b.idea_id, actor.other_idea],
        "fmt": sorted(FORMATS),
    }


# What a staff form may send, aimed at B: every field any staff form reads.
def staff_form(m: Matrix) -> Fields:
    b = m.b
    return {
        "title": "Taken over",
        "date": "2026-11-28",
        "description": "x",
        "groups": "Mine | Mine?",
        "name": "Taken",
        "prompt": "Taken?",
        "email": "intruder@example.org",
        "group": b.group.id,
        "user": b.facilitator.id,
        "assigned": "1",
        "rec": b.rec_id,
        "final": b.final_id,
        "value": "0",
        "direction": "up",
        "text": "Taken",
        "phase": "collect",
        "minutes": "5",
        "announcement": "Taken",
        "scope": "all",
    }


def allowed_own(path: str) -> set[str]:
    return {"organiser"} if path.startswith("/organiser") else {"organiser", "facilitator"}


SYNTHESIS = ["create", "merge_pair", "add", "remove_source", "edit", "mark", "move", "delete"]
BROADCAST = ["phase", "timer", "lock", "unlock", "announce", "clear"]


def test_every_staff_route_on_foreign_workshops_and_groups_is_refused(
    matrix: Matrix, subtests: pytest.Subtests
) -> None:
    form = staff_form(matrix)
    for actor in matrix.actors:
        for route in staff_routes(matrix.world):
            for url in fill(route.path, targets(matrix, actor, route.path)):
                methods = sorted((route.methods or set()) - {"HEAD"})
                # A path naming nothing is the actor's own list or its own new workshop:
                # refused only to those without the role; in any case, nothing of B shows.
                own = "{" not in route.path and actor.role in allowed_own(route.path)
                for method in methods:
                    if method == "GET":
                        with subtests.test(f"{actor.role} GET {url}"):
                            response = actor.person.get(url, follow_redirects=False)
                            if not own:
                                refused(response, f"{actor.role} GET {url}")
                            no_leak(matrix, actor, response.text, url)
                        continue
                    if own:
                        continue
                    actions = SYNTHESIS if url.endswith("/synthesis") else BROADCAST
                    for action in actions if url.endswith(("/synthesis", "/control")) else [""]:
                        with subtests.test(f"{actor.role} {method} {url} {action}"):
                            post_refused(matrix, actor, url, {**form, "action": action}, url)


def test_the_matrix_reaches_every_staff_route(matrix: Matrix) -> None:
    """A control: the actions above are allowed to their owners, so the refusals are about
    ownership and not about a broken request."""
    owner = matrix.actors[2]  # the organiser of A, on A
    for route in staff_routes(matrix.world):
        if "GET" not in (route.methods or set()) or "idea_id" in route.path:
            continue  # /ideas/... are the participants' own (tests/test_participant.py)
        values = {
            "workshop_id": [matrix.a.workshop.id],
            "group_id": [matrix.a.group.id],
            "fmt": ["json"],
        }
        for url in fill(route.path, values):
            assert owner.person.get(url).status_code == 200, url
