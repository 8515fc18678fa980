"""A phone without JavaScript: join by link or code, send, name, edit and withdraw ideas."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import Session, col

from facilitator.domain.workshop_views import GroupView
from facilitator.models import Group, Idea, IdeaRevision, Participant
from facilitator.web.auth import DEVICE_COOKIE
from tests.conftest import Person, World
from tests.support import (
    idea_texts,
    only_idea,
    post_idea,
    refusal,
    rows,
    shared_workshop,
    text_of,
)

IDEA_ITEM = re.compile(r'<li id="idea-(\d+)" class="([^"]*)"')


def board_items(phone: Person, group: GroupView) -> dict[int, set[str]]:
    """The ideas on the phone's board page and the classes of each."""
    page = phone.get(f"/j/{group.code}")
    assert page.status_code == 200
    return {int(i): set(classes.split()) for i, classes in IDEA_ITEM.findall(page.text)}


def device_cookie_header(response: Any) -> str:
    (header,) = [h for h in response.headers.get_list("set-cookie") if DEVICE_COOKIE in h]
    return str(header)


@pytest.fixture
def group(world: World) -> GroupView:
    return shared_workshop(world).groups[0]


def test_opening_the_link_joins_with_a_private_device_cookie_and_shows_the_question(
    world: World, group: GroupView
) -> None:
    phone = world.browser()
    page = phone.get(f"/j/{group.code}")
    assert page.status_code == 200
    assert "Question 1?" in page.text
    assert f'action="/j/{group.code}/ideas"' in page.text  # the form works without scripts
    cookie = device_cookie_header(page)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    (participant,) = rows(world, Participant)
    assert participant.group_id == group.id

    # Coming back is the same participant: no new cookie, no new row.
    again = phone.get(f"/j/{group.code}")
    assert not [h for h in again.headers.get_list("set-cookie") if DEVICE_COOKIE in h]
    assert [p.model_dump() for p in rows(world, Participant)] == [participant.model_dump()]


def test_a_form_idea_is_saved_once_and_marked_mine_after_reload(
    world: World, group: GroupView
) -> None:
    phone, neighbour = world.phone(group.code), world.phone(group.code)
    sent = post_idea(phone, group.code, "Fund CERT exchanges", key="form-key-0001")
    assert sent.status_code == 303
    idea = only_idea(world, group)
    assert sent.headers["location"] == f"/j/{group.code}#idea-{idea.id}"

    # The same form again (a double tap, a retried POST) makes no second idea.
    again = post_idea(phone, group.code, "Fund CERT exchanges", key="form-key-0001")
    assert again.headers["location"] == sent.headers["location"]
    assert idea_texts(world, group) == ["Fund CERT exchanges"]

    assert idea.id is not None
    assert "mine" in board_items(phone, group)[idea.id]
    assert "mine" not in board_items(neighbour, group)[idea.id]
    assert len(rows(world, Participant)) == 2


def set_code(world: World, group: GroupView, code: str) -> None:
    def txn(s: Session) -> None:
        row = s.get(Group, group.id)
        assert row is not None
        row.code = code
        s.add(row)

    world.db.write_sync(txn)


def test_codes_are_read_whatever_their_case_grouping_or_look_alike_letters(
    world: World, group: GroupView, subtests: pytest.Subtests
) -> None:
    set_code(world, group, "K0QM21PD")
    phone = world.browser()
    for typed in ["k0qm21pd", "K0QM-21PD", "kOqm-2lpd", "KOQM2IPD", "k0qm 21pd"]:
        with subtests.test(typed):
            link = phone.get(f"/j/{typed}", follow_redirects=False)
            assert (link.status_code, link.headers["location"]) == (303, "/j/K0QM21PD")
            form = phone.get("/join", params={"code": typed}, follow_redirects=False)
            assert (form.status_code, form.headers["location"]) == (303, "/j/K0QM21PD")
    page = phone.get("/j/kOqm-2lpd")
    assert "Question 1?" in page.text
    assert rows(world, Participant)[0].group_id == group.id


def test_a_workshop_code_shows_the_group_picker(world: World) -> None:
    workshop = shared_workshop(world)
    visitor = world.browser()
    assert visitor.get("/join", params={"code": workshop.code.lower()}).status_code == 200
    picker = visitor.get(f"/j/{workshop.code}")
    assert picker.status_code == 200
    assert "Choose your group" in picker.text
    for group in workshop.groups:
        assert f'href="/j/{group.code}"' in picker.text
        assert group.prompt in picker.text
    assert rows(world, Participant) == []  # choosing a group is what joins


