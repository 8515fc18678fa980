"""Questions: the organiser's page (add, remove, open and close moments) and the phone's form."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from facilitator import i18n
from facilitator.domain import (
    answer_export,
    answers,
    follow_up_links,
    impact_results,
    participants,
    questions,
    workshop_views,
)
from facilitator.domain.actors import Participant, Staff
from facilitator.domain.errors import DomainError, Forbidden, Invalid
from facilitator.domain.joining import JoinTarget
from facilitator.export.answers import answers_csv
from facilitator.i18n import N_
from facilitator.models import Moment
from facilitator.web.auth import device_hash, read_form
from facilitator.web.limits import find_code_limited
from facilitator.web.organiser import organiser_only
from facilitator.web.pages import base_url, page, see_other
from facilitator.web.participant import NO_DEVICE
from facilitator.web.state import services

KIND_LABELS = {
    "scale": N_("Scale"),
    "single": N_("One choice"),
    "multiple": N_("Several choices"),
    "text": N_("Short text"),
}

# -- the organiser's page --------------------------------------------------------------------


async def questions_page(
    request: Request,
    *,
    form: FormData | None = None,
    error: str | None = None,
    notice: str | None = None,
    links: str | None = None,
    status: int = 200,
) -> Response:
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    workshop_id = request.path_params["workshop_id"]
    view = await services(request).db.read(lambda s: questions.overview(s, staff, workshop_id))
    return await page(
        request,
        "organiser/questions.html",
        status,
        staff=staff,
        view=view,
        draft=_draft_values(form),
        error=error,
        notice=notice,
        links=links,
        kind_labels=KIND_LABELS,
    )


def _draft_values(form: FormData | None) -> dict[str, Any]:
    """What the add form showed, to show again after a refusal."""
    keys = ("kind", "text", "scale", "low_label", "high_label", "choices")
    if form is None:
        return dict.fromkeys(keys, "") | {"kind": "scale", "moments": ["joining", "event"]}
    return {k: str(form.get(k, ""))[:2000] for k in keys} | {"moments": form.getlist("moments")}


async def questions_action(request: Request) -> Response:
    form = await read_form(request)
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    db, workshop_id = services(request).db, request.path_params["workshop_id"]
    action = form.get("action")
    try:
        if action == "add":
            kind = form.get("kind")
            draft = questions.check_question(
                kind,
                form.get("text", ""),
                form.getlist("moments"),
                form.get("scale") if kind == "scale" else None,
                form.get("low_label", "") if kind == "scale" else "",
                form.get("high_label", "") if kind == "scale" else "",
                form.get("choices", "") if kind in ("single", "multiple") else (),
            )
            await questions.add_question(db, staff, workshop_id, draft)
        elif action == "remove":
            await questions.remove_question(db, staff, _number(form.get("question")))
        elif action == "links":
            tokens = await follow_up_links.make_links(db, staff, workshop_id, form.get("count"))
            base = base_url(request)
            links = "\n".join(f"{base}/f/{token}" for token in tokens)
            return await questions_page(request, links=links)
        elif action in ("open", "close"):
            await questions.set_moment(db, staff, workshop_id, form.get("moment"), action == "open")
        else:
            raise Invalid(N_("Choose what to do."))
    except DomainError as exc:
        kept = form if action == "add" else None
        return await questions_page(request, form=kept, error=exc.message, status=exc.status)
    return see_other(f"/organiser/workshops/{workshop_id}/questions")


def _number(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise Invalid(N_("That question no longer exists.")) from None


async def results_projector(request: Request) -> Response:
    """The results, large, for a shared screen in the workshop's language."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    db, workshop_id = services(request).db, request.path_params["workshop_id"]
    impact = await db.read(lambda s: impact_results.results(s, staff, workshop_id))
    view = await workshop_views.organiser_workshop(db, staff, workshop_id)
    with i18n.using(view.language):
        return await page(
            request, "organiser/impact_projector.html", staff=staff, impact=impact, projector=True
        )


