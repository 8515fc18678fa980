"""The workshop as data: versioned JSON (complete, re-importable) and Pol.is-shaped CSVs.

JSON schema `facilitator.workshop/1` is the snapshot itself, field for field (see
docs/exports.md, "JSON schema"): times are ISO 8601 in UTC, ids are those of the exporting
instance and only link records within the file. It is the one export that holds hidden,
pending and withdrawn ideas, because it is an archive for moving a workshop, not a
publication.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from facilitator.export.safe import csv_bytes
from facilitator.group_settings import GroupSettings
from facilitator.snapshot import Snapshot

SCHEMA = "facilitator.workshop/1"
_ADAPTER = TypeAdapter(Snapshot)


class BadDocument(ValueError):
    """A file that is not a workshop in a schema we read; the message says where."""


# A group's settings are one object in the snapshot but flat keys of the group in the file,
# as they were before that object existed: files from before and after read alike, and the
# schema stays the same.
_SETTINGS = GroupSettings.names()


def _flat(group: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in group.items():
        out |= value if key == "settings" else {key: value}
    return out


def _folded(group: object) -> object:
    if not isinstance(group, dict) or not group.keys() & set(_SETTINGS):
        return group  # no flat settings here: the schema says what, if anything, is wrong
    rest = {k: v for k, v in group.items() if k not in _SETTINGS}
    return rest | {"settings": {k: group[k] for k in _SETTINGS if k in group}}


def to_json(snap: Snapshot) -> bytes:
    body = _ADAPTER.dump_python(snap, mode="json")
    body["groups"] = [_flat(g) for g in body["groups"]]
    return orjson.dumps({"schema": SCHEMA, **body}, option=orjson.OPT_INDENT_2)


def from_json(raw: bytes | str) -> Snapshot:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadDocument(f"This is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else None
        raise BadDocument(f"Expected schema {SCHEMA!r}, found {found!r}.")
    body = {k: v for k, v in doc.items() if k != "schema"}
    if isinstance(body.get("groups"), list):
        body["groups"] = [_folded(g) for g in body["groups"]]
    try:
        return _ADAPTER.validate_python(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problem = first["msg"].removeprefix("Value error, ")  # pydantic's, for our own checks
        raise BadDocument(f"{where}: {problem} ({exc.error_count()} problem(s))") from None


# -- Pol.is ---------------------------------------------------------------------------------
# Pol.is has agree (1), disagree (-1) and pass (0) votes on comments. A dot here is support,
# so each participant's dots on an idea become one agree vote (several dots count once);
# a dot on a theme becomes an agree vote on every published idea in that theme. There is
# no disagree or pass here. `moderated` is 1 for published ideas; hidden ones are left out.


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def polis_votes(snap: Snapshot) -> list[tuple[int, int, int, int]]:
    """(timestamp ms, comment-id, voter-id, vote) with one agree per voter and idea."""
    ideas = {i.id: i for i in snap.published_ideas()}
    members: dict[int, list[int]] = {}
    for i in ideas.values():
        if i.cluster_id is not None and i.status == "visible":
            members.setdefault(i.cluster_id, []).append(i.id)
    first: dict[tuple[int, int], int] = {}
    for v in sorted(snap.votes, key=lambda v: v.created_at):
        targets = [v.target_id] if v.target == "idea" else members.get(v.target_id, [])
        for idea_id in targets:
            if idea_id in ideas:
                first.setdefault((v.voter, idea_id), _ms(v.created_at))
    return sorted((at, idea, voter, 1) for (voter, idea), at in first.items())


def polis_comments(snap: Snapshot) -> bytes:
    agrees: dict[int, int] = {}
    for _, idea, _, _ in polis_votes(snap):
        agrees[idea] = agrees.get(idea, 0) + 1
    rows: list[list[Any]] = [
        [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
        ]
    ]
    for i in snap.published_ideas():
        author = i.participant_id if i.participant_id is not None else 0
        rows.append(
            [
                _ms(i.created_at),
                i.created_at.isoformat(),
                i.id,
                author,
                agrees.get(i.id, 0),
                0,
                1,
                i.text,
            ]
        )
    return csv_bytes(rows)


def polis_votes_csv(snap: Snapshot) -> bytes:
    rows: list[list[Any]] = [["timestamp", "datetime", "comment-id", "voter-id", "vote"]]
    for at, idea, voter, vote in polis_votes(snap):
        rows.append(
            [at, dt.datetime.fromtimestamp(at / 1000, dt.UTC).isoformat(), idea, voter, vote]
        )
    return csv_bytes(rows)
