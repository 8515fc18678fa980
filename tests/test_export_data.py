"""JSON export and import: the round trip loses nothing; Pol.is files follow Pol.is's columns."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlmodel import select

from facilitator.domain import audit
from facilitator.domain.actors import Staff
from facilitator.domain.archive_rules import BadArchive
from facilitator.domain.restore import restore
from facilitator.export import data
from facilitator.export.formats import render
from facilitator.group_settings import GroupSettings
from facilitator.models import Event, Group, IdeaRevision, Role
from facilitator.store import events
from facilitator.store.database import Database
from tests.support import all_rows
from tests.workshop_factory import build, db, fresh_db, snapshot, staff

__all__ = ["db"]


def normalised(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with ids renumbered in order of appearance, and export times dropped."""
    doc = {k: v for k, v in doc.items() if k not in ("taken_at",)}
    maps: dict[str, dict[int, int]] = {}

    def renumber(kind: str, rows: list[dict[str, Any]]) -> None:
        maps[kind] = {r["id"]: n for n, r in enumerate(rows, 1)}
        for r in rows:
            r["id"] = maps[kind][r["id"]]

    renumber("workshop", [doc["workshop"]])
    for kind in ("groups", "participants", "clusters", "ideas", "votes", "recommendations"):
        renumber(kind, doc[kind])
    group, idea, cluster = maps["groups"], maps["ideas"], maps["clusters"]
    people = maps["participants"]
    for p in doc["participants"]:
        p["group_id"] = group.get(p["group_id"])
    for c in doc["clusters"]:
        c["group_id"] = group[c["group_id"]]
    for i in doc["ideas"]:
        i["group_id"] = group[i["group_id"]]
        i["participant_id"] = people.get(i["participant_id"])
        i["cluster_id"] = cluster.get(i["cluster_id"])
        i["merged_into"] = idea.get(i["merged_into"])
    targets = {"idea": idea, "cluster": cluster}
    for v in doc["votes"]:
        v["group_id"], v["voter"] = group[v["group_id"]], people[v["voter"]]
        v["target_id"] = targets[v["target"]][v["target_id"]]
    for r in doc["recommendations"]:
        r["group_id"] = group[r["group_id"]]
        for src in r["sources"]:
            src["target_id"] = targets[src["target"]][src["target_id"]]
    for p in doc["supports"]:
        p["idea_id"], p["participant_id"] = idea[p["idea_id"]], people[p["participant_id"]]
    renumber("final_recommendations", doc["final_recommendations"])
    for f in doc["final_recommendations"]:
        f["recommendation_ids"] = [maps["recommendations"][r] for r in f["recommendation_ids"]]
    for e in doc["events"]:
        if e["channel"].startswith("group:"):
            e["channel"] = f"group:{group[int(e['channel'][6:])]}"
        if e["actor"].startswith("participant:"):
            e["actor"] = f"participant:{people[int(e['actor'][12:])]}"
    return doc


def as_imported(doc: dict[str, Any]) -> dict[str, Any]:
    """Who did what, as an import records it: imported participants stay participants;
    staff become placeholders, never accounts of the importing instance."""

    def placeholder(ref: str) -> str:
        return ref if ref.startswith("participant:") else f"imported:{ref}"[:40]

    for r in doc["recommendations"]:
        r["created_by"] = None
    for i in doc["ideas"]:
        i["author_email"] = None
        for rev in i["revisions"]:
            rev["edited_by"] = placeholder(rev["edited_by"])
    for e in doc["events"]:
        e["actor"] = placeholder(e["actor"])
    return doc


