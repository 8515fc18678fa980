"""The plenary vote (issue #23): set up, opened and closed by the organiser or a timer; one
ballot per device, replaced (never added), checked against the vote; counted by dots or by
Borda, ties shown as ties, with turnout per group."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from sqlmodel import col, select

from facilitator.domain import participants, plenary, plenary_views, recommendations
from facilitator.domain.actors import Participant, Staff
from facilitator.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from facilitator.domain.follow_up import finals
from facilitator.models import Ballot, Event, Plenary, Recommendation, Role
from facilitator.plenary_count import Cast, Seat, count_casts, places, tally
from facilitator.store.database import Database
from tests.workshop_factory import build
from tests.workshop_factory import db as db  # a fixture

OLIVIA = Staff(1, Role.organiser, "olivia@example.org", "Olivia")  # the factory's organiser
FRED = Staff(2, Role.facilitator, "fred@example.org", "Fred")


@contextmanager
def refused(error: type[DomainError], words: str) -> Iterator[None]:
    """A refusal of this kind whose message, as a person reads it, says `words`."""
    with pytest.raises(error) as caught:
        yield
    assert words in caught.value.message, caught.value.message


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def three_finals(db: Database) -> tuple[int, list[int], list[int]]:
    """The factory's workshop with three final recommendations; its two groups."""
    built = build(db, [])
    wid = built.workshop_id
    source = db.read_sync(
        lambda s: s.exec(select(Recommendation.id).where(Recommendation.scope == "group")).first()
    )
    for title in ("Report button everywhere", "Hardware keys for admins"):
        draft = recommendations.check_draft(title, "", "")
        rec = run(recommendations.synthesise(db, OLIVIA, wid, draft, [source]))
        run(recommendations.set_agreed(db, OLIVIA, rec, True))
    ids = [r.id for r in db.read_sync(lambda s: finals(s, wid))]
    return wid, list(built.group_ids), ids  # type: ignore[arg-type]


def phone(db: Database, device: str, group_id: int) -> Participant:
    return run(participants.join_group(db, device, group_id))  # type: ignore[no-any-return]


def opened(db: Database, method: str = "dots", minutes: float | None = None) -> Any:
    wid, groups, items = three_finals(db)
    run(plenary.set_up(db, OLIVIA, wid, plenary.check_setup(method, 5, 3, items)))
    run(plenary.open_vote(db, OLIVIA, wid, minutes))
    return wid, groups, items


def ballots(db: Database) -> list[tuple[int, Any]]:
    rows = db.read_sync(lambda s: s.exec(select(Ballot)).all())
    return sorted((b.participant_id, orjson.loads(b.marks)) for b in rows)


def kinds(db: Database) -> list[str]:
    return list(db.read_sync(lambda s: s.exec(select(Event.kind).order_by(col(Event.id))).all()))


def test_a_ballot_is_replaced_never_added_and_the_count_follows(db: Database) -> None:
    wid, (g1, g2), (a, b, c) = opened(db)
    ada, dee = phone(db, "device-ada", g1), phone(db, "device-dee", g2)
    run(plenary.cast_ballot(db, ada, wid, "ballot-k1", {str(a): 3, str(b): 2}, None))
    run(plenary.cast_ballot(db, dee, wid, "ballot-k2", {a: 1}, None))
    receipt = run(plenary.cast_ballot(db, ada, wid, "ballot-k3", {b: 3, c: 2}, None))
    assert not receipt.repeated and receipt.vote.mine == {b: 3, c: 2}  # the phone's new card
    assert receipt.vote.status == "open" and [i.id for i in receipt.vote.items] == [a, b, c]
    assert ballots(db) == [(ada.id, {str(b): 3, str(c): 2}), (dee.id, {str(a): 1})]
    found = db.read_sync(lambda s: plenary_views.results(s, wid))
    assert [(r.item.id, r.points, r.place, r.tied) for r in found.rows] == [
        (b, 3, 1, False),
        (c, 2, 2, False),
        (a, 1, 3, False),
    ]
    assert (found.tally.voted, found.tally.phones) == (2, 4)  # the factory's four phones
    assert [(g.label, g.voted, g.phones) for g in found.tally.groups] == [
        ("Phishing", 1, 3),
        ("Passwords", 1, 1),
    ]
    assert kinds(db).count("plenary.ballot") == 3


