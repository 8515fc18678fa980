"""Health check for load balancers and people."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from facilitator import __version__
from facilitator.web.state import services


async def healthz(request: Request) -> JSONResponse:
    svc = services(request)
    try:
        await svc.db.read(lambda s: s.execute(text("SELECT 1")).scalar_one())
        database = {"ok": True, "backend": svc.db.read_engine.dialect.name}
    except Exception as exc:  # the point is to report it, not to raise it
        database = {"ok": False, "backend": svc.db.read_engine.dialect.name, "error": str(exc)}
    hub = {"ok": svc.hub.healthy(), "backend": type(svc.hub).__name__}
    ok = database["ok"] and hub["ok"]
    return JSONResponse(
        {
            "status": "ok" if ok else "failing",
            "version": __version__,
            "database": database,
            "hub": hub,
        },
        status_code=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )


routes = [Route("/healthz", healthz)]