def test_the_json_round_trip_gives_an_identical_workshop(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    built = build(db, ["Hardware keys for admins"])
    first = data.to_json(snapshot(db, built.workshop_id, include_names=True))
    doc = orjson.loads(first)
    assert doc["schema"] == "facilitator.workshop/1"
    assert len(doc["groups"]) == 2 and len(doc["events"]) > 20
    assert {i["status"] for i in doc["ideas"]} >= {"visible", "hidden", "merged"}
    assert len(doc["supports"]) == 2  # phones' "+1 that instead of sending mine"

    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        # The other instance has the staff accounts, so their links come back too.
        asyncio.run(staff(other, "fred@example.org", Role.facilitator, "Fred"))
        asyncio.run(staff(other, "olivia@example.org", Role.organiser, "Olivia"))
        wid = other.write_sync(lambda s: restore(s, data.from_json(first)))
        second = data.to_json(snapshot(other, wid, include_names=True))
    finally:
        other.close()
    assert normalised(orjson.loads(second)) == normalised(as_imported(doc))


def test_imported_channels_run_on_without_a_gap(
    db: Database, tmp_path: Path, migrated_db: Path
) -> None:
    built = build(db)
    snap = snapshot(db, built.workshop_id)
    other = fresh_db(tmp_path, migrated_db, "other.db")
    try:
        wid = other.write_sync(lambda s: restore(s, snap))
        copy = snapshot(other, wid)
        gid = copy.groups[0].id
        seqs = [e.seq for e in copy.events if e.channel == f"group:{gid}"]
        assert seqs == list(range(1, len(seqs) + 1))
        head = other.read_sync(lambda s: events.head(s, events.group_channel(gid)))
        assert head.seq == seqs[-1]
    finally:
        other.close()


def test_a_bad_json_file_is_refused_with_where_it_went_wrong(db: Database) -> None:
    built = build(db)
    doc = orjson.loads(data.to_json(snapshot(db, built.workshop_id)))
    with pytest.raises(data.BadDocument, match="schema"):
        data.from_json(orjson.dumps({**doc, "schema": "facilitator.workshop/99"}))
    doc["ideas"][0]["created_at"] = "yesterday"
    with pytest.raises(data.BadDocument, match=r"ideas\.0\.created_at"):
        data.from_json(orjson.dumps(doc))
    with pytest.raises(data.BadDocument, match="not JSON"):
        data.from_json(b"{")


def test_names_are_left_out_unless_asked_for(db: Database) -> None:
    built = build(db)
    anonymous = data.to_json(snapshot(db, built.workshop_id))
    named = data.to_json(snapshot(db, built.workshop_id, include_names=True))
    assert b"Ada" not in anonymous
    assert b"Ada" in named


def read_zip_csv(blob: bytes, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return list(csv.DictReader(io.StringIO(z.read(name).decode())))


def test_polis_files_map_dots_to_agree_votes(db: Database) -> None:
    built = build(db)
    snap = snapshot(db, built.workshop_id)
    blob = render(snap, "polis")
    comments = read_zip_csv(blob, "comments.csv")
    votes = read_zip_csv(blob, "votes.csv")
    assert list(comments[0]) == [
        "timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated",
        "comment-body",
    ]  # fmt: skip
    assert list(votes[0]) == ["timestamp", "datetime", "comment-id", "voter-id", "vote"]
    bodies = {c["comment-body"]: c for c in comments}
    assert "This one is off topic and gets hidden" not in bodies  # hidden: only in the audit log
    # Ada's two dots on the theme are one agree on each of its two ideas; Bob's dot is one.
    assert bodies["Train staff with realistic tests"]["agrees"] == "1"
    assert bodies["Run phishing drills every quarter"]["agrees"] == "1"
    assert bodies["A single button to report suspicious mail"]["agrees"] == "1"
    assert {v["vote"] for v in votes} == {"1"} and len(votes) == 3
    assert all(c["moderated"] == "1" for c in comments)


# Written by `facilitator` before a group's settings were one object (6e1ea32): the settings
# are flat keys of each group. Cut to one group with one idea; the shape is as written.
BEFORE_GROUP_SETTINGS = """{
  "schema": "facilitator.workshop/1",
  "workshop": {"id": 7, "title": "Cyber day", "date": "2026-11-27", "description": "",
               "code": "WKSP7777", "organisers": [], "created_at": "2026-11-27T08:00:00Z",
               "language": "en"},
  "groups": [
    {"id": 3, "name": "Phishing", "prompt": "How do we stop phishing?", "description": "",
     "code": "GRP33333", "phase": "vote", "position": 0, "private_mode": true,
     "ideas_revealed": true, "premoderation": false, "vote_budget": 4, "vote_cap": 2,
     "votes_revealed": false, "lock_on_timer": true, "writing_locked": false,
     "timer_ends_at": null, "facilitators": [], "created_at": "2026-11-27T08:00:00Z"}
  ],
  "ideas": [
    {"id": 11, "group_id": 3, "participant_id": null, "author_email": null,
     "author_name": "", "client_key": "key-00011", "text": "Report buttons in mail",
     "status": "visible", "cluster_id": null, "position": 0, "merged_into": null,
     "hidden_reason": "", "edited_by_facilitator": false,
     "created_at": "2026-11-27T09:00:00Z", "updated_at": "2026-11-27T09:00:00Z",
     "revisions": []}
  ],
  "clusters": [], "votes": [], "recommendations": [], "participants": [], "events": [],
  "taken_at": "2026-11-27T12:00:00Z", "include_names": false, "final_recommendations": []
}"""


def test_an_archive_from_before_group_settings_imports_with_its_settings(db: Database) -> None:
    snap = data.from_json(BEFORE_GROUP_SETTINGS)
    expected = GroupSettings(
        private_mode=True, premoderation=False, vote_budget=4, vote_cap=2, lock_on_timer=True
    )
    assert snap.groups[0].settings == expected
    wid = db.write_sync(lambda s: restore(s, snap))
    again = snapshot(db, wid)
    row = again.groups[0]
    assert (row.settings, row.phase, row.ideas_revealed) == (expected, "vote", True)
    # And it is written back in the same shape: the schema only gained optional keys
    # (rounds, which a file without them reads as none).
    old = orjson.loads(BEFORE_GROUP_SETTINGS)["groups"][0]
    new = orjson.loads(data.to_json(again))["groups"][0]
    assert new.keys() - {"round_id", "carry_from"} == old.keys()
    assert {k: new[k] for k in GroupSettings.names()} == {k: old[k] for k in GroupSettings.names()}


def test_an_archive_with_settings_out_of_bounds_is_refused() -> None:
    doc = orjson.loads(BEFORE_GROUP_SETTINGS)
    doc["groups"][0]["vote_cap"] = 5  # more than its 4 dots
    with pytest.raises(data.BadDocument, match=r"groups\.0\.settings: .*cap per item"):
        data.from_json(orjson.dumps(doc))


# -- archives made to attack ----------------------------------------------------------------


@pytest.fixture
def archive(db: Database) -> dict[str, Any]:
    """A whole workshop as its JSON archive, to edit the way an attacker would."""
    built = build(db, ["Hardware keys for admins"])
    return orjson.loads(data.to_json(snapshot(db, built.workshop_id, include_names=True)))  # type: ignore[no-any-return]


@pytest.fixture
def here(tmp_path: Path, migrated_db: Path) -> Iterator[Database]:
    """The instance that imports: it has an organiser of its own, olivia."""
    database = fresh_db(tmp_path, migrated_db, "here.db")
    asyncio.run(staff(database, "olivia@example.org", Role.organiser, "Olivia Here"))
    yield database
    database.close()


def imported(here: Database, doc: dict[str, Any]) -> int:
    raw = json.dumps(doc).encode()  # the standard library writes any integer, 2**70 too
    return here.write_sync(lambda s: restore(s, data.from_json(raw)))  # type: ignore[no-any-return]


def table_counts(db: Database) -> dict[str, int]:
    return db.read_sync(lambda s: {name: len(rows) for name, rows in all_rows(s).items()})


def test_an_archive_never_makes_a_local_account_the_actor(
    here: Database, archive: dict[str, Any]
) -> None:
    archive["events"][0]["actor"] = "user:1"  # olivia's id here
    archive["events"][1]["actor"] = "user:100000000000000000000"
    revision = {"text": "x", "edited_by": "staff:olivia@example.org", "note": ""}
    archive["ideas"][0]["revisions"] = [{**revision, "at": "2026-11-27T10:00:00Z"}]
    wid = imported(here, archive)
    actors = here.read_sync(lambda s: [e.actor for e in s.exec(select(Event)).all()])
    edited = here.read_sync(lambda s: [r.edited_by for r in s.exec(select(IdeaRevision)).all()])
    assert not [a for a in [*actors, *edited] if a.startswith("user:")]
    assert "imported:staff:olivia@example.org" in actors and "imported:user:1" in actors
    # The audit trail names no one of this instance, and reads every actor without failing
    # (olivia organises the copy: the file lists her email, and she has an account here).
    olivia = Staff(1, Role.organiser, "olivia@example.org", "Olivia Here")
    gid = here.read_sync(lambda s: s.exec(select(Group.id).where(Group.workshop_id == wid)).first())
    trail = asyncio.run(audit.group_trail(here, olivia, gid))
    assert trail and not [e for e in trail if "Olivia Here" in e.who]


def test_an_archive_log_is_numbered_afresh(here: Database, archive: dict[str, Any]) -> None:
    group = [e for e in archive["events"] if e["channel"] == "group:1"]
    group[0]["seq"], group[1]["seq"] = 2**63 - 1, -5
    wid = imported(here, archive)
    gid = snapshot(here, wid).groups[0].id
    seqs = [e.seq for e in snapshot(here, wid).events if e.channel == f"group:{gid}"]
    assert seqs == list(range(1, len(group) + 1))
    assert here.read_sync(lambda s: events.head(s, events.group_channel(gid))).seq == len(group)


BAD_ARCHIVES = {
    "a title of 300 KB": (
        lambda d: d["workshop"].update(title="x" * 300_000),
        "workshop.title: That is 300000 characters; the limit is 200.",
    ),
    "a dangling group id": (
        lambda d: d["ideas"][0].update(group_id=999),
        "ideas[0].group_id: This names 999, which is not in the file.",
    ),
    "an idea in another group's theme": (
        lambda d: d["ideas"][0].update(group_id=d["groups"][1]["id"]),
        "ideas[0].cluster_id: This names",
    ),
    "a control character": (
        lambda d: d["ideas"][1].update(text="bell\x07"),
        "ideas[1].text: That text holds control characters.",
    ),
    "a position past 64 bits": (
        lambda d: d["clusters"][0].update(position=2**63),
        "clusters[0].position: This should be a whole number from 0 to",
    ),
    "a vote for nothing": (
        lambda d: d["votes"][0].update(target_id=12345),
        "votes[0].target_id: This names 12345, which is not in the file.",
    ),
    "a +1 to an idea not in the file": (
        lambda d: d["supports"][0].update(idea_id=4242),
        "supports[0].idea_id: This names 4242, which is not in the file.",
    ),
    "a +1 from a device not in the file": (
        lambda d: d["supports"][0].update(participant_id=4242),
        "supports[0].participant_id: This names 4242, which is not in the file.",
    ),
    "a second +1 from one phone to one idea": (
        lambda d: d["supports"].append(dict(d["supports"][0])),
        "supports[2]: This phone has given that idea its +1 already.",
    ),
    "a +1 to one's own idea": (
        lambda d: d["supports"][0].update(
            participant_id=next(
                i["participant_id"] for i in d["ideas"] if i["id"] == d["supports"][0]["idea_id"]
            )
        ),
        "supports[0]: That idea is yours already.",
    ),
    "an unknown channel": (
        lambda d: d["events"][0].update(channel="group:777"),
        "events[0].channel: This names group:777, which is not in the file.",
    ),
}


def test_an_archive_with_a_vote_budget_out_of_range_is_refused_as_it_is_read(
    here: Database, archive: dict[str, Any]
) -> None:
    """Group settings are checked by GroupSettings as the file is read, before any import."""
    archive["groups"][0]["vote_budget"] = 10**6
    before = table_counts(here)
    with pytest.raises(data.BadDocument) as refused:
        imported(here, archive)
    assert str(refused.value).startswith(
        "groups.0.settings: Each phone can have between 1 and 50 dots."
    ), str(refused.value)
    assert table_counts(here) == before


@pytest.mark.parametrize("case", sorted(BAD_ARCHIVES))
def test_a_bad_archive_names_its_problem_and_imports_nothing(
    here: Database, archive: dict[str, Any], case: str
) -> None:
    change, expected = BAD_ARCHIVES[case]
    change(archive)
    before = table_counts(here)
    with pytest.raises(BadArchive) as refused:
        imported(here, archive)
    assert refused.value.message.startswith(expected), refused.value.message
    assert table_counts(here) == before