def test_each_ballot_is_logged_on_its_groups_ballot_channel_and_the_version_follows_it(
    db: Database,
) -> None:
    """Ballots of different groups take different channels' logs (one log commits one
    event at a time), not the group's own channel, whose every event reaches every phone of
    the group; and the results' version, which the projector sends to hear 'no change',
    moves with every ballot, a changed one too, and only then."""
    wid, (g1, g2), (a, b, _c) = opened(db)
    ada, dee = phone(db, "device-ada", g1), phone(db, "device-dee", g2)

    def version() -> str:
        return db.read_sync(lambda s: plenary_views.version(s, wid))  # type: ignore[no-any-return]

    before = version()
    assert version() == before  # nothing happened: the same version, so "unchanged"
    run(plenary.cast_ballot(db, ada, wid, "ballot-g1", {a: 1}, None))
    after_ada = version()
    run(plenary.cast_ballot(db, dee, wid, "ballot-g2", {b: 2}, None))
    after_dee = version()
    run(plenary.cast_ballot(db, ada, wid, "ballot-g1-again", {b: 1}, None))  # changed
    after_change = version()
    assert len({before, after_ada, after_dee, after_change}) == 4
    run(plenary.cast_ballot(db, ada, wid, "ballot-g1-again", {b: 1}, None))  # a resend
    assert version() == after_change
    logged = db.read_sync(
        lambda s: s.exec(
            select(Event.channel).where(Event.kind == "plenary.ballot").order_by(col(Event.id))
        ).all()
    )
    assert logged == [f"ballots:{g1}", f"ballots:{g2}", f"ballots:{g1}"]
    found = db.read_sync(lambda s: plenary_views.results(s, wid))
    assert found.version == after_change and found.tally.voted == 2


def test_a_resent_ballot_changes_nothing(db: Database) -> None:
    """The outbox sends again with the same key after a reconnect: one ballot, one event."""
    wid, (g1, _), (a, b, _c) = opened(db)
    ada = phone(db, "device-ada", g1)
    run(plenary.cast_ballot(db, ada, wid, "ballot-key-1", {a: 2}, None))
    run(plenary.cast_ballot(db, ada, wid, "ballot-key-2", {b: 2}, None))
    again = run(plenary.cast_ballot(db, ada, wid, "ballot-key-1", {a: 2}, None))
    assert again.repeated and again.vote.mine == {b: 2}  # the card shows what was kept
    assert ballots(db) == [(ada.id, {str(b): 2})]
    assert kinds(db).count("plenary.ballot") == 2


def test_many_ballots_at_once_from_one_device_leave_one(db: Database) -> None:
    wid, (g1, _), (a, b, c) = opened(db)
    ada = phone(db, "device-ada", g1)

    async def burst() -> list[Any]:
        return await asyncio.gather(
            *(
                plenary.cast_ballot(
                    db, ada, wid, f"ballot-key-{n}", {(a, b, c)[n % 3]: 1 + n % 3}, None
                )
                for n in range(24)
            ),
            return_exceptions=True,
        )

    done = run(burst())
    assert not [d for d in done if isinstance(d, BaseException)]
    assert len(ballots(db)) == 1
    cast = [{str(k): v for k, v in d.vote.mine.items()} for d in done]
    assert ballots(db)[0][1] in cast  # the last one to commit, whole
    assert kinds(db).count("plenary.ballot") == 24
    replaced = db.read_sync(
        lambda s: s.exec(select(Event.payload).where(Event.kind == "plenary.ballot")).all()
    )
    assert sum(not orjson.loads(p)["replaced"] for p in replaced) == 1  # one first ballot


