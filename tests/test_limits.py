"""Limits and floods: throttled join codes and logins (shared by every process), a token
bucket and a size cap per socket, and the join code's strength worked out."""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from facilitator.app import create_app
from facilitator.cli import main as cli
from facilitator.config import Settings
from facilitator.domain import codes
from facilitator.models import Participant
from facilitator.throttle import (
    JOIN_BY_ADDRESS,
    LOGIN_BY_ACCOUNT,
    LOGIN_BY_ADDRESS,
    MAX_FRAME,
    Attempt,
    MemoryCounter,
    RedisCounter,
    Throttle,
    TokenBucket,
    address_key,
    create_counter,
)
from facilitator.web.bodies import MAX_BODY
from facilitator.web.organiser import MAX_SETUP
from tests.attack_support import Raw, at_once, raw_request
from tests.conftest import PASSWORD, Person, World, world_with
from tests.facilitation_support import reply
from tests.support import database_rows, idea_texts, live, refusal, rows, shared_workshop

TOO_MANY_CODES = "Too many codes from this network did not match."
TOO_MANY_LOGINS = "Too many failed logins. Please wait 15 minutes and try again."
SLOW_DOWN = "You are sending too fast. Please wait a moment."
VENUE = "198.51.100.20"  # one venue's Wi-Fi: every phone behind the same address


@pytest.fixture(autouse=True)
def window_start(request: pytest.FixtureRequest) -> None:
    """Counts live in fixed windows of real time, so a test that crossed a boundary would
    see its counts start afresh: each test's throttle reads a clock stopped at the start
    of a window (of every limit: 1,800 s is a multiple of each)."""
    if "world" not in request.fixturenames:
        return
    world = request.getfixturevalue("world")
    world.services.throttle.clock = window_clock()


def window_clock() -> Callable[[], float]:
    """A clock stopped at the start of the current window of every limit."""
    start = time.time() // 1800 * 1800 + 1
    return lambda: start


def test_a_key_whose_failures_are_used_up_is_refused_without_waiting() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    throttle = Throttle(MemoryCounter(), clock=lambda: 1_000_000.0, sleep=sleep)

    async def scenario() -> list[bool]:
        for _ in range(JOIN_BY_ADDRESS.failures):
            await throttle.failed(await throttle.attempt((JOIN_BY_ADDRESS, "guesser")))
        refused = await throttle.attempt((JOIN_BY_ADDRESS, "guesser"))
        other = await throttle.attempt((JOIN_BY_ADDRESS, "someone else"))
        return [refused.allowed, refused.spent, other.allowed]

    assert asyncio.run(scenario()) == [False, True, True]
    assert waits == []


def test_an_attempt_crowded_out_by_those_in_flight_waits_for_them_and_runs() -> None:
    """A venue's phones, all right: the one past the limit waits while others settle."""
    in_flight: list[Attempt] = []

    async def sleep(seconds: float) -> None:
        await throttle.release(in_flight.pop())  # one in flight succeeds meanwhile

    throttle = Throttle(MemoryCounter(), clock=lambda: 1_000_000.0, sleep=sleep)

    async def scenario() -> tuple[bool, int]:
        for _ in range(JOIN_BY_ADDRESS.failures):
            in_flight.append(await throttle.attempt((JOIN_BY_ADDRESS, "venue")))
        late = await throttle.attempt((JOIN_BY_ADDRESS, "venue"))
        return late.allowed, len(in_flight)

    assert asyncio.run(scenario()) == (True, JOIN_BY_ADDRESS.failures - 1)


def from_address(world: World, address: str) -> Person:
    http = TestClient(world.client.app, base_url="http://testserver", client=(address, 40000))
    http.portal = world.client.portal
    return Person(http)


def wrong_code() -> str:
    return codes.display(codes.new_code())  # well formed, and (all but surely) nobody's


# -- join codes ----------------------------------------------------------------------------


def test_codes_that_match_nothing_are_throttled_per_address(world: World) -> None:
    group = shared_workshop(world).groups[0]
    guesser = from_address(world, "203.0.113.9")
    for _ in range(JOIN_BY_ADDRESS.failures):
        assert guesser.get(f"/join?code={wrong_code()}").status_code == 404
    refusal(guesser.get(f"/join?code={wrong_code()}"), 429, TOO_MANY_CODES)
    # Refused before the look-up: a right guess now tells the guesser nothing.
    for url in [f"/join?code={group.code}", f"/j/{group.code}", f"/j/{group.code}/qr.svg"]:
        refusal(guesser.get(url), 429, TOO_MANY_CODES)
    assert rows(world, Participant) == []
    # Another address is not affected, and the next window starts afresh.
    assert from_address(world, "203.0.113.10").get(f"/j/{group.code}").status_code == 200
    throttle = world.services.throttle
    now = throttle.clock()
    throttle.clock = lambda: now + JOIN_BY_ADDRESS.window
    assert guesser.get(f"/j/{group.code}").status_code == 200


