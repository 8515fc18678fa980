"""Helpers the Foundation tests share: the database as rows, pages as text, ideas and sockets."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel, col
from sqlmodel import select as select_rows
from starlette.websockets import WebSocketDisconnect

from facilitator.domain import recommendations
from facilitator.domain.workshop_views import GroupView, WorkshopView
from facilitator.models import Idea
from tests.conftest import Person, Socket, World, connect

M = TypeVar("M", bound=SQLModel)
FORM_KEY = re.compile(r'name="key" value="([^"]+)"')


async def until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Wait, letting the running loop work, until `condition()` holds; after `seconds`,
    fail and say what never happened. A wait, never an assertion about time."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        await asyncio.sleep(0.01)


# Written in the background whenever the engine computes an idea's vector (a cache of what
# the model says of a text, docs/clustering.md): not a change anyone made.
DERIVED = frozenset({"idea_vector"})


def all_rows(s: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but DERIVED ones: equal before and after means nothing
    changed."""
    return {
        table.name: sorted(tuple(map(repr, row)) for row in s.execute(select(table)))
        for table in SQLModel.metadata.sorted_tables
        if table.name not in DERIVED
    }


def database_rows(world: World) -> dict[str, list[tuple[Any, ...]]]:
    return world.read(all_rows)


def rows(world: World, model: type[M], *where: Any) -> list[M]:
    return list(world.read(lambda s: s.exec(select_rows(model).where(*where)).all()))


def idea_texts(world: World, group: GroupView) -> list[str]:
    """The visible ideas of a group, oldest first, as the database holds them."""
    found = rows(world, Idea, Idea.group_id == group.id, Idea.status == "visible")
    return [i.text for i in sorted(found, key=lambda i: i.id or 0)]


def only_idea(world: World, group: GroupView) -> Idea:
    (idea,) = rows(world, Idea, col(Idea.group_id) == group.id)
    return idea


def text_of(response: Any) -> str:
    """A page as a reader sees its words (entities such as &#39; decoded)."""
    return html.unescape(response.text)


def refusal(response: Any, status: int, message: str) -> None:
    """The response has this status and tells the reader this message."""
    assert response.status_code == status, response.text
    assert message in text_of(response)


def redirects_to_login(response: Any, path: str) -> None:
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def post_idea(phone: Person, code: str, text: str, key: str | None = None) -> Any:
    """Send an idea with the board's own form, as a phone without JavaScript does."""
    if key is None:
        match = FORM_KEY.search(phone.get(f"/j/{code}").text)
        assert match, "no submission key in the form"
        key = match.group(1)
    return phone.post(f"/j/{code}/ideas", {"key": key, "text": text})


def agreed_from_phone(
    world: World, organiser: Any, group: tuple[int, str], phone: Person, idea: str, title: str
) -> int:
    """A phone's idea in a group (id, code), promoted to a recommendation and agreed."""
    group_id, code = group
    assert post_idea(phone, code, idea).status_code == 303
    row = world.read(lambda s: s.exec(select_rows(Idea).where(Idea.group_id == group_id)).first())
    draft = recommendations.check_draft(title, "Soon.", "")
    rec = world.run(recommendations.promote, world.db, organiser, group_id, "idea", row.id, draft)
    world.run(recommendations.set_agreed, world.db, organiser, rec, True)
    return int(rec)


def shared_workshop(world: World, groups: int = 2) -> WorkshopView:
    return world.workshop(world.organiser(), groups=groups)


@contextlib.contextmanager
def live(person: Person, group_id: int, audience: str = "participant") -> Iterator[Socket]:
    """An open group socket, past its first board."""
    with connect(person, group_id, audience) as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        yield sock


def handshake_refused(
    person: Person, group_id: int, audience: str = "participant", origin: str | None = None
) -> int:
    """Open a group socket that must be refused before accept; return the close code."""
    headers = {"origin": origin} if origin else {}
    url = f"/ws/groups/{group_id}?as={audience}"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        person.http.websocket_connect(url, headers=headers),
    ):
        pass
    return refused.value.code