@pytest.mark.parametrize(
    ("dots", "error", "words"),
    [
        ({"a": 4}, Invalid, "At most 3 dots on one"),
        ({"a": 3, "b": 3}, Invalid, "You have 5 dots; this ballot places 6"),
        ({"999999": 1}, Invalid, "not in this vote"),
        ({"a": -1}, Invalid, "whole number"),
        ({"a": "two"}, Invalid, "whole number"),
        ({}, Invalid, "at least one dot"),
        (None, Invalid, "Place your dots"),
    ],
)
def test_bad_dots_are_refused_with_a_message_and_change_nothing(
    db: Database, dots: Any, error: type[DomainError], words: str
) -> None:
    wid, (g1, _), (a, b, _c) = opened(db)
    ada = phone(db, "device-ada", g1)
    run(plenary.cast_ballot(db, ada, wid, "ballot-first", {a: 1}, None))
    named = None if dots is None else {str({"a": a, "b": b}.get(k, k)): v for k, v in dots.items()}
    with refused(error, words):
        run(plenary.cast_ballot(db, ada, wid, "ballot-second", named, None))
    assert ballots(db) == [(ada.id, {str(a): 1})]


@pytest.mark.parametrize(
    ("order", "words"),
    [
        ("a a b", "one place"),
        ("a b 424242", "not in this vote"),
        ("a b", "every recommendation"),
        ("", "in your order"),
    ],
)
def test_an_invalid_ranking_is_refused(db: Database, order: str, words: str) -> None:
    wid, (g1, _), (a, b, c) = opened(db, "ranking")
    ada = phone(db, "device-ada", g1)
    names = {"a": a, "b": b, "c": c}
    ranking = [names.get(w, w) for w in order.split()]
    with refused(Invalid, words):
        run(plenary.cast_ballot(db, ada, wid, "ballot-kk", None, ranking))
    assert ballots(db) == []


def test_borda_counts_and_ties_share_a_place(db: Database) -> None:
    wid, (g1, g2), (a, b, c) = opened(db, "ranking")
    ada, dee = phone(db, "device-ada", g1), phone(db, "device-dee", g2)
    run(plenary.cast_ballot(db, ada, wid, "ballot-k1", None, [a, b, c]))  # a 2, b 1, c 0
    run(plenary.cast_ballot(db, dee, wid, "ballot-k2", None, [b, a, c]))  # b 2, a 1, c 0
    found = db.read_sync(lambda s: plenary_views.results(s, wid))
    assert [(r.points, r.place, r.tied) for r in found.rows] == [
        (3, 1, True),
        (3, 1, True),
        (0, 3, False),
    ]
    assert {r.item.id for r in found.rows[:2]} == {a, b}


def test_ballots_after_the_close_or_before_the_open_are_refused(db: Database) -> None:
    wid, groups, items = three_finals(db)
    ada = phone(db, "device-ada", groups[0])
    run(plenary.set_up(db, OLIVIA, wid, plenary.check_setup("dots", 5, 3, items)))
    with refused(Conflict, "not open"):
        run(plenary.cast_ballot(db, ada, wid, "ballot-k1", {items[0]: 1}, None))
    run(plenary.open_vote(db, OLIVIA, wid, None))
    run(plenary.cast_ballot(db, ada, wid, "ballot-k2", {items[0]: 1}, None))
    run(plenary.close_vote(db, OLIVIA, wid))
    with refused(Conflict, "has closed"):
        run(plenary.cast_ballot(db, ada, wid, "ballot-k3", {items[1]: 1}, None))
    with refused(Conflict, "not open"):
        run(plenary.close_vote(db, OLIVIA, wid))  # a second click
    with refused(Conflict, "results stand"):
        run(plenary.open_vote(db, OLIVIA, wid, None))
    with refused(Conflict, "can no longer change"):
        run(plenary.set_up(db, OLIVIA, wid, plenary.check_setup("ranking", 0, 0, items)))
    assert ballots(db) == [(ada.id, {str(items[0]): 1})]


