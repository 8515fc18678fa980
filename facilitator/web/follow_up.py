"""What happened next: the organiser's follow-up page and the public status page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator.domain import follow_up
from facilitator.domain.actors import Staff
from facilitator.domain.errors import DomainError, Invalid
from facilitator.i18n import N_, gettext
from facilitator.web.auth import read_form
from facilitator.web.organiser import organiser_only
from facilitator.web.pages import base_url, page, see_other
from facilitator.web.state import services


async def follow_up_page(
    request: Request,
    *,
    error: str | None = None,
    notice: str | None = None,
    new_link: str | None = None,
    status: int = 200,
) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    workshop_id = request.path_params["workshop_id"]
    view = await services(request).db.read(lambda s: follow_up.view(s, staff, workshop_id))
    return await page(
        request,
        "organiser/follow_up.html",
        status,
        staff=staff,
        view=view,
        status_labels=follow_up.STATUS_LABELS,
        error=error,
        notice=notice,
        new_link=new_link,
    )


async def follow_up_action(request: Request) -> Response:
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    db, workshop_id = services(request).db, request.path_params["workshop_id"]
    action = form.get("action")
    try:
        if action == "save":
            draft = follow_up.check_follow_up(
                form.get("owner_name", ""),
                form.get("owner_organisation", ""),
                form.get("status"),
                form.get("due", ""),
                form.get("notes", ""),
            )
            await follow_up.update(db, staff, _number(form.get("recommendation")), draft)
        elif action == "link":
            token = await follow_up.make_status_link(db, staff, workshop_id)
            link = f"{base_url(request)}/status/{token}"
            notice = gettext(N_("A new public link is ready; any earlier link no longer works."))
            return await follow_up_page(request, notice=notice, new_link=link)
        elif action == "revoke":
            await follow_up.revoke_status_link(db, staff, workshop_id)
        else:
            raise Invalid(N_("Choose what to do."))
    except DomainError as exc:
        return await follow_up_page(request, error=exc.message, status=exc.status)
    return see_other(f"/organiser/workshops/{workshop_id}/follow-up")


def _number(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise Invalid(N_("That final recommendation no longer exists.")) from None


async def status_page(request: Request) -> Response:
    """Public and read-only: anyone with the link, no account."""
    token = request.path_params["token"][:100]
    view = await services(request).db.read(lambda s: follow_up.public_view(s, token))
    response = await page(
        request, "status.html", view=view, status_labels=follow_up.STATUS_LABELS, staff=None
    )
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key: keep it home
    return response


routes = [
    Route("/organiser/workshops/{workshop_id:id}/follow-up", follow_up_page),
    Route("/organiser/workshops/{workshop_id:id}/follow-up", follow_up_action, methods=["POST"]),
    Route("/status/{token}", status_page),
]
