"""A group's settings are defined once: one bounds check behind the console form, the set-up
file and the JSON archive, and one object in every view of a group."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import fields

import orjson
import pytest

from facilitator.domain import phases, setup_file
from facilitator.domain.access import GroupRules
from facilitator.domain.board import GroupState
from facilitator.domain.errors import Invalid
from facilitator.export import data
from facilitator.group_settings import DEFAULTS, MAX_BUDGET, GroupSettings, SettingsRefused
from facilitator.models import Group
from facilitator.snapshot import GroupSnap
from tests.test_export_data import BEFORE_GROUP_SETTINGS

# (dots, cap per item): whether a group can run with them.
CASES = [
    (1, 1, True),
    (5, 3, True),
    (MAX_BUDGET, MAX_BUDGET, True),
    (0, 1, False),
    (MAX_BUDGET + 1, 3, False),
    (3, 4, False),
    (5, 0, False),
]


@pytest.mark.parametrize(("budget", "cap", "runs"), CASES)
def test_the_form_the_set_up_file_and_the_archive_accept_the_same_settings(
    budget: int, cap: int, runs: bool
) -> None:
    def form() -> object:
        return phases.check_settings(False, False, str(budget), str(cap), False)

    def set_up() -> object:
        text = f"title: T\ngroups:\n  - name: A\n    question: Q?\n    vote_budget: {budget}\n"
        return setup_file.parse(text + f"    vote_cap: {cap}\n")

    def archive() -> object:
        doc = orjson.loads(BEFORE_GROUP_SETTINGS)
        doc["groups"][0] |= {"vote_budget": budget, "vote_cap": cap}
        return data.from_json(orjson.dumps(doc))

    refusals = (Invalid, setup_file.BadSetup, data.BadDocument)
    for read, refusal in zip((form, set_up, archive), refusals, strict=True):
        if runs:
            read()
        else:
            with pytest.raises(refusal):
                read()


def test_a_refusal_names_the_field_and_reads_as_before() -> None:
    with pytest.raises(SettingsRefused) as budget:
        GroupSettings(vote_budget=0)
    assert (budget.value.field, budget.value.lowest, budget.value.highest) == ("vote_budget", 1, 50)
    assert str(budget.value) == "Each phone can have between 1 and 50 dots."
    with pytest.raises(SettingsRefused) as cap:
        GroupSettings(vote_budget=2, vote_cap=3)
    assert (cap.value.field, cap.value.highest, cap.value.highest_field) == (
        "vote_cap",
        2,
        "vote_budget",
    )
    # Refusals may cross back from the writer process.
    again = pickle.loads(pickle.dumps(cap.value))
    assert (again.field, again.msgid, again.highest_field) == (
        "vote_cap",
        cap.value.msgid,
        "vote_budget",
    )


def test_the_set_up_file_names_the_key_at_fault_in_defaults_and_groups() -> None:
    def problems(text: str) -> list[str]:
        with pytest.raises(setup_file.BadSetup) as caught:
            setup_file.parse(text)
        return [str(p) for p in caught.value.problems]

    group = "groups:\n  - name: A\n    question: Q?\n"
    assert problems("title: T\ndefaults:\n  vote_budget: 2\n  vote_cap: 3\n" + group) == [
        "line 2: defaults.vote_cap: This should not be more than vote_budget."
    ]
    assert problems("title: T\n" + group + "    vote_cap: 0\n") == [
        "line 5: groups[0].vote_cap: This should be at least 1."
    ]


def test_a_row_reads_and_writes_its_settings_as_one() -> None:
    row = Group(workshop_id=1, name="A", code="AAAA2222")
    assert row.settings == DEFAULTS == GroupSettings()
    chosen = GroupSettings(True, True, 7, 2, True)
    row.settings = chosen
    assert (row.private_mode, row.premoderation, row.vote_budget, row.vote_cap) == (
        True,
        True,
        7,
        2,
    )
    assert row.settings == chosen


@pytest.mark.parametrize("view", [GroupRules, GroupState, GroupSnap])
def test_every_view_of_a_group_embeds_the_settings_rather_than_restating_them(
    view: type,
) -> None:
    names = {f.name: f.type for f in fields(view)}
    assert names["settings"] == "GroupSettings"
    assert not names.keys() & set(GroupSettings.names())


def test_a_locking_timer_stops_writing_once_it_has_run_out() -> None:
    now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    before, after = now - dt.timedelta(seconds=1), now + dt.timedelta(seconds=1)
    locking, free = GroupSettings(lock_on_timer=True), GroupSettings()
    assert locking.time_is_up(before, now) and locking.time_is_up(now, now)
    assert not locking.time_is_up(after, now) and not locking.time_is_up(None, now)
    assert not free.time_is_up(before, now)
    # The board compares ISO 8601 strings in UTC, which order as the times do.
    assert locking.time_is_up(before.isoformat(), now.isoformat())
