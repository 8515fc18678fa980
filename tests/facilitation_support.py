"""Helpers the Facilitation tests share: a staged group, actors, domain shortcuts, and
socket conversations (commands with their ack or error, regions as last rendered)."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, select

from facilitator.domain import clusters, ideas, participants, phases, votes
from facilitator.domain import recommendations as recs
from facilitator.domain.actors import Participant, Staff
from facilitator.domain.errors import DomainError
from facilitator.domain.workshop_views import GroupView, WorkshopView
from facilitator.models import Group, Idea
from facilitator.models import Participant as ParticipantRow
from facilitator.store import events
from tests.conftest import Person, Socket, World
from tests.support import database_rows, live

LIMIT = 500  # the longest idea the domain shortcuts accept
ONLY_FACILITATORS = "Only this group's facilitators can do that."
Cases = list[tuple[str, dict[str, Any]]]  # commands to try: (type, fields)
TALLY = re.compile(r'id="tally-(?:idea|cluster)-\d+"')


@dataclass
class Stage:
    """A workshop with two groups, run by its organiser (who facilitates both)."""

    world: World
    organiser: Staff
    workshop: WorkshopView

    @property
    def group(self) -> GroupView:
        return self.workshop.groups[0]

    @property
    def other(self) -> GroupView:
        return self.workshop.groups[1]

    def console(self) -> Person:
        """The organiser's browser, logged in."""
        return self.world.logged_in(self.organiser)

    def facilitator_of(self, group: GroupView, email: str, name: str) -> Staff:
        """A facilitator assigned to this one group only."""
        staff = self.world.staff(email, name=name)
        self.world.appoint(self.organiser, group.id, staff)
        return staff


def stage(world: World) -> Stage:
    organiser = world.organiser()
    return Stage(world, organiser, world.workshop(organiser, groups=2))


# -- actors and domain shortcuts -----------------------------------------------------------


def member(world: World, group: GroupView) -> Participant:
    """A participant of the group without a browser (for commands run directly)."""
    return world.run(participants.join_group, world.db, uuid.uuid4().hex, group.id)  # type: ignore[no-any-return]


def phone(world: World, group: GroupView) -> tuple[Person, Participant]:
    """A phone that joined the group, with the participant it became."""
    person = world.phone(group.code)
    row = world.read(
        lambda s: s.exec(select(ParticipantRow).order_by(col(ParticipantRow.id).desc())).first()
    )
    assert row is not None and row.id is not None and row.group_id == group.id
    return person, Participant(row.id, row.workshop_id, row.group_id, row.display_name)


def new_key() -> str:
    return uuid.uuid4().hex


def add_idea(world: World, actor: Participant | Staff, group: GroupView, text: str) -> int:
    receipt = world.run(ideas.submit_idea, world.db, actor, group.id, new_key(), text, LIMIT)
    return receipt.idea_id  # type: ignore[no-any-return]


def add_cluster(world: World, staff: Staff, group: GroupView, name: str, *idea_ids: int) -> int:
    cluster_id: int = world.run(clusters.create_cluster, world.db, staff, group.id, name)
    for idea_id in idea_ids:
        world.run(clusters.move_idea, world.db, staff, idea_id, cluster_id)
    return cluster_id


def go_to(world: World, staff: Staff, group: GroupView, phase: str) -> None:
    world.run(phases.set_phase, world.db, staff, group.id, phase)


def dots(
    world: World, voter: Participant, group: GroupView, target: str, ident: int, n: int
) -> None:
    for _ in range(n):
        world.run(votes.cast_vote, world.db, voter, group.id, target, ident)


def promote(world: World, staff: Staff, group: GroupView, kind: str, ident: int, title: str) -> int:
    draft = recs.check_draft(title, "", "")
    return world.run(recs.promote, world.db, staff, group.id, kind, ident, draft)  # type: ignore[no-any-return]


def group_row(world: World, group: GroupView) -> Group:
    row = world.read(lambda s: s.get(Group, group.id))
    assert row is not None
    return row


def idea_row(world: World, idea_id: int) -> Idea:
    row = world.read(lambda s: s.get(Idea, idea_id))
    assert row is not None
    return row


def refused(world: World, message: str, fn: Callable[..., Any], *args: Any) -> DomainError:
    """Running the command is refused with this message, and no row changes."""
    before = database_rows(world)
    with pytest.raises(DomainError) as caught:
        world.run(fn, *args)
    assert message in caught.value.message, caught.value.message
    unchanged(world, before)
    return caught.value


