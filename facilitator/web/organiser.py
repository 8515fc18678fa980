"""Organiser pages: workshops, their groups, and facilitators."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from facilitator import paths
from facilitator.domain import (
    accounts,
    chatham_house,
    round_setup,
    setup_file,
    workshop_views,
    workshops,
)
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Forbidden, Invalid
from facilitator.domain.workshops import GroupDraft
from facilitator.i18n import N_, gettext
from facilitator.web.auth import read_form
from facilitator.web.ids import ids
from facilitator.web.pages import base_url, page, require_staff, see_other
from facilitator.web.state import services


async def organiser_only(request: Request) -> Staff | Response:
    staff = await require_staff(request)
    if isinstance(staff, Staff) and not staff.is_organiser:
        raise Forbidden(N_("This page is for organisers."))
    return staff


MAX_SETUP = 1024 * 1024


def parse_groups(raw: str) -> list[GroupDraft]:
    """One group a line, "name | question"; a line without a question is refused by line."""
    drafts = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, prompt = line.partition("|")
        if not sep or not name.strip() or not prompt.strip():
            raise Invalid(
                N_("Line {line} of the groups needs a name and a question, as “name | question”."),
                line=number,
            )
        drafts.append(GroupDraft(name=name.strip(), prompt=prompt.strip()))
    return drafts


def _form_values(form: FormData | None) -> dict[str, str]:
    keys = ("title", "date", "description", "groups")
    return {k: str(form.get(k, "")) if form else "" for k in keys}


async def dashboard(
    request: Request, form: FormData | None = None, error: str | None = None, status: int = 200
) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    views = await workshop_views.workshops_of(services(request).db, staff)
    return await page(
        request,
        "organiser/dashboard.html",
        status,
        staff=staff,
        workshops=views,
        form=_form_values(form),
        error=error,
    )


async def example_setup(request: Request) -> Response:
    """The example set-up file, to start from: a pip install has no examples/ folder."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    return Response(
        paths.example_setup().read_bytes(),
        media_type="application/yaml",
        headers={"Content-Disposition": 'attachment; filename="workshop.yaml"'},
    )


async def upload_workshop(request: Request) -> Response:
    """A workshop set-up file (YAML) uploaded on the dashboard: all of it, or nothing."""
    staff = await organiser_only(request)  # from the cookie: before the body is read
    if not isinstance(staff, Staff):
        return staff
    form = await read_form(request, files=1)
    upload = form.get("file")
    if isinstance(upload, str) or upload is None:
        return await dashboard(request, None, gettext(N_("Choose a set-up file to upload.")), 400)
    try:
        raw = await upload.read(MAX_SETUP + 1)
    finally:
        await form.close()  # the upload's temporary file
    try:
        if len(raw) > MAX_SETUP:
            raise Invalid(N_("That file is too large for a workshop set-up (1 MB at most)."))
        text = raw.decode("utf-8")
        svc = services(request)
        created = await setup_file.import_setup(svc.db, staff, text, svc.settings.invitation_days)
    except UnicodeDecodeError:
        return await dashboard(
            request, None, gettext(N_("That file is not UTF-8 text. Save it as UTF-8.")), 400
        )
    except setup_file.BadSetup as exc:
        problems = "; ".join(str(p) for p in exc.problems)
        message = gettext(N_("Nothing was created. The file has problems: {problems}"))
        return await dashboard(request, None, message.format(problems=problems), 400)
    except Invalid as exc:
        return await dashboard(request, None, exc.message, 400)
    links = [f"{i.email}: {base_url(request)}/invite/{i.token}" for i in created.invitations]
    notice = (
        gettext(N_("Imported. Invitations to send: {links}")).format(links="; ".join(links))
        if links
        else gettext(N_("Imported."))
    )
    request.path_params["workshop_id"] = created.workshop_id
    return await workshop_page(request, notice=notice)


async def create_workshop(request: Request) -> Response:
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    try:
        drafts = parse_groups(str(form.get("groups", "")))
        workshop_id = await workshops.create_workshop(
            services(request).db,
            staff,
            str(form.get("title", "")),
            form.get("date"),
            str(form.get("description", "")),
            drafts,
        )
    except Invalid as exc:
        return await dashboard(request, form, exc.message, 400)
    return see_other(f"/organiser/workshops/{workshop_id}")


async def workshop_page(
    request: Request, status: int = 200, error: str | None = None, **extra: Any
) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    svc = services(request)
    view = await workshop_views.organiser_workshop(
        svc.db, staff, request.path_params["workshop_id"]
    )
    context: dict[str, Any] = {
        "notice": None,
        "invite_link": None,
        "invite_email": "",
        "invite_days": int(svc.settings.invitation_days),
    }
    context.update(extra)
    return await page(
        request,
        "organiser/workshop.html",
        status,
        staff=staff,
        workshop=view,
        error=error,
        base_url=base_url(request),
        staff_list=await workshop_views.workshop_staff_list(svc.db, staff, view.id),
        round_setup=await svc.db.read(lambda s: round_setup.setup_view(s, staff, view.id)),
        **context,
    )


