"""Synthesis: final recommendations from every group's, with provenance both ways."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from facilitator.domain import moderation, recommendations, synthesis
from facilitator.domain.errors import Forbidden, Invalid
from facilitator.models import Recommendation, Scope
from tests.conftest import World
from tests.facilitation_support import add_cluster, add_idea, dots, go_to, member, stage


def finals(s: Session) -> list[Recommendation]:
    return list(s.exec(select(Recommendation).where(Recommendation.scope == Scope.workshop)))


def promote(world: World, staff: object, group: object, kind: str, ident: int, title: str) -> int:
    draft = recommendations.check_draft(title, "", "")
    return world.run(recommendations.promote, world.db, staff, group.id, kind, ident, draft)  # type: ignore[attr-defined,no-any-return]


def test_finals_merge_group_recommendations_and_trace_them_both_ways(world: World) -> None:
    st = stage(world)
    org, a, b = st.organiser, st.group, st.other
    alice, bob = member(world, a), member(world, b)
    twin = add_idea(world, alice, a, "Twin CERTs across the region")
    dup = add_idea(world, alice, a, "twinning of CERTs")
    grants = add_idea(world, bob, b, "Multi-year grants for incident responders")
    world.run(moderation.merge_ideas, world.db, org, dup, twin)  # provenance after a merge
    theme = add_cluster(world, org, a, "CERT partnerships", twin)
    go_to(world, org, a, "vote")
    go_to(world, org, b, "vote")
    dots(world, alice, a, "cluster", theme, 3)
    dots(world, bob, b, "idea", grants, 2)
    rec_a = promote(world, org, a, "cluster", theme, "Build CERT partnerships")
    rec_b = promote(world, org, b, "idea", grants, "Fund responders for years, not months")

    draft = recommendations.check_draft("Long-term CERT support", "Fund it for years.", "Both")
    final_id = world.run(
        recommendations.synthesise, world.db, org, st.workshop.id, draft, [rec_a, rec_b]
    )
    board = world.run(synthesis.board, world.db, org, st.workshop.id)
    (final,) = board.finals
    assert final.id == final_id and final.groups == sorted([a.name, b.name])
    assert final.votes == 5
    by_id = {r.id: r for r in final.sources}
    (theme_trace,) = by_id[rec_a].sources
    assert theme_trace.label == "CERT partnerships" and theme_trace.votes == 3
    assert theme_trace.ideas == ["Twin CERTs across the region"]
    (idea_trace,) = by_id[rec_b].sources
    assert idea_trace.ideas == ["Multi-year grants for incident responders"]
    # And up again: each group recommendation knows the final one it feeds.
    assert all(r.finals == [final_id] for r in board.recommendations)

    # The merged duplicate is part of the idea's trace when the idea is the source.
    rec_twin = promote(world, org, a, "idea", twin, "Twin CERTs")
    world.run(recommendations.add_source, world.db, org, final_id, rec_twin)
    board = world.run(synthesis.board, world.db, org, st.workshop.id)
    twin_trace = next(r for r in board.finals[0].sources if r.id == rec_twin).sources[0]
    assert twin_trace.ideas == ["Twin CERTs across the region", "twinning of CERTs"]


def test_final_recommendations_are_edited_ordered_marked_and_keep_a_source(world: World) -> None:
    st = stage(world)
    org = st.organiser
    person = member(world, st.group)
    first = promote(world, org, st.group, "idea", add_idea(world, person, st.group, "One"), "One")
    second = promote(world, org, st.group, "idea", add_idea(world, person, st.group, "Two"), "Two")
    draft = recommendations.check_draft
    f1 = world.run(
        recommendations.synthesise, world.db, org, st.workshop.id, draft("A", "", ""), [first]
    )
    f2 = world.run(
        recommendations.synthesise, world.db, org, st.workshop.id, draft("B", "", ""), [second]
    )
    world.run(recommendations.move, world.db, org, f2, "up")
    world.run(recommendations.set_agreed, world.db, org, f1, True)
    world.run(recommendations.edit, world.db, org, f1, draft("A, rewritten", "Text", "Why"))
    board = world.run(synthesis.board, world.db, org, st.workshop.id)
    assert [(f.title, f.final) for f in board.finals] == [("B", False), ("A, rewritten", True)]
    with pytest.raises(Invalid, match="at least one source"):
        world.run(recommendations.remove_source, world.db, org, f1, first)
    with pytest.raises(Invalid, match="at least one group recommendation"):
        world.run(recommendations.synthesise, world.db, org, st.workshop.id, draft("C", "", ""), [])
    world.run(recommendations.delete, world.db, org, f2)
    titles = world.read(
        lambda s: [
            f.title
            for f in s.exec(
                select(Recommendation).where(Recommendation.scope == Scope.workshop)
            ).all()
        ]
    )
    assert titles == ["A, rewritten"]


def test_synthesis_is_for_this_workshops_organisers_only(world: World) -> None:
    st = stage(world)
    person = member(world, st.group)
    rec = promote(
        world, st.organiser, st.group, "idea", add_idea(world, person, st.group, "X"), "X"
    )
    stranger = world.staff("someone@example.org")
    draft = recommendations.check_draft("Mine", "", "")
    with pytest.raises(Forbidden):
        world.run(recommendations.synthesise, world.db, stranger, st.workshop.id, draft, [rec])
    other_org = world.organiser("other@example.org")
    elsewhere = world.workshop(other_org)
    with pytest.raises(Exception, match="not in this workshop"):
        world.run(recommendations.synthesise, world.db, other_org, elsewhere.id, draft, [rec])
    assert (
        world.read(
            lambda s: s.exec(
                select(Recommendation).where(Recommendation.scope == Scope.workshop)
            ).all()
        )
        == []
    )


def test_the_synthesis_page_suggests_near_duplicates_across_groups(world: World) -> None:
    st = stage(world)
    org = st.organiser
    a, b = member(world, st.group), member(world, st.other)
    first = add_idea(world, a, st.group, "Multi-year funding for national CERTs")
    second = add_idea(world, b, st.other, "Multi-year funding for CERTs in partner countries")
    promote(world, org, st.group, "idea", first, "Multi-year funding for national CERTs")
    title = "Multi-year funding for CERTs in partner countries"
    promote(world, org, st.other, "idea", second, title)
    office = st.console()
    url = f"/organiser/workshops/{st.workshop.id}/synthesis"
    page = office.get(url).text
    assert "These look alike" in page
    pair = re.search(r'name="rec" value="(\d+),(\d+)"', page)
    assert pair is not None
    done = office.post(url, {"action": "merge_pair", "rec": f"{pair[1]},{pair[2]}", "title": ""})
    assert done.status_code == 303
    (final,) = world.read(lambda s: finals(s))
    assert final.title == "Multi-year funding for national CERTs"
    assert "These look alike" not in office.get(url).text  # merged pairs are not offered again


def test_a_group_recommendation_links_to_the_number_of_its_final_one(world: World) -> None:
    """Found trying it out: the second final's source said "In final: #1"."""
    st = stage(world)
    org = st.organiser
    alice = member(world, st.group)
    ideas = [add_idea(world, alice, st.group, text) for text in ("Twin CERTs", "Train judges")]
    recs = [promote(world, org, st.group, "idea", i, f"Rec {i}") for i in ideas]
    finals = []
    for rec in recs:
        draft = recommendations.check_draft(f"Final for {rec}", "", "")
        finals.append(
            world.run(recommendations.synthesise, world.db, org, st.workshop.id, draft, [rec])
        )
    page = st.console().get(f"/organiser/workshops/{st.workshop.id}/synthesis").text
    assert f'<a href="#final-{finals[0]}">#1</a>' in page
    assert f'<a href="#final-{finals[1]}">#2</a>' in page


