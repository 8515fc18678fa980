"""Workshop set-up files: the example imports, bad files name line and field and create
nothing, and export-setup writes a file that imports to the same set-up."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func
from sqlmodel import select

from facilitator.cli.main import main
from facilitator.domain import accounts, setup_file
from facilitator.models import Group, GroupFacilitator, Invitation, Role, Workshop
from facilitator.store.database import Database
from tests.workshop_factory import PASSWORD, db, staff

__all__ = ["db"]
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "workshop.yaml"

GOOD = """\
title: Cyber day
date: 2026-11-27
groups:
  - name: Phishing
    question: How do we stop phishing?
    facilitators: [fred@example.org]
  - name: Passwords
    question: Why MFA?
    vote_budget: 2
    vote_cap: 1
"""


def problems(text: str) -> list[str]:
    with pytest.raises(setup_file.BadSetup) as caught:
        setup_file.parse(text)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_example_is_valid() -> None:
    setup = setup_file.parse(EXAMPLE.read_text())
    assert len(setup.groups) == 6
    skills = setup.groups[5].settings(setup.defaults)
    assert (skills.vote_budget, skills.vote_cap, skills.lock_on_timer) == (3, 1, True)
    assert setup.groups[2].settings(setup.defaults).premoderation


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("vote_budget: 2", "vote_budget: lots"),
            "line 9: groups[1].vote_budget: This should be a whole number.",
        ),
        (
            ("vote_budget: 2", "vote_budget: 99"),
            "line 9: groups[1].vote_budget: This should be at most 50.",
        ),
        (
            ("vote_cap: 1", "vote_cap: 3"),
            "line 7: groups[1].vote_cap: This should not be more than vote_budget.",
        ),
        (("    question: Why MFA?\n", ""), "line 7: groups[1].question: This is required."),
        (
            ("Phishing\n", "Phishing\n    colour: red\n"),
            "line 5: groups[0].colour: This key is not known here.",
        ),
        (
            ("fred@example.org", "fred"),
            "line 6: groups[0].facilitators: 'fred': Please enter a valid email",
        ),
        (("2026-11-27", "27/11/2026"), "line 2: date: This should be a date like 2026-11-27."),
        (("Cyber day", '"Cyber\\x07day"'), "line 1: title: That text holds control characters"),
        (("Cyber day", "Cyber\x07day"), "line 1: This is not valid YAML: special characters"),
        (("  - name: Phishing", "  - name: [Phishing"), "line 5: This is not valid YAML"),
    ],
)
def test_a_bad_file_names_the_line_and_field(change: tuple[str, str], expected: str) -> None:
    found = problems(GOOD.replace(*change))
    assert any(p.startswith(expected) for p in found), found


def test_a_file_without_groups_is_refused() -> None:
    assert problems("title: x\ngroups: []\n") == [
        "line 2: groups: This list is too short: it needs at least 1."
    ]
    assert problems("- just a list\n") == [
        "line 1: The file should be a mapping with title and groups."
    ]


# -- files built to cost time or memory ---------------------------------------------------


def laughs(levels: int) -> str:
    """The "billion laughs": each level an anchor of nine aliases of the level before."""
    rows = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    return "title: x\n" + "\n".join(rows) + "\n"


BOMBS = {
    # 9**6 = 531,441 values from 382 bytes: 3.3 s on the event loop before the budget.
    "six levels of laughs": (laughs(6), "line 6: This file holds more than 20000 values"),
    "5,000 nested [": ("[" * 5000 + "]" * 5000, "line 1: This file nests more than 20 levels"),
    "5,000 nested {": ("{a: " * 5000 + "}" * 5000, "line 1: This file nests more than 20 levels"),
    "deep block lists": ("".join(" " * n + "- \n" for n in range(100)), "line 21: This file nests"),
    "101 anchors": (
        "".join(f"k{n}: &a{n} v\n" for n in range(101)),
        "line 101: This file uses more than 100 anchors and aliases",
    ),
    "half a million values": ("a: [1" + ",1" * 500_000 + "]", "line 1: This file holds more"),
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_file_built_to_expand_or_nest_is_refused_at_once(bomb: str) -> None:
    """Refused at the first budget passed, before any expansion (the time it takes is in
    SECURITY.md: a benchmark, not a test, on a shared machine)."""
    text, expected = BOMBS[bomb]
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_aliases_within_the_budget_still_work() -> None:
    shared = GOOD.replace("facilitators: [fred@example.org]", "facilitators: &team [a@x.org]")
    shared += "  - name: Third\n    question: Why?\n    facilitators: *team\n"
    assert setup_file.parse(shared).groups[2].facilitators == ["a@x.org"]


def test_the_cli_import_refuses_a_bomb_too(db: Database, tmp_path: Path) -> None:
    asyncio.run(staff(db, "olivia@example.org", Role.organiser, "Olivia"))
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(laughs(6))
    result = cli(db, "workshop", "import", str(bomb))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "This file holds more than 20000 values" in result.output  # type: ignore[attr-defined]
    assert count(db, Workshop) == 0


def cli(db: Database, *args: str) -> object:
    return CliRunner().invoke(main, [*args, "--database-url", db.url], catch_exceptions=False)


def count(db: Database, model: type) -> int:
    return db.read_sync(lambda s: s.exec(select(func.count()).select_from(model)).one())


def test_import_invites_every_facilitator_and_prints_links(db: Database, tmp_path: Path) -> None:
    """Even one with an account (amira, of another workshop) is invited, not assigned: no
    one is put on a workshop unasked; she accepts with her own password."""
    asyncio.run(staff(db, "olivia@example.org", Role.organiser, "Olivia"))
    asyncio.run(staff(db, "amira@example.org", Role.facilitator, "Amira"))
    result = cli(db, "workshop", "import", str(EXAMPLE), "--json", "--base-url", "https://x.org/")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = json.loads(result.output)  # type: ignore[attr-defined]
    assert [g["name"] for g in out["groups"]][:2] == [
        "Phishing and social engineering",
        "Passwords and MFA",
    ]
    first = out["groups"][0]
    assert first["facilitators"] == []
    assert first["join_url"] == f"https://x.org/j/{first['code'].replace('-', '')}"
    invited = {i["email"]: i["groups"] for i in out["invitations"]}
    assert invited == {
        "amira@example.org": ["Phishing and social engineering"],
        "ben@example.org": ["Passwords and MFA"],
        "chloe@example.org": ["Incident response"],
        "dev@example.org": ["Incident response", "Supply chain"],
    }
    assert all(i["url"].startswith("https://x.org/invite/") for i in out["invitations"])
    assert (count(db, Group), count(db, GroupFacilitator), count(db, Invitation)) == (6, 0, 4)
    token = next(i["url"] for i in out["invitations"] if i["email"] == "amira@example.org")
    asyncio.run(accounts.accept_invitation(db, token.rsplit("/", 1)[1], "", PASSWORD))
    assert count(db, GroupFacilitator) == 1

    text = cli(db, "workshop", "import", str(EXAMPLE))
    assert "join: http://127.0.0.1:8000/j/" in text.output  # type: ignore[attr-defined]


def test_a_bad_file_creates_nothing(db: Database, tmp_path: Path) -> None:
    asyncio.run(staff(db, "olivia@example.org", Role.organiser, "Olivia"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("vote_budget: 2", "vote_budget: lots"))
    result = cli(db, "workshop", "import", str(bad))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "nothing was created" in result.output  # type: ignore[attr-defined]
    assert f"{bad}:line 9: groups[1].vote_budget" in result.output  # type: ignore[attr-defined]
    assert count(db, Workshop) == 0


def test_a_failure_while_writing_leaves_nothing_behind(db: Database) -> None:
    """Checks pass, then the transaction fails half way (here: a group code already taken)."""
    olivia = asyncio.run(staff(db, "olivia@example.org", Role.organiser, "Olivia"))
    setup = setup_file.parse(GOOD)

    def failing(s: object) -> None:
        setup_file.create(s, olivia, setup, 7)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        db.write_sync(failing)  # type: ignore[arg-type]
    assert (count(db, Workshop), count(db, Group)) == (0, 0)


def test_export_setup_writes_a_file_that_imports_to_the_same_setup(
    db: Database, tmp_path: Path
) -> None:
    asyncio.run(staff(db, "olivia@example.org", Role.organiser, "Olivia"))
    for name in ("amira", "ben", "chloe", "dev"):
        asyncio.run(staff(db, f"{name}@example.org", Role.facilitator, name))
    created = json.loads(cli(db, "workshop", "import", str(EXAMPLE), "--json").output)  # type: ignore[attr-defined]
    for invitation in created["invitations"]:  # each facilitator accepts
        token = invitation["url"].rsplit("/", 1)[1]
        asyncio.run(accounts.accept_invitation(db, token, "", PASSWORD))
    out = tmp_path / "again.yaml"
    result = cli(db, "workshop", "export-setup", str(created["workshop"]["id"]), "-o", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    original, again = setup_file.parse(EXAMPLE.read_text()), setup_file.parse(out.read_text())
    assert again.title == original.title and again.date == original.date
    assert again.description == original.description.strip()
    for a, b in zip(original.groups, again.groups, strict=True):
        assert (a.name, a.question, a.context) == (b.name, b.question, b.context)
        assert sorted(a.facilitators) == b.facilitators
        assert a.settings(original.defaults) == b.settings(again.defaults)


QUESTIONS = """\
questions:
  - text: How confident are you?
    kind: scale
    scale: 0-10
    low_label: Not at all
    high_label: Fully
    asked: [joining, event]
  - text: Your role?
    kind: single
    choices: [IT, Other]
    asked: [joining]
