"""What happened next: each final recommendation's owner, status, due date and notes, each
change an event with its history; a public status page behind a link that can be turned off."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from facilitator.domain import follow_up
from facilitator.domain import recommendations as recs
from facilitator.domain.errors import Forbidden, Invalid, NotFound
from facilitator.models import Event, FollowUp
from tests.conftest import World
from tests.facilitation_support import Stage, add_idea, member, promote, stage


def final(world: World, s: Stage, title: str, agreed: bool = True) -> int:
    idea = add_idea(world, member(world, s.group), s.group, f"Idea for {title}")
    group_rec = promote(world, s.organiser, s.group, "idea", idea, f"Group: {title}")
    draft = recs.check_draft(title, "Text of " + title, "")
    rec: int = world.run(recs.synthesise, world.db, s.organiser, s.workshop.id, draft, [group_rec])
    if agreed:
        world.run(recs.set_agreed, world.db, s.organiser, rec, True)
    return rec


def test_each_change_is_kept_and_shown_on_the_public_page_until_the_link_is_off(
    world: World,
) -> None:
    s = stage(world)
    rec = final(world, s, "Fund regional CERT hubs")
    final(world, s, "Not final yet", agreed=False)
    olivia = world.logged_in(s.organiser)
    url = f"/organiser/workshops/{s.workshop.id}/follow-up"
    page = olivia.get(url).text
    assert "Fund regional CERT hubs" in page and "Not final yet" not in page
    form = {
        "action": "save",
        "recommendation": rec,
        "owner_name": "Ana Ruiz",
        "owner_organisation": "National CERT",
        "status": "accepted",
        "due": "2027-03-31",
        "notes": "Budget line agreed",
    }
    assert olivia.post(url, form).status_code == 303
    assert olivia.post(url, {**form, "status": "in_progress"}).status_code == 303
    assert olivia.post(url, {**form, "status": "in_progress"}).status_code == 303  # unchanged
    row = world.read(lambda sess: sess.get(FollowUp, rec))
    assert row is not None and (row.status, str(row.due)) == ("in_progress", "2027-03-31")
    changes = world.read(
        lambda sess: sess.exec(select(Event).where(Event.kind == "followup.changed")).all()
    )
    assert len(changes) == 2  # the repeat recorded nothing
    page = olivia.get(url).text
    assert "status: accepted → in_progress" in page and "2 changes" in page

    made = olivia.post(url, {"action": "link"})
    link = re.search(r'value="(http[^"]+/status/[\w-]+)"', made.text)
    assert made.status_code == 200 and link
    path = "/status/" + link.group(1).rsplit("/status/", 1)[1]
    public = world.browser().get(path)
    assert public.status_code == 200
    assert "Ana Ruiz, National CERT" in public.text and "In progress" in public.text
    assert "Not final yet" not in public.text and "status: accepted" not in public.text
    assert public.headers["Referrer-Policy"] == "no-referrer"

    assert olivia.post(url, {"action": "revoke"}).status_code == 303
    gone = world.browser().get(path)
    assert gone.status_code == 404 and "turned off" in gone.text
    assert world.browser().get("/status/not-a-real-token").status_code == 404


def test_bad_follow_up_forms_are_refused_and_change_nothing(world: World) -> None:
    s = stage(world)
    rec = final(world, s, "Fund regional CERT hubs")
    draft = follow_up.check_follow_up("Ana", "CERT", "accepted", "2027-01-01", "")
    world.run(follow_up.update, world.db, s.organiser, rec, draft)
    with pytest.raises(Invalid):
        follow_up.check_follow_up("Ana", "CERT", "finished", "", "")
    with pytest.raises(Invalid):
        follow_up.check_follow_up("Ana", "CERT", "done", "31/03/2027", "")
    not_final = final(world, s, "Not final yet", agreed=False)
    with pytest.raises(Invalid, match="final"):
        world.run(follow_up.update, world.db, s.organiser, not_final, draft)
    group_rec = world.read(
        lambda sess: sess.exec(select(FollowUp.recommendation_id)).all()  # only the final's
    )
    assert group_rec == [rec]
    stranger = world.organiser("oscar@example.org")
    with pytest.raises(Forbidden):
        world.run(follow_up.update, world.db, stranger, rec, draft)
    with pytest.raises(Forbidden):
        world.run(follow_up.make_status_link, world.db, stranger, s.workshop.id)
    with pytest.raises(NotFound):
        world.run(follow_up.update, world.db, s.organiser, 10**6, draft)
    olivia = world.logged_in(s.organiser)
    url = f"/organiser/workshops/{s.workshop.id}/follow-up"
    bad = olivia.post(
        url, {"action": "save", "recommendation": rec, "status": "done", "due": "soon"}
    )
    assert bad.status_code == 400 and "date like" in bad.text
    row = world.read(lambda sess: sess.get(FollowUp, rec))
    assert row is not None and row.status == "accepted"


def test_a_new_link_turns_the_old_one_off(world: World) -> None:
    s = stage(world)
    final(world, s, "Fund regional CERT hubs")
    first = world.run(follow_up.make_status_link, world.db, s.organiser, s.workshop.id)
    second = world.run(follow_up.make_status_link, world.db, s.organiser, s.workshop.id)
    assert first != second and len(second) >= 40
    assert world.browser().get(f"/status/{first}").status_code == 404
    assert world.browser().get(f"/status/{second}").status_code == 200