def test_hundreds_of_phones_behind_one_address_join_despite_typos(world: World) -> None:
    """Only failures count: a venue's typos stay under the limit however many phones join."""
    group = shared_workshop(world).groups[0]
    venue = from_address(world, VENUE)
    for _ in range(JOIN_BY_ADDRESS.failures - 1):
        assert venue.get(f"/join?code={wrong_code()}").status_code == 404
    for _ in range(300):  # each a phone typing the right code
        response = venue.get(f"/join?code={group.code.lower()}", follow_redirects=False)
        assert response.headers["location"] == f"/j/{group.code}"
    for _ in range(20):
        assert from_address(world, VENUE).get(f"/j/{group.code}").status_code == 200
    assert len(rows(world, Participant)) == 20


def test_codes_sent_all_at_once_meet_the_limit_too(world: World) -> None:
    """Each attempt counts before its look-up, so 400 guesses in flight together get no
    more answers than 400 sent one by one."""
    guesses = [("GET", f"/join?code={wrong_code()}", {}) for _ in range(400)]
    statuses = at_once(world, world.browser(), "203.0.113.30", guesses)
    assert statuses.count(404) == JOIN_BY_ADDRESS.failures
    assert statuses.count(429) == 400 - JOIN_BY_ADDRESS.failures


def test_a_venue_joining_at_once_from_one_address_all_get_in(world: World) -> None:
    """Behind a venue's NAT every phone has one address: more right codes at once than the
    limit allows wrong ones must all join (each waits for those in flight to settle)."""
    code = shared_workshop(world).groups[0].code
    joins = [("GET", f"/join?code={code}", {}) for _ in range(2 * JOIN_BY_ADDRESS.failures)]
    statuses = at_once(world, world.browser(), "203.0.113.31", joins)
    assert 429 not in statuses and len(statuses) == 2 * JOIN_BY_ADDRESS.failures


def test_guessing_any_live_code_in_a_workshop_day_is_under_one_in_ten_thousand() -> None:
    """The calculation SECURITY.md shows, from the limits the code enforces."""
    alphabet_bits = math.log2(len(codes.ALPHABET))
    assert codes.LENGTH * alphabet_bits >= 40
    assert not set("ILOU") & set(codes.ALPHABET)  # read as 1, 1, 0; U left out (Crockford)
    windows_a_day = math.ceil(86_400 / JOIN_BY_ADDRESS.window) + 1  # a partial one each end
    guesses = JOIN_BY_ADDRESS.failures * windows_a_day  # from one address
    live_codes = 10 * (200 + 1)  # ten workshops at the 200-group maximum, each with its code
    chance = guesses * live_codes / len(codes.ALPHABET) ** codes.LENGTH
    assert guesses == 14_500
    assert chance < 1e-4, chance
    assert round(chance, 7) == 0.0000265


# -- logins --------------------------------------------------------------------------------


def log_in(person: Person, email: str, password: str) -> Any:
    return person.post("/login", {"email": email, "password": password})


def test_failed_logins_are_throttled_per_account(world: World) -> None:
    victim = world.organiser("victim@example.org")
    other = world.organiser("other@example.org")
    attacker = from_address(world, "203.0.113.11")
    for _ in range(LOGIN_BY_ACCOUNT.failures):
        refusal(log_in(attacker, victim.email, "wrong password"), 400, "do not match")
    # Even the right password, from anywhere, waits for the window to pass.
    refusal(log_in(world.browser(), victim.email, PASSWORD), 429, TOO_MANY_LOGINS)
    refusal(log_in(attacker, " VICTIM@example.org", PASSWORD), 429, TOO_MANY_LOGINS)
    assert log_in(world.browser(), other.email, PASSWORD).status_code == 303
    throttle = world.services.throttle
    now = throttle.clock()
    throttle.clock = lambda: now + LOGIN_BY_ACCOUNT.window
    assert log_in(world.browser(), victim.email, PASSWORD).status_code == 303


