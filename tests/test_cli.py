"""The `facilitator` command, as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlmodel import select

from facilitator.cli import lan
from facilitator.cli.main import main
from facilitator.config import Settings
from facilitator.models import Role, User
from facilitator.store.database import Database
from tests.servers import demo_server, free_port

ROOT = Path(__file__).resolve().parents[1]


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "user", "db"):
        assert re.search(rf"^\s+{command}\s", result.output, re.M), command
    serve = CliRunner().invoke(main, ["serve", "--help"])
    for flag in ("--host", "--port", "--database-url"):
        assert flag in serve.output
    demo = CliRunner().invoke(main, ["demo", "--help"])
    for flag in ("--port", "--data-dir", "--json"):
        assert flag in demo.output


def commands_with_ids(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command, list[click.Argument]]]:
    """Every command, with the arguments that name a row (…_id)."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands_with_ids(command, (*prefix, name))
            continue
        found = [
            p for p in command.params if isinstance(p, click.Argument) and p.name.endswith("_id")
        ]
        if found:
            yield (*prefix, name), command, found


def test_every_command_refuses_ids_no_row_can_have(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    seen = []
    for words, command, arguments in commands_with_ids(main):
        required = {o.opts[-1]: "x" for o in command.params if o.required and o.opts[0][0] == "-"}
        options = [w for pair in required.items() for w in pair]
        for bad in (2**70, -1):
            values = [str(bad)] * len(arguments)
            args = [*words, *options, "--database-url", url, "--", *values]
            result = CliRunner().invoke(main, args)
            assert result.exit_code == 2, (args, result.output, result.exception)
            assert f"Nothing here has the number {bad}." in result.output, result.output
        seen.append(" ".join(words))
    assert "export" in seen and "workshop export-setup" in seen


def test_user_create_reads_the_password_from_stdin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        main,
        [
            "user",
            "create",
            "--email",
            "Org@Example.org",
            "--role",
            "organiser",
            "--database-url",
            url,
            "--data-dir",
            str(tmp_path),
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    db = Database(url)
    try:
        user = db.read_sync(lambda s: s.exec(select(User)).one())
    finally:
        db.close()
    assert (user.email, user.role) == ("org@example.org", Role.organiser)
    assert user.password_hash.startswith("$argon2id$")

    again = CliRunner().invoke(
        main,
        [
            "user",
            "create",
            "--email",
            "org@example.org",
            "--database-url",
            url,
            "--data-dir",
            str(tmp_path),
        ],
        input="another long password\n",
    )
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_user_create_refuses_a_short_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["user", "create", "--email", "a@example.org", "--data-dir", str(tmp_path)],
        input="short\n",
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_db_upgrade_then_the_app_starts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'up.db'}"
    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_every_setting_is_documented() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.__dataclass_fields__:
        assert f"FACILITATOR_{name.upper()}" in page, name


@pytest.mark.slow
def test_demo_prints_json_first_and_serves(tmp_path: Path) -> None:
    port = free_port()
    with demo_server(tmp_path, port) as info:
        assert info["base_url"] == f"http://127.0.0.1:{port}"
        assert info["workshop_title"] == "International Cyber Security Capacity Building Conference"
        assert info["organiser_email"] and info["organiser_password"]
        assert len(info["groups"]) >= 3
        for group in info["groups"]:
            assert set(group) >= {
                "id",
                "name",
                "code",
                "join_url",
                "facilitator_url",
                "facilitator_email",
                "facilitator_password",
            }
            assert group["join_url"].endswith(f"/j/{group['code']}")
        assert info["health"]["status"] == "ok"
        with urllib.request.urlopen(info["groups"][0]["join_url"], timeout=5) as r:
            assert info["groups"][0]["name"] in r.read().decode()

    # Run again on the same data directory: the same workshop and logins are reused.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "facilitator",
            "demo",
            "--json",
            "--no-serve",
            "--data-dir",
            str(tmp_path),
            "--port",
            str(port),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    reused = json.loads(again.stdout.splitlines()[0])
    assert "--host 0.0.0.0" in again.stderr  # how to let real phones join (issue #22)
    assert reused["workshop_id"] == info["workshop_id"]
    assert reused["organiser_password"] == info["organiser_password"]


def test_a_demo_on_this_computer_only_says_how_to_let_phones_join() -> None:
    """Issue #22, item 8: bound to 127.0.0.1, the demo's links work on no phone."""
    hint = lan.phones_hint("127.0.0.1", 8000, "", "192.168.1.20")
    assert "Only this computer can open these links" in hint
    assert "FACILITATOR_PUBLIC_URL=http://192.168.1.20:8000 facilitator demo --host 0.0.0.0" in hint
    everywhere = lan.phones_hint("0.0.0.0", 8000, "", "192.168.1.20")
    assert "reach this computer at http://192.168.1.20:8000" in everywhere
    assert "THIS-COMPUTERS-ADDRESS" in lan.phones_hint("127.0.0.1", 8000, "", None)
    # Links that already work for phones need no advice.
    assert lan.phones_hint("0.0.0.0", 8000, "http://192.168.1.20:8000", "192.168.1.20") == ""
    assert lan.phones_hint("192.168.1.20", 8000, "", "192.168.1.20") == ""
    address = lan.lan_address()
    assert address is None or not address.startswith("127.")


PROBE = """\
import sys


def imported(name):
    return name in sys.modules
"""

SCRIPT = """\
import multiprocessing, sys
from facilitator.cli.main import main
from probe import imported

if __name__ == "__main__":
    sys.argv = ["facilitator", "workshop", "--help"]
    try:
        main()
    except SystemExit:
        pass
    with multiprocessing.get_context("spawn").Pool(1) as child:
        print(child.apply(imported, ("facilitator.cli.main",)))
"""


def test_processes_spawned_from_the_console_script_do_not_import_the_command_line(
    tmp_path: Path,
) -> None:
    """`facilitator` (the console script) is a file run as the main module: every process it
    spawns, the vector workers, would run it again first and import the whole command line.
    Named as `python -m facilitator` names it, they do not."""
    (tmp_path / "probe.py").write_text(PROBE)
    script = tmp_path / "facilitator"
    script.write_text(SCRIPT)
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "False", out.stdout + out.stderr
