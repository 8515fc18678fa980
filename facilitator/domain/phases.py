"""How a facilitator runs a group: phases, settings, the timer, and revealing."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from sqlmodel import Session

from facilitator import vocabulary
from facilitator.domain import record
from facilitator.domain.access import require_facilitator
from facilitator.domain.actors import Actor
from facilitator.domain.errors import Invalid
from facilitator.group_settings import GroupSettings, SettingsRefused
from facilitator.i18n import N_
from facilitator.models import Group, Phase, utcnow
from facilitator.store.jobs import write_job
from facilitator.vocabulary import (
    Kind,
    PhaseChanged,
    Revealed,
    SettingsChanged,
    TimerChanged,
    WritingChanged,
)

P = TypeVar("P")

ORDER = list(Phase)
LABELS = {
    Phase.collect: N_("Collect ideas"),
    Phase.cluster: N_("Find themes"),
    Phase.vote: N_("Vote"),
    Phase.recommend: N_("Recommend"),
    Phase.closed: N_("Closed"),
}
HINTS = {
    Phase.collect: N_("Share your ideas: each one appears for the whole group."),
    Phase.cluster: N_("The facilitator is grouping the ideas into themes. Watch them form."),
    Phase.vote: N_("Put your dots on the themes and ideas you support most."),
    Phase.recommend: N_("The group is turning the top themes into recommendations."),
    Phase.closed: N_("This breakout is closed. Thank you for taking part!"),
}
MAX_TIMER_MINUTES = 240


def _changed(s: Session, group: Group, actor: Actor, kind: Kind[P], payload: P) -> None:
    s.add(group)
    s.flush()
    assert group.id is not None
    record.to_group(s, group.id, kind, payload, actor)


def check_phase(phase: object) -> Phase:
    try:
        return Phase(str(phase))
    except ValueError:
        raise Invalid(N_("That is not a phase.")) from None


@write_job
def set_phase(s: Session, actor: Actor, group_id: int, phase: object) -> None:
    """Move the group to any phase, forward or back. The same phase again changes nothing."""
    target = check_phase(phase)
    group = require_facilitator(s, actor, group_id)
    if group.phase == target:
        return
    previous, group.phase = group.phase, target
    _changed(s, group, actor, vocabulary.GROUP_PHASE, PhaseChanged(target.value, previous))


def check_settings(
    private_mode: object, premoderation: object, budget: object, cap: object, lock: object
) -> GroupSettings:
    """The settings form's values, checked by GroupSettings, or Invalid with its message."""
    try:
        return GroupSettings.parse(private_mode, premoderation, budget, cap, lock)
    except SettingsRefused as exc:
        raise Invalid(exc.msgid, **exc.params) from None


@write_job
def update_settings(s: Session, actor: Actor, group_id: int, new: GroupSettings) -> None:
    group = require_facilitator(s, actor, group_id)
    group.settings = new
    _changed(s, group, actor, vocabulary.GROUP_SETTINGS, SettingsChanged())


def check_minutes(minutes: object) -> float:
    try:
        length = float(str(minutes))
    except ValueError:
        raise Invalid(N_("Give the timer's length in minutes.")) from None
    if not 1 / 60 <= length <= MAX_TIMER_MINUTES:
        raise Invalid(N_("A timer runs for 1 second to {max} minutes."), max=MAX_TIMER_MINUTES)
    return length


@write_job
def start_timer(s: Session, actor: Actor, group_id: int, minutes: object) -> None:
    """A countdown whose end is kept on the server, so every screen agrees after a reload."""
    length = check_minutes(minutes)
    group = require_facilitator(s, actor, group_id)
    group.timer_ends_at = utcnow() + dt.timedelta(minutes=length)
    ends_at = group.timer_ends_at.isoformat()
    _changed(s, group, actor, vocabulary.GROUP_TIMER, TimerChanged(ends_at))


@write_job
def stop_timer(s: Session, actor: Actor, group_id: int) -> None:
    group = require_facilitator(s, actor, group_id)
    if group.timer_ends_at is None:
        return
    group.timer_ends_at = None
    _changed(s, group, actor, vocabulary.GROUP_TIMER, TimerChanged(None))


@write_job
def set_writing_locked(s: Session, actor: Actor, group_id: int, locked: bool) -> None:
    group = require_facilitator(s, actor, group_id)
    if group.writing_locked == locked:
        return
    group.writing_locked = locked
    _changed(s, group, actor, vocabulary.GROUP_WRITING, WritingChanged(locked))


@write_job
def reveal(s: Session, actor: Actor, group_id: int, what: object, shown: bool) -> None:
    """Show phones the ideas (private mode) or the vote tallies, or hide them again."""
    if what not in ("ideas", "votes"):
        raise Invalid(N_("Reveal ideas or votes."))
    group = require_facilitator(s, actor, group_id)
    if what == "ideas":
        if group.ideas_revealed == shown:
            return
        group.ideas_revealed = shown
        kind = vocabulary.REVEAL_IDEAS
    else:
        if group.votes_revealed == shown:
            return
        group.votes_revealed = shown
        kind = vocabulary.REVEAL_VOTES
    _changed(s, group, actor, kind, Revealed(shown))