async def _act(request: Request, action: Any) -> Response:
    """Run an organiser form action; show its refusal on the workshop page."""
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    try:
        result = await action(staff, form)
    except Invalid as exc:
        return await workshop_page(request, 400, exc.message)
    return result if isinstance(result, Response) else see_other(str(result))


async def join_cards(request: Request) -> Response:
    """One printable page with a card per group: name, question, big QR code, code."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    view = await workshop_views.organiser_workshop(
        services(request).db, staff, request.path_params["workshop_id"]
    )
    host = urlsplit(base_url(request)).netloc
    return await page(request, "organiser/cards.html", workshop=view, base_host=host)


def _workshop_url(request: Request) -> str:
    return f"/organiser/workshops/{request.path_params['workshop_id']}"


async def update_workshop(request: Request) -> Response:
    async def action(staff: Staff, form: FormData) -> str:
        await workshops.update_workshop(
            services(request).db,
            staff,
            request.path_params["workshop_id"],
            str(form.get("title", "")),
            form.get("date"),
            str(form.get("description", "")),
            form.get("language"),
        )
        return _workshop_url(request)

    return await _act(request, action)


def _draft(form: FormData) -> GroupDraft:
    return GroupDraft(
        name=str(form.get("name", "")),
        prompt=str(form.get("prompt", "")),
        description=str(form.get("description", "")),
    )


async def add_group(request: Request) -> Response:
    async def action(staff: Staff, form: FormData) -> str:
        group_id = await workshops.add_group(
            services(request).db, staff, request.path_params["workshop_id"], _draft(form)
        )
        return f"{_workshop_url(request)}#group-{group_id}"

    return await _act(request, action)


async def _in_group_workshop(request: Request) -> None:
    """Group routes show refusals on their workshop's page."""
    staff = await organiser_only(request)
    if isinstance(staff, Staff):
        _, group = await workshop_views.facilitated_group(
            services(request).db, staff, request.path_params["group_id"]
        )
        request.path_params["workshop_id"] = group.workshop_id


async def update_group(request: Request) -> Response:
    await _in_group_workshop(request)

    async def action(staff: Staff, form: FormData) -> str:
        group_id = request.path_params["group_id"]
        await workshops.update_group(services(request).db, staff, group_id, _draft(form))
        return f"{_workshop_url(request)}#group-{group_id}"

    return await _act(request, action)


async def delete_group(request: Request) -> Response:
    await _in_group_workshop(request)

    async def action(staff: Staff, form: FormData) -> str:
        await workshops.delete_group(services(request).db, staff, request.path_params["group_id"])
        return _workshop_url(request)

    return await _act(request, action)


async def invite(request: Request) -> Response:
    async def action(staff: Staff, form: FormData) -> Response:
        svc = services(request)
        email = str(form.get("email", ""))
        token = await accounts.invite_facilitator(
            svc.db,
            staff,
            request.path_params["workshop_id"],
            email,
            ids(form.getlist("group")),
            svc.settings.invitation_days,
        )
        link = f"{base_url(request)}/invite/{token}"
        return await workshop_page(request, invite_link=link, invite_email=email.strip().lower())

    return await _act(request, action)


async def chatham_house_rule(request: Request) -> Response:
    async def action(staff: Staff, form: FormData) -> str:
        on = form.get("on") == "1"
        await chatham_house.set_rule(
            services(request).db, staff, request.path_params["workshop_id"], on
        )
        return _workshop_url(request)

    return await _act(request, action)


async def assign(request: Request) -> Response:
    async def action(staff: Staff, form: FormData) -> str:
        group_id, user_id = ids([form.get("group"), form.get("user")])
        await workshops.set_facilitator(
            services(request).db, staff, group_id, user_id, form.get("assigned") == "1"
        )
        return _workshop_url(request)

    return await _act(request, action)


routes = [
    Route("/organiser", dashboard),
    Route("/organiser/workshops", create_workshop, methods=["POST"]),
    Route("/organiser/workshops/upload", upload_workshop, methods=["POST"]),
    Route("/organiser/example-setup.yaml", example_setup),
    Route("/organiser/workshops/{workshop_id:id}", workshop_page),
    Route("/organiser/workshops/{workshop_id:id}", update_workshop, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/groups", add_group, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/cards", join_cards),
    Route("/organiser/workshops/{workshop_id:id}/invitations", invite, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/assignments", assign, methods=["POST"]),
    Route(
        "/organiser/workshops/{workshop_id:id}/chatham-house",
        chatham_house_rule,
        methods=["POST"],
    ),
    Route("/organiser/groups/{group_id:id}", update_group, methods=["POST"]),
    Route("/organiser/groups/{group_id:id}/delete", delete_group, methods=["POST"]),
]
