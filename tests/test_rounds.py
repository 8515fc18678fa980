"""Rounds: the set-up file lists them, the organiser starts the next one from mission
control, and every phone is seated in its new group and moves there, live; refusals
change nothing."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import orjson
import pytest
from sqlmodel import select

from facilitator.domain import recommendations, rounds, setup_file
from facilitator.domain.assignment import Phone, assign, read_list
from facilitator.domain.errors import DomainError, Invalid
from facilitator.domain.exports import read_snapshot
from facilitator.domain.restore import restore
from facilitator.export import data
from facilitator.models import Assignment, Event, Group, Idea, Participant, Role, Round
from tests.conftest import Person, Socket, World, connect
from tests.support import live, post_idea

TWO_ROUNDS = """\
title: Two rounds
tag_label: Your organisation
rounds:
  - name: Round 1
  - name: Round 2
    assignment: {assignment}
groups:
  - name: Funding
    question: What should we fund?
    premoderation: {premoderation}
  - name: Skills
    question: Which skills?
  - name: Policy
    question: Which policy?
  - name: Funding 2
    question: Which funding first?
    round: 2
    carry: [Funding]
  - name: Skills 2
    question: Which skills first?
    round: 2
  - name: Policy 2
    question: Which policy first?
    round: 2
"""


def make(world: World, assignment: str = "random", premoderation: bool = False) -> Any:
    organiser = world.organiser()
    text = TWO_ROUNDS.format(assignment=assignment, premoderation=str(premoderation).lower())
    created = world.run(setup_file.import_setup, world.db, organiser, text, 7.0)
    return organiser, created


def groups_of(world: World, workshop_id: int) -> dict[str, Group]:
    return {
        g.name: g
        for g in world.read(
            lambda s: list(s.exec(select(Group).where(Group.workshop_id == workshop_id)))
        )
    }


def seats(world: World, workshop_id: int) -> dict[int, int | None]:
    rows = world.read(
        lambda s: list(s.exec(select(Participant).where(Participant.workshop_id == workshop_id)))
    )
    return {p.id: p.group_id for p in rows}


def round_ids(world: World, workshop_id: int) -> list[int]:
    rows = world.read(
        lambda s: list(
            s.exec(select(Round).where(Round.workshop_id == workshop_id).order_by(Round.position))
        )
    )
    return [r.id for r in rows]


def start(person: Person, workshop_id: int, from_round: int, listed: str = "") -> Any:
    url = f"/organiser/workshops/{workshop_id}/rounds/next"
    return person.post(url, {"from_round": str(from_round), "list": listed})


# -- who sits where (pure) ------------------------------------------------------------------


def phones(n: int, tags: list[str] | None = None, names: list[str] | None = None) -> list[Phone]:
    return [Phone(i, 10 + i % 3, (tags or [""] * n)[i], (names or [""] * n)[i]) for i in range(n)]


def sizes(seated: dict[int, int | None]) -> list[int]:
    counts: dict[int | None, int] = {}
    for g in seated.values():
        counts[g] = counts.get(g, 0) + 1
    return sorted(counts.values())


def test_random_seating_balances_the_tables_and_seats_everyone() -> None:
    seated = assign(Assignment.random, phones(10), [10, 11, 12], [20, 21, 22], random.Random(1))
    assert set(seated) == set(range(10))
    assert sizes(seated) == [3, 3, 4]


def test_stay_keeps_each_table_together_in_the_new_round() -> None:
    seated = assign(Assignment.stay, phones(9), [10, 11, 12], [20, 21, 22], random.Random(1))
    assert all(seated[i] == 20 + i % 3 for i in range(9))


def test_choose_leaves_every_phone_to_pick() -> None:
    seated = assign(Assignment.choose, phones(4), [10, 11, 12], [20, 21], random.Random(1))
    assert seated == {0: None, 1: None, 2: None, 3: None}


def test_seating_by_tag_mixes_the_tables() -> None:
    tags = ["NCSC"] * 6 + ["CERT"] * 3 + ["Bank"] * 3
    seated = assign(Assignment.tag, phones(12, tags), [10], [20, 21, 22], random.Random(5))
    assert sizes(seated) == [4, 4, 4]
    for table in (20, 21, 22):
        at_table = [tags[i] for i, g in seated.items() if g == table]
        assert sorted(at_table) == ["Bank", "CERT", "NCSC", "NCSC"]


def test_a_list_seats_whom_it_names_and_fills_the_rest_where_there_is_room() -> None:
    names = ["Amira", "Ben", "", "Chloé"]
    listed = read_list("name,group\nAMIRA, Skills 2\nben,Skills 2\n", {"Skills 2": 21, "X": 20})
    seated = assign(
        Assignment.list, phones(4, None, names), [10], [20, 21], random.Random(2), listed
    )
    assert (seated[0], seated[1]) == (21, 21)
    assert (seated[2], seated[3]) == (20, 20)  # room was at 20


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Amira,Skills 2\nBen,Gardening\nCleo,Cooking\n", "Gardening, Cooking"),
        ("Amira\n", "Each line of the list needs a name"),
        ("\n\n", "The list is empty."),
        ("a,b\n" * 60_000, "That list is too long."),
    ],
)
def test_a_bad_list_is_refused_whole(text: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        read_list(text, {"Skills 2": 21})
    assert message in refused.value.message


# -- the set-up file ------------------------------------------------------------------------


def test_the_set_up_file_makes_rounds_with_their_groups_and_writes_them_back(
    world: World,
) -> None:
    _, created = make(world, "tag")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, second = round_ids(world, wid)
    assert {n for n, g in groups.items() if g.round_id == first} == {"Funding", "Skills", "Policy"}
    assert {n for n, g in groups.items() if g.round_id == second} == {
        "Funding 2",
        "Skills 2",
        "Policy 2",
    }
    text = world.read(lambda s: setup_file.dump(s, wid))
    again = setup_file.parse(text)
    assert [(r.name, r.assignment) for r in again.rounds] == [
        ("Round 1", "choose"),
        ("Round 2", "tag"),
    ]
    assert [g.round for g in again.groups] == [1, 1, 1, 2, 2, 2]
    assert [g.carry for g in again.groups] == [[], [], [], ["Funding"], [], []]
    assert again.tag_label == "Your organisation"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("    round: 2\n", "    round: 3\n"), "groups[3].round: There are only 2 rounds."),
        (("    round: 2\n", "    round: 1\n"), "rounds[1]: This round has no groups."),
        (("assignment: random", "assignment: lottery"), "rounds[1].assignment: This should be"),
        (
            ("carry: [Funding]", "carry: [Policy 2]"),
            "groups[3].carry[0]: Policy 2 is not a group of an earlier round.",
        ),
        (
            ("carry: [Funding]", "carry: [Gardening]"),
            "groups[3].carry[0]: Gardening is not a group",
        ),
        (
            ("rounds:\n  - name: Round 1\n  - name: Round 2\n    assignment: random\n", ""),
            "List the rounds first.",
        ),
    ],
)
def test_a_file_with_bad_rounds_names_the_problem(change: tuple[str, str], expected: str) -> None:
    text = TWO_ROUNDS.format(assignment="random", premoderation="false")
    assert change[0] in text
    with pytest.raises(setup_file.BadSetup) as caught:
        setup_file.parse(text.replace(*change))
    assert any(expected in str(p) for p in caught.value.problems), caught.value.problems


# -- moving on, live ------------------------------------------------------------------------


def test_starting_the_next_round_moves_every_phone_live_and_keeps_its_identity(
    world: World,
) -> None:
    organiser, created = make(world, "random")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, second = round_ids(world, wid)
    phones_ = [world.phone(groups[name].code) for name in ("Funding", "Skills", "Policy")]
    before = seats(world, wid)
    boss = world.logged_in(organiser)
    page = boss.get(f"/organiser/workshops/{wid}/control").text
    assert "Start Round 2" in page
    with live(phones_[0], groups["Funding"].id) as sock:
        response = start(boss, wid, first)
        assert response.status_code == 200, response.text
        assert "Round 2 has started: 3 phones seated, 0 choosing." in response.text
        frame = sock.until(lambda f: any(op[1] == "round-notice" for op in f.get("ops", [])))
        html = frame["ops"][0][2]
        assert f'href="/j/{created.code}" data-go' in html
    after = seats(world, wid)
    assert set(after) == set(before)  # the same phones: nobody joined again
    new_round = {g.id for g in groups.values() if g.round_id == second}
    assert set(after.values()) <= new_round
    assert sorted(list(after.values()).count(g) for g in new_round) == [1, 1, 1]
    # The link leads each phone to its own group of the new round.
    for phone, pid in zip(phones_, sorted(after), strict=True):
        seat = next(g for g in groups.values() if g.id == after[pid])
        assert (
            phone.get(f"/j/{created.code}", follow_redirects=False).headers["location"]
            == f"/j/{seat.code}"
        )


def test_a_page_of_the_old_round_sends_the_phone_on(world: World) -> None:
    organiser, created = make(world, "stay")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    phone = world.phone(groups["Skills"].code)
    assert start(world.logged_in(organiser), wid, first).status_code == 200
    # A reload of the old group's link: on to the workshop's, which seats it.
    old = phone.get(f"/j/{groups['Skills'].code}", follow_redirects=False)
    assert old.headers["location"] == f"/j/{created.code}"
    assert phone.get(f"/j/{created.code}").url.path == f"/j/{groups['Skills 2'].code}"
    # A socket left open on the old group (a Wi-Fi blip) is told where to go.
    with connect(phone, groups["Skills"].id) as ws:
        sock = Socket(ws)
        go = sock.until_type("go")
        assert f'href="/j/{created.code}" data-go' in go["ops"][0][2]
    # And it can no longer take part there.
    refused = post_idea(phone, groups["Skills"].code, "late idea")
    assert refused.status_code in (303, 400, 403)
    assert world.read(lambda s: s.exec(select(Participant)).one().group_id) == groups["Skills 2"].id


def test_choosing_shows_only_the_new_rounds_groups(world: World) -> None:
    organiser, created = make(world, "choose")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    phone = world.phone(groups["Policy"].code)
    assert start(world.logged_in(organiser), wid, first).status_code == 200
    picker = phone.get(f"/j/{created.code}").text
    assert "Funding 2" in picker and "Skills 2" in picker
    assert 'href="/j/' + groups["Funding"].code not in picker
    assert phone.get(f"/j/{groups['Policy 2'].code}").status_code == 200
    assert seats(world, wid) == {1: groups["Policy 2"].id}


def test_moving_on_is_refused_while_ideas_wait_for_approval(world: World) -> None:
    organiser, created = make(world, "random", premoderation=True)
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    phone = world.phone(groups["Funding"].code)
    assert post_idea(phone, groups["Funding"].code, "Fund the CERT").status_code == 303
    before = seats(world, wid)
    refused = start(world.logged_in(organiser), wid, first)
    assert refused.status_code == 400
    assert "Some ideas are still waiting for approval in Funding." in refused.text
    assert seats(world, wid) == before
    assert world.read(lambda s: rounds.round_state.current_round(s, wid)).id == first


def test_a_list_naming_unknown_groups_is_refused_and_changes_nothing(world: World) -> None:
    organiser, created = make(world, "list")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    world.phone(groups["Funding"].code)
    boss = world.logged_in(organiser)
    page = boss.get(f"/organiser/workshops/{wid}/control").text
    assert 'name="list"' in page
    before = seats(world, wid)
    refused = start(boss, wid, first, "Amira,Gardening\n")
    assert refused.status_code == 400
    assert "The list names groups this round does not have: Gardening." in refused.text
    assert seats(world, wid) == before
    assert start(boss, wid, first, "Amira,Skills 2\n").status_code == 200


def test_two_starts_at_once_move_on_one_round_only(world: World) -> None:
    organiser, created = make(world, "random")
    wid = created.workshop_id
    first, second = round_ids(world, wid)

    async def both() -> list[Any]:
        return await asyncio.gather(
            rounds.start_next_round(world.db, organiser, wid, first, "", 1),
            rounds.start_next_round(world.db, organiser, wid, first, "", 2),
            return_exceptions=True,
        )

    results = world.run(both)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Started"]
    assert world.read(lambda s: rounds.round_state.current_round(s, wid)).id == second
    with pytest.raises(Invalid, match="last round"):
        world.run(rounds.start_next_round, world.db, organiser, wid, second, "", None)


def test_only_the_workshops_organisers_start_a_round(world: World) -> None:
    _, created = make(world, "random")
    wid = created.workshop_id
    first, _ = round_ids(world, wid)
    other = world.staff("someone@example.org")
    with pytest.raises(DomainError):
        world.run(rounds.start_next_round, world.db, other, wid, first, "", None)
    stranger = world.staff("o2@example.org", Role.organiser)  # of other workshops
    with pytest.raises(DomainError):
        world.run(rounds.start_next_round, world.db, stranger, wid, first, "", None)
    assert world.read(lambda s: rounds.round_state.current_round(s, wid)).id == first


def test_a_phone_answers_the_workshops_question_and_is_seated_by_it(world: World) -> None:
    organiser, created = make(world, "tag")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, second = round_ids(world, wid)
    answers = ["NCSC", "NCSC", "NCSC", "Bank", "Bank", "Bank"]
    for n, answer in enumerate(answers):
        code = groups[("Funding", "Skills", "Policy")[n % 3]].code
        phone = world.phone(code)
        board = phone.get(f"/j/{code}").text
        assert "Your organisation" in board and 'name="tag"' in board
        assert phone.post(f"/j/{code}/tag", {"tag": answer}).status_code == 303
        assert f"<bdi>{answer}</bdi>" in phone.get(f"/j/{code}").text
    too_long = phone.post(f"/j/{code}/tag", {"tag": "x" * 61})
    assert too_long.status_code == 400
    world.run(rounds.start_next_round, world.db, organiser, wid, first, "", 3)
    rows = world.read(
        lambda s: list(s.exec(select(Participant).where(Participant.workshop_id == wid)))
    )
    assert sorted(p.tag for p in rows) == sorted(answers)  # the too-long one changed nothing
    for group in (g for g in groups.values() if g.round_id == second):
        assert sorted(p.tag for p in rows if p.group_id == group.id) == ["Bank", "NCSC"]


def test_agreed_recommendations_are_carried_forward_as_seed_cards(world: World) -> None:
    organiser, created = make(world, "stay")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    funding = groups["Funding"]
    phone = world.phone(funding.code)
    assert post_idea(phone, funding.code, "Regional CERT hubs").status_code == 303
    assert post_idea(phone, funding.code, "A fund for small firms").status_code == 303
    ideas_ = world.read(lambda s: list(s.exec(select(Idea).where(Idea.group_id == funding.id))))
    draft = recommendations.check_draft
    promote = recommendations.promote
    hubs = world.run(
        promote,
        world.db,
        organiser,
        funding.id,
        "idea",
        ideas_[0].id,
        draft("Fund regional CERT hubs", "Three, by 2027.", ""),
    )
    world.run(
        promote,
        world.db,
        organiser,
        funding.id,
        "idea",
        ideas_[1].id,
        draft("A small-firm fund", "", ""),
    )
    world.run(recommendations.set_agreed, world.db, organiser, hubs, True)  # fund: not agreed
    world.run(rounds.start_next_round, world.db, organiser, wid, first, "", None)
    target = groups["Funding 2"]
    cards = world.read(lambda s: list(s.exec(select(Idea).where(Idea.group_id == target.id))))
    assert [(c.text, c.author_name, c.seed_of, c.status) for c in cards] == [
        ("Fund regional CERT hubs\n\nThree, by 2027.", "Funding", hubs, "visible")
    ]
    kinds = world.read(
        lambda s: list(s.exec(select(Event.kind).where(Event.channel == f"group:{target.id}")))
    )
    assert kinds == ["idea.carried"]
    # The phone that sat at Funding stays at the same table: Funding 2, with the card.
    board = phone.get(f"/j/{created.code}").text
    assert "Fund regional CERT hubs" in board and "A small-firm fund" not in board


def test_rounds_carried_cards_and_tags_survive_the_json_archive(world: World) -> None:
    organiser, created = make(world, "tag")
    wid = created.workshop_id
    groups = groups_of(world, wid)
    first, _ = round_ids(world, wid)
    funding = groups["Funding"]
    phone = world.phone(funding.code)
    assert phone.post(f"/j/{funding.code}/tag", {"tag": "NCSC"}).status_code == 303
    assert post_idea(phone, funding.code, "Regional CERT hubs").status_code == 303
    idea = world.read(lambda s: s.exec(select(Idea).where(Idea.group_id == funding.id)).one())
    draft = recommendations.check_draft("Fund regional CERT hubs", "", "")
    rec = world.run(
        recommendations.promote, world.db, organiser, funding.id, "idea", idea.id, draft
    )
    world.run(recommendations.set_agreed, world.db, organiser, rec, True)
    world.run(rounds.start_next_round, world.db, organiser, wid, first, "", None)

    def archive(workshop_id: int) -> dict[str, Any]:
        snap = world.read(lambda s: read_snapshot(s, workshop_id, include_names=True))
        return orjson.loads(data.to_json(snap))  # type: ignore[no-any-return]

    before = archive(wid)
    document = data.from_json(orjson.dumps(before))
    copy = world.db.write_sync(lambda s: restore(s, document))
    after = archive(copy)
    assert after["workshop"]["tag_label"] == "Your organisation"
    assert [(r["name"], r["assignment"], r["started_at"] is not None) for r in after["rounds"]] == [
        ("Round 1", "choose", True),
        ("Round 2", "tag", True),
    ]

    def shape(doc: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
        rounds_ = {r["id"]: r["name"] for r in doc["rounds"]}
        names = {g["id"]: g["name"] for g in doc["groups"]}
        return [
            (g["name"], rounds_[g["round_id"]], [names[c] for c in g["carry_from"]])
            for g in doc["groups"]
        ]

    assert shape(after) == shape(before)
    assert ("Funding 2", "Round 2", ["Funding"]) in shape(after)
    recs = {r["id"]: r["title"] for r in after["recommendations"]}
    cards = [(i["text"], recs.get(i["seed_of"])) for i in after["ideas"] if i["seed_of"]]
    assert cards == [("Fund regional CERT hubs", "Fund regional CERT hubs")]
    assert [p["tag"] for p in after["participants"]] == ["NCSC"]
    anonymous = orjson.loads(data.to_json(world.read(lambda s: read_snapshot(s, wid))))
    assert [p["tag"] for p in anonymous["participants"]] == [""]  # a tag can say who


# -- the organiser's forms ------------------------------------------------------------------


def test_the_organiser_sets_rounds_up_in_the_forms(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser, groups=3)
    boss = world.logged_in(organiser)
    page = f"/organiser/workshops/{workshop.id}"
    assert "Add a first round" in boss.get(page).text
    assert (
        boss.post(f"{page}/rounds", {"name": "Morning", "assignment": "choose"}).status_code == 200
    )
    refused = boss.post(f"{page}/rounds", {"name": "Afternoon", "assignment": "lottery"})
    assert refused.status_code == 400 and "Choose how phones find their group" in refused.text
    assert (
        boss.post(f"{page}/rounds", {"name": "Afternoon", "assignment": "tag"}).status_code == 200
    )
    morning, afternoon = round_ids(world, workshop.id)
    groups = {g.name: g for g in groups_of(world, workshop.id).values()}
    assert {g.round_id for g in groups.values()} == {morning}  # the first took every group
    third = groups["Group 3"].id
    moved = boss.post(f"{page}/rounds/places", {f"round-{third}": str(afternoon)})
    assert moved.status_code == 200 and "Rounds saved." in moved.text
    assert groups_of(world, workshop.id)["Group 3"].round_id == afternoon
    assert boss.post(f"{page}/tag-label", {"tag_label": "Your country"}).status_code == 200
    assert 'value="Your country"' in boss.get(page).text
    # Phones join the morning's groups only, and are asked the question.
    phone = world.browser()
    assert phone.get(f"/j/{groups['Group 3'].code}", follow_redirects=False).status_code == 303
    board = world.phone(groups["Group 1"].code).get(f"/j/{groups['Group 1'].code}").text
    assert "Your country" in board
    # Once the afternoon has started, the morning has ended: its groups stay where they are.
    world.run(rounds.start_next_round, world.db, organiser, workshop.id, morning, "", None)
    first = groups["Group 1"].id
    kept = boss.post(f"{page}/rounds/places", {f"round-{first}": str(afternoon)})
    assert kept.status_code == 400 and "A round that has ended keeps its groups." in kept.text
    assert groups_of(world, workshop.id)["Group 1"].round_id == morning
    other = world.workshop(world.organiser("o2@example.org"), groups=1)
    stranger = boss.post(f"/organiser/workshops/{other.id}/rounds", {"name": "X"})
    assert stranger.status_code == 403
    kinds = world.read(
        lambda s: list(s.exec(select(Event.kind).where(Event.channel == f"workshop:{workshop.id}")))
    )
    assert kinds.count("round.changed") == 4  # two rounds, one move, the question