def test_a_final_made_from_one_group_recommendation_starts_as_its_copy(world: World) -> None:
    """Issue #22, defect 5: the final kept the title only, so the report showed no body."""
    st = stage(world)
    org = st.organiser
    alice = member(world, st.group)
    idea = add_idea(world, alice, st.group, "Twin each national CERT with a mentor team")
    draft = recommendations.check_draft(
        "Twin CERTs", "Pair each CERT with a mentor team for three years.", "Most dots."
    )
    one = world.run(recommendations.promote, world.db, org, st.group.id, "idea", idea, draft)
    two = promote(world, org, st.group, "idea", idea, "Mentor teams")
    office = st.console()
    url = f"/organiser/workshops/{st.workshop.id}/synthesis"
    assert office.post(url, {"action": "create", "rec": str(one), "title": ""}).status_code == 303
    retitled = {"action": "create", "rec": str(one), "title": "Mentor every CERT"}
    assert office.post(url, retitled).status_code == 303
    # Several sources need a person to write their synthesis: only the first title is taken.
    assert office.post(url, {"action": "create", "rec": [str(two), str(one)]}).status_code == 303
    made = [(f.title, f.text, f.rationale) for f in world.read(finals)]
    body = ("Pair each CERT with a mentor team for three years.", "Most dots.")
    assert made == [("Twin CERTs", *body), ("Mentor every CERT", *body), ("Mentor teams", "", "")]
