"""For whoever runs the server: /metrics for Prometheus, and mission control's Server panel."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from prometheus_client.exposition import choose_encoder
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from facilitator import i18n, telemetry
from facilitator.config import Settings
from facilitator.domain.access import require_organiser
from facilitator.domain.actors import Staff
from facilitator.server_status import LIMITS, MEANINGS, Colour, Status, judge
from facilitator.web.organiser import organiser_only
from facilitator.web.state import Services, services

PANEL = "organiser/_server_panel.html"


def metrics_enabled(settings: Settings) -> bool:
    return bool(settings.metrics_token or settings.metrics_allow)


def _allowed_address(settings: Settings, host: str | None) -> bool:
    if not settings.metrics_allow:
        return True
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    for entry in settings.metrics_allow.split(","):
        try:
            if address in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:  # a typo in the list admits nobody through it
            continue
    return False


def _right_token(settings: Settings, conn: HTTPConnection) -> bool:
    if not settings.metrics_token:
        return True
    given = conn.headers.get("authorization", "")
    expected = f"Bearer {settings.metrics_token}"
    return hmac.compare_digest(given.encode(), expected.encode())


async def metrics(request: Request) -> Response:
    """Prometheus's scrape: off (404) unless a token or an address list is configured."""
    svc = services(request)
    settings = svc.settings
    if not metrics_enabled(settings):
        return PlainTextResponse("Not Found", status_code=404)
    if not _allowed_address(settings, request.client.host if request.client else None):
        return PlainTextResponse("Forbidden", status_code=403)
    if not _right_token(settings, request):
        return PlainTextResponse(
            "Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    sampler(request).sample()  # this process's latest figures, not those of a few seconds ago
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    # Several processes: reading their files is disk work, kept off the event loop.
    body = await run_in_threadpool(encode, telemetry.registry())
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})


def sampler(conn: HTTPConnection) -> telemetry.Sampler:
    return conn.app.state.sampler  # type: ignore[no-any-return]


async def database_ok(svc: Services) -> bool:
    try:
        await svc.db.read(lambda s: s.execute(text("SELECT 1")).scalar_one())
    except Exception:  # the point is to report it, not to raise it
        return False
    return True


async def server_status(request: Request) -> Status:
    svc, window = services(request), request.app.state.server_window
    sampler(request).sample()
    families = list(telemetry.registry().collect())
    reading = window.read(families, hub_ok=svc.hub.healthy(), database_ok=await database_ok(svc))
    return judge(reading)


def _millis(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds == float("inf"):
        return "> " + i18n.format_number(telemetry.LATENCY[-1] * 1000) + "\u00a0ms"
    return i18n.format_number(seconds * 1000) + "\u00a0ms"


async def panel_context(request: Request) -> dict[str, Any]:
    """What the Server panel shows (the partial organiser/_server_panel.html)."""
    status = await server_status(request)
    return {
        "server": status,
        "server_ack": _millis(status.reading.ack_p99),
        "server_lag": _millis(status.reading.loop_lag_p99),
        "server_meanings": [(colour, i18n.gettext(MEANINGS[colour])) for colour in Colour],
        "server_reasons": [i18n.gettext(reason) for reason in status.reasons],
        "server_limits": LIMITS,
        "mission_id": request.path_params["workshop_id"],
    }


async def panel(request: Request) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    workshop_id = request.path_params["workshop_id"]
    # The figures are the server's, but the panel is part of one workshop's mission control.
    await services(request).db.read(lambda s: require_organiser(s, staff, workshop_id))
    context = await panel_context(request)
    html = services(request).templates.render(PANEL, **context)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


routes = [
    Route("/metrics", metrics),
    Route("/organiser/workshops/{workshop_id:id}/control/server", panel),
]