"""


def test_questions_are_read_with_the_forms_rules() -> None:
    setup = setup_file.parse(GOOD + QUESTIONS)
    confident, role = (q.draft() for q in setup.questions)
    assert (confident.low, confident.high, confident.moments) == (0, 10, ("joining", "event"))
    assert role.choices == ("IT", "Other")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("scale: 0-10", "scale: 1-7"), "line 12: questions[0]: A scale runs from 1 to 5"),
        (("kind: single", "kind: poll"), "line 19: questions[1].kind: This should be one of"),
        (("[joining, event]", "[later]"), "line 17: questions[0].asked[0]: This should be one of"),
        (("[IT, Other]", "[IT]"), "line 18: questions[1]: A choice question needs between 2"),
        (("    low_label: Not at all\n", ""), "line 12: questions[0]: A scale needs a label"),
    ],
)
def test_a_bad_question_names_its_line(change: tuple[str, str], expected: str) -> None:
    found = problems((GOOD + QUESTIONS).replace(*change))
    assert any(p.startswith(expected) for p in found), found


def test_the_example_questions_come_back_in_the_exported_setup(db: Database) -> None:
    organiser = asyncio.run(staff(db, "olivia@example.org", Role.organiser, "Olivia"))
    setup = setup_file.parse(EXAMPLE.read_text())
    created = asyncio.run(setup_file.import_setup(db, organiser, EXAMPLE.read_text(), 7))
    again = setup_file.parse(db.read_sync(lambda s: setup_file.dump(s, created.workshop_id)))
    assert [q.draft() for q in again.questions] == [q.draft() for q in setup.questions]
    assert len(again.questions) == 4