async def results_fragment(request: Request) -> Response:
    """The results section alone, for mission control and the projector to poll: 204 while
    nothing has happened since the version the page holds (`since`), so a burst of answers
    between two polls is one render, and a quiet workshop costs one small read."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    db, workshop_id = services(request).db, request.path_params["workshop_id"]
    since = request.query_params.get("since", "")
    current = await db.read(lambda s: impact_results.current_version(s, staff, workshop_id))
    if since == str(current):
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    impact = await db.read(lambda s: impact_results.results(s, staff, workshop_id))
    projector = request.query_params.get("projector") == "1"
    language = i18n.current()
    if projector:  # the projector speaks the workshop's language, as its page does
        language = (await workshop_views.organiser_workshop(db, staff, workshop_id)).language
    with i18n.using(language):
        html = services(request).templates.render(
            "organiser/_impact_results.html", impact=impact, projector=projector
        )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


async def answers_download(request: Request) -> Response:
    """Every answer, anonymous: device pseudonyms only."""
    staff = await organiser_only(request)
    if not isinstance(staff, Staff):
        return staff
    workshop_id = request.path_params["workshop_id"]
    lines = await services(request).db.read(
        lambda s: answer_export.answer_lines(s, staff, workshop_id)
    )
    return Response(
        answers_csv(lines),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="answers-{workshop_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


# -- the phone's form ------------------------------------------------------------------------


async def _phone(request: Request) -> tuple[JoinTarget, Participant]:
    """The group of the code in the path and this device's participant in it (no joining)."""
    target = await find_code_limited(request, request.path_params["code"])
    device = device_hash(request)
    if target.group is None or device is None:
        raise Forbidden(NO_DEVICE)
    who = await services(request).db.read(
        lambda s: participants.find_participant(s, device, target.workshop.id)
    )
    if who is None:
        raise Forbidden(NO_DEVICE)
    return target, who


async def answer_page(
    request: Request,
    *,
    error: str | None = None,
    given: dict[int, Any] | None = None,
    status: int = 200,
) -> Response:
    target, who = await _phone(request)
    moment = request.path_params["moment"]
    asked = await services(request).db.read(lambda s: answers.asking(s, who, moment))
    assert target.group is not None
    return await page(
        request,
        "participant/questions.html",
        status,
        workshop=target.workshop,
        place=target.group.name,
        form_action=f"/j/{target.group.code}/questions/{asked.moment}",
        back_url=f"/j/{target.group.code}",
        asking=asked,
        given=given,
        error=error,
        saved=False,
        staff=None,
    )


async def answer(request: Request) -> Response:
    form = await read_form(request)
    target, who = await _phone(request)
    moment = request.path_params["moment"]
    given = _given(form)
    try:
        await answers.answer(services(request).db, who, moment, given)
    except DomainError as exc:
        return await answer_page(request, error=exc.message, given=given, status=exc.status)
    assert target.group is not None
    return see_other(f"/j/{target.group.code}?answered={moment}")  # a key answer() accepted


def _given(form: FormData) -> dict[int, Any]:
    """The answers of a form: `q12` fields, lists where the form says `manyq12`."""
    given: dict[int, Any] = {}
    for key in form:
        if key.startswith("q") and key[1:].isdigit() and len(key) < 12:
            values = [str(v) for v in form.getlist(key)]
            given[int(key[1:])] = values if form.get(f"many{key}") else values[0]
    return given


# -- the follow-up link, weeks later ---------------------------------------------------------


async def follow_up_form(
    request: Request,
    *,
    error: str | None = None,
    given: dict[int, Any] | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    """A personal follow-up link: this device answers the follow-up questions."""
    token = request.path_params["token"][:100]
    db = services(request).db
    device = device_hash(request, create=True)
    assert device is not None
    who = await follow_up_links.open_link(db, token, device)
    asked = await db.read(lambda s: answers.asking(s, who, Moment.followup))
    workshop = await db.read(lambda s: workshop_views.workshop_view(s, who.workshop_id))
    return await page(
        request,
        "participant/questions.html",
        status,
        workshop=workshop,
        place="",
        form_action=f"/f/{token}",
        back_url=None,
        asking=asked,
        given=given,
        error=error,
        saved=saved,
        staff=None,
    )


async def follow_up_answer(request: Request) -> Response:
    form = await read_form(request)
    token = request.path_params["token"][:100]
    db = services(request).db
    device = device_hash(request)
    if device is None:
        raise Forbidden(N_("Please open your follow-up link again."))
    who = await follow_up_links.open_link(db, token, device)
    given = _given(form)
    try:
        await answers.answer(db, who, Moment.followup.value, given)
    except DomainError as exc:
        return await follow_up_form(request, error=exc.message, given=given, status=exc.status)
    return await follow_up_form(request, saved=True)


routes = [
    Route("/organiser/workshops/{workshop_id:id}/questions", questions_page),
    Route("/organiser/workshops/{workshop_id:id}/questions", questions_action, methods=["POST"]),
    Route("/organiser/workshops/{workshop_id:id}/questions/projector", results_projector),
    Route("/organiser/workshops/{workshop_id:id}/questions/answers.csv", answers_download),
    Route("/organiser/workshops/{workshop_id:id}/questions/results", results_fragment),
    Route("/f/{token}", follow_up_form),
    Route("/f/{token}", follow_up_answer, methods=["POST"]),
    Route("/j/{code}/questions/{moment}", answer_page),
    Route("/j/{code}/questions/{moment}", answer, methods=["POST"]),
]
