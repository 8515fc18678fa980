"""Ideas still in a phone's outbox when the round moves on: kept in the group (and round)
they were written in, exactly once, and the phone is told where they went."""

from __future__ import annotations

from sqlmodel import select

from facilitator.domain import ideas, rounds
from facilitator.domain.actors import Participant as Actor
from facilitator.domain.errors import Forbidden
from facilitator.models import Group, Idea, Participant, RoundSeat
from tests.conftest import Socket, World, connect
from tests.outbox import Phone, ideas_by_key
from tests.test_rounds import groups_of, make, round_ids


def test_an_idea_sent_after_the_round_moved_on_stays_in_its_round(world: World) -> None:
    organiser, created = make(world, "random")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    funding = groups["Funding"]
    person = world.phone(funding.code)
    phone = Phone(person, funding.id)
    with phone.online():
        pass  # the board as it was before the Wi-Fi went
    key = phone.submit("Fund the regional CERT hubs")  # offline: it waits in the outbox
    world.run(rounds.start_next_round, world.db, organiser, wid, first, "", 3)
    now = world.read(lambda s: s.exec(select(Participant)).one().group_id)
    assert now != funding.id and now in {g.id for g in groups.values() if g.round_id != first}
    # Back online, the page is still on Funding's socket: it sends its outbox there.
    with phone.online() as sock:
        ack = sock.until(lambda f: f["type"] in {"ack", "error"} and f.get("key") == key)
        assert ack["type"] == "ack", ack
        assert ack["kept"] == (
            "Your idea “Fund the regional CERT hubs” went to Funding (Round 1), "
            "the group you wrote it in."
        )
        # The answer was lost, say: the page sends it again, and it is not doubled.
        sock.send(phone.outbox[key])
        again = sock.until(lambda f: f["type"] in {"ack", "error"} and f.get("key") == key)
        assert again["type"] == "ack" and again["repeated"] and again["idea_id"] == ack["idea_id"]
        assert any(f["type"] == "go" for f in sock.frames)  # and sent on to its new group
    assert ideas_by_key(world, funding.id) == {key: [ack["idea_id"]]}
    idea = world.read(lambda s: s.get(Idea, ack["idea_id"]))
    assert (idea.group_id, idea.status, idea.text) == (
        funding.id,
        "visible",
        "Fund the regional CERT hubs",
    )
    assert world.read(lambda s: s.exec(select(Idea).where(Idea.group_id == now)).all()) == []


def test_only_the_group_a_phone_sat_in_takes_its_late_ideas(world: World) -> None:
    organiser, created = make(world, "stay")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    person = world.phone(groups["Skills"].code)
    world.run(rounds.start_next_round, world.db, organiser, wid, first, "", None)
    seats = world.read(lambda s: s.exec(select(RoundSeat)).all())
    assert [(t.round_id, t.group_id) for t in seats] == [(first, groups["Skills"].id)]
    # On another group's socket of the ended round (let in, to be sent on), an idea is
    # refused: this phone never sat there.
    other = groups["Policy"]
    with connect(person, other.id) as ws:
        sock = Socket(ws)
        sock.send({"type": "submit", "key": "late-idea-1", "text": "Not mine"})
        refused = sock.until(lambda f: f["type"] == "error" and f.get("key") == "late-idea-1")
        assert refused["message"] == "You can only take part in the group you joined."
    # Nor does the command take an idea for a group it never sat in.
    who = world.read(lambda s: s.exec(select(Participant)).one())
    phone = Actor(who.id, wid, who.group_id, who.display_name)  # as its commands see it
    try:
        world.run(ideas.submit_idea, world.db, phone, other.id, "k" * 16, "Not mine", 500)
    except Forbidden as exc:
        assert exc.message == "You can only take part in the group you joined."
    else:
        raise AssertionError("an idea for a group the phone never sat in was taken")
    assert world.read(lambda s: s.exec(select(Idea)).all()) == []
    assert world.read(lambda s: s.get(Group, other.id)).round_id == first