def test_a_display_name_signs_the_ideas_sent_after_it(world: World, group: GroupView) -> None:
    phone = world.phone(group.code)
    assert post_idea(phone, group.code, "Before naming").status_code == 303
    named = phone.post(f"/j/{group.code}/name", {"name": "  Ana   Lopez "})
    assert (named.status_code, named.headers["location"]) == (303, f"/j/{group.code}")
    assert post_idea(phone, group.code, "After naming").status_code == 303

    ideas = sorted(rows(world, Idea), key=lambda i: i.id or 0)
    assert [(i.text, i.author_name) for i in ideas] == [
        ("Before naming", ""),
        ("After naming", "Ana Lopez"),
    ]
    page = text_of(phone.get(f"/j/{group.code}"))
    assert "You appear as <bdi>Ana Lopez</bdi>" in page
    assert "<bdi>Ana Lopez</bdi>" in text_of(world.phone(group.code).get(f"/j/{group.code}"))

    too_long = phone.post(f"/j/{group.code}/name", {"name": "x" * 61})
    refusal(too_long, 400, "That is 61 characters; the limit is 60. Please shorten it.")
    assert rows(world, Participant)[0].display_name == "Ana Lopez"


def phone_with_idea(world: World, group: GroupView, text: str) -> tuple[Person, Idea, int]:
    """A phone that has sent one idea: the phone, the idea as stored, and its id."""
    phone = world.phone(group.code)
    assert post_idea(phone, group.code, text).status_code == 303
    idea = only_idea(world, group)
    assert idea.id is not None
    return phone, idea, idea.id


def revisions(world: World, idea_id: int) -> list[str]:
    found = rows(world, IdeaRevision, col(IdeaRevision.idea_id) == idea_id)
    return [r.text for r in sorted(found, key=lambda r: r.id or 0)]


def test_an_author_edits_their_idea_and_the_old_texts_are_kept(
    world: World, group: GroupView
) -> None:
    phone, _, idea_id = phone_with_idea(world, group, "First draft")
    form = phone.get(f"/ideas/{idea_id}/edit")
    assert form.status_code == 200
    assert ">First draft</textarea>" in form.text

    for text in ["Second draft", "Final words"]:
        saved = phone.post(f"/ideas/{idea_id}/edit", {"text": text})
        assert (saved.status_code, saved.headers["location"]) == (
            303,
            f"/j/{group.code}#idea-{idea_id}",
        )
    assert idea_texts(world, group) == ["Final words"]
    assert revisions(world, idea_id) == ["First draft", "Second draft"]
    assert "edited" in phone.get(f"/j/{group.code}").text

    blank = phone.post(f"/ideas/{idea_id}/edit", {"text": "  "})
    refusal(blank, 400, "Please write something first.")
    assert idea_texts(world, group) == ["Final words"]


def test_an_author_withdraws_their_idea_and_its_history_stays(
    world: World, group: GroupView
) -> None:
    phone, _, idea_id = phone_with_idea(world, group, "Said too fast")
    assert phone.post(f"/ideas/{idea_id}/edit", {"text": "Said more carefully"}).status_code == 303

    for _ in range(2):  # a repeat changes nothing
        gone = phone.post(f"/ideas/{idea_id}/withdraw")
        assert (gone.status_code, gone.headers["location"]) == (303, f"/j/{group.code}")
    assert only_idea(world, group).status == "withdrawn"
    assert revisions(world, idea_id) == ["Said too fast"]
    assert idea_id not in board_items(phone, group)
    refusal(
        phone.post(f"/ideas/{idea_id}/edit", {"text": "Back again?"}),
        404,
        "That idea is not on the board any more.",
    )


def test_nobody_edits_or_withdraws_someone_elses_idea(world: World, group: GroupView) -> None:
    _, idea, idea_id = phone_with_idea(world, group, "Author's words")
    neighbour = world.phone(group.code)
    not_own = "You can only change your own ideas."
    refusal(neighbour.get(f"/ideas/{idea_id}/edit"), 403, not_own)
    refusal(neighbour.post(f"/ideas/{idea_id}/edit", {"text": "Mine now"}), 403, not_own)
    refusal(neighbour.post(f"/ideas/{idea_id}/withdraw"), 403, not_own)
    after = only_idea(world, group)
    assert (after.text, after.status, after.updated_at) == (idea.text, "visible", idea.updated_at)
    assert revisions(world, idea_id) == []
