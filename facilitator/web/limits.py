"""Throttles at the edge: codes that match nothing, by address; failed logins, by account and
by address. The counts live where every process sees them (see facilitator/throttle.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.requests import HTTPConnection

from facilitator.domain.errors import DomainError, NotFound, TooMany
from facilitator.domain.joining import JoinTarget, find_code
from facilitator.i18n import N_
from facilitator.throttle import (
    JOIN_BY_ADDRESS,
    LOGIN_BY_ACCOUNT,
    LOGIN_BY_ADDRESS,
    address_key,
)
from facilitator.web.state import services

T = TypeVar("T")


def client_address(conn: HTTPConnection) -> str:
    """The caller's address (behind a proxy, uvicorn's proxy_headers put the real one here)."""
    return address_key(conn.client.host if conn.client else "")


async def find_code_limited(conn: HTTPConnection, raw: str) -> JoinTarget:
    """find_code, refused for an address that has tried too many codes that match nothing.

    The attempt is counted before the look-up, so a throttled guesser learns nothing, not
    even that a guess was right, and guesses sent at once cannot all slip under the limit.
    """
    throttle, address = services(conn).throttle, client_address(conn)
    attempt = await throttle.attempt((JOIN_BY_ADDRESS, address))
    if not attempt.allowed:
        raise TooMany(
            N_(
                "Too many codes from this network did not match. Please check the code on "
                "your card and try again in a few minutes."
            )
        )
    failed = False
    try:
        return await find_code(services(conn).db, raw)
    except NotFound:
        failed = True  # the attempt stays counted
        await throttle.failed(attempt)
        raise
    finally:
        if not failed:
            await throttle.release(attempt)


async def login_limited(conn: HTTPConnection, email: str, attempt: Callable[[], Awaitable[T]]) -> T:
    """Run a password check unless this account or address failed too often; count failures."""
    throttle, address = services(conn).throttle, client_address(conn)
    account = email.strip().lower()
    counted = await throttle.attempt((LOGIN_BY_ACCOUNT, account), (LOGIN_BY_ADDRESS, address))
    if not counted.allowed:
        raise TooMany(N_("Too many failed logins. Please wait 15 minutes and try again."))
    failed = False
    try:
        result = await attempt()
    except DomainError:
        failed = True  # the attempt stays counted, for the account and the address
        await throttle.failed(counted)
        raise
    finally:
        if not failed:
            await throttle.release(counted)
    await throttle.clear(LOGIN_BY_ACCOUNT, account)
    return result
