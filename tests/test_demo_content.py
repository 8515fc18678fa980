from __future__ import annotations

import csv
import io
import unicodedata
from importlib.resources import files

from facilitator.demo import polis, progress
from facilitator.demo.content import demo_workshop
from facilitator.demo.model import DemoGroup, DemoWorkshop
from facilitator.models import Phase

POLIS_NAME = "Open data sample: Bowling Green 2018"
ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is "
    "sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy Project."
)


def polis_group(workshop: DemoWorkshop) -> DemoGroup:
    return next(g for g in workshop.groups if g.name == POLIS_NAME)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def test_title() -> None:
    assert demo_workshop().title == "International Cyber Security Capacity Building Conference"
    assert "Lancaster House" in demo_workshop().description


def test_seven_groups_with_unique_names_and_prompts() -> None:
    groups = demo_workshop().groups
    assert len(groups) == 7
    assert len({g.name for g in groups}) == 7
    for group in groups:
        assert group.name.strip() and group.prompt.strip() and group.description.strip()
        assert group.ideas


def test_written_groups_look_like_a_board_in_progress() -> None:
    written = [g for g in demo_workshop().groups if g.name != POLIS_NAME]
    assert len(written) == 6
    sizes = sorted(len(g.ideas) for g in written)
    assert 2 <= sizes[0] <= 3  # one group has just started
    assert all(6 <= n <= 14 for n in sizes[1:])
    for group in written:
        assert any(i.author is None for i in group.ideas)
    assert any(i.author is not None for g in written for i in g.ideas)


def test_idea_texts_are_clean() -> None:
    for group in demo_workshop().groups:
        for idea in group.ideas:
            assert idea.text
            assert idea.text == idea.text.strip()
            assert len(idea.text) <= 500
            assert not has_control_characters(idea.text)
            assert idea.author is None or (idea.author and idea.author == idea.author.strip())


def test_minutes_ago_in_range_and_oldest_first() -> None:
    for group in demo_workshop().groups:
        minutes = [idea.minutes_ago for idea in group.ideas]
        assert all(0 <= m <= 120 for m in minutes)
        assert minutes == sorted(minutes, reverse=True), group.name


def test_polis_group_carries_attribution() -> None:
    group = polis_group(demo_workshop())
    assert ATTRIBUTION in group.description
    assert "https://compdemocracy.org/case-studies/2018-kentucky" in group.description
    assert group.prompt == (
        "What do you believe should change in Bowling Green/Warren County in order to "
        "make it a better place to live, work and spend time?"
    )


def test_polis_ideas_come_from_the_packaged_sample() -> None:
    raw = (files("facilitator") / "demo_data" / "polis_bowling_green.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    bodies = {" ".join(row["comment-body"].split()) for row in rows}

    group = polis_group(demo_workshop())
    assert len(group.ideas) >= 40
    assert all(idea.author is None for idea in group.ideas)
    assert all(idea.text in bodies for idea in group.ideas)
    # The whole conversation is squeezed into the two hours before "now".
    assert group.ideas[0].minutes_ago == 120
    assert group.ideas[-1].minutes_ago == 0


def test_deterministic() -> None:
    assert demo_workshop() == demo_workshop()


# -- issue #22, defect 10: content that reads like a real event --------------------------------

WRITTEN = [g for g in demo_workshop().groups if g.name != POLIS_NAME]


def test_themes_are_written_by_hand_and_every_sorted_idea_names_one() -> None:
    for group in WRITTEN:
        assert len(set(group.themes)) == len(group.themes) <= progress.STATEMENTS
        for idea in group.ideas:
            assert not idea.theme or idea.theme in group.themes, (group.name, idea.theme)
        used = {i.theme for i in group.ideas if i.theme and not (i.repeats or i.hidden)}
        assert used == set(group.themes), group.name  # no theme is left empty
    themed = [g for g in WRITTEN if g.themes]
    assert len(themed) >= 4


def test_repeats_name_one_earlier_idea_and_hidden_ones_say_why() -> None:
    for group in WRITTEN:
        for number, idea in enumerate(group.ideas):
            if idea.repeats:
                matches = [i for i in group.ideas[:number] if i.text.startswith(idea.repeats)]
                assert len(matches) == 1, idea.text
                assert progress.original(group, number) < number
            assert not (idea.repeats and idea.hidden)
    assert sum(1 for g in WRITTEN for i in g.ideas if i.repeats) >= 3
    assert sum(1 for g in WRITTEN for i in g.ideas if i.hidden) >= 2


def test_a_group_that_reaches_recommendations_has_one_written_for_each_theme() -> None:
    for number, group in enumerate(WRITTEN, 1):
        if progress.PROGRESS.get(number) is Phase.recommend:
            assert [r.theme for r in group.recommendations] == list(group.themes)
            for rec in group.recommendations:
                assert rec.title and rec.text and rec.rationale
                assert rec.theme.lower() not in rec.title.lower()  # not "X: make X a priority"


def test_real_voting_patterns_are_packaged_and_spread_dots_unevenly() -> None:
    patterns = polis.patterns()
    assert len(patterns) >= progress.VOTERS * 3
    assert {vote for p in patterns for _, vote in p} == {-1, 0, 1}
    statements = list(range(5))
    tally = [0] * 5
    for pattern in patterns[: progress.VOTERS]:
        placed = polis.dots(pattern, statements, budget=5, cap=3)
        assert len(placed) <= 5 and all(placed.count(i) <= 3 for i in set(placed))
        for item in placed:
            tally[item] += 1
    assert len(set(tally)) > 1, tally


def test_a_voter_who_agreed_with_nothing_places_no_dot() -> None:
    assert polis.dots(((0, -1), (1, 0)), [0, 1], budget=5, cap=3) == []
    assert polis.dots(((1, 1), (0, 1)), [0, 1], budget=3, cap=3) == [1, 0, 1]
