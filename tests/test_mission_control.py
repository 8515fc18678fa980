"""Organiser tools over every group: join cards, mission control, broadcast, projector."""

from __future__ import annotations

import contextlib
import re

from sqlmodel import select

from facilitator.models import Group, Phase, Workshop
from tests.conftest import Socket, World, connect


def test_join_cards_show_every_group_with_its_qr_and_code(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser, groups=3)
    page = world.logged_in(organiser).get(f"/organiser/workshops/{workshop.id}/cards").text
    for group in workshop.groups:
        assert f"/j/{group.code}/qr.svg" in page
        assert f"{group.code[:4]}-{group.code[4:]}" in page
        assert group.prompt in page
    assert page.count('class="join-card"') == 3


def test_only_the_workshops_organisers_use_mission_control(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    other = world.logged_in(world.staff("other@example.org", name="Other"))
    stranger = world.browser()
    for path in ("control", "control/table", "cards", "synthesis"):
        url = f"/organiser/workshops/{workshop.id}/{path}"
        assert other.get(url).status_code == 403, path
        assert stranger.get(url, follow_redirects=False).status_code == 303, path


def test_mission_control_lists_groups_with_phones_and_alerts(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser, groups=2)
    first = workshop.groups[0]
    phone = world.phone(first.code)
    office = world.logged_in(organiser)
    with connect(phone, first.id) as ws:
        Socket(ws).until_type("reset")
        table = office.get(f"/organiser/workshops/{workshop.id}/control/table").text
    row = re.search(rf'<tr id="mission-{first.id}".*?</tr>', table, re.S)
    assert row is not None
    cells = re.findall(r"<td>(\d+)</td>", row.group(0))
    assert cells[:2] == ["1", "0"]  # one phone connected, no ideas yet
    assert "No facilitator online" in row.group(0)
    page = office.get(f"/organiser/workshops/{workshop.id}/control").text
    totals = re.search(r'<tr class="total-row">.*?</tr>', page, re.S)
    assert totals is not None and "Whole workshop" in totals.group(0)
    assert "<svg" in page  # submissions over time


def test_broadcast_moves_every_group_and_phones_follow(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser, groups=3)
    phones = [world.phone(g.code) for g in workshop.groups]
    office = world.logged_in(organiser)
    url = f"/organiser/workshops/{workshop.id}/control"
    with contextlib.ExitStack() as stack:
        socks = [
            Socket(stack.enter_context(connect(p, g.id)))
            for p, g in zip(phones, workshop.groups, strict=True)
        ]
        for sock in socks:
            sock.until_type("reset")
        done = office.post(url, {"action": "phase", "scope": "all", "phase": "vote"})
        assert done.status_code == 200 and "Done, for 3 groups." in done.text
        for sock in socks:
            frame = sock.until_type("patch")
            assert 'data-phase="vote"' in frame["ops"][0][2]
        office.post(url, {"action": "announce", "announcement": "Back to the main hall at 3"})
        for sock in socks:
            frame = sock.until_type("patch")
            assert "Back to the main hall at 3" in frame["ops"][0][2]
    phases = world.read(lambda s: [g.phase for g in s.exec(select(Group).order_by(Group.id)).all()])
    assert phases == [Phase.vote] * 3
    # The facilitator can still act in one group afterwards.
    office.post(
        f"/facilitator/groups/{workshop.groups[0].id}/command",
        {"type": "set_phase", "phase": "collect"},
    )
    phases = world.read(lambda s: [g.phase for g in s.exec(select(Group).order_by(Group.id)).all()])
    assert phases == [Phase.collect, Phase.vote, Phase.vote]


def test_broadcast_to_selected_groups_only(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser, groups=3)
    office = world.logged_in(organiser)
    url = f"/organiser/workshops/{workshop.id}/control"
    second = workshop.groups[1]
    office.post(url, {"action": "lock", "scope": "selected", "group": str(second.id)})
    locked = world.read(
        lambda s: [g.writing_locked for g in s.exec(select(Group).order_by(Group.id)).all()]
    )
    assert locked == [False, True, False]
    refused = office.post(url, {"action": "timer", "scope": "selected", "minutes": "5"})
    assert refused.status_code == 400 and "Choose at least one group." in refused.text
    assert (
        world.read(
            lambda s: [g.timer_ends_at for g in s.exec(select(Group).order_by(Group.id)).all()]
        )
        == [None] * 3
    )
    banner = world.read(lambda s: s.exec(select(Workshop)).one().announcement)
    assert banner == ""


def test_projector_shows_what_phones_see_live(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    office = world.logged_in(organiser)
    page = office.get(f"/facilitator/groups/{group.id}/projector").text
    assert f"/j/{group.code}/qr.svg" in page and group.prompt in page
    phone = world.phone(group.code)
    with connect(office, group.id, "projector") as screen_ws, connect(phone, group.id) as phone_ws:
        screen, sender = Socket(screen_ws), Socket(phone_ws)
        screen.until_type("reset")
        sender.until_type("reset")
        sender.send({"type": "submit", "key": "projector-1", "text": "Shown on the big screen"})
        sender.until_type("ack")
        screen.until_seq(1)
        assert list(screen.ideas.values()) == ["Shown on the big screen"]
    # A phone cannot open the projector's socket.
    assert (
        world.browser()
        .get(f"/facilitator/groups/{group.id}/projector", follow_redirects=False)
        .status_code
        == 303
    )
