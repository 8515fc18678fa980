"""A workshop with something of every kind in it, each text carrying a marker: for access
tests (the marker is a secret that must not leak) and stored-XSS tests (a hostile text)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from facilitator.domain import (
    broadcast,
    moderation,
    participants,
    phases,
    plenary,
    votes,
    workshop_views,
    workshops,
)
from facilitator.domain import recommendations as recs
from facilitator.domain.actors import Participant, Staff
from facilitator.domain.workshop_views import GroupView, WorkshopView
from facilitator.domain.workshops import GroupDraft
from facilitator.models import Role
from tests.conftest import Person, World
from tests.facilitation_support import add_cluster, add_idea, member, promote


@dataclass
class Site:
    """Workshop with two groups; group 0 has been through every phase, group 1 has ideas."""

    organiser: Staff
    facilitator: Staff  # of group 0 only
    workshop: WorkshopView
    participant: Participant  # in group 0
    idea_id: int
    hidden_id: int
    cluster_id: int
    rec_id: int
    final_id: int
    other_idea_id: int  # in group 1

    @property
    def group(self) -> GroupView:
        return self.workshop.groups[0]

    @property
    def other(self) -> GroupView:
        return self.workshop.groups[1]


def populate(world: World, tag: str, marker: str) -> Site:
    """Everything a workshop can hold, each text made with `marker` (at most 50 characters).

    `tag` keeps the accounts of two sites apart."""
    organiser = world.staff(f"organiser-{tag}@example.org", Role.organiser, f"{marker} org")
    drafts = [
        GroupDraft(f"{marker} group", f"{marker} question?", f"{marker} about"),
        GroupDraft(f"{marker} other group", f"{marker} other question?"),
    ]
    workshop_id = world.run(
        workshops.create_workshop,
        world.db,
        organiser,
        f"{marker} workshop",
        "2026-11-27",
        f"{marker} description",
        drafts,
    )
    workshop = world.read(lambda s: workshop_views.workshop_view(s, workshop_id))
    group, other = workshop.groups
    facilitator = world.staff(f"facilitator-{tag}@example.org", name=f"{marker} facilitator")
    world.appoint(organiser, group.id, facilitator)

    who = member(world, group)
    who = world.run(participants.set_display_name, world.db, who, f"{marker} name", 60)
    idea_id = add_idea(world, who, group, f"{marker} idea")
    hidden_id = add_idea(world, who, group, f"{marker} hidden idea")
    world.run(moderation.hide_idea, world.db, facilitator, hidden_id, f"{marker} reason")
    world.run(moderation.edit_idea, world.db, facilitator, idea_id, f"{marker} edited", marker, 500)
    other_idea_id = add_idea(world, member(world, other), other, f"{marker} other idea")

    world.run(phases.set_phase, world.db, facilitator, group.id, "cluster")
    cluster_id = add_cluster(world, facilitator, group, f"{marker} theme", idea_id)
    world.run(phases.set_phase, world.db, facilitator, group.id, "vote")
    world.run(votes.cast_vote, world.db, who, group.id, "cluster", cluster_id)
    world.run(phases.set_phase, world.db, facilitator, group.id, "recommend")
    rec_id = promote(world, facilitator, group, "cluster", cluster_id, f"{marker} rec")
    draft = recs.check_draft(f"{marker} rec", f"{marker} rec text", f"{marker} why")
    world.run(recs.edit, world.db, facilitator, rec_id, draft)
    world.run(recs.set_agreed, world.db, facilitator, rec_id, True)
    final = recs.check_draft(f"{marker} final", f"{marker} final text", f"{marker} final why")
    final_id = world.run(recs.synthesise, world.db, organiser, workshop_id, final, [rec_id])
    world.run(recs.set_agreed, world.db, organiser, final_id, True)
    # A plenary vote on two final recommendations, open, with this phone's ballot.
    second = recs.check_draft(f"{marker} second final", "", "")
    second_id = world.run(recs.synthesise, world.db, organiser, workshop_id, second, [rec_id])
    world.run(recs.set_agreed, world.db, organiser, second_id, True)
    vote = plenary.check_setup("dots", 5, 3, [final_id, second_id])
    world.run(plenary.set_up, world.db, organiser, workshop_id, vote)
    world.run(plenary.open_vote, world.db, organiser, workshop_id, None)
    ballot = {final_id: 2, second_id: 1}
    world.run(plenary.cast_ballot, world.db, who, workshop_id, f"ballot-{tag}-0001", ballot, None)
    world.run(broadcast.announce, world.db, organiser, workshop_id, f"{marker} announcement")
    return Site(
        organiser,
        facilitator,
        workshop,
        who,
        idea_id,
        hidden_id,
        cluster_id,
        rec_id,
        final_id,
        other_idea_id,
    )


def at_once(
    world: World, person: Person, address: str, requests: list[tuple[str, str, dict[str, Any]]]
) -> list[int]:
    """The statuses of `requests` (method, url, form) sent all at once from `address`, with
    `person`'s cookies and CSRF token: all in flight together on the app's own event loop."""
    token, cookies = person.csrf(), dict(person.http.cookies)

    async def send() -> list[int]:
        transport = httpx.ASGITransport(app=world.client.app, client=(address, 40000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies=cookies
        ) as client:
            sent = [
                client.request(method, url, data={"csrf": token, **form} if form else None)
                for method, url, form in requests
            ]
            return [response.status_code for response in await asyncio.gather(*sent)]

    return world.run(send)  # type: ignore[no-any-return]


@dataclass
class Raw:
    status: int
    text: str
    taken: int  # bytes of the request body the app read


def raw_request(
    world: World,
    path: str,
    head: bytes,
    filler: int,
    *,
    headers: dict[str, str] | None = None,
    cookies: str = "",
    disconnect: bool = False,
) -> Raw:
    """A POST straight to the app, its body `head` then `filler` bytes sent in 64 KB chunks
    only as the app asks for them, so the test sees how much of it the app read. With
    `disconnect`, the client goes away before the last chunk."""

    async def send_request() -> Raw:
        chunks = [head, *(b"x" * min(65536, filler - at) for at in range(0, filler, 65536))]
        taken, out, status = 0, [], 0

        async def receive() -> dict[str, Any]:
            nonlocal taken
            if not chunks or (disconnect and len(chunks) == 1):
                return {"type": "http.disconnect"}
            chunk = chunks.pop(0)
            taken += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        pairs = {"host": "testserver", "cookie": cookies, **(headers or {})}
        path_only, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path_only,
            "raw_path": path_only.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(k.encode(), v.encode()) for k, v in pairs.items() if v],
            "client": ("203.0.113.40", 40000),
            "server": ("testserver", 80),
        }
        await world.client.app(scope, receive, send)  # type: ignore[arg-type]
        return Raw(status, b"".join(out).decode(), taken)

    return world.run(send_request)  # type: ignore[no-any-return]
