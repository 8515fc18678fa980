"""What whoever runs the server reads: /metrics (Prometheus) and mission control's Server panel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from facilitator.app import create_app
from facilitator.config import Settings
from facilitator.server_status import LIMITS, Colour, Reading, Window, judge, quantile
from tests.conftest import Socket, World, connect, world_with

TOKEN = "scrape-" + "x" * 20


def scrape(world: World, token: str = TOKEN) -> dict[str, float]:
    """Every sample of /metrics by its name and labels, as Prometheus would read it."""
    response = world.client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            samples[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return samples


def test_metrics_are_off_unless_configured(world: World) -> None:
    assert world.client.get("/metrics").status_code == 404


def test_metrics_need_the_token(settings: Settings) -> None:
    with world_with(settings, metrics_token=TOKEN) as world:
        assert world.client.get("/metrics").status_code == 401
        wrong = {"Authorization": "Bearer " + "y" * len(TOKEN)}
        assert world.client.get("/metrics", headers=wrong).status_code == 401
        assert (
            "facilitator_sockets_open"
            in world.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
        )


def test_metrics_only_for_listed_addresses(settings: Settings) -> None:
    app = create_app(replace(settings, metrics_allow="10.0.0.0/8, 192.0.2.7"))
    with TestClient(app, client=("10.1.2.3", 5000)) as inside:
        assert inside.get("/metrics").status_code == 200
    with TestClient(app, client=("192.0.2.8", 5000)) as outside:
        assert outside.get("/metrics").status_code == 403
    # With a token as well, a scrape needs both.
    app = create_app(replace(settings, metrics_allow="10.0.0.0/8", metrics_token=TOKEN))
    with TestClient(app, client=("10.1.2.3", 5000)) as inside:
        assert inside.get("/metrics").status_code == 401
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert inside.get("/metrics", headers=bearer).status_code == 200


def test_every_figure_of_the_issue_is_exposed(settings: Settings) -> None:
    with world_with(settings, metrics_token=TOKEN) as world:
        names = set(scrape(world))
    expected = [
        'facilitator_sockets_open{audience="participant"}',
        'facilitator_sockets_open{audience="facilitator"}',
        'facilitator_sockets_open{audience="projector"}',
        "facilitator_frames_sent_total",
        "facilitator_sent_bytes_total",
        "facilitator_frames_received_total",
        "facilitator_received_bytes_total",
        "facilitator_writes_waiting",
        "facilitator_write_seconds_count",
        "facilitator_ack_seconds_count",
        "facilitator_hub_publish_seconds_count",
        "facilitator_redis_reconnects_total",
        "facilitator_event_loop_lag_seconds_count",
        "facilitator_process_resident_memory_bytes",
        "facilitator_process_cpu_seconds",
        "facilitator_groups_live",
        "facilitator_workshops_live",
    ]
    assert [name for name in expected if name not in names] == []


def test_a_phone_sending_an_idea_moves_the_counters(settings: Settings) -> None:
    with world_with(settings, metrics_token=TOKEN) as world:
        organiser = world.organiser()
        workshop = world.workshop(organiser)
        group = workshop.groups[0]
        phone = world.phone(group.code)
        before = scrape(world)
        with connect(phone, group.id) as ws:
            socket = Socket(ws)
            socket.until_type("reset")
            during = scrape(world)
            socket.send({"type": "submit", "key": "key-metrics-0001", "text": "Shorter meetings"})
            socket.until_type("ack", key="key-metrics-0001")
            socket.send("{not json")
            socket.until_type("error")
            after = scrape(world)
    submits = 'facilitator_commands_total{kind="submit"}'
    assert after[submits] == before.get(submits, 0) + 1
    assert after["facilitator_ack_seconds_count"] >= before["facilitator_ack_seconds_count"] + 1
    unreadable = 'facilitator_commands_refused_total{reason="unreadable"}'
    assert after[unreadable] == before.get(unreadable, 0) + 1
    received = "facilitator_frames_received_total"
    assert after[received] >= before[received] + 2
    assert after["facilitator_frames_sent_total"] > before["facilitator_frames_sent_total"]
    assert after["facilitator_write_seconds_count"] > before["facilitator_write_seconds_count"]
    assert during['facilitator_sockets_open{audience="participant"}'] == 1
    assert during["facilitator_groups_live"] == 1
    assert during["facilitator_workshops_live"] == 1
    published = "facilitator_hub_publish_seconds_count"
    assert after[published] > before[published]


def test_a_refused_command_is_counted_by_reason(settings: Settings) -> None:
    with world_with(settings, metrics_token=TOKEN) as world:
        workshop = world.workshop(world.organiser())
        group = workshop.groups[0]
        phone = world.phone(group.code)
        before = scrape(world)
        with connect(phone, group.id) as ws:
            socket = Socket(ws)
            socket.until_type("reset")
            socket.send({"type": "submit", "key": "key-metrics-0002", "text": "   "})
            socket.until_type("error", key="key-metrics-0002")
        after = scrape(world)
    invalid = 'facilitator_commands_refused_total{reason="invalid"}'
    assert after[invalid] == before.get(invalid, 0) + 1


WORKER = """
import sys
from facilitator import telemetry
telemetry.COMMANDS.labels("submit").inc(int(sys.argv[1]))
telemetry.WRITES_WAITING.set(int(sys.argv[1]))
if sys.argv[2] == "stops":
    telemetry.process_ended()
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """`serve --workers N`: each process writes its own file; one scrape reads them all."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for n, end in ((2, "stops"), (5, "runs")):
        subprocess.run([sys.executable, "-c", WORKER, str(n), end], env=env, check=True)
    reader = "from facilitator import telemetry; import prometheus_client as p; "
    reader += "print(p.generate_latest(telemetry.registry()).decode())"
    out = subprocess.run(
        [sys.executable, "-c", reader], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert 'facilitator_commands_total{kind="submit"} 7.0' in out
    # A process that stopped leaves the live gauges' sums; the others' values stay.
    assert "facilitator_writes_waiting 5.0" in out


# -- the Server panel ------------------------------------------------------------------------


def test_the_line_is_green_amber_or_red_by_its_figures() -> None:
    assert judge(Reading(phones=1204, ack_p99=0.012, loop_lag_p99=0.003)).colour is Colour.green
    slow = judge(Reading(ack_p99=0.5))
    assert slow.colour is Colour.amber
    assert slow.reasons == ("Answers to phones are slow.",)
    assert judge(Reading(writes_waiting=25)).colour is Colour.amber
    assert judge(Reading(loop_lag_p99=0.2)).colour is Colour.amber
    assert judge(Reading(ack_p99=2.5)).colour is Colour.red
    assert judge(Reading(writes_waiting=500)).colour is Colour.red
    assert judge(Reading(hub_ok=False)).colour is Colour.red
    down = judge(Reading(database_ok=False, ack_p99=0.5))
    assert down.colour is Colour.red
    assert down.reasons == ("The database does not answer.", "Answers to phones are slow.")
    assert judge(Reading()).colour is Colour.green  # nothing happened yet: nothing is wrong
    # A latency is its bucket's bound, "at most": a bucket ending at a limit is within it.
    assert judge(Reading(ack_p99=0.25, loop_lag_p99=0.1, writes_waiting=20)).colour is Colour.green
    assert judge(Reading(ack_p99=1.0, loop_lag_p99=0.5, writes_waiting=200)).colour is Colour.amber


def test_latencies_are_read_over_the_last_minute() -> None:
    # 100 answers in 10 ms, 1 in 2.5 s: p99 is 10 ms; two slow ones of 101 make it 2.5 s.
    now = {0.01: 100.0, 2.5: 101.0, float("inf"): 101.0}
    assert quantile(now, {}, 0.99) == 0.01
    assert quantile({0.01: 99.0, 2.5: 101.0, float("inf"): 101.0}, {}, 0.99) == 2.5
    # The slow ones happened before the window began: only the quick ones count.
    before = {0.01: 0.0, 2.5: 2.0, float("inf"): 2.0}
    assert quantile({0.01: 10.0, 2.5: 12.0, float("inf"): 12.0}, before, 0.99) == 0.01
    assert quantile(before, before, 0.99) is None


def test_the_window_forgets_what_is_over_a_minute_old() -> None:
    def families(fast: float, slow: float) -> list[Metric]:
        text = "# TYPE facilitator_ack_seconds histogram\n"
        text += f'facilitator_ack_seconds_bucket{{le="0.01"}} {fast}\n'
        text += f'facilitator_ack_seconds_bucket{{le="2.5"}} {fast + slow}\n'
        text += f'facilitator_ack_seconds_bucket{{le="+Inf"}} {fast + slow}\n'
        return list(text_string_to_metric_families(text))

    window = Window()
    slow = window.read(families(0, 5), hub_ok=True, database_ok=True, now=0.0)
    assert judge(slow).colour is Colour.red
    window.read(families(10, 5), hub_ok=True, database_ok=True, now=61.0)
    later = window.read(families(500, 5), hub_ok=True, database_ok=True, now=125.0)
    assert later.ack_p99 == 0.01


def test_mission_control_shows_the_server_line(world: World) -> None:
    organiser = world.organiser()
    workshop = world.workshop(organiser)
    office = world.logged_in(organiser)
    page = office.get(f"/organiser/workshops/{workshop.id}/control").text
    line = re.search(r'<p class="server-line" data-colour="(\w+)".*?</p>', page, re.S)
    # Its colour depends on this busy test machine's figures; the colours are tested below.
    assert line is not None and line.group(1) in {"green", "amber", "red"}
    assert "0 phones" in line.group(0) and "answers p99" in line.group(0)
    assert "What the colours mean" in page
    panel = office.get(f"/organiser/workshops/{workshop.id}/control/server")
    assert panel.status_code == 200 and 'id="server-panel"' in panel.text
    stranger = world.logged_in(world.staff("other@example.org", name="Other"))
    assert stranger.get(f"/organiser/workshops/{workshop.id}/control/server").status_code == 403


@pytest.mark.parametrize("colour", list(Colour))
def test_the_panel_says_its_colour_in_words(world: World, colour: Colour) -> None:
    """Not by colour alone: each line names its colour, and amber and red say why."""
    reading = {
        Colour.green: Reading(phones=3, ack_p99=0.004),
        Colour.amber: Reading(phones=3, ack_p99=0.4),
        Colour.red: Reading(phones=3, database_ok=False),
    }[colour]
    status = judge(reading)
    assert status.colour is colour
    html = world.services.templates.render(
        "organiser/_server_panel.html",
        server=status,
        server_ack="4 ms",
        server_lag="1 ms",
        server_meanings=[],
        server_reasons=list(status.reasons),  # English: the msgids as they are
        server_limits=LIMITS,
        mission_id=1,
    )
    assert f'data-colour="{colour.value}"' in html
    assert f"<strong>{colour.value.title()}</strong>" in html
    assert ("server-reasons" in html) is (colour is not Colour.green)


# -- back fast after a restart ---------------------------------------------------------------


STARTS = """
import sys, time
from starlette.testclient import TestClient
from facilitator.app import create_app
from facilitator.config import Settings
from facilitator.store import migrate

heavy = ("sklearn", "scipy", "docx", "openpyxl", "facilitator.clustering")
settings = Settings.from_env({}, data_dir=sys.argv[1])
migrate.upgrade(settings.database_url)
print(sorted(m for m in heavy if m in sys.modules))
with TestClient(create_app(settings, server=True)):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not all(m in sys.modules for m in heavy):
        time.sleep(0.1)
    print(sorted(m for m in heavy if m in sys.modules))
"""


def test_the_server_starts_without_the_libraries_only_some_requests_need(
    tmp_path: Path,
) -> None:
    """After a crash every phone waits for the start: scikit-learn, SciPy (suggestions) and
    the Word and Excel libraries (exports) load in the background once it is up."""
    out = subprocess.run(
        [sys.executable, "-c", STARTS, str(tmp_path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    assert out[0] == "[]"  # none before the server is up
    assert out[1] == str(sorted(["sklearn", "scipy", "docx", "openpyxl", "facilitator.clustering"]))
