"""The Chatham House Rule: with it on, no participant's or author's name appears on any page
(every GET route, as every role), in any live fragment or in any export, names given before
it came on included; phones are not asked for one (issue #24)."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

from sqlmodel import col, select

from facilitator.domain import chatham_house, ideas, participants, round_setup, setup_file, tags
from facilitator.domain.actors import Participant
from facilitator.domain.errors import Invalid
from facilitator.domain.exports import read_snapshot
from facilitator.domain.restore import import_workshop
from facilitator.export import data
from facilitator.models import Group, Idea
from facilitator.models import Participant as ParticipantRow
from facilitator.store import events
from tests.attack_support import Site, populate
from tests.conftest import Person, Socket, World, connect
from tests.facilitation_support import add_idea, everything, flush, opened, phone
from tests.test_xss import get_routes, urls

NAMES = ("Zorblax Quenneville", "Ysolde Marchetti", "Chq name")  # the last: populate's
TAG = "Vexcorp Orgtag"


def seeded(world: World) -> tuple[Site, Person, Participant]:
    """A workshop with every kind of thing in it, and phones that gave distinctive names
    (one with an answer to the join question too) and wrote ideas under them."""
    site = populate(world, "c", "Chq")
    wid = site.workshop.id
    world.run(round_setup.set_tag_label, world.db, site.organiser, wid, "Your organisation")
    person, named = phone(world, site.other)
    named = world.run(participants.set_display_name, world.db, named, NAMES[0], 60)
    world.run(tags.set_tag, world.db, named, TAG)
    add_idea(world, named, site.other, "An idea from a named phone")
    _, second = phone(world, site.other)
    second = world.run(participants.set_display_name, world.db, second, NAMES[1], 60)
    add_idea(world, second, site.other, "Another idea from a named phone")
    return site, person, named


def leaks(body: bytes) -> list[str]:
    """The names found in a response: in its bytes, or in any file of a zip (DOCX, XLSX,
    the Pol.is files)."""
    texts = [body]
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            texts = [z.read(n) for n in z.namelist()]
    found = {n for n in (*NAMES, TAG) for t in texts if n.encode() in t}
    return sorted(found)


def test_names_show_before_the_rule_so_the_walk_can_fail(world: World) -> None:
    site, person, _ = seeded(world)
    staff = world.logged_in(site.organiser)
    console = staff.get(f"/facilitator/groups/{site.other.id}").text
    assert NAMES[0] in console and NAMES[1] in console
    assert NAMES[0] in person.get(f"/j/{site.other.code}").text  # "You appear as"
    export = staff.get(f"/organiser/workshops/{site.workshop.id}/export/json?names=1").content
    assert leaks(export) == sorted([*NAMES, TAG])


def test_under_the_rule_no_page_fragment_or_export_names_anyone(world: World) -> None:
    site, person, _ = seeded(world)
    wid = site.workshop.id
    organiser = world.logged_in(site.organiser)
    with opened(person, site.other) as before:  # a phone connected as the rule comes on
        turned = organiser.post(f"/organiser/workshops/{wid}/chatham-house", {"on": "1"})
        assert turned.status_code == 303
        while (last := before.next())["type"] != "closed":
            pass
        assert last["code"] == 1013  # it comes back at once, its name read afresh: none
    # The names given so far are gone from the database, not only hidden.
    kept = world.read(
        lambda s: [
            *s.exec(select(ParticipantRow.display_name).where(ParticipantRow.workshop_id == wid)),
            *s.exec(
                select(Idea.author_name)
                .join(Group, col(Group.id) == Idea.group_id)
                .where(Group.workshop_id == wid)
            ),
        ]
    )
    assert set(kept) == {""}

    people = {
        "organiser": organiser,
        "facilitator": world.logged_in(site.facilitator),
        "phone": person,
    }
    seen = 0
    for path in get_routes(world):
        for url in urls(path, site):
            full = url + ("?names=1" if "/export/" in url else "")
            for role, who in people.items():
                response = who.get(full)
                seen += response.status_code == 200
                found = leaks(response.content)
                if who is person and TAG in found:  # its own answer to the join question,
                    found.remove(TAG)  # shown to itself alone
                assert found == [], f"{role} at {full}"
    assert seen > 60  # the walk reached the pages, not only refusals

    for group in site.workshop.groups:
        for who, audience in [
            (world.phone(group.code), "participant"),
            (organiser, "facilitator"),
            (organiser, "projector"),
        ]:
            with opened(who, group, audience) as sock:
                assert leaks(everything(sock).encode()) == [], f"{audience} of {group.name}"
        # A console that comes back from before everything catches up without a name.
        with connect(
            organiser, group.id, "facilitator", since=0, epoch=_epoch(world, group.id)
        ) as ws:
            sock = Socket(ws)
            flush(sock)
            assert leaks(everything(sock).encode()) == []

    # The snapshot itself, whatever it is asked for, and its JSON round trip.
    snap = world.read(lambda s: read_snapshot(s, wid, include_names=True))
    assert snap.workshop.chatham_house and not snap.include_names
    assert leaks(data.to_json(snap)) == []
    assert data.from_json(data.to_json(snap)).workshop.chatham_house


def test_under_the_rule_phones_are_not_asked_for_a_name(world: World) -> None:
    site, person, named = seeded(world)
    world.run(chatham_house.set_rule, world.db, site.organiser, site.workshop.id, True)
    board = person.get(f"/j/{site.other.code}").text
    assert "Chatham House Rule" in board and 'id="name-form"' not in board
    assert "You appear as" not in board
    refused = person.post(f"/j/{site.other.code}/name", {"name": "Not Allowed Either"})
    assert "names are not asked" in refused.text
    stale = Participant(named.id, named.workshop_id, named.group_id, NAMES[0])
    try:
        world.run(participants.set_display_name, world.db, stale, "Another Name", 60)
    except Invalid as exc:
        assert "Chatham House Rule" in exc.message
    else:
        raise AssertionError("a name was accepted under the rule")
    # A socket's actor from before the rule still holds the name: the idea gets none.
    receipt = world.run(
        ideas.submit_idea, world.db, stale, site.other.id, "k-chatham-1", "Stale actor's idea", 500
    )
    idea = world.read(lambda s: s.get(Idea, receipt.idea_id))
    assert idea is not None and idea.author_name == ""
    # Off again: names may be given again, but the erased ones do not come back.
    world.run(chatham_house.set_rule, world.db, site.organiser, site.workshop.id, False)
    board = person.get(f"/j/{site.other.code}").text
    assert 'id="name-form"' in board and NAMES[0] not in board


def test_the_rule_is_the_organisers_and_kept_in_the_setup_file_and_archive(world: World) -> None:
    site, _, _ = seeded(world)
    wid = site.workshop.id
    outsider = world.logged_in(world.organiser("oscar@example.org"))
    assert (
        outsider.post(f"/organiser/workshops/{wid}/chatham-house", {"on": "1"}).status_code == 403
    )
    assert not world.read(lambda s: chatham_house.is_on(s, wid))
    organiser = world.logged_in(site.organiser)
    organiser.post(f"/organiser/workshops/{wid}/chatham-house", {"on": "1"})
    page = organiser.get(f"/organiser/workshops/{wid}").text
    assert "Turn the rule off" in page and 'name="names"' not in page
    written = world.read(lambda s: setup_file.dump(s, wid))
    assert re.search(r"^chatham_house: true$", written, re.M)
    parsed = setup_file.parse(written)
    assert parsed.chatham_house is True


def _epoch(world: World, group_id: int) -> str:
    return world.read(lambda s: events.head(s, events.group_channel(group_id)).epoch)  # type: ignore[no-any-return]


def test_an_archive_under_the_rule_imports_without_the_names_it_carries(world: World) -> None:
    site, _, _ = seeded(world)
    snap = world.read(lambda s: read_snapshot(s, site.workshop.id, include_names=True))
    assert leaks(data.to_json(snap)) == sorted([*NAMES, TAG])  # a hand-made file could
    ruled = dataclasses.replace(
        snap, workshop=dataclasses.replace(snap.workshop, chatham_house=True)
    )
    copy = world.run(import_workshop, world.db, ruled, site.organiser.id)
    assert world.read(lambda s: chatham_house.is_on(s, copy))
    again = world.read(lambda s: read_snapshot(s, copy, include_names=True))
    assert {p.display_name for p in again.participants} == {""}
    assert {i.author_name for i in again.ideas} == {""}
