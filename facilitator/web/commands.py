"""Every command a socket message or a form can run, by name: one way in for both.

A handler takes the fields as sent (JSON or form) and calls one domain command, which
checks the actor's role and the input. The reply is what the sender's outbox needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from facilitator import i18n, telemetry
from facilitator.domain import (
    clusters,
    ideas,
    moderation,
    participants,
    phases,
    plenary,
    support,
    votes,
)
from facilitator.domain import recommendations as recs
from facilitator.domain.actors import Actor, Participant
from facilitator.domain.errors import DomainError, Invalid
from facilitator.domain.ids import checked
from facilitator.i18n import N_, gettext
from facilitator.web.plenary_card import render_card
from facilitator.web.state import Services

Fields = Mapping[str, Any]
Reply = dict[str, Any]
Handler = Callable[[Services, Actor, int, Fields], Awaitable[Reply | None]]

COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = handler
        return handler

    return register


MISSING = {
    "idea_id": N_("Which idea? That message names none."),
    "cluster_id": N_("Which theme? That message names none."),
    "recommendation_id": N_("Which recommendation? That message names none."),
}


def number(fields: Fields, name: str, *, optional: bool = False) -> int | None:
    """An id or count from a form or a message; a readable refusal for anything else."""
    value = fields.get(name)
    if value in (None, "") and optional:
        return None
    refusal = Invalid(
        MISSING.get(name, N_("That message is missing a number ({name}).")), name=name
    )
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise refusal
    try:
        return int(value)
    except ValueError:
        raise refusal from None


def ident(fields: Fields, name: str) -> int:
    """An id: a number that some row could have (domain/ids.py), else NotFound."""
    value = number(fields, name)
    assert value is not None
    return checked(value)


def optional_ident(fields: Fields, name: str) -> int | None:
    """An id, or None when the field is missing or empty (no theme, say)."""
    value = number(fields, name, optional=True)
    return None if value is None else checked(value)


def flag(fields: Fields, name: str) -> bool:
    """A checkbox or boolean: a missing checkbox is off, as in an HTML form."""
    value = fields.get(name)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "on", "true", "yes"}
    return value is True or value == 1


async def dispatch(svc: Services, actor: Actor, group_id: int, fields: Fields) -> Reply | None:
    kind = str(fields.get("type", ""))
    handler = COMMANDS.get(kind)
    telemetry.COMMANDS.labels(kind if handler is not None else "unknown").inc()
    try:
        if handler is None:
            raise Invalid(N_("Unknown message type."))
        return await handler(svc, actor, group_id, fields)
    except DomainError as exc:
        telemetry.REFUSED.labels(type(exc).__name__.lower()).inc()
        raise


# -- ideas ---------------------------------------------------------------------------------


@command("submit")
async def _submit(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    receipt = await ideas.submit_idea(
        svc.db, actor, group_id, f.get("key", ""), f.get("text"), svc.settings.max_idea_length
    )
    reply: Reply = {"idea_id": receipt.idea_id, "repeated": receipt.repeated}
    if receipt.kept_in is not None:  # written before its phone moved on to a new round
        group, sitting = receipt.kept_in
        reply["kept"] = gettext(
            N_("Your idea “{idea}” went to {group} ({round}), the group you wrote it in.")
        ).format(idea=_short(str(f.get("text", ""))), group=group, round=sitting)
    return reply


def _short(text: str, limit: int = 60) -> str:
    """An idea on one line, cut to be named in a sentence."""
    text = " ".join(text.split())
    return f"{text[: limit - 1]}…" if len(text) > limit else text


@command("edit")
async def _edit(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await ideas.edit_own_idea(
        svc.db, actor, ident(f, "idea_id"), f.get("text"), svc.settings.max_idea_length
    )


@command("withdraw")
async def _withdraw(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await ideas.withdraw_own_idea(svc.db, actor, ident(f, "idea_id"))


@command("support")
async def _support(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    count = await support.support_idea(svc.db, actor, group_id, ident(f, "idea_id"))
    return {"idea_id": ident(f, "idea_id"), "support": count}


@command("name")
async def _name(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    if not isinstance(actor, Participant):
        raise Invalid(N_("Only participants set a display name here."))
    who = await participants.set_display_name(
        svc.db, actor, f.get("name"), svc.settings.max_name_length
    )
    return {"actor": who}


# -- running the group ---------------------------------------------------------------------


@command("set_phase")
async def _phase(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await phases.set_phase(svc.db, actor, group_id, f.get("phase"))


@command("settings")
async def _settings(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    new = phases.check_settings(
        flag(f, "private_mode"),
        flag(f, "premoderation"),
        f.get("vote_budget"),
        f.get("vote_cap"),
        flag(f, "lock_on_timer"),
    )
    await phases.update_settings(svc.db, actor, group_id, new)


@command("start_timer")
async def _start_timer(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await phases.start_timer(svc.db, actor, group_id, f.get("minutes"))


@command("stop_timer")
async def _stop_timer(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await phases.stop_timer(svc.db, actor, group_id)


@command("lock_writing")
async def _lock(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await phases.set_writing_locked(svc.db, actor, group_id, flag(f, "locked"))


@command("reveal")
async def _reveal(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await phases.reveal(svc.db, actor, group_id, f.get("what"), flag(f, "shown"))


# -- moderation ----------------------------------------------------------------------------


@command("hide")
async def _hide(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await moderation.hide_idea(svc.db, actor, ident(f, "idea_id"), f.get("reason", ""))


@command("restore")
async def _restore(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await moderation.restore_idea(svc.db, actor, ident(f, "idea_id"))


@command("moderate_edit")
async def _moderate(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await moderation.edit_idea(
        svc.db,
        actor,
        ident(f, "idea_id"),
        f.get("text"),
        f.get("note", ""),
        svc.settings.max_idea_length,
    )


@command("merge")
async def _merge(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await moderation.merge_ideas(svc.db, actor, ident(f, "idea_id"), ident(f, "into"))


# -- clusters ------------------------------------------------------------------------------


@command("create_cluster")
async def _create_cluster(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    cluster_id = await clusters.create_cluster(
        svc.db, actor, group_id, f.get("name"), optional_ident(f, "idea_id")
    )
    return {"cluster_id": cluster_id}


@command("rename_cluster")
async def _rename(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await clusters.rename_cluster(svc.db, actor, ident(f, "cluster_id"), f.get("name"))


@command("delete_cluster")
async def _delete_cluster(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await clusters.delete_cluster(svc.db, actor, ident(f, "cluster_id"))


@command("move")
async def _move(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    if "from" not in f:
        raise Invalid(N_("Say where the idea was (from), so a clash with another move is caught."))
    seen = f.get("from")
    await clusters.move_idea(
        svc.db,
        actor,
        ident(f, "idea_id"),
        optional_ident(f, "to"),
        "any" if seen == "any" else optional_ident(f, "from"),
        number(f, "position", optional=True),
    )


@command("accept_suggestions")
async def _accept(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    raw = f.get("suggestions")
    if not isinstance(raw, list):
        raise Invalid(N_("Choose at least one suggestion to accept."))
    accepted = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("ideas"), list):
            raise Invalid(N_("That suggestion could not be read."))
        accepted.append(
            clusters.Suggestion(
                str(item.get("name", "")),
                [ident({"i": i}, "i") for i in item["ideas"]],
                optional_ident(item, "cluster"),
            )
        )
    made = await clusters.apply_suggestions(svc.db, actor, group_id, accepted)
    return {"clusters": made}


# -- votes ---------------------------------------------------------------------------------


@command("vote")
async def _vote(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    state = await votes.cast_vote(svc.db, actor, group_id, f.get("target"), ident(f, "target_id"))
    return {"votes": {"remaining": state.remaining, "placed": state.placed}}


@command("unvote")
async def _unvote(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    state = await votes.retract_vote(
        svc.db, actor, group_id, f.get("target"), ident(f, "target_id")
    )
    return {"votes": {"remaining": state.remaining, "placed": state.placed}}


# -- the plenary vote ----------------------------------------------------------------------


@command("ballot")
async def _ballot(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    """A phone's plenary ballot, from any group: the vote is its workshop's."""
    dots, ranking = f.get("dots"), f.get("ranking")
    if not isinstance(dots, Mapping | None) or not isinstance(ranking, list | None):
        raise Invalid(N_("That ballot could not be read. Please reload the page."))
    for value in [*(dots or ()), *(ranking or ())]:
        ident({"id": value}, "id")  # an id no row can have: refused before anything else
    workshop_id = actor.workshop_id if isinstance(actor, Participant) else 0
    receipt = await plenary.cast_ballot(svc.db, actor, workshop_id, f.get("key"), dots, ranking)
    card = render_card(svc.templates, receipt.vote, receipt.code, i18n.current())
    return {"repeated": receipt.repeated, "ops": card}


# -- recommendations -----------------------------------------------------------------------


@command("promote")
async def _promote(svc: Services, actor: Actor, group_id: int, f: Fields) -> Reply:
    draft = recs.check_draft(
        f.get("title"), f.get("text", ""), f.get("rationale", ""), f.get("who_acts", "")
    )
    rec_id = await recs.promote(
        svc.db, actor, group_id, f.get("source"), ident(f, "source_id"), draft
    )
    return {"recommendation_id": rec_id}


@command("edit_recommendation")
async def _edit_rec(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    draft = recs.check_draft(
        f.get("title"), f.get("text", ""), f.get("rationale", ""), f.get("who_acts", "")
    )
    await recs.edit(svc.db, actor, ident(f, "recommendation_id"), draft)


@command("agree")
async def _agree(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await recs.set_agreed(svc.db, actor, ident(f, "recommendation_id"), flag(f, "agreed"))


@command("move_recommendation")
async def _move_rec(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await recs.move(svc.db, actor, ident(f, "recommendation_id"), f.get("direction"))


@command("delete_recommendation")
async def _delete_rec(svc: Services, actor: Actor, group_id: int, f: Fields) -> None:
    await recs.delete(svc.db, actor, ident(f, "recommendation_id"))