def test_failed_logins_are_throttled_per_address(world: World) -> None:
    staff = world.organiser("owner@example.org")
    sprayer = from_address(world, "203.0.113.12")
    for n in range(LOGIN_BY_ADDRESS.failures):
        refusal(log_in(sprayer, f"user{n}@example.org", "password spraying"), 400, "do not match")
    refusal(log_in(sprayer, staff.email, PASSWORD), 429, TOO_MANY_LOGINS)
    assert log_in(world.browser(), staff.email, PASSWORD).status_code == 303


def test_wrong_passwords_sent_all_at_once_meet_the_account_limit(world: World) -> None:
    """81 logins in flight together: 10 passwords are checked, and the 81st, right, is not."""
    victim = world.organiser("victim@example.org")
    wrong = [
        ("POST", "/login", {"email": victim.email, "password": f"guess {n}"}) for n in range(80)
    ]
    right = ("POST", "/login", {"email": victim.email, "password": PASSWORD})
    statuses = at_once(world, world.browser(), "203.0.113.31", [*wrong, right])
    assert statuses.count(400) == LOGIN_BY_ACCOUNT.failures
    assert statuses.count(429) == 81 - LOGIN_BY_ACCOUNT.failures
    refusal(log_in(world.browser(), victim.email, PASSWORD), 429, TOO_MANY_LOGINS)


def test_wrong_passwords_sent_all_at_once_meet_the_address_limit(world: World) -> None:
    sprayed = [
        ("POST", "/login", {"email": f"user{n}@example.org", "password": "password spraying"})
        for n in range(80)
    ]
    statuses = at_once(world, world.browser(), "203.0.113.32", sprayed)
    assert statuses.count(400) == LOGIN_BY_ADDRESS.failures
    assert statuses.count(429) == 80 - LOGIN_BY_ADDRESS.failures


def test_a_successful_login_forgives_the_accounts_earlier_typos(world: World) -> None:
    staff = world.organiser("typo@example.org")
    person = world.browser()
    for _ in range(2):
        for _ in range(LOGIN_BY_ACCOUNT.failures - 1):
            refusal(log_in(person, staff.email, "typo typo typo"), 400, "do not match")
        assert log_in(person, staff.email, PASSWORD).status_code == 303


@pytest.mark.parametrize("backend", ["postgres+redis"])
def test_every_process_sees_the_same_counts(settings: Settings) -> None:
    """Two app processes behind one load balancer share the throttle (through Redis)."""
    apps = [create_app(settings), create_app(settings)]
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        start = time.time() // 1800 * 1800 + 1
        for app in apps:
            app.state.services.throttle.clock = lambda: start
        for n in range(JOIN_BY_ADDRESS.failures):
            client = (first, second)[n % 2]
            assert client.get(f"/join?code={wrong_code()}").status_code == 404
        for client in (first, second):
            refusal(client.get(f"/join?code={wrong_code()}"), 429, TOO_MANY_CODES)


# -- throttle and bucket, by themselves ------------------------------------------------------


def test_counts_live_in_the_current_window_only() -> None:
    now = [1_000_000.0]
    throttle = Throttle(MemoryCounter(), clock=lambda: now[0])

    async def scenario() -> list[bool]:
        for _ in range(JOIN_BY_ADDRESS.failures - 1):
            await throttle.attempt((JOIN_BY_ADDRESS, "a"))
        seen = [(await throttle.attempt((JOIN_BY_ADDRESS, "a"))).allowed]  # the last one
        seen += [(await throttle.attempt((JOIN_BY_ADDRESS, k))).allowed for k in ("a", "b")]
        now[0] += JOIN_BY_ADDRESS.window
        return [*seen, (await throttle.attempt((JOIN_BY_ADDRESS, "a"))).allowed]

    assert asyncio.run(scenario()) == [True, False, True, True]


def test_released_and_refused_attempts_are_taken_back() -> None:
    throttle = Throttle(MemoryCounter(), clock=window_clock())

    async def scenario() -> list[bool]:
        for _ in range(JOIN_BY_ADDRESS.failures * 3):  # successes: taken back
            await throttle.release(await throttle.attempt((JOIN_BY_ADDRESS, "venue")))
        for _ in range(JOIN_BY_ADDRESS.failures - 1):  # failures: they stay
            await throttle.attempt((JOIN_BY_ADDRESS, "venue"))
        seen = [(await throttle.attempt((JOIN_BY_ADDRESS, "venue"))).allowed for _ in range(3)]
        return seen

    assert asyncio.run(scenario()) == [True, False, False]


