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


def test_the_preview_says_how_it_grouped_in_the_readers_language(world: World) -> None:
    st = stage(world)
    person = member(world, st.group)
    for text in BOARD:
        add_idea(world, person, st.group, text)
    console = st.console()
    console.post("/language", {"lang": "fr", "next": "/"})
    preview = console.get(f"/facilitator/groups/{st.group.id}/suggestions")
    # The whole sentence is translated, the engine's part too (it once stayed in English).
    assert "Regroupées selon ce que disent les idées, dans toutes les langues." in preview.text
    assert "Rien ne change avant que vous acceptiez" in preview.text
    assert "in any language" not in preview.text


def test_suggestions_are_a_preview_until_accepted(world: World) -> None:
    st = stage(world)
    person = member(world, st.group)
    ids = [add_idea(world, person, st.group, text) for text in BOARD]
    console = st.console()
    preview = console.get(f"/facilitator/groups/{st.group.id}/suggestions")
    assert preview.status_code == 200
    sections = re.findall(
        r'<section class="suggestion" data-suggestion.*?</section>', preview.text, re.S
    )
    proposals = [",".join(re.findall(r'data-idea="(\d+)"', section)) for section in sections]
    names = re.findall(r'name="name" value="([^"]*)"', preview.text)
    assert len(proposals) >= 2 and len(names) == len(proposals)
    grouped = [sorted(int(i) for i in p.split(",")) for p in proposals]
    assert sorted(ids[:3]) in grouped and sorted(ids[3:5]) in [g[:2] for g in grouped]
    assert world.read(lambda s: s.exec(select(Cluster)).all()) == []  # nothing applied yet
    assert "Grouped by what the ideas mean, in any language." in preview.text  # in words

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
    # A code typed as people type it works; a code of no group gets the same refusal as a
    # phone of another group, so the hint tells a guesser nothing.
    code = st.group.code.lower()
    typed = phone.get(f"/j/{code[:4]}-{code[4:]}/similar", params={"text": "scholarships women"})
    assert typed.status_code == 200 and "Scholarships for women" in typed.text
    unknown = phone.get(f"/j/{st.group.code[::-1]}/similar", params={"text": "scholarships"})
    said = "This phone is not in a group yet"
    assert unknown.status_code == 403 and said in unknown.text and said in refused.text


def test_merge_candidates_come_most_alike_first_for_facilitators_only(world: World) -> None:
    st = stage(world)
    person = member(world, st.group)
    ids = [add_idea(world, person, st.group, text) for text in BOARD]
    twin = add_idea(world, person, st.group, "  FUND cert training for incident responders ")
    console = st.console()
    url = f"/facilitator/groups/{st.group.id}/ideas/{ids[0]}/similar"
    ranked = console.get(url).json()
    assert ranked[0]["id"] == twin and ranked[0]["alike"] is True
    assert sorted(r["id"] for r in ranked) == sorted([*ids[1:], twin])  # not itself
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True)
    # Another group's idea, an unknown one, and a phone asking: refused, nothing leaks.
    other_group = f"/facilitator/groups/{st.other.id}/ideas/{ids[0]}/similar"
    assert console.get(other_group).status_code in (403, 404)
    assert console.get(f"/facilitator/groups/{st.group.id}/ideas/999999/similar").status_code == 404
    phone = world.phone(st.group.code)
    refused = phone.get(url, follow_redirects=False)
    assert refused.status_code in (302, 303, 401, 403) and "CERT" not in refused.text


def test_an_accepted_extension_adds_ideas_to_a_theme_already_there(world: World) -> None:
    st = stage(world)
    person = member(world, st.group)
    ids = [add_idea(world, person, st.group, text) for text in BOARD[:3]]
    console = st.console()
    with connect(console, st.group.id, "facilitator") as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        sock.send(
            {"type": "create_cluster", "key": "make-000001", "name": "CERT", "idea_id": ids[0]}
        )
        cluster_id = sock.until_type("ack", key="make-000001")["cluster_id"]
        twin = add_idea(world, person, st.group, BOARD[0].upper())
        preview = console.get(f"/facilitator/groups/{st.group.id}/suggestions").text
        assert f'data-cluster="{cluster_id}"' in preview and "fit" in preview
        fits = re.search(rf'data-cluster="{cluster_id}".*?</section>', preview, re.S)
        assert fits is not None and f'data-idea="{twin}"' in fits.group(0)
        sock.send(
            {
                "type": "accept_suggestions",
                "key": "accept-00002",
                "suggestions": [
                    {"name": "ignored", "ideas": [twin], "cluster": cluster_id},
                    {"name": "Training", "ideas": ids[1:]},
                ],
            }
        )
        made = sock.until_type("ack", key="accept-00002")["clusters"]
    names = world.read(lambda s: sorted(c.name for c in s.exec(select(Cluster)).all()))
    assert names == ["CERT", "Training"] and len(made) == 1  # the theme there kept its name
    placed = world.read(lambda s: {i.id: i.cluster_id for i in s.exec(select(Idea)).all()})
    assert placed[twin] == cluster_id and placed[ids[0]] == cluster_id
    assert placed[ids[1]] == placed[ids[2]] == made[0]
    # A theme of another group cannot be extended through this group.
    other_person = member(world, st.other)
    stranger = add_idea(world, other_person, st.other, "Another group's idea")
    with connect(console, st.group.id, "facilitator") as ws:
        sock = Socket(ws)
        sock.until_type("reset")
        extra = add_idea(world, person, st.group, "Yet another idea")
        sock.send(
            {
                "type": "accept_suggestions",
                "key": "accept-00003",
                "suggestions": [{"name": "x", "ideas": [extra, stranger], "cluster": 999999}],
            }
        )
        assert sock.until_type("error", key="accept-00003")["message"]
    assert world.read(lambda s: s.get(Idea, extra)).cluster_id is None


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
