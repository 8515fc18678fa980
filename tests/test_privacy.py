"""Phones receive only what they may see (no pending, hidden or merged idea, no tally before
the reveal, no recommendation before agreement), while facilitators see everything live;
the audit trail shows facilitators who did what, and keeps dots anonymous."""

from __future__ import annotations

import contextlib
import re

import pytest

from facilitator.domain import participants, phases, votes
from tests.conftest import World
from tests.facilitation_support import (
    TALLY,
    Stage,
    ack,
    add_idea,
    everything,
    go_to,
    member,
    new_key,
    opened,
    phone,
    promote,
    region,
    settle,
    stage,
)
from tests.support import redirects_to_login, refusal

PRIVATE = "Private plan alpha"
PENDING = "Pending plan bravo"
HIDDEN = "Hidden plan charlie"
MERGED = "Merged plan delta"
AGREED = "Agreed rec echo"
UNAGREED = "Unagreed rec foxtrot"
AUDIT_ROW = re.compile(
    r"<tr><td>(\d+)</td><td>.*?</td><td><bdi>(.*?)</bdi></td><td>(.*?)</td>"
    r'<td dir="auto">(.*?)</td></tr>',
    re.S,
)


@pytest.fixture
def s(world: World) -> Stage:
    return stage(world)


def test_phones_receive_only_what_they_may_see(world: World, s: Stage) -> None:
    world.run(
        phases.update_settings,
        world.db,
        s.organiser,
        s.group.id,
        phases.check_settings(True, True, 5, 3, False),
    )
    author, _ = phone(world, s.group)
    watcher, _ = phone(world, s.group)
    with contextlib.ExitStack() as stack:
        f = stack.enter_context(opened(s.console(), s.group, "facilitator"))
        a = stack.enter_context(opened(author, s.group))
        w = stack.enter_context(opened(watcher, s.group))

        def submit(text: str) -> int:
            return int(ack(a, "submit", key=new_key(), text=text)["idea_id"])

        private = submit(PRIVATE)
        ack(f, "restore", idea_id=private)  # approved, but private until the reveal
        submit(PENDING)  # never approved
        hidden = submit(HIDDEN)
        ack(f, "hide", idea_id=hidden, reason="Not approved")
        settle(world, s.group, f, a, w)
        workspace = region(f, "workspace")
        assert all(text in workspace for text in (PRIVATE, PENDING, HIDDEN))
        assert not any(text in everything(w) for text in (PRIVATE, PENDING, HIDDEN))

        ack(f, "reveal", what="ideas", shown="1")
        settle(world, s.group, f, a, w)
        assert PRIVATE in region(w, "board-body")  # what may be seen is seen

        merged = submit(MERGED)
        ack(f, "restore", idea_id=merged)
        settle(world, s.group, f, a, w)
        assert MERGED in region(w, "board-body")
        mark = len(w.frames)
        ack(f, "merge", idea_id=merged, into=private)

        ack(f, "set_phase", phase="vote")
        ack(a, "vote", target="idea", target_id=private)
        ack(a, "vote", target="idea", target_id=private)
        settle(world, s.group, f, a, w)
        assert f'id="tally-idea-{private}">2 dots' in region(f, f"tally-idea-{private}")

        agreed = ack(f, "promote", source="idea", source_id=private, title=AGREED)
        ack(f, "promote", source="idea", source_id=private, title=UNAGREED)
        ack(f, "agree", recommendation_id=agreed["recommendation_id"], agreed="1")
        ack(f, "set_phase", phase="recommend")
        settle(world, s.group, f, a, w)
        assert AGREED in region(w, "board-body")
        assert UNAGREED in region(f, "recommendations")

        assert TALLY.search(everything(f)) and UNAGREED in everything(f)
        for sock in (a, w):
            seen = everything(sock)
            assert not TALLY.search(seen), "a tally reached a phone before the reveal"
            assert UNAGREED not in seen
        assert HIDDEN not in everything(w) and PENDING not in everything(w)
        assert MERGED not in everything(w, mark)

    # A phone arriving now, and the page itself, hold none of it either.
    latecomer, _ = phone(world, s.group)
    page = latecomer.get(f"/j/{s.group.code}").text
    with opened(latecomer, s.group) as late:
        for seen in (everything(late), page):
            assert AGREED in seen
            assert not TALLY.search(seen)
            assert not any(t in seen for t in (PENDING, HIDDEN, MERGED, UNAGREED))


def test_a_phone_gets_no_tally_even_for_its_own_dots(world: World, s: Stage) -> None:
    person, voter = phone(world, s.group)
    idea_id = add_idea(world, voter, s.group, "Dot me")
    go_to(world, s.organiser, s.group, "vote")
    state = world.run(votes.cast_vote, world.db, voter, s.group.id, "idea", idea_id)
    assert state.placed == {f"idea-{idea_id}": 1}
    page = person.get(f"/j/{s.group.code}").text
    assert not TALLY.search(page)
    world.run(phases.reveal, world.db, s.organiser, s.group.id, "votes", True)
    assert f'id="tally-idea-{idea_id}">1 dot<' in person.get(f"/j/{s.group.code}").text


def audit_rows(text: str) -> list[tuple[int, str, str, str]]:
    return [(int(n), who, what, detail) for n, who, what, detail in AUDIT_ROW.findall(text)]


def test_the_audit_trail_shows_who_did_what(world: World, s: Stage) -> None:
    named = member(world, s.group)
    named = world.run(participants.set_display_name, world.db, named, "Amara", 60)
    colleague = s.facilitator_of(s.group, "bo@example.org", "Bo")
    idea_id = add_idea(world, named, s.group, "Amara's idea")
    go_to(world, colleague, s.group, "vote")
    world.run(votes.cast_vote, world.db, named, s.group.id, "idea", idea_id)
    world.run(votes.retract_vote, world.db, named, s.group.id, "idea", idea_id)
    promote(world, s.organiser, s.group, "idea", idea_id, "Do it")

    page = world.logged_in(colleague).get(f"/facilitator/groups/{s.group.id}/audit")
    assert page.status_code == 200
    trail = audit_rows(page.text)
    assert [(who, what) for _n, who, what, _d in trail] == [
        ("Olivia", "promoted a recommendation"),
        ("A participant", "took a dot back"),
        ("A participant", "placed a dot"),
        ("Bo", "changed the phase"),
        ("Amara", "submitted an idea"),
    ]
    assert [n for n, *_ in trail] == [5, 4, 3, 2, 1]
    assert trail[3][3] == "collect → vote"
    assert "Amara&#39;s idea" in trail[4][3]


def test_the_audit_trail_is_for_the_groups_facilitators_only(world: World, s: Stage) -> None:
    path = f"/facilitator/groups/{s.group.id}/audit"
    stranger = s.facilitator_of(s.other, "bo@example.org", "Bo")
    refusal(world.logged_in(stranger).get(path), 403, "Only this group's facilitators can do that.")
    person, _ = phone(world, s.group)
    redirects_to_login(person.get(path, follow_redirects=False), path)
    redirects_to_login(world.browser().get(path, follow_redirects=False), path)