@pytest.mark.parametrize("backend", ["sqlite+memory", "postgres+redis"])
def test_attempts_at_once_get_exactly_the_limit(settings: Settings) -> None:
    """200 attempts on one key, all in flight together, in memory and in Redis."""
    limit = LOGIN_BY_ACCOUNT

    async def scenario() -> list[bool]:
        counter = create_counter(settings.redis_url, settings.redis_prefix)
        throttle = Throttle(counter, clock=window_clock())
        attempts = await asyncio.gather(*(throttle.attempt((limit, "k")) for _ in range(200)))
        await asyncio.gather(*(throttle.release(a) for a in attempts if a.allowed))
        again = await asyncio.gather(*(throttle.attempt((limit, "k")) for _ in range(200)))
        await counter.close()
        return [a.allowed for a in (*attempts, *again)]

    allowed = asyncio.run(scenario())
    assert allowed[:200].count(True) == limit.failures  # then all taken back, as successes
    assert allowed[200:].count(True) == limit.failures


def test_without_redis_the_shared_counts_let_requests_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A workshop in progress goes on while Redis is away; the outage is logged."""
    from redis.asyncio import Redis

    async def scenario() -> list[bool]:
        client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
        throttle = Throttle(RedisCounter(client, "gone:"))
        seen = [
            (await throttle.attempt((JOIN_BY_ADDRESS, "a"))).allowed
            for _ in range(JOIN_BY_ADDRESS.failures + 1)
        ]
        await client.aclose()
        return seen

    assert all(asyncio.run(scenario()))
    assert "Redis unreachable" in caplog.text


def test_the_bucket_gives_a_burst_then_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.5  # one token back
    assert [bucket.take() for _ in range(2)] == [True, False]
    now[0] += 100  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 3


def test_an_ipv6_household_is_one_address() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::2")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("192.0.2.1") == "192.0.2.1"


# -- request bodies -------------------------------------------------------------------------

MULTIPART = "multipart/form-data; boundary=xyz"
FILE_PART = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.yaml"\r\n'
    b"Content-Type: text/yaml\r\n\r\n"
)


def upload(world: World, url: str, size: int, person: Person | None = None, **kw: Any) -> Raw:
    """A set-up file of `size` bytes, sent straight to the app with `person`'s cookies."""
    cookies = "; ".join(f"{k}={v}" for k, v in person.http.cookies.items()) if person else ""
    headers = {"content-type": MULTIPART, **kw.pop("headers", {})}
    return raw_request(world, url, FILE_PART, size, headers=headers, cookies=cookies, **kw)


def test_an_upload_without_a_session_or_token_is_refused_before_its_body_is_read(
    world: World,
) -> None:
    """Nothing of a file reaches the disk (or memory) before the sender is known."""
    anonymous = upload(world, "/organiser/workshops/upload", 20 * 1024 * 1024)
    assert anonymous.status == 303 and anonymous.taken == 0
    office = world.logged_in(world.organiser())
    before = database_rows(world)
    forged = upload(world, "/organiser/workshops/upload?csrf=forged", 20 * 1024 * 1024, office)
    assert forged.status == 403 and forged.taken == 0
    assert "This form has expired." in forged.text
    assert database_rows(world) == before


def test_a_body_over_the_cap_is_refused_with_413(world: World) -> None:
    organiser = world.organiser()
    group = world.workshop(organiser).groups[0]
    office, phone = world.logged_in(organiser), world.phone(group.code)
    url = f"/organiser/workshops/upload?csrf={office.csrf()}"
    before = database_rows(world)
    declared = {"content-length": str(len(FILE_PART) + MAX_BODY)}
    for length, most in [(declared, 0), ({}, MAX_BODY + 65536)]:  # declared, or chunked
        response = upload(world, url, MAX_BODY, office, headers=length)
        assert response.status == 413, response.text
        assert response.text == "That request is too large: 2 MB at most."
        assert response.taken <= most
    # Every route, not only uploads: a participant's form too.
    huge = phone.post(f"/j/{group.code}/ideas", {"key": "huge-body-01", "text": "x" * MAX_BODY})
    refusal(huge, 413, "That request is too large")
    assert database_rows(world) == before


def test_the_sample_proxy_allows_what_the_app_allows() -> None:
    deployment = (Path(__file__).resolve().parents[1] / "docs" / "deployment.md").read_text()
    (size,) = re.findall(r"client_max_body_size (\d+)m;", deployment)
    assert int(size) * 1024 * 1024 == MAX_BODY
    assert MAX_SETUP < MAX_BODY  # the file and its form fit


