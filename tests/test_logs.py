"""JSON logs with request and socket ids, and no secret, token or cookie in any log line."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest

from facilitator import logs
from tests.conftest import PASSWORD, World
from tests.remote import CSRF, Browser, facilitator, make_workshop, phone
from tests.servers import free_port, wait_healthy


def record(name: str, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


def test_a_json_line_carries_the_request_id_and_the_access_fields() -> None:
    token = logs.request_id.set("abc123")
    try:
        access = record(
            "uvicorn.access", '%s - "%s %s HTTP/%s" %d', "10.0.0.1:5", "GET", "/x", "1.1", 200
        )
        line = orjson.loads(logs.JsonFormatter().format(access))
    finally:
        logs.request_id.reset(token)
    assert line["request_id"] == "abc123" and "socket_id" not in line
    assert (line["method"], line["path"], line["status"]) == ("GET", "/x", 200)
    assert line["level"] == "info" and line["logger"] == "uvicorn.access"


def test_an_invitation_token_never_reaches_a_log_line() -> None:
    access = record("uvicorn.access", '"%s %s"', "GET", "/invite/s3cr3t-T0ken?x=1")
    assert logs.Redact().filter(access)
    assert access.getMessage() == '"GET /invite/[redacted]?x=1"'


def test_every_response_names_its_request(world: World) -> None:
    answer = world.client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{16}", answer.headers["x-request-id"])
    kept = world.client.get("/healthz", headers={"X-Request-ID": "proxy-42.a_b"})
    assert kept.headers["x-request-id"] == "proxy-42.a_b"
    hostile = world.client.get("/healthz", headers={"X-Request-ID": 'x" injected=1 ' * 10})
    assert re.fullmatch(r"[0-9a-f]{16}", hostile.headers["x-request-id"])


@pytest.mark.slow
def test_a_full_story_logs_json_lines_and_no_secret(tmp_path: Path) -> None:
    """A real server with JSON logs: the organiser logs in and invites a facilitator, who
    accepts; a phone joins, writes and votes; the facilitator moderates; a wrong password is
    tried; Prometheus scrapes. Then the logs are searched for every secret that passed."""
    port, metrics_token = free_port(), "metrics-" + "q" * 24
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    env.update(
        FACILITATOR_DATA_DIR=str(tmp_path),
        FACILITATOR_LOG_FORMAT="json",
        FACILITATOR_METRICS_TOKEN=metrics_token,
    )
    log_file = tmp_path / "server.log"
    with log_file.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "facilitator", "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=sink,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        organiser, workshop = make_workshop(f"sqlite:///{tmp_path / 'facilitator.db'}")
        group = workshop.groups[0]
        office = facilitator(base, organiser.email)
        invited = office.post(
            f"/organiser/workshops/{workshop.id}/invitations",
            {"email": "fatima@example.org", "group": str(group.id)},
        )
        found = re.search(r"/invite/([A-Za-z0-9_-]+)", invited)
        assert found, "no invitation link on the page"
        invitation = found.group(1)
        newcomer = Browser(base)
        newcomer.get(f"/invite/{invitation}")
        new_password = "correct horse battery staple 7"
        newcomer.post(f"/invite/{invitation}", {"name": "Fatima", "password": new_password})
        wrong = Browser(base)
        with pytest.raises(urllib.error.HTTPError):  # refused, with the form shown again
            wrong.post("/login", {"email": organiser.email, "password": "Wrong-Pa55word-typed"})
        device = phone(base, group.code)
        with device.socket(group.id) as sock, newcomer.socket(group.id, "facilitator") as desk:
            sock.send({"type": "submit", "key": "key-story-0001", "text": "More breaks"})
            idea = sock.until_type("ack", key="key-story-0001")["idea_id"]
            desk.send({"type": "hide", "key": "key-story-0002", "idea_id": idea})
            desk.until_type("ack", key="key-story-0002")
            sock.send("not json")
            sock.until_type("error")
        scrape = urllib.request.Request(
            f"{base}/metrics", headers={"Authorization": f"Bearer {metrics_token}"}
        )
        with urllib.request.urlopen(scrape, timeout=10) as answer:
            assert b"facilitator_commands_total" in answer.read()
        forms = {}
        for n, browser in enumerate((office, newcomer, wrong, device)):
            csrf = CSRF.search(browser.get("/login"))
            assert csrf is not None
            forms[f"CSRF token of browser {n}"] = csrf.group(1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    secrets = {
        "organiser password": PASSWORD,
        "new password": new_password,
        "mistyped password": "Wrong-Pa55word-typed",
        "invitation token": invitation,
        "metrics token": metrics_token,
        "secret key": (tmp_path / "secret_key").read_text().strip(),
        **forms,
    }
    for n, browser in enumerate((office, newcomer, wrong, device)):
        for cookie in browser.jar:
            secrets[f"cookie {cookie.name} of browser {n}"] = cookie.value
    assert any("session" in name for name in secrets) and any("device" in name for name in secrets)

    text = log_file.read_text()
    lines = [orjson.loads(line) for line in text.splitlines() if line.strip()]
    assert len(lines) > 20
    assert any(line.get("request_id") for line in lines)
    assert any(line.get("socket_id") for line in lines)
    assert any(line.get("path", "").startswith("/invite/[redacted]") for line in lines)
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert leaked == []


def test_an_unknown_log_format_is_refused_before_anything_starts(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from facilitator.cli.main import main

    result = CliRunner().invoke(
        main, ["serve", "--data-dir", str(tmp_path)], env={"FACILITATOR_LOG_FORMAT": "xml"}
    )
    assert result.exit_code == 2
    assert "FACILITATOR_LOG_FORMAT must be one of text, json" in result.output
    assert not (tmp_path / "facilitator.db").exists()  # nothing was touched


@pytest.mark.slow
def test_demo_json_keeps_stdout_for_its_json_and_logs_to_stderr(tmp_path: Path) -> None:
    """A program reads the demo's JSON from stdout and may stop reading there: the server's
    access lines must go to stderr, or they would fill a pipe nobody drains and stall it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATOR_")}
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    args = ["demo", "--json", "--port", str(port), "--data-dir", str(tmp_path / "data")]
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "facilitator", *args], env=env, stdout=stdout, stderr=stderr
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        for _ in range(5):
            with urllib.request.urlopen(f"{base}/login", timeout=10) as answer:
                assert answer.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    [line] = out.read_text().splitlines()
    assert orjson.loads(line)["base_url"] == base
    assert err.read_text().count('"GET /login HTTP/1.1" 200') == 5
