"""Export downloads for organisers: the same files as `facilitator export`."""

from __future__ import annotations

import asyncio
import importlib
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator.domain.actors import Staff
from facilitator.domain.errors import NotFound
from facilitator.domain.exports import workshop_snapshot
from facilitator.i18n import N_
from facilitator.web.pages import require_staff
from facilitator.web.state import services

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}


async def download(request: Request) -> Response:
    staff = await require_staff(request)
    if not isinstance(staff, Staff):
        return staff
    # Word's and Excel's libraries load on first use, off the event loop (the server imports
    # them in the background once it is up: app.py).
    formats = await asyncio.to_thread(importlib.import_module, "facilitator.export.formats")
    fmt = request.path_params["fmt"]
    if fmt not in formats.FORMATS:
        raise NotFound(N_("There is no such export."))
    workshop_id = request.path_params["workshop_id"]
    names = request.query_params.get("names") == "1"
    snap = await workshop_snapshot(services(request).db, staff, workshop_id, names)
    summary = request.query_params.get("summary", "")
    # Building a document takes a moment of CPU: off the event loop.
    body = await asyncio.to_thread(formats.render, snap, fmt, summary)
    ext = formats.FORMATS[fmt][0]
    stem = re.sub(r"[^A-Za-z0-9]+", "-", snap.workshop.title).strip("-").lower() or "workshop"
    name = f"{stem}-{fmt}.{ext}" if fmt in ("audit", "polis", "plenary") else f"{stem}.{ext}"
    return Response(
        body,
        media_type=MEDIA[ext],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",  # exports hold unpublished data
        },
    )


routes = [
    Route("/organiser/workshops/{workshop_id:id}/export/{fmt}", download),
]
