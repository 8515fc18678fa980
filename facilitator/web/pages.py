"""Rendering pages and the few responses routes share."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from facilitator.domain.actors import Staff
from facilitator.i18n import N_, gettext
from facilitator.web.auth import csrf_token, current_staff
from facilitator.web.state import services


async def page(
    request: Request, template: str, status: int = 200, /, **context: Any
) -> HTMLResponse:
    """A full page. Staff pages find the user themselves; participant pages pass staff=None.

    The first three are positional only, so a page may have any variable, `name` included.
    """
    if "staff" not in context:
        context["staff"] = await current_staff(request)
    svc = services(request)
    context.setdefault("heartbeat", svc.settings.heartbeat_seconds)
    context["csrf"] = csrf_token(request)
    context.setdefault("here", request.url.path)  # where the language switcher comes back to
    html = svc.templates.render(template, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def safe_path(target: object) -> str:
    """Only a path on this site, never another site (no open redirect); else ""."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//"):
        return target
    return ""


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def base_url(request: Request) -> str:
    """The address phones use, for join links and QR codes: the configured public URL; else
    the address this request came to if it is one of FACILITATOR_ALLOWED_ORIGINS; else the
    server's own address, as the connection reached it.

    Never the Host header alone: anyone can send any Host, and a cache in front could then
    keep a page or QR code that sends phones to another site.
    """
    settings = services(request).settings
    if settings.public_url:
        return settings.public_url.rstrip("/")
    scheme = request.url.scheme
    asked = f"{scheme}://{request.headers.get('host', '')}".lower()
    listed = {o.strip().rstrip("/").lower() for o in settings.allowed_origins.split(",")}
    if asked in listed:
        return asked
    host, port = request.scope.get("server") or ("127.0.0.1", 8000)
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + ("" if port == default else f":{port}")


async def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    titles = {
        400: N_("That did not work"),
        403: N_("Not allowed"),
        404: N_("Not found"),
        409: N_("That changed meanwhile"),
        429: N_("Too many tries"),
    }
    title = titles.get(status, N_("Something went wrong"))
    # Staff who took a wrong turn go back to their own pages, not to the phones' start page.
    back_url, back_label = None, None
    if request.url.path.startswith("/organiser"):
        back_url, back_label = "/organiser", gettext(N_("Back to your workshops"))
    elif request.url.path.startswith(("/facilitator", "/account")):
        back_url, back_label = "/facilitator", gettext(N_("Back to your groups"))
    return await page(
        request,
        "error.html",
        status,
        title=gettext(title),
        message=message,
        back_url=back_url,
        back_label=back_label,
        staff=None,
    )


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/login?next={quote(target)}")


async def require_staff(request: Request) -> Staff | RedirectResponse:
    staff = await current_staff(request)
    return staff if staff is not None else login_redirect(request)
