"""Cookies, CSRF and origin checks, and who is asking."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request

from facilitator import security
from facilitator.domain import accounts
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Forbidden
from facilitator.i18n import N_
from facilitator.web.state import services

DEVICE_COOKIE = "facilitator_device"
SESSION_COOKIE = "facilitator_session"
CSRF_COOKIE = "facilitator_csrf"
CSRF_FIELD = "csrf"
DEVICE_DAYS = 400  # the longest lifetime browsers allow


def scratch(conn: HTTPConnection) -> dict[str, Any]:
    """Per-request values shared by every Request object made from the same scope."""
    return conn.scope.setdefault("state", {})  # type: ignore[no-any-return]


def queue_cookie(conn: HTTPConnection, name: str, value: str, max_age: int | None) -> None:
    """Set a cookie on whatever response this request ends with (see WebMiddleware)."""
    scratch(conn).setdefault("set_cookies", {})[name] = (value, max_age)


def cookie_header(name: str, value: str, max_age: int | None, secure: bool) -> bytes:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def _signed(conn: HTTPConnection, name: str) -> str | None:
    raw = conn.cookies.get(name, "")
    token, _, mac = raw.rpartition(".")
    secret = services(conn).settings.secret_key
    if not token or not security.same(mac, security.sign(secret, name + token)[:32]):
        return None
    return token


def _new_signed(conn: HTTPConnection, name: str, max_age: int | None) -> str:
    token = security.new_token()
    mac = security.sign(services(conn).settings.secret_key, name + token)[:32]
    queue_cookie(conn, name, f"{token}.{mac}", max_age)
    scratch(conn).setdefault("fresh", {})[name] = token
    return token


def _signed_or_new(conn: HTTPConnection, name: str, max_age: int | None) -> str:
    fresh = scratch(conn).get("fresh", {}).get(name)
    return fresh or _signed(conn, name) or _new_signed(conn, name, max_age)


# -- participants' devices -----------------------------------------------------------------


def device_hash(conn: HTTPConnection, *, create: bool = False) -> str | None:
    """The hash that names this device's participants; None when it has no valid cookie."""
    token = (
        _signed_or_new(conn, DEVICE_COOKIE, DEVICE_DAYS * 86400)
        if create
        else _signed(conn, DEVICE_COOKIE)
    )
    return security.token_hash(token) if token else None


# -- CSRF ----------------------------------------------------------------------------------


def csrf_token(conn: HTTPConnection) -> str:
    """The token forms carry: an HMAC of this browser's CSRF cookie (signed double submit)."""
    base = _signed_or_new(conn, CSRF_COOKIE, None)
    return security.sign(services(conn).settings.secret_key, "csrf" + base)


def check_csrf(conn: HTTPConnection, token: Any) -> None:
    base = _signed(conn, CSRF_COOKIE)
    expected = security.sign(services(conn).settings.secret_key, "csrf" + (base or ""))
    if not base or not isinstance(token, str) or not security.same(token, expected):
        raise Forbidden(N_("This form has expired. Please reload the page and try again."))


async def read_form(request: Request, *, files: int = 0) -> FormData:
    """The only way routes read a form: size-limited, and CSRF-checked.

    A form with files carries its token in the address (`?csrf=`), so that it is checked
    before a byte of the body is read: a file is never spooled for a forged request."""
    if files:
        check_csrf(request, request.query_params.get(CSRF_FIELD))
    form = await request.form(max_files=files, max_fields=200, max_part_size=1024 * 1024)
    if not files:
        check_csrf(request, form.get(CSRF_FIELD))
    return form


def allowed_origins(conn: HTTPConnection) -> set[str]:
    """This site's own origin as the request reached it, the public URL's, and any listed in
    FACILITATOR_ALLOWED_ORIGINS: each as scheme://host[:port], compared whole."""
    scheme = {"ws": "http", "wss": "https"}.get(conn.url.scheme, conn.url.scheme)
    settings = services(conn).settings
    listed = [settings.public_url, *settings.allowed_origins.split(",")]
    allowed = {f"{scheme}://{conn.headers.get('host', '')}".lower()}
    for url in listed:
        parts = urlsplit(url.strip())
        if parts.scheme and parts.netloc:
            allowed.add(f"{parts.scheme}://{parts.netloc}".lower())
    return allowed


def same_origin(conn: HTTPConnection) -> bool:
    """False when a browser says the request comes from another site.

    Browsers send Origin on every WebSocket handshake and cross-site POST; a request
    without one comes from a non-browser client, which cookies cannot be stolen by.
    A look-alike (this host as a prefix of another), another port or another scheme is
    another origin, and so is "null" (sandboxed frames, some redirects).
    """
    if conn.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    return origin.lower() in allowed_origins(conn)


# -- staff ---------------------------------------------------------------------------------


async def current_staff(conn: HTTPConnection) -> Staff | None:
    cached = scratch(conn).get("staff", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    token = conn.cookies.get(SESSION_COOKIE)
    staff = None
    if token and len(token) < 100:
        svc = services(conn)
        staff = await accounts.session_user(svc.db, token, svc.session_policy)
    scratch(conn)["staff"] = staff
    return staff


def start_session(conn: HTTPConnection, token: str) -> None:
    queue_cookie(conn, SESSION_COOKIE, token, None)
    scratch(conn).pop("staff", None)  # re-read on next use


def end_session(conn: HTTPConnection) -> None:
    queue_cookie(conn, SESSION_COOKIE, "", 0)


def random_key() -> str:
    return secrets.token_urlsafe(16)
