"""Organisers: create and edit workshops and groups, remove groups, print QR codes; health."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from facilitator.domain import workshop_views
from facilitator.domain.actors import Staff
from facilitator.domain.workshop_views import GroupView, WorkshopView
from facilitator.models import Workshop
from tests.conftest import Person, World
from tests.support import database_rows, post_idea, refusal, rows, text_of

SOME_GROUPS = "Skills | How do we grow the cyber workforce?\n\n  Trust |  Whom do we trust?  \n"
GROUP_COUNT = "A workshop needs between 1 and 200 groups."


def create(organiser: Person, groups: str, title: str = "Cyber summit", date: str = "") -> Any:
    form = {"title": title, "date": date, "description": "Two days", "groups": groups}
    return organiser.post("/organiser/workshops", form)


def workshop_of(world: World, workshop_id: int) -> WorkshopView:
    return world.read(lambda s: workshop_views.workshop_view(s, workshop_id))


def lines(n: int) -> str:
    return "\n".join(f"Group {i} | Question {i}?" for i in range(1, n + 1))


@pytest.fixture
def olivia(world: World) -> Staff:
    return world.organiser()


@pytest.fixture
def organiser(world: World, olivia: Staff) -> Person:
    """Olivia's browser, logged in."""
    return world.logged_in(olivia)


def test_an_organiser_creates_a_workshop_from_name_and_question_lines(
    world: World, organiser: Person
) -> None:
    created = create(organiser, SOME_GROUPS, date="2026-11-27")
    assert created.status_code == 303
    workshop_id = int(created.headers["location"].removeprefix("/organiser/workshops/"))

    workshop = workshop_of(world, workshop_id)
    assert (workshop.title, workshop.date, workshop.description) == (
        "Cyber summit",
        dt.date(2026, 11, 27),
        "Two days",
    )
    assert [(g.name, g.prompt, g.phase) for g in workshop.groups] == [
        ("Skills", "How do we grow the cyber workforce?", "collect"),
        ("Trust", "Whom do we trust?", "collect"),
    ]
    codes = {workshop.code, *(g.code for g in workshop.groups)}
    assert len(codes) == 3  # every code is different

    page = text_of(organiser.get(created.headers["location"]))
    for group in workshop.groups:
        assert f"/j/{group.code}/qr.svg" in page
        assert f"{group.code[:4]}-{group.code[4:]}" in page
    assert "Cyber summit" in text_of(organiser.get("/organiser"))


def test_a_refused_workshop_names_its_problem_and_creates_nothing(
    world: World, organiser: Person, subtests: pytest.Subtests
) -> None:
    refusals = {
        "line without a question": (
            "Skills | Question?\nno separator here\nTrust | Q?",
            "Line 2 of the groups needs a name and a question, as “name | question”.",
        ),
        "line without a name": (
            " | Question only?",
            "Line 1 of the groups needs a name and a question, as “name | question”.",
        ),
        "line with an empty question": (
            "A | Q?\n\nB |   ",
            "Line 3 of the groups needs a name and a question, as “name | question”.",
        ),
        "no groups": ("", GROUP_COUNT),
        "only blank lines": ("\n   \n", GROUP_COUNT),
        "201 groups": (lines(201), GROUP_COUNT),
        "control character in a question": (
            "A | Why\x1b?",
            "That text holds control characters. Please retype it.",
        ),
    }
    for case, (groups, message) in refusals.items():
        with subtests.test(case):
            response = create(organiser, groups)
            refusal(response, 400, message)
            assert groups.strip() in text_of(response)  # what was typed is kept
    for case, title, date, message in [
        ("no title", "  ", "", "Please write something first."),
        ("bad date", "Summit", "27/11/2026", "Please give the date as YYYY-MM-DD."),
    ]:
        with subtests.test(case):
            refusal(create(organiser, SOME_GROUPS, title, date), 400, message)
    assert rows(world, Workshop) == []


def test_a_workshop_may_have_200_groups_but_not_201(world: World, organiser: Person) -> None:
    created = create(organiser, lines(200))
    assert created.status_code == 303
    workshop = workshop_of(world, int(created.headers["location"].split("/")[-1]))
    assert len(workshop.groups) == 200
    assert len({g.code for g in workshop.groups}) == 200

    before = database_rows(world)
    extra = organiser.post(
        f"/organiser/workshops/{workshop.id}/groups", {"name": "One more", "prompt": "Why?"}
    )
    refusal(extra, 400, "A workshop can have at most 200 groups.")
    assert database_rows(world) == before