def unchanged(world: World, before: dict[str, list[tuple[Any, ...]]]) -> None:
    """No row changed since `before` (from tests.support.database_rows); else say where."""
    after = database_rows(world)
    changed = {
        table: {
            "gone": sorted(set(rows) - set(after[table])),
            "new": sorted(set(after[table]) - set(rows)),
        }
        for table, rows in before.items()
        if after[table] != rows
    }
    assert not changed, f"refused, yet rows changed: {changed}"


# -- sockets -------------------------------------------------------------------------------


@contextlib.contextmanager
def opened(person: Person, group: GroupView, audience: str = "participant") -> Iterator[Socket]:
    """A group socket past its first board and its greeting."""
    with live(person, group.id, audience) as sock:
        flush(sock)
        yield sock


def flush(sock: Socket) -> None:
    """Every frame the server queued for this socket before now has been read."""
    sock.send({"type": "ping"})
    sock.until_type("pong")


def head(world: World, group: GroupView) -> int:
    channel = events.group_channel(group.id)
    return world.read(lambda s: events.head(s, channel).seq)  # type: ignore[no-any-return]


def settle(world: World, group: GroupView, *socks: Socket) -> None:
    """Each socket has read every event of the group so far, and its personal frames."""
    seq = head(world, group)
    for sock in socks:
        if sock.seq is None or sock.seq < seq:
            sock.until_seq(seq)
        flush(sock)


def reply(sock: Socket, kind: str, **fields: Any) -> dict[str, Any]:
    """Send one command; return its ack or error frame (frames before it are kept)."""
    key = str(fields.pop("key", new_key()))  # a submission's key is also its id
    sock.send({"type": kind, "key": key, **fields})
    return answer_to(sock, key)


def answer_to(sock: Socket, key: str) -> dict[str, Any]:
    """The ack or error frame that answers the message sent with this key."""
    return sock.until(lambda f: f["type"] in ("ack", "error") and f.get("key") == key)


def ack(sock: Socket, kind: str, **fields: Any) -> dict[str, Any]:
    answer = reply(sock, kind, **fields)
    assert answer["type"] == "ack", answer
    return answer


def refused_live(
    world: World, sock: Socket, message: str, kind: str, **fields: Any
) -> dict[str, Any]:
    """The command sent on the socket is answered with an error frame with this message,
    and no row changes."""
    before = database_rows(world)
    answer = reply(sock, kind, **fields)
    assert answer["type"] == "error", answer
    assert message in answer["message"], answer
    unchanged(world, before)
    return answer


def region(sock: Socket, target: str) -> str:
    """The latest markup the socket was given for a region (by a reset or a patch)."""
    for frame in reversed(sock.frames):
        if frame["type"] in ("reset", "patch"):
            for _op, name, html in reversed(frame["ops"]):
                if name == target:
                    return str(html)
    raise AssertionError(f"no {target} region was sent")


def everything(sock: Socket, since: int = 0) -> str:
    """All that reached a socket (from frame `since` on) as one text to search: markup as
    sent (not JSON-escaped), then each frame's other fields."""
    parts: list[str] = []
    for f in sock.frames[since:]:
        parts.extend(str(html) for _op, _target, html in f.get("ops", []))
        rest = {k: v for k, v in f.items() if k != "ops"}
        parts.append(json.dumps(rest, ensure_ascii=False))
    return "\n".join(parts)


def own_frames(sock: Socket, since: int = 0) -> list[dict[str, Any]]:
    return [f for f in sock.frames[since:] if f["type"] == "own"]


def card_cluster(workspace: str, idea_id: int) -> int | None:
    """The theme a facilitator's workspace shows an idea in (None: not in a theme)."""
    match = re.search(rf'id="idea-{idea_id}"[^>]*data-cluster="(\d*)"', workspace)
    assert match, f"idea {idea_id} is not in the workspace"
    return int(match.group(1)) if match.group(1) else None


def ops_since(sock: Socket, since: int) -> list[list[str]]:
    """The swap ops of the live patches a socket got from frame `since` on."""
    return [op for f in sock.frames[since:] if f["type"] == "patch" for op in f["ops"]]


def queue_card(workspace: str, text: str) -> str | None:
    """The id of the approval-queue card that shows this text (None: not in the queue)."""
    for match in re.finditer(r"<li ([^>]*pending-card[^>]*)>(.*?)</li>", workspace, re.S):
        if text in match.group(2):
            ident = re.search(r'id="([^"]+)"', match.group(1))
            return ident.group(1) if ident else ""
    return None