def test_the_timer_closes_the_vote_on_the_server_at_its_deadline(db: Database) -> None:
    wid, (g1, g2), (a, _b, _c) = opened(db, minutes=5)
    ada = phone(db, "device-ada", g1)
    run(plenary.cast_ballot(db, ada, wid, "ballot-k1", {a: 1}, None))
    assert db.read_sync(plenary.due) == []
    assert not run(plenary.close_due(db, wid))  # not yet

    def expire(s: Any) -> None:
        row = s.get(Plenary, wid)
        row.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)  # 5 minutes on
        s.add(row)

    db.write_sync(expire)
    # Refused from the deadline on, before anything recorded the close (a restart, say).
    with refused(Conflict, "has closed"):
        run(plenary.cast_ballot(db, ada, wid, "ballot-k2", {a: 2}, None))
    assert db.read_sync(plenary.due) == [wid]
    assert run(plenary.close_due(db, wid))
    assert not run(plenary.close_due(db, wid))  # a second process: nothing more
    closes = db.read_sync(
        lambda s: s.exec(
            select(Event.channel, Event.actor).where(Event.kind == "plenary.closed")
        ).all()
    )
    assert sorted(closes) == sorted(
        [(f"workshop:{wid}", "timer"), (f"group:{g1}", "timer"), (f"group:{g2}", "timer")]
    )


def test_who_may_do_what(db: Database) -> None:
    wid, (g1, _), items = three_finals(db)
    setup = plenary.check_setup("dots", 5, 3, items)
    ada = phone(db, "device-ada", g1)
    for who in (FRED, ada):
        with pytest.raises(Forbidden):
            run(plenary.set_up(db, who, wid, setup))
    run(plenary.set_up(db, OLIVIA, wid, setup))
    for who in (FRED, ada):
        with pytest.raises(Forbidden):
            run(plenary.open_vote(db, who, wid, None))
    run(plenary.open_vote(db, OLIVIA, wid, None))
    for who in (FRED, ada):
        with pytest.raises(Forbidden):
            run(plenary.close_vote(db, who, wid))
    with refused(Forbidden, "participants"):
        run(plenary.cast_ballot(db, OLIVIA, wid, "ballot-kk", {items[0]: 1}, None))
    stranger = Participant(ada.id, wid + 1, g1)  # a phone of another workshop
    with refused(Forbidden, "another workshop"):
        run(plenary.cast_ballot(db, stranger, wid, "ballot-kk", {items[0]: 1}, None))
    assert ballots(db) == []


def test_the_set_up_is_checked(db: Database) -> None:
    wid, _, items = three_finals(db)
    with refused(Invalid, "dots or ranking"):
        plenary.check_setup("approval", 5, 3, items)
    with refused(Invalid, "between 2"):
        plenary.check_setup("dots", 5, 3, items[:1])
    with refused(Invalid, "1 to 20 dots"):
        plenary.check_setup("dots", 5, 6, items)
    with refused(Invalid, "minutes"):
        plenary.check_minutes("0")
    draft = recommendations.check_draft("Not final yet", "", "")
    source = db.read_sync(
        lambda s: s.exec(select(Recommendation.id).where(Recommendation.scope == "group")).first()
    )
    loose = run(recommendations.synthesise(db, OLIVIA, wid, draft, [source]))
    with refused(NotFound, "final recommendations"):
        run(plenary.set_up(db, OLIVIA, wid, plenary.check_setup("dots", 5, 3, [*items, loose])))
    assert db.read_sync(lambda s: s.get(Plenary, wid)) is None


def test_counting_is_pure() -> None:
    borda = count_casts("ranking", [1, 2, 3], [Cast([3, 1, 2], 1, 10), Cast([3, 2, 1], 1, 10)])
    assert borda.points == {1: 1, 2: 1, 3: 4} and borda.cast == {(1, 10): 2}
    assert [(s.id, s.place, s.tied) for s in places([1, 2, 3, 4], {1: 2, 2: 5, 3: 2, 4: 0})] == [
        (2, 1, False),
        (1, 2, True),
        (3, 2, True),
        (4, 4, False),
    ]
    seats = [Seat(1, "A", 10, "Morning", 3), Seat(2, "B", 11, "Afternoon", 2)]
    casts = [Cast({7: 2}, 1, 10), Cast({8: 1}, 2, 11), Cast({7: 1}, 2, 11)]
    count = tally("dots", [7, 8], count_casts("dots", [7, 8], casts), seats)
    assert [(t.label, t.voted, t.phones) for t in count.rounds] == [
        ("Morning", 1, 3),
        ("Afternoon", 2, 2),
    ]
    assert (count.voted, count.phones, count.top) == (3, 5, 3)