def test_an_organiser_edits_the_workshop_and_its_groups(
    world: World, olivia: Staff, organiser: Person
) -> None:
    workshop = world.workshop(olivia)
    url = f"/organiser/workshops/{workshop.id}"
    details = {"title": "Renamed summit", "date": "2027-01-15", "description": "One day"}
    assert organiser.post(url, details).headers["location"] == url
    edited = workshop_of(world, workshop.id)
    assert (edited.title, edited.date, edited.description) == (
        "Renamed summit",
        dt.date(2027, 1, 15),
        "One day",
    )

    group = workshop.groups[0]
    change = {"name": "Skills", "prompt": "How do we grow skills?", "description": "Be bold"}
    saved = organiser.post(f"/organiser/groups/{group.id}", change)
    assert saved.headers["location"] == f"{url}#group-{group.id}"
    renamed = workshop_of(world, workshop.id).groups[0]
    assert (renamed.name, renamed.prompt, renamed.description, renamed.code) == (
        "Skills",
        "How do we grow skills?",
        "Be bold",
        group.code,  # the printed code stays valid
    )

    added = organiser.post(f"{url}/groups", {"name": "Trust", "prompt": "Whom do we trust?"})
    assert added.status_code == 303
    assert [g.name for g in workshop_of(world, workshop.id).groups] == [
        "Skills",
        "Group 2",
        "Trust",
    ]

    before = database_rows(world)
    bad = {
        url: ({"title": "Summit", "date": "tomorrow"}, "Please give the date as YYYY-MM-DD."),
        f"/organiser/groups/{group.id}": (
            {"name": " ", "prompt": "Q?"},
            "Please write something first.",
        ),
        f"{url}/groups": ({"name": "No question", "prompt": ""}, "Please write something first."),
    }
    for path, (form, message) in bad.items():
        refusal(organiser.post(path, form), 400, message)
    assert database_rows(world) == before


def delete(organiser: Person, group: GroupView) -> Any:
    return organiser.post(f"/organiser/groups/{group.id}/delete")


def test_only_an_empty_group_that_is_not_the_last_can_be_removed(
    world: World, olivia: Staff, organiser: Person
) -> None:
    workshop = world.workshop(olivia, groups=3)
    empty, busy, other = workshop.groups
    assert post_idea(world.phone(busy.code), busy.code, "Keep me").status_code == 303

    removed = delete(organiser, empty)
    assert removed.headers["location"] == f"/organiser/workshops/{workshop.id}"
    assert [g.id for g in workshop_of(world, workshop.id).groups] == [busy.id, other.id]
    refusal(world.browser().get(f"/j/{empty.code}"), 404, "We could not find a group")

    lonely = world.workshop(olivia, groups=1, title="Small workshop").groups[0]
    before = database_rows(world)
    refusal(delete(organiser, busy), 400, "This group already has ideas, so it cannot be removed.")
    refusal(delete(organiser, lonely), 400, "A workshop needs at least one group.")
    assert database_rows(world) == before


def test_a_qr_code_is_an_svg_of_the_join_link(world: World, olivia: Staff) -> None:
    workshop = world.workshop(olivia)
    group = workshop.groups[0]
    visitor = world.browser()
    for typed, code in [
        (group.code, group.code),
        (group.code.lower(), group.code),
        (workshop.code, workshop.code),
    ]:
        qr = visitor.get(f"/j/{typed}/qr.svg")
        assert qr.status_code == 200
        assert qr.headers["content-type"].startswith("image/svg+xml")
        assert qr.text.lstrip().startswith("<svg")
        assert f"<title>http://testserver/j/{code}</title>" in qr.text
        assert "<path" in qr.text
    refusal(visitor.get("/j/ZZZZZZZZ/qr.svg"), 404, "We could not find a group")


def test_health_reports_database_and_hub(world: World) -> None:
    health = world.browser().get("/healthz")
    assert health.status_code == 200
    assert health.headers["cache-control"] == "no-store"
    report = health.json()
    assert report["status"] == "ok"
    on_sqlite = world.services.settings.is_sqlite
    assert report["database"] == {"ok": True, "backend": "sqlite" if on_sqlite else "postgresql"}
    assert report["hub"] == {"ok": True, "backend": "MemoryHub" if on_sqlite else "RedisHub"}
