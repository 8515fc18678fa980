"""Suggested themes are previewed and only a person's acceptance applies them; the duplicate
hint shows phones similar ideas already on the board."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from facilitator.clustering import multilingual
from facilitator.domain import suggestions
from facilitator.models import Cluster, Idea
from tests.conftest import Socket, World, connect
from tests.facilitation_support import add_idea, member, stage

BOARD = [
    "Fund CERT training for incident responders",
    "Train CERT staff in incident response",
    "More incident response training for national CERTs",
    "Scholarships for women in cyber security",
    "Cyber security scholarships for young women",
    "Mentoring women who start cyber careers",
]


def test_suggestions_are_a_preview_until_accepted(world: World) -> None:
    st = stage(world)
    person = member(world, st.group)
    ids = [add_idea(world, person, st.group, text) for text in BOARD]
    console = st.console()
    preview = console.get(f"/facilitator/groups/{st.group.id}/suggestions")
    assert preview.status_code == 200
    proposals = re.findall(r'data-ideas="([\d,]+)"', preview.text)
    names = re.findall(r'name="name" value="([^"]*)"', preview.text)
    assert len(proposals) >= 2 and len(names) == len(proposals)
    grouped = [sorted(int(i) for i in p.split(",")) for p in proposals]
    assert sorted(ids[:3]) in grouped and sorted(ids[3:5]) in [g[:2] for g in grouped]
    assert world.read(lambda s: s.exec(select(Cluster)).all()) == []  # nothing applied yet
    assert "meaning, in any language" in preview.text  # the engine, named in words

    with connect(console, st.group.id, "facilitator") as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        first = [int(i) for i in proposals[0].split(",")]
        sock.send(
            {
                "type": "accept_suggestions",
                "key": "accept-00001",
                "suggestions": [{"name": "Response training", "ideas": first}],
            }
        )
        assert sock.until_type("ack", key="accept-00001")["clusters"]
    (cluster,) = world.read(lambda s: s.exec(select(Cluster)).all())
    assert cluster.name == "Response training"
    placed = world.read(
        lambda s: sorted(i.id for i in s.exec(select(Idea).where(Idea.cluster_id == cluster.id)))
    )
    assert placed == sorted(first)


def test_the_duplicate_hint_shows_similar_ideas_to_a_phone(world: World) -> None:
    st = stage(world)
    person = member(world, st.group)
    for text in BOARD:
        add_idea(world, person, st.group, text)
    phone = world.phone(st.group.code)
    hint = phone.get(f"/j/{st.group.code}/similar", params={"text": "scholarships for women"})
    assert hint.status_code == 200
    assert "Similar ideas already here" in hint.text and "Scholarships for women" in hint.text
    nothing = phone.get(f"/j/{st.group.code}/similar", params={"text": "water utilities"})
    assert "Similar ideas" not in nothing.text
    # A phone of another group cannot read this group's ideas through the hint.
    stranger = world.phone(st.other.code)
    refused = stranger.get(
        f"/j/{st.group.code}/similar", params={"text": "scholarships for women in cyber"}
    )
    assert refused.status_code == 403 and "Scholarships for women" not in refused.text


def test_new_ideas_get_vectors_in_the_background_only_in_groups_that_use_hints(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Groups of earlier tests in this process may have had the same ids.
    monkeypatch.setattr(suggestions, "_in_use", set())
    st = stage(world)
    person, stranger = member(world, st.group), member(world, st.other)
    multilingual.clear_cache()
    phone = world.phone(st.group.code)
    # The hint marks the group as using the engine; the other group never asks.
    assert phone.get(
        f"/j/{st.group.code}/similar", params={"text": "a first draft idea"}
    ).is_success
    add_idea(world, person, st.group, "A repair café every Saturday")
    add_idea(world, stranger, st.other, "Solar panels on the town hall roof")
    assert multilingual.wait_warm(timeout=120)
    assert list(multilingual.cached(["A repair café every Saturday"])) == [
        "A repair café every Saturday"
    ]
    assert multilingual.cached(["Solar panels on the town hall roof"]) == {}
