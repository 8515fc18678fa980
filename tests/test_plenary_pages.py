"""The plenary vote through the app: mission control's form, a phone's ballot over its
group's socket (and as a plain form), the results the projector polls (issue #23)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import orjson
from sqlmodel import select

from facilitator.domain import ideas, participants, recommendations
from facilitator.models import Ballot, Event, Plenary, Recommendation
from tests.conftest import Socket, World, connect


def finals(world: World) -> tuple[Any, Any, list[int]]:
    """A workshop of two groups with three final recommendations; its organiser."""
    olivia = world.organiser()
    workshop = world.workshop(olivia)
    g1 = workshop.groups[0].id
    who = world.run(participants.join_group, world.db, "device-seed", g1)
    seed = world.run(ideas.submit_idea, world.db, who, g1, "seed-key-1", "Drill often", 500)
    draft = recommendations.check_draft("Drill often", "", "")
    source = world.run(recommendations.promote, world.db, olivia, g1, "idea", seed.idea_id, draft)
    made = []
    for title in ("Drill every quarter", "Report button", "Hardware keys"):
        draft = recommendations.check_draft(title, "", "")
        rec = world.run(recommendations.synthesise, world.db, olivia, workshop.id, draft, [source])
        world.run(recommendations.set_agreed, world.db, olivia, rec, True)
        made.append(rec)
    return olivia, workshop, made


def stored(world: World) -> list[tuple[int, Any]]:
    rows = world.read(lambda s: s.exec(select(Ballot)).all())
    return sorted((b.participant_id, orjson.loads(b.marks)) for b in rows)


def test_a_plenary_vote_from_mission_control_to_phones_and_the_projector(world: World) -> None:
    olivia_user, workshop, (a, b, c) = finals(world)
    olivia = world.logged_in(olivia_user)
    plenary_url = f"/organiser/workshops/{workshop.id}/plenary"
    page = olivia.get(f"/organiser/workshops/{workshop.id}/control").text
    assert "Plenary vote" in page and "Drill every quarter" in page
    setup = {"action": "setup", "method": "dots", "budget": "4", "cap": "2", "item": [a, b, c]}
    assert olivia.post(plenary_url, setup).status_code == 200
    g1, g2 = workshop.groups
    phone1, phone2 = world.phone(g1.code), world.phone(g2.code)
    assert 'id="plenary-card"' in phone1.get(f"/j/{g1.code}").text
    with connect(phone1, g1.id) as raw:
        ws = Socket(raw)
        ws.until_type("reset")
        opened = olivia.post(plenary_url, {"action": "open", "minutes": ""})
        assert opened.status_code == 200 and "The plenary vote is open" in opened.text
        # Live: the ballot comes to the phone of any group.
        card = ws.until(lambda f: "plenary-card" in str(f.get("ops")) and "data-ballot" in str(f))
        assert "Report button" in str(card)
        ws.send({"type": "ballot", "key": "ballot-k1", "dots": {str(a): 2, str(b): 1}})
        ack = ws.until_type("ack", key="ballot-k1")
        assert ack["repeated"] is False and "Your ballot is counted" in str(ack["ops"])
        assert re.search(rf'name="dots\.{a}"[^>]*value="2"', ack["ops"][0][2])  # as counted
        ws.send({"type": "ballot", "key": "ballot-k2", "dots": {str(c): 3}})  # over the cap
        refused = ws.until_type("error", key="ballot-k2")
        assert "At most 2 dots on one recommendation" in refused["message"]
        ws.send({"type": "ballot", "key": "ballot-k1", "dots": {str(a): 2, str(b): 1}})  # resent
        assert ws.until_type("ack", key="ballot-k1")["repeated"] is True
    # The phone's page, reloaded, shows its ballot as it was counted.
    again = phone1.get(f"/j/{g1.code}").text
    assert re.search(rf'name="dots\.{a}"[^>]*value="2"', again)
    # A plain form from the other phone (no JavaScript), ranked by dots.
    sent = phone2.post(f"/j/{g2.code}/plenary", {"key": "ballot-form-1", f"dots.{b}": "2"})
    assert sent.status_code == 303
    assert [m for _, m in stored(world)] == [{str(a): 2, str(b): 1}, {str(b): 2}]
    # The results: what the projector polls, and 204 while nothing has changed.
    first = olivia.get(f"{plenary_url}/results?as=projector")
    version = re.search(r'data-version="([^"]+)"', first.text)
    assert version and "2 of 3 phones have voted" in first.text  # the seed phone too
    assert re.search(
        r'class="plenary-bar">\s*<span class="place">1</span>\s*<span[^>]*>Report', first.text
    )
    assert olivia.get(f"{plenary_url}/results?since={version.group(1)}").status_code == 204
    projector = olivia.get(f"/organiser/workshops/{workshop.id}/projector").text
    assert "2 of 3 phones have voted" in projector and "data-poll" in projector
    # Closed: ballots are refused, with the page's message, and nothing changes.
    assert olivia.post(plenary_url, {"action": "close"}).status_code == 200
    late = phone2.post(f"/j/{g2.code}/plenary", {"key": "ballot-form-2", f"dots.{c}": "1"})
    assert late.status_code == 409 and "has closed" in late.text
    assert [m for _, m in stored(world)] == [{str(a): 2, str(b): 1}, {str(b): 2}]
    twice = olivia.post(plenary_url, {"action": "close"})
    assert twice.status_code == 409 and "not open" in twice.text
    closed = phone1.get(f"/j/{g1.code}").text
    assert "The plenary vote has closed" in closed and "data-ballot" not in closed


def test_only_organisers_run_the_vote_and_read_its_results(world: World) -> None:
    olivia_user, workshop, items = finals(world)
    fred_user = world.staff("fred@example.org")
    world.appoint(olivia_user, workshop.groups[0].id, fred_user)
    fred = world.logged_in(fred_user)
    url = f"/organiser/workshops/{workshop.id}/plenary"
    setup = {"action": "setup", "method": "ranking", "item": items}
    assert fred.post(url, setup).status_code == 403
    assert fred.get(f"{url}/results").status_code == 403
    phone = world.phone(workshop.groups[0].code)
    assert phone.post(url, setup).status_code in (302, 303, 403)
    assert world.read(lambda s: s.exec(select(Recommendation)).all())  # nothing else gone
    assert stored(world) == []


def test_the_timer_closes_the_vote_on_the_server_and_phones_hear_it(world: World) -> None:
    """The deadline is the server's: when it passes, the server's own loop records the
    close (as after a restart), and every phone's card says the vote has closed."""
    olivia_user, workshop, items = finals(world)
    olivia = world.logged_in(olivia_user)
    url = f"/organiser/workshops/{workshop.id}/plenary"
    olivia.post(url, {"action": "setup", "method": "ranking", "item": items})
    assert olivia.post(url, {"action": "open", "minutes": "5"}).status_code == 200
    g1 = workshop.groups[0]
    phone = world.phone(g1.code)
    assert "data-ends=" in phone.get(f"/j/{g1.code}").text  # the countdown, from the server
    with connect(phone, g1.id) as raw:
        ws = Socket(raw)
        ws.until_type("reset")
        ws.until_type("plenary")  # the greeting's card: the vote open, the ballot shown

        def expire(s: Any) -> None:  # five minutes on
            row = s.get(Plenary, workshop.id)
            row.closes_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            s.add(row)

        world.db.write_sync(expire)
        # The close, as an event on the group's channel (not a card read after the deadline).
        closed = ws.until(
            lambda f: f["type"] == "patch" and "The plenary vote has closed" in str(f["ops"])
        )
        assert "data-ballot" not in str(closed["ops"])
    late = phone.post(f"/j/{g1.code}/plenary", {"key": "ballot-late-1", "rank": items})
    assert late.status_code == 409 and stored(world) == []
    closes = world.read(
        lambda s: s.exec(select(Event.actor).where(Event.kind == "plenary.closed")).all()
    )
    assert set(closes) == {"timer"} and len(closes) == 1 + len(workshop.groups), closes
