"""The report-back gallery: the organiser opens it, every phone of the workshop reads every
group's agreed recommendations and gives +1s, live on the other phones and the projector;
a resent +1 counts once; refusals say why and change nothing; the exports carry the +1s."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
import pytest
from sqlmodel import col, select
from starlette.websockets import WebSocketDisconnect

from facilitator.domain import gallery, recommendations
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Conflict, Forbidden, NotFound
from facilitator.domain.exports import read_snapshot
from facilitator.domain.restore import restore
from facilitator.domain.workshop_views import WorkshopView
from facilitator.export import data, markdown, report, tables
from facilitator.models import Event, GalleryPlus, Idea
from tests.conftest import Person, Socket, World
from tests.support import agreed_from_phone, database_rows, text_of


@dataclass
class Room:
    organiser: Staff
    boss: Person  # the organiser's browser
    workshop: WorkshopView
    agreed: list[int]  # one agreed recommendation per group
    draft: int  # a recommendation not agreed
    phones: list[Person]


def agreed_in(world: World, organiser: Staff, group_id: int, phone: Person, code: str) -> int:
    return agreed_from_phone(
        world, organiser, (group_id, code), phone, f"An idea in {code}", f"Do it in {code}"
    )


def make_room(world: World, opened: bool = True, email: str = "olivia@example.org") -> Room:
    organiser = world.organiser(email)
    workshop = world.workshop(organiser, groups=3)
    phones = [world.phone(g.code) for g in workshop.groups]
    agreed = [
        agreed_in(world, organiser, g.id, p, g.code)
        for g, p in zip(workshop.groups, phones, strict=True)
    ]
    first = workshop.groups[0]
    draft = world.run(
        recommendations.promote,
        world.db,
        organiser,
        first.id,
        "idea",
        world.read(lambda s: s.exec(select(Idea).where(Idea.group_id == first.id)).first()).id,
        recommendations.check_draft("Not agreed yet", "", ""),
    )
    boss = world.logged_in(organiser)
    if opened:
        open_gallery(boss, workshop.id)
    return Room(organiser, boss, workshop, agreed, int(draft), phones)


def open_gallery(boss: Person, workshop_id: int, open_: bool = True) -> Any:
    response = boss.post(
        f"/organiser/workshops/{workshop_id}/gallery", {"open": "1" if open_ else "0"}
    )
    assert response.status_code == 200, response.text
    return response


@contextlib.contextmanager
def on_gallery(
    person: Person,
    workshop_id: int,
    audience: str = "participant",
    since: int | None = None,
    epoch: str = "",
) -> Iterator[Socket]:
    query = f"as={audience}" + (f"&since={since}&epoch={epoch}" if since is not None else "")
    with person.http.websocket_connect(f"/ws/workshops/{workshop_id}/gallery?{query}") as ws:
        sock = Socket(ws)
        if since is None:
            sock.until_type("reset")
        yield sock


def plus(sock: Socket, rec: int, given: bool = True, key: str = "") -> dict[str, Any]:
    key = key or f"k{rec}{int(given)}{id(sock)}"[:60]
    sock.send({"type": "plus", "key": key, "recommendation_id": rec, "given": given})
    return sock.until(lambda f: f["type"] in {"ack", "error"} and f.get("key") == key)


def count_on(sock: Socket, rec: int) -> int:
    """Read until the count of `rec` changes on this page; its new number."""
    frame = sock.until(lambda f: any(op[1] == f"plus-{rec}" for op in f.get("ops", [])))
    fragment = next(op[2] for op in frame["ops"] if op[1] == f"plus-{rec}")
    return int(fragment.split('data-count="')[1].split('"')[0])


def plus_events(world: World) -> int:
    return len(
        world.read(lambda s: s.exec(select(Event).where(Event.kind == "gallery.plus")).all())
    )


# -- opening ---------------------------------------------------------------------------------


def test_the_organiser_opens_the_gallery_and_every_phone_is_shown_the_way(world: World) -> None:
    room = make_room(world, opened=False)
    code = room.workshop.code
    phone = room.phones[1]
    closed = text_of(phone.get(f"/j/{code}/gallery"))
    assert "The gallery is closed." in closed and "Do it in" not in closed
    board = room.workshop.groups[1]
    assert "The gallery is open" not in text_of(phone.get(f"/j/{board.code}"))
    with contextlib.ExitStack() as stack:
        from tests.support import live

        group_sock = stack.enter_context(live(phone, board.id))
        page = open_gallery(room.boss, room.workshop.id)
        assert "The gallery is open on every phone." in text_of(page)
        assert "Close the gallery" in text_of(page)
        frame = group_sock.until(lambda f: any(op[1] == "board-body" for op in f.get("ops", [])))
        assert f'href="/j/{code}/gallery"' in frame["ops"][0][2]
    assert f'href="/j/{code}/gallery"' in phone.get(f"/j/{board.code}").text
    shown = text_of(phone.get(f"/j/{code}/gallery"))
    for g in room.workshop.groups:  # every group's, whichever group this phone is in
        assert f"Do it in {g.code}" in shown and g.name in shown
    assert "Not agreed yet" not in shown
    assert shown.count('aria-pressed="false"') == 3
    # Closed again: phones lose the link, and the gallery says it is closed.
    open_gallery(room.boss, room.workshop.id, False)
    assert "The gallery is closed." in text_of(phone.get(f"/j/{code}/gallery"))
    assert f'href="/j/{code}/gallery"' not in phone.get(f"/j/{board.code}").text


def test_only_the_workshops_organisers_open_it(world: World) -> None:
    room = make_room(world, opened=False)
    other = world.organiser("oscar@example.org")
    with pytest.raises(Forbidden):
        world.run(gallery.set_gallery, world.db, other, room.workshop.id, True)
    refused = world.logged_in(other).post(
        f"/organiser/workshops/{room.workshop.id}/gallery", {"open": "1"}
    )
    assert refused.status_code == 403
    assert not world.read(lambda s: gallery.read_gallery(s, room.workshop.id)).open


# -- +1s, live ---------------------------------------------------------------------------------


def test_a_plus_one_counts_live_on_every_phone_and_the_projector(world: World) -> None:
    room = make_room(world)
    wid, rec = room.workshop.id, room.agreed[2]
    a, b = room.phones[0], room.phones[1]
    with (
        on_gallery(a, wid) as sock_a,
        on_gallery(b, wid) as sock_b,
        on_gallery(room.boss, wid, "projector") as screen,
    ):
        personal = sock_a.until_type("plussed", all=True)
        assert personal["on"] == []
        ack = plus(sock_a, rec)
        assert ack["type"] == "ack" and ack["count"] == 1
        assert ack["plus"] == {"recommendation": rec, "given": True}
        assert count_on(sock_b, rec) == 1
        assert count_on(screen, rec) == 1
        assert plus(sock_b, rec)["count"] == 2
        assert count_on(screen, rec) == 2
        # Taken back: the count goes down, everywhere.
        assert plus(sock_a, rec, given=False)["count"] == 1
        assert count_on(screen, rec) == 1
    # A reload agrees with what was live: the count, and this phone's own button.
    page_b = b.get(f"/j/{room.workshop.code}/gallery").text
    assert "1 +1 from the room" in page_b
    assert f'data-plussed="{rec}"' in page_b
    assert 'aria-pressed="true"' in page_b
    assert 'data-plussed=""' in a.get(f"/j/{room.workshop.code}/gallery").text
    screen_page = room.boss.get(f"/organiser/workshops/{wid}/gallery").text
    assert "1 +1 from the room" in screen_page and "0 +1s from the room" in screen_page


def test_a_resent_plus_one_counts_once_and_a_missed_one_replays(world: World) -> None:
    room = make_room(world)
    wid, rec = room.workshop.id, room.agreed[0]
    a, b = room.phones[0], room.phones[1]
    with on_gallery(b, wid) as sock_b:
        seq, epoch = sock_b.seq, sock_b.epoch
    with on_gallery(a, wid) as sock_a:
        first = plus(sock_a, rec, key="offline-1")
        again = plus(sock_a, rec, key="offline-1")  # the answer was lost: sent again
        assert first["count"] == again["count"] == 1 and again["type"] == "ack"
    assert plus_events(world) == 1
    # B was away: it comes back at its seq, and is sent the +1 it missed, not a new page.
    with on_gallery(b, wid, since=seq, epoch=epoch) as back:
        assert count_on(back, rec) == 1
        assert not any(f["type"] == "reset" for f in back.frames)


def test_a_recommendation_agreed_while_the_gallery_is_open_shows_at_once(world: World) -> None:
    room = make_room(world)
    wid, code = room.workshop.id, room.workshop.code
    with (
        on_gallery(room.phones[1], wid) as phone,
        on_gallery(room.boss, wid, "projector") as screen,
    ):
        world.run(recommendations.set_agreed, world.db, room.organiser, room.draft, True)
        for sock in (phone, screen):
            frame = sock.until(lambda f: any(op[1] == "gallery-body" for op in f.get("ops", [])))
            assert "Not agreed yet" in frame["ops"][0][2]
        assert plus(phone, room.draft)["count"] == 1
        world.run(recommendations.set_agreed, world.db, room.organiser, room.draft, False)
        frame = screen.until(lambda f: any(op[1] == "gallery-body" for op in f.get("ops", [])))
        assert "Not agreed yet" not in frame["ops"][0][2]
    assert "Not agreed yet" not in room.phones[1].get(f"/j/{code}/gallery").text
    # A draft edited while nobody sees it in the gallery records nothing on its channel.
    before = world.read(lambda s: len(s.exec(select(Event)).all()))
    draft = recommendations.check_draft("Still a draft", "", "")
    world.run(recommendations.edit, world.db, room.organiser, room.draft, draft)
    kinds = world.read(
        lambda s: [e.kind for e in s.exec(select(Event).order_by(col(Event.id))).all()][before:]
    )
    assert kinds == ["recommendation.edited"]
    # Its +1 stays recorded, and goes through the archive with it.
    snap = world.read(lambda s: read_snapshot(s, wid, include_names=False))
    assert snap.gallery_plus_for(room.draft) == 1
    copy = world.db.write_sync(lambda s: restore(s, data.from_json(data.to_json(snap))))
    again = world.read(lambda s: read_snapshot(s, copy, include_names=False))
    assert [r.title for r in again.recommendations if again.gallery_plus_for(r.id)] == [
        "Still a draft"
    ]


def test_the_plain_form_gives_a_plus_one_without_javascript(world: World) -> None:
    room = make_room(world)
    phone, rec, code = room.phones[2], room.agreed[1], room.workshop.code
    given = phone.post(f"/j/{code}/gallery", {"recommendation_id": str(rec), "given": "1"})
    assert given.status_code == 303 and given.headers["location"].endswith(f"#rec-{rec}")
    assert "1 +1 from the room" in phone.get(f"/j/{code}/gallery").text
    twice = phone.post(f"/j/{code}/gallery", {"recommendation_id": str(rec), "given": "1"})
    assert twice.status_code == 409
    assert "You have given this recommendation your +1 already." in text_of(twice)


# -- bad input ---------------------------------------------------------------------------------


def test_bad_plus_ones_are_refused_with_a_reason_and_change_nothing(world: World) -> None:
    room = make_room(world)
    wid = room.workshop.id
    phone = room.phones[0]
    other_workshop = make_room(world, email="other@example.org")
    elsewhere = other_workshop.agreed[0]
    with on_gallery(phone, wid) as sock:
        assert plus(sock, room.agreed[0])["type"] == "ack"
        before = database_rows(world)
        cases = [
            (room.draft, True, 404, "That recommendation is not in the gallery."),
            (elsewhere, True, 404, "That recommendation is not in the gallery."),
            (999_999, True, 404, "That recommendation is not in the gallery."),
            (room.agreed[0], True, 409, "You have given this recommendation your +1 already."),
            (room.agreed[1], False, 409, "You have not given this recommendation a +1."),
        ]
        for n, (rec, given, status, message) in enumerate(cases):
            refused = plus(sock, rec, given, key=f"bad-key-{n}")
            assert (refused["type"], refused["status"], refused["message"]) == (
                "error",
                status,
                message,
            )
        sock.send({"type": "plus", "key": "bad-key-id", "recommendation_id": "x", "given": True})
        assert sock.until_type("error", key="bad-key-id")["status"] == 400
        sock.send({"type": "vote", "key": "bad-key-type"})
        assert sock.until_type("error", key="bad-key-type")["message"] == "Unknown message type."
        assert database_rows(world) == before
        open_gallery(room.boss, wid, False)
        closed = plus(sock, room.agreed[1], key="late-key")
        assert closed["status"] == 409
        assert closed["message"] == "The gallery is closed, so +1s can no longer change."
    with pytest.raises(Conflict):
        phone_1 = world_phone(world, room, 1)
        world.run(gallery.plus_one, world.db, phone_1, room.agreed[1], True, "x" * 16)
    with pytest.raises(Forbidden):
        world.run(gallery.plus_one, world.db, room.organiser, room.agreed[1], True, "y" * 16)
    with pytest.raises(NotFound):
        open_gallery(room.boss, wid)
        phone_1 = world_phone(world, room, 1)
        world.run(gallery.plus_one, world.db, phone_1, elsewhere, True, "z" * 16)


def world_phone(world: World, room: Room, index: int) -> Any:
    """The actor of a phone of the room (its participant row)."""
    from facilitator.domain.actors import Participant
    from facilitator.models import Participant as Row

    group = room.workshop.groups[index]
    row = world.read(lambda s: s.exec(select(Row).where(Row.group_id == group.id)).one())
    return Participant(row.id, row.workshop_id, row.group_id, row.display_name)


def test_a_phone_of_another_workshop_cannot_open_its_gallery(world: World) -> None:
    room = make_room(world)
    stranger = make_room(world, email="other@example.org").phones[0]
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        stranger.http.websocket_connect(f"/ws/workshops/{room.workshop.id}/gallery?as=participant"),
    ):
        pass
    assert refused.value.code == 1008
    page = stranger.get(f"/j/{room.workshop.code}/gallery")
    assert page.status_code == 403
    # A phone is no projector.
    with (
        pytest.raises(WebSocketDisconnect),
        room.phones[0].http.websocket_connect(
            f"/ws/workshops/{room.workshop.id}/gallery?as=projector"
        ),
    ):
        pass


# -- exports -------------------------------------------------------------------------------------


def test_plus_ones_go_into_every_export_and_survive_the_archive(world: World) -> None:
    room = make_room(world)
    wid, rec = room.workshop.id, room.agreed[1]
    for phone in room.phones[:2]:
        with on_gallery(phone, wid) as sock:
            assert plus(sock, rec)["type"] == "ack"
    snap = world.read(lambda s: read_snapshot(s, wid, include_names=False))
    assert snap.gallery_plus_for(rec) == 2
    text = markdown.markdown(snap).decode()
    assert "+1s from the room: 2" in text
    sheet = tables.recommendation_rows(snap)
    column = sheet[0].index("room_plus_ones")
    assert sorted(row[column] for row in sheet[1:]) == [0, 0, 0, 2]  # the draft has none
    document = docx.Document(io.BytesIO(report.docx(snap)))
    assert any("+1s from the room: 2" in p.text for p in document.paragraphs)
    restored_id = world.run(lambda: world.db.write(restore, data.from_json(data.to_json(snap))))
    again = world.read(lambda s: read_snapshot(s, restored_id, include_names=False))
    assert [r.title for r in again.recommendations if again.gallery_plus_for(r.id) == 2] == [
        f"Do it in {room.workshop.groups[1].code}"
    ]
    given = world.read(lambda s: s.exec(select(GalleryPlus).where(col(GalleryPlus.given))).all())
    assert len(given) == 4  # two in the first workshop, two in its copy
