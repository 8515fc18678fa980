"""The pure figures of answers: summaries, and the paired change with a seeded bootstrap."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from facilitator.answer_stats import choice_summary, paired_change, scale_summary


def test_a_scale_summary_counts_each_value_between_its_ends() -> None:
    s = scale_summary([1, 2, 2, 5], 1, 5)
    assert (s.n, s.mean, s.median, s.distribution) == (4, 2.5, 2.0, (1, 2, 0, 0, 1))
    assert s.peak == 2
    empty = scale_summary([], 0, 10)
    assert (empty.n, empty.mean, empty.distribution) == (0, None, (0,) * 11)


def test_a_multiple_choice_counts_each_ticked_choice() -> None:
    s = choice_summary([[0, 2], [2], 1], 3)
    assert (s.n, s.distribution) == (3, (1, 1, 2))


def test_the_paired_change_is_deterministic_and_brackets_the_mean() -> None:
    pairs = [(2, 4), (3, 4), (1, 3), (4, 4), (2, 5), (3, 3), (2, 3), (1, 2)]
    first, again = paired_change(pairs), paired_change(pairs)
    assert first == again  # seeded: the same answers give the same interval
    mean = statistics.fmean(b - a for a, b in pairs)
    assert first.mean == mean and first.n == 8
    assert first.low is not None and first.high is not None
    assert 0 < first.low < mean < first.high <= 3
    assert first.clear


def test_no_change_gives_an_interval_around_zero_and_few_pairs_give_none() -> None:
    flat = paired_change([(3, 4), (4, 3), (2, 2), (5, 5), (1, 2), (2, 1)])
    assert flat.mean == 0 and flat.low is not None and flat.low < 0 < (flat.high or 0)
    assert not flat.clear
    assert paired_change([(1, 5)]).low is None and paired_change([(1, 5)]).mean == 4
    assert paired_change([]).n == 0


def test_results_group_by_moment_and_pair_the_same_devices_per_group() -> None:
    from facilitator.answer_stats import results
    from facilitator.snapshot import QuestionSnap

    scale = QuestionSnap(1, "scale", "Sure?", ("joining", "event"), 1, 1, 5, "No", "Yes")
    choice = QuestionSnap(2, "multiple", "Which?", ("joining",), 2, choices=("a", "b", "c"))
    given = [
        Given(1, 10, "joining", 2),
        Given(1, 10, "joining", 3),  # a later answer of the same device replaces the first
        Given(1, 11, "joining", 1),
        Given(1, 12, "joining", 4),
        Given(1, 10, "event", 5),
        Given(1, 11, "event", 2),
        Given(1, 13, "event", 5),  # no baseline: counted at the end, never paired
        Given(2, 10, "joining", [0, 2]),
        Given(2, 11, "joining", [2]),
    ]
    sure, which = results([scale, choice], given, {10: "Red", 11: "Blue", 12: "Red"})
    joining, event = sure.moments
    assert (joining.moment, joining.summary.n, joining.summary.distribution) == (
        "joining", 3, (1, 0, 1, 1, 0)
    )  # fmt: skip
    assert (event.summary.n, event.summary.mean) == (3, 4.0)
    assert [(c.later, c.group, c.change.n, c.change.mean) for c in sure.changes] == [
        ("event", "", 2, 1.5),
        ("event", "Blue", 1, 1.0),
        ("event", "Red", 1, 2.0),
    ]
    assert sure.labels() == ("1", "2", "3", "4", "5")
    assert which.moments[0].summary.distribution == (1, 0, 2) and which.changes == ()
    assert which.labels() == ("a", "b", "c")


@dataclass(frozen=True)
class Given:
    question_id: int
    participant_id: int
    moment: str
    value: object
