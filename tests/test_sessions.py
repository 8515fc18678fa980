"""Sessions rotate at login and expire when idle or old; passwords are argon2id at OWASP's
parameters, and a hash made with older ones is renewed at the next login.

Logging out and changing the password end every session: tests/test_accounts.py."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher, Type
from sqlmodel import Session, col, select

from facilitator import security
from facilitator.models import LoginSession, User
from facilitator.web.auth import SESSION_COOKIE
from tests.conftest import PASSWORD, World
from tests.support import rows
from tests.test_accounts import log_in, logged_in


def test_logging_in_again_replaces_the_browsers_session(world: World) -> None:
    staff = world.organiser()
    browser = world.logged_in(staff)
    first = browser.http.cookies[SESSION_COOKIE]
    assert log_in(browser, staff.email, PASSWORD).status_code == 303
    second = browser.http.cookies[SESSION_COOKIE]
    assert second != first
    # The old token opens nothing any more, even if someone copied it.
    thief = world.browser()
    thief.http.cookies.set(SESSION_COOKIE, first, domain="testserver.local")
    assert not logged_in(thief)
    assert len(rows(world, LoginSession)) == 1


def test_a_planted_session_cookie_is_never_adopted(world: World) -> None:
    """Session fixation: a token set before login is not the one the login gives."""
    staff = world.organiser()
    victim = world.browser()
    victim.http.cookies.set(SESSION_COOKIE, "planted-by-attacker", domain="testserver.local")
    assert log_in(victim, staff.email, PASSWORD).status_code == 303
    assert victim.http.cookies[SESSION_COOKIE] != "planted-by-attacker"
    assert logged_in(victim)


def age_sessions(world: World, *, idle: dt.timedelta, age: dt.timedelta) -> None:
    def txn(s: Session) -> None:
        for session in s.exec(select(LoginSession)).all():
            session.last_seen_at -= idle
            session.created_at -= age
            s.add(session)

    world.db.write_sync(txn)


def test_a_session_ends_after_a_day_unused(world: World) -> None:
    browser = world.logged_in(world.organiser())
    age_sessions(world, idle=dt.timedelta(hours=23), age=dt.timedelta(hours=23))
    assert logged_in(browser)  # used now: the idle clock starts again
    age_sessions(world, idle=dt.timedelta(hours=24, minutes=1), age=dt.timedelta(0))
    assert not logged_in(browser)


def test_a_session_ends_after_two_weeks_however_busy(world: World) -> None:
    browser = world.logged_in(world.organiser())
    age_sessions(world, idle=dt.timedelta(0), age=dt.timedelta(days=14, minutes=1))
    assert not logged_in(browser)


def stored_hash(world: World, email: str) -> str:
    (user,) = rows(world, User, col(User.email) == email)
    return user.password_hash


@pytest.mark.owasp_hashing
def test_passwords_are_argon2id_at_owasp_parameters(world: World) -> None:
    staff = world.organiser()
    assert stored_hash(world, staff.email).startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.owasp_hashing
def test_an_older_hash_is_renewed_at_login(world: World) -> None:
    staff = world.organiser()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.I)
    old = weak.hash(PASSWORD)

    def plant(s: Session) -> None:
        user = s.get(User, staff.id)
        assert user is not None
        user.password_hash = old
        s.add(user)

    world.db.write_sync(plant)
    assert security.needs_rehash(old)
    assert log_in(world.browser(), staff.email, "wrong password").status_code == 400
    assert stored_hash(world, staff.email) == old  # only a right password renews it
    assert log_in(world.browser(), staff.email, PASSWORD).status_code == 303
    renewed = stored_hash(world, staff.email)
    assert renewed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not security.needs_rehash(renewed)
    assert log_in(world.browser(), staff.email, PASSWORD).status_code == 303