def test_a_client_that_goes_away_mid_body_is_one_quiet_line(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    office = world.logged_in(world.organiser())
    url = f"/organiser/workshops/upload?csrf={office.csrf()}"
    gone = upload(world, url, 200_000, office, disconnect=True)
    assert gone.status == 0  # nobody to answer
    lines = [r for r in caplog.records if "went away" in r.getMessage()]
    assert [r.levelno for r in lines] == [logging.DEBUG]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


# -- sockets -------------------------------------------------------------------------------


def limited_world(settings: Settings, rate: float) -> Iterator[World]:
    with world_with(settings, socket_rate=rate, socket_burst=5) as world:
        yield world


@pytest.fixture
def strict_world(settings: Settings) -> Iterator[World]:
    """Sockets that may send 5 messages at once and (as good as) none after."""
    yield from limited_world(settings, rate=0.001)


@pytest.fixture
def slow_world(settings: Settings) -> Iterator[World]:
    """Sockets that may send 5 messages at once, then one a second."""
    yield from limited_world(settings, rate=1.0)


def test_a_flooding_socket_is_told_to_slow_down_then_closed(strict_world: World) -> None:
    group = shared_workshop(strict_world).groups[0]
    phone = strict_world.phone(group.code)
    with live(phone, group.id) as sock:
        for _ in range(5):
            sock.send({"type": "ping"})
            sock.until_type("pong")
        for _ in range(5):
            sock.send({"type": "ping"})
            error = sock.until_type("error")
            assert error["message"] == SLOW_DOWN and error["status"] == 429
        sock.send({"type": "ping"})
        assert sock.until_type("closed")["code"] == 1008


def test_a_submission_sent_too_fast_is_named_in_the_slow_down_and_taken_when_sent_again(
    slow_world: World,
) -> None:
    group = shared_workshop(slow_world).groups[0]
    phone = slow_world.phone(group.code)
    with live(phone, group.id) as sock:
        for _ in range(5):  # the strict world's burst, used up
            sock.send({"type": "ping"})
            sock.until_type("pong")
        idea = {"type": "submit", "key": "too-fast-0001", "text": "Sent in a hurry"}
        sock.send(idea)
        error = sock.until_type("error")
        assert error["status"] == 429 and error["key"] == "too-fast-0001"
        assert idea_texts(slow_world, group) == []  # not taken, and not refused either
        # Sent again a moment later, as the page does, until the bucket has a token again.
        again, deadline = {"key": idea["key"], "text": idea["text"]}, time.monotonic() + 30
        while (answer := reply(sock, "submit", **again))["type"] != "ack":
            assert answer["status"] == 429 and idea_texts(slow_world, group) == [], answer
            assert time.monotonic() < deadline, "the bucket never refilled"
            time.sleep(0.4)
        assert answer["repeated"] is False
    assert idea_texts(slow_world, group) == ["Sent in a hurry"]


def test_an_outbox_of_60_ideas_sent_at_once_is_taken_whole(world: World) -> None:
    """The default burst lets a phone back from offline send everything it kept."""
    group = shared_workshop(world).groups[0]
    phone = world.phone(group.code)
    with live(phone, group.id) as sock:
        for n in range(60):
            sock.send({"type": "submit", "key": f"outbox-{n:04}", "text": f"Idea {n}"})
        acks = {sock.until_type("ack")["key"] for _ in range(60)}
    assert len(acks) == 60


def test_a_frame_over_64_kb_closes_the_socket(world: World) -> None:
    group = shared_workshop(world).groups[0]
    phone = world.phone(group.code)
    with live(phone, group.id) as sock:
        sock.send("é" * (MAX_FRAME // 2 + 1))  # over 64 KB of UTF-8 in half as many characters
        assert sock.until_type("closed")["code"] == 1009
    with live(phone, group.id) as sock:
        sock.send("x" * (MAX_FRAME - 1))  # under the cap: an error, and the socket stays
        assert sock.until_type("error")["message"] == "That message is too large."
        sock.send({"type": "ping"})
        assert sock.until_type("pong")


def test_serve_caps_frames_at_64_kb_in_uvicorn_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **options: seen.update(options))
    result = CliRunner().invoke(cli.main, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert seen["ws_max_size"] == MAX_FRAME == 64 * 1024
