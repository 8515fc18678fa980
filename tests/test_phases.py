"""Running a group: phases forward and back with phones following, settings, the timer
(kept on the server, so it survives a reconnect) and when phones may write."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session

from facilitator.domain import ideas, phases
from facilitator.models import Group, Idea, utcnow
from tests.conftest import Socket, World, connect
from tests.facilitation_support import (
    LIMIT,
    ONLY_FACILITATORS,
    Cases,
    Stage,
    ack,
    add_idea,
    go_to,
    group_row,
    head,
    member,
    new_key,
    opened,
    phone,
    refused,
    refused_live,
    region,
    settle,
    stage,
)
from tests.support import database_rows, handshake_refused, rows

TIME_IS_UP = "Time is up: this group is not taking new ideas."
NOT_COLLECTING = "This group is not collecting ideas right now."


@pytest.fixture
def s(world: World) -> Stage:
    return stage(world)


def phase_and_writing(board_body: str) -> tuple[str, str]:
    match = re.search(r'id="board-body"[^>]*data-phase="(\w+)" data-writing="(\w+)"', board_body)
    assert match, board_body[:300]
    return match.group(1), match.group(2)


def data_ends(html: str) -> str:
    match = re.search(r'data-ends="([^"]+)"', html)
    assert match, "no running timer in this markup"
    return match.group(1)


def test_phases_go_forward_and_back_and_phones_follow_live(world: World, s: Stage) -> None:
    person, _ = phone(world, s.group)
    with (
        opened(s.console(), s.group, "facilitator") as f,
        opened(person, s.group) as p,
    ):
        assert phase_and_writing(region(p, "board-body")) == ("collect", "open")
        for phase in ["cluster", "vote", "recommend", "closed", "vote", "collect", "cluster"]:
            ack(f, "set_phase", phase=phase)
            settle(world, s.group, f, p)
            writing = "open" if phase == "collect" else "closed"
            assert phase_and_writing(region(p, "board-body")) == (phase, writing)
            assert f'data-phase="{phase}"' in region(f, "workspace")
            assert group_row(world, s.group).phase == phase

        # The same phase again changes nothing, not even the event log.
        before = database_rows(world)
        ack(f, "set_phase", phase="cluster")
        assert database_rows(world) == before


def test_phones_write_only_while_the_group_collects(world: World, s: Stage) -> None:
    person, who = phone(world, s.group)
    mine = add_idea(world, who, s.group, "Written while collecting")
    go_to(world, s.organiser, s.group, "cluster")
    with opened(person, s.group) as p:
        assert phase_and_writing(region(p, "board-body")) == ("cluster", "closed")
        refused_live(world, p, NOT_COLLECTING, "submit", key=new_key(), text="Too late")
        refused_live(world, p, NOT_COLLECTING, "edit", idea_id=mine, text="Rewritten late")
    # Facilitators may still add an idea, in any phase.
    add_idea(world, s.organiser, s.group, "A facilitator's late idea")
    assert len(rows(world, Idea, Idea.group_id == s.group.id)) == 2


def test_paused_writing_refuses_phones_until_resumed(world: World, s: Stage) -> None:
    person, _ = phone(world, s.group)
    with opened(person, s.group) as p:
        world.run(phases.set_writing_locked, world.db, s.organiser, s.group.id, True)
        settle(world, s.group, p)
        assert phase_and_writing(region(p, "board-body")) == ("collect", "closed")
        paused = "The facilitator has paused writing for now."
        refused_live(world, p, paused, "submit", key=new_key(), text="While paused")
        world.run(phases.set_writing_locked, world.db, s.organiser, s.group.id, False)
        settle(world, s.group, p)
        assert phase_and_writing(region(p, "board-body")) == ("collect", "open")
        ack(p, "submit", key=new_key(), text="After the pause")


def test_participants_cannot_run_the_group(world: World, s: Stage) -> None:
    person, _ = phone(world, s.group)
    with opened(person, s.group) as p:
        cases: Cases = [
            ("set_phase", {"phase": "vote"}),
            ("settings", {"vote_budget": 5, "vote_cap": 3, "private_mode": "1"}),
            ("start_timer", {"minutes": 5}),
            ("stop_timer", {}),
            ("lock_writing", {"locked": "1"}),
            ("reveal", {"what": "votes", "shown": "1"}),
            ("reveal", {"what": "ideas", "shown": "1"}),
        ]
        for kind, fields in cases:
            answer = refused_live(world, p, ONLY_FACILITATORS, kind, **fields)
            assert answer["status"] == 403, kind


def test_a_facilitator_runs_only_their_own_groups(world: World, s: Stage) -> None:
    other_lead = s.facilitator_of(s.other, "bo@example.org", "Bo")
    db = world.db
    refused(world, ONLY_FACILITATORS, phases.set_phase, db, other_lead, s.group.id, "vote")
    refused(world, ONLY_FACILITATORS, phases.start_timer, db, other_lead, s.group.id, 5)
    refused(world, ONLY_FACILITATORS, phases.stop_timer, db, other_lead, s.group.id)
    refused(world, ONLY_FACILITATORS, phases.reveal, db, other_lead, s.group.id, "votes", True)
    refused(world, ONLY_FACILITATORS, phases.set_writing_locked, db, other_lead, s.group.id, True)
    settings = phases.check_settings(True, True, 5, 3, True)
    refused(world, ONLY_FACILITATORS, phases.update_settings, db, other_lead, s.group.id, settings)
    # Their own group, they run.
    world.run(phases.set_phase, db, other_lead, s.other.id, "vote")
    assert group_row(world, s.other).phase == "vote"


def test_the_controls_refuse_what_is_out_of_bounds_and_save_the_rest(
    world: World, s: Stage
) -> None:
    with opened(s.console(), s.group, "facilitator") as f:
        refused_live(world, f, "Unknown message type.", "dance")
        refused_live(world, f, "That is not a phase.", "set_phase", phase="brainstorm")
        refused_live(world, f, "That is not a phase.", "set_phase")
        refused_live(world, f, "Reveal ideas or votes.", "reveal", what="names", shown="1")

        for budget, cap, message in [
            (3, 4, "The cap per item must be between 1 and the number of dots."),
            (5, 0, "The cap per item must be between 1 and the number of dots."),
            (0, 1, "Each phone can have between 1 and 50 dots."),
            (51, 3, "Each phone can have between 1 and 50 dots."),
            ("five", 3, "Dots and the cap per item must be whole numbers."),
            (5, 2.5, "Dots and the cap per item must be whole numbers."),
        ]:
            refused_live(world, f, message, "settings", vote_budget=budget, vote_cap=cap)
        ack(
            f,
            "settings",
            vote_budget="50",
            vote_cap="50",
            private_mode="1",
            premoderation="on",
            lock_on_timer=True,
        )
        group = group_row(world, s.group)
        assert (group.vote_budget, group.vote_cap) == (50, 50)
        assert group.private_mode and group.premoderation and group.lock_on_timer

        out_of_range = "A timer runs for 1 second to 240 minutes."
        for minutes in [0, -1, 240.5, "nan", "inf"]:
            refused_live(world, f, out_of_range, "start_timer", minutes=minutes)
        refused_live(world, f, "Give the timer's length in minutes.", "start_timer", minutes="x")
        refused_live(world, f, "Give the timer's length in minutes.", "start_timer")
        before = utcnow()
        ack(f, "start_timer", minutes=240)
        after = utcnow()
        ends = group_row(world, s.group).timer_ends_at
        assert ends is not None
        assert before + dt.timedelta(minutes=240) <= ends <= after + dt.timedelta(minutes=240)
        ack(f, "stop_timer")
        assert group_row(world, s.group).timer_ends_at is None


def test_a_timer_shorter_than_a_second_is_refused(world: World, s: Stage) -> None:
    # The refusal names the bounds "1 second to 240 minutes": 0.01 minutes is 0.6 s.
    refused(
        world,
        "A timer runs for 1 second to 240 minutes.",
        phases.start_timer,
        world.db,
        s.organiser,
        s.group.id,
        "0.01",
    )
    world.run(phases.start_timer, world.db, s.organiser, s.group.id, "0.02")  # 1.2 s
    assert group_row(world, s.group).timer_ends_at is not None


def test_the_timer_survives_a_reconnect(world: World, s: Stage) -> None:
    person, _ = phone(world, s.group)
    with opened(person, s.group) as p:
        last_seq, epoch = p.seq, p.epoch
        assert 'data-ends="' not in region(p, "board-body")

    # While the phone is away, the facilitator starts a timer.
    world.run(phases.start_timer, world.db, s.organiser, s.group.id, 7)
    ends = group_row(world, s.group).timer_ends_at
    assert ends is not None

    with connect(person, s.group.id, since=last_seq, epoch=epoch) as ws:
        back = Socket(ws)
        fresh = back.until_type("reset")
        assert fresh["seq"] == head(world, s.group)
        assert data_ends(region(back, "board-body")) == ends.isoformat()
    # A reload of either page shows the same end.
    assert data_ends(person.get(f"/j/{s.group.code}").text) == ends.isoformat()
    console = s.console().get(f"/facilitator/groups/{s.group.id}").text
    assert data_ends(console) == ends.isoformat()


def expire_timer(world: World, s: Stage, lock: bool) -> None:
    """A timer that ran out a minute ago, written straight to the row (no waiting)."""

    def write(session: Session) -> None:
        group = session.get(Group, s.group.id)
        assert group is not None
        group.timer_ends_at = utcnow() - dt.timedelta(minutes=1)
        group.lock_on_timer = lock
        session.add(group)

    world.db.write_sync(write)


def test_a_locking_timer_that_ran_out_stops_phones_writing(world: World, s: Stage) -> None:
    person, who = phone(world, s.group)
    mine = add_idea(world, who, s.group, "Before the bell")
    expire_timer(world, s, lock=True)
    with opened(person, s.group) as p:
        assert phase_and_writing(region(p, "board-body")) == ("collect", "closed")
        refused_live(world, p, TIME_IS_UP, "submit", key=new_key(), text="After the bell")
        refused_live(world, p, TIME_IS_UP, "edit", idea_id=mine, text="Edited after the bell")
    # A facilitator still may, to write up what was said aloud.
    add_idea(world, s.organiser, s.group, "Noted by the facilitator")
    # A new timer opens writing again.
    world.run(phases.start_timer, world.db, s.organiser, s.group.id, 5)
    add_idea(world, who, s.group, "In the extra time")


def test_a_timer_that_does_not_lock_lets_phones_keep_writing(world: World, s: Stage) -> None:
    expire_timer(world, s, lock=False)
    who = member(world, s.group)
    receipt = world.run(
        ideas.submit_idea, world.db, who, s.group.id, new_key(), "Still welcome", LIMIT
    )
    assert not receipt.repeated


def test_only_a_groups_staff_may_open_its_facilitator_feed(world: World, s: Stage) -> None:
    """The facilitator feed carries tallies and hidden ideas: no phone, no other group's
    facilitator."""
    person, _ = phone(world, s.group)
    assert handshake_refused(person, s.group.id, "facilitator") == 1008
    other_lead = s.facilitator_of(s.other, "bo@example.org", "Bo")
    assert handshake_refused(world.logged_in(other_lead), s.group.id, "facilitator") == 1008
