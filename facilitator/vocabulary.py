"""Every event kind, defined once: its payload's type, its audit label, who sees it live and
how live pages follow it (DESIGN: "One vocabulary").

Commands record events only through these kinds (`domain.record`), so a kind that is not
defined here cannot be written; the live renderer, the audit trail and the exports read the
same definitions. Payloads are frozen dataclasses: orjson writes them as they are, and
`Kind.read` turns a stored payload back into its type (fields added later have defaults, so
logs written before them still read).

To add a kind: its payload (or an existing one) and a `_kind(...)` line here, and the command
that records it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from facilitator.i18n import N_, gettext
from facilitator.models import Idea

P = TypeVar("P")


class Audience(StrEnum):
    """Who a live socket is for; each renders its own view of an event."""

    participant = "participant"
    facilitator = "facilitator"
    projector = "projector"  # what phones see, large, for a screen; opened by staff


class Follow(StrEnum):
    """How live pages follow an event of a kind."""

    idea = "idea"  # the idea's card and the counts, rendered from the payload alone
    vote = "vote"  # the item's tally, from the payload alone
    board = "board"  # the board's regions, rendered again from the database
    round = "round"  # phones go on to their group of the new round, from the payload alone


EVERYONE = frozenset(Audience)
STAFF = frozenset({Audience.facilitator})


# -- payloads -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdeaView:
    """What every view of an idea needs; the idea in the payload of idea events."""

    id: int
    group_id: int
    text: str
    author_name: str
    participant_id: int | None
    status: str
    edited: bool
    created_at: str  # ISO 8601, UTC
    cluster_id: int | None = None
    hidden_reason: str = ""
    edited_by_facilitator: bool = False
    merged_into: int | None = None

    @classmethod
    def of(cls, idea: Idea, edited: bool = False) -> IdeaView:
        assert idea.id is not None
        return cls(
            idea.id,
            idea.group_id,
            idea.text,
            idea.author_name,
            idea.participant_id,
            idea.status,
            edited or idea.edited_by_facilitator,
            idea.created_at.isoformat(),
            idea.cluster_id,
            idea.hidden_reason,
            idea.edited_by_facilitator,
            idea.merged_into,
        )

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> IdeaView:
        return cls(**payload["idea"])


@dataclass(frozen=True, slots=True)
class Counts:
    ideas: int
    contributors: int
    unclustered: int  # of the ideas, those not in a theme (the console's first column)


@dataclass(frozen=True, slots=True)
class VoteState:
    """One phone's dots: how many are left, and where the others are."""

    remaining: int
    placed: dict[str, int]  # "idea-12" / "cluster-3" -> dots


# Phones whose dots a facilitator's action gave back, by participant id (as text: JSON keys).
DotsBack = dict[str, VoteState]


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"“{text[: limit - 1]}…”" if len(text) > limit else f"“{text}”"


@dataclass(frozen=True, slots=True)
class IdeaChanged:
    """An idea as it is now, enough to render it for every audience."""

    idea: IdeaView
    counts: Counts
    shown: bool  # whether other phones may see it now
    phase: str
    votes: DotsBack = field(default_factory=dict)
    into_text: str = ""  # of the idea it was merged into
    support: int = 0  # its +1s (domain/support.py), so that its card shows them as the board does

    def describe(self) -> str:
        text = _quote(self.idea.text)
        if self.idea.status == "hidden" and self.idea.hidden_reason:
            return f"{text} ({self.idea.hidden_reason})"
        if self.into_text:
            return gettext(N_("{idea} into {other}")).format(
                idea=text, other=_quote(self.into_text)
            )
        return text


@dataclass(frozen=True, slots=True)
class IdeaSupported:
    """A phone's "+1" to an idea already on the board, instead of sending its own."""

    idea: int
    text: str
    support: int  # the idea's +1s now

    def describe(self) -> str:
        return _quote(self.text)


NOT_IN_A_THEME = N_("Not in a theme")


@dataclass(frozen=True, slots=True)
class IdeaMoved:
    idea: int
    cluster: int | None  # where it went; None: back among the unclustered
    position: int
    votes: DotsBack = field(default_factory=dict)
    text: str = ""
    from_name: str = ""  # "" for the unclustered
    to_name: str = ""

    def describe(self) -> str:
        if not self.text:
            return ""
        return gettext(N_("{idea} from {source} to {target}")).format(
            idea=_quote(self.text),
            source=_quote(self.from_name) if self.from_name else gettext(NOT_IN_A_THEME),
            target=_quote(self.to_name) if self.to_name else gettext(NOT_IN_A_THEME),
        )


@dataclass(frozen=True, slots=True)
class ClusterChanged:
    cluster: int
    idea: int | None = None  # the idea a theme was made with
    votes: DotsBack = field(default_factory=dict)
    name: str = ""
    previous_name: str = ""

    def describe(self) -> str:
        if self.previous_name and self.name:
            return f"{_quote(self.previous_name)} → {_quote(self.name)}"
        return _quote(self.name) if self.name else ""


@dataclass(frozen=True, slots=True)
class ClustersAccepted:
    clusters: list[int]  # themes made
    names: list[str] = field(default_factory=list)  # of those made, then of those extended
    extended: list[int] = field(default_factory=list)  # themes on the board given more ideas

    def describe(self) -> str:
        return ", ".join(_quote(n) for n in self.names)


@dataclass(frozen=True, slots=True)
class VoteChanged:
    item: str  # "idea-12" / "cluster-3"
    tally: int
    voter: int  # a participant id: the personal frame goes to that phone only
    state: VoteState
    revealed: bool  # whether phones see tallies

    def describe(self) -> str:
        return ""  # dots are secret


@dataclass(frozen=True, slots=True)
class PhaseChanged:
    phase: str
    previous: str

    def describe(self) -> str:
        return f"{self.previous} → {self.phase}"


@dataclass(frozen=True, slots=True)
class SettingsChanged:
    def describe(self) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class TimerChanged:
    ends_at: str | None  # ISO 8601, UTC; None: stopped

    def describe(self) -> str:
        if self.ends_at is None:
            return gettext(N_("stopped"))
        return gettext(N_("ends at {time} UTC")).format(
            time=dt.datetime.fromisoformat(self.ends_at).strftime("%H:%M:%S")
        )


@dataclass(frozen=True, slots=True)
class WritingChanged:
    locked: bool

    def describe(self) -> str:
        return gettext(N_("paused") if self.locked else N_("resumed"))


@dataclass(frozen=True, slots=True)
class Revealed:
    shown: bool

    def describe(self) -> str:
        return gettext(N_("shown") if self.shown else N_("hidden"))


@dataclass(frozen=True, slots=True)
class RecommendationChanged:
    recommendation: int
    title: str = ""

    def describe(self) -> str:
        return _quote(self.title) if self.title else ""


@dataclass(frozen=True, slots=True)
class Announcement:
    text: str

    def describe(self) -> str:
        return _quote(self.text) if self.text else gettext(N_("taken down"))


@dataclass(frozen=True, slots=True)
class RoundStarted:
    round: int
    name: str
    position: int
    workshop_code: str  # where a phone asks for its new group (its seat is its own)

    def describe(self) -> str:
        return _quote(self.name)


@dataclass(frozen=True, slots=True)
class RoundChanged:
    round: int  # 0: the question at join
    name: str

    def describe(self) -> str:
        return _quote(self.name) if self.name else ""


# -- kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Kind(Generic[P]):
    name: str  # as stored in the log: "idea.submitted"
    payload: type[P]
    label: str  # for the audit trail, marked for translation: "submitted an idea"
    follow: Follow
    audiences: frozenset[Audience] = EVERYONE
    # Whether every audience's frame can be made from the payload alone, so a socket that
    # missed the event can be sent it again (else it takes a fresh board).
    replayable: bool = False
    secret_actor: bool = False  # who did it is never shown (dots are secret)

    @cached_property
    def _adapter(self) -> TypeAdapter[P]:
        return TypeAdapter(self.payload)

    def read(self, payload: dict[str, Any]) -> P | None:
        """The payload as its type; None for one this code cannot read (an old import)."""
        try:
            return self._adapter.validate_python(payload)
        except ValidationError:
            return None

    def describe(self, payload: dict[str, Any]) -> str:
        """A line of detail for the audit trail, in the current language."""
        typed = self.read(payload)
        describe: Callable[[], str] | None = getattr(typed, "describe", None)
        return describe() if describe is not None else ""


KINDS: dict[str, Kind[Any]] = {}
# Kinds once recorded under other names (migration 0007 renamed them in the log; an archive
# exported before it still has them).
RENAMED = {
    "final.created": "recommendation.created",
    "final.sources": "recommendation.sources",
    "final.edited": "recommendation.edited",
    "final.marked": "recommendation.agreed",
    "final.moved": "recommendation.moved",
    "final.deleted": "recommendation.deleted",
}


def _kind(
    name: str,
    payload: type[P],
    label: str,
    follow: Follow,
    audiences: frozenset[Audience] = EVERYONE,
    *,
    secret_actor: bool = False,
) -> Kind[P]:
    assert name not in KINDS, name
    replayable = follow in (Follow.idea, Follow.vote, Follow.round)
    kind = Kind(name, payload, label, follow, audiences, replayable, secret_actor)
    KINDS[name] = kind
    return kind


def secret_actor(kind_name: str) -> bool:
    """Whether the audit trail and exports must not say who did it; unknown kinds are
    treated as secret only if they look like votes, as before there was a vocabulary."""
    kind = KINDS.get(kind_name)
    return kind.secret_actor if kind is not None else kind_name.startswith("vote.")


def audit_line(kind_name: str, payload: dict[str, Any]) -> tuple[str, str]:
    """An event's audit label and its line of detail, in the current language; an event of
    a kind this code does not know (an old import) shows its raw name."""
    kind = KINDS.get(kind_name)
    if kind is None:
        return kind_name, ""
    return gettext(kind.label), kind.describe(payload)


IDEA_SUBMITTED = _kind("idea.submitted", IdeaChanged, N_("submitted an idea"), Follow.idea)
IDEA_EDITED = _kind("idea.edited", IdeaChanged, N_("edited their idea"), Follow.idea)
IDEA_WITHDRAWN = _kind("idea.withdrawn", IdeaChanged, N_("withdrew their idea"), Follow.idea)
IDEA_CARRIED = _kind(
    "idea.carried", IdeaChanged, N_("carried a recommendation forward as a card"), Follow.idea
)
IDEA_HIDDEN = _kind("idea.hidden", IdeaChanged, N_("hid an idea"), Follow.board)
IDEA_RESTORED = _kind("idea.restored", IdeaChanged, N_("restored an idea"), Follow.board)
IDEA_APPROVED = _kind("idea.approved", IdeaChanged, N_("approved an idea"), Follow.board)
IDEA_MODERATED = _kind("idea.moderated", IdeaChanged, N_("edited an idea"), Follow.board)
IDEA_MERGED = _kind("idea.merged", IdeaChanged, N_("merged an idea into another"), Follow.board)
IDEA_SUPPORTED = _kind(
    "idea.supported",
    IdeaSupported,
    N_("gave +1 to an idea instead of sending theirs"),
    Follow.board,
)
IDEA_MOVED = _kind("idea.moved", IdeaMoved, N_("moved an idea"), Follow.board)
CLUSTER_CREATED = _kind("cluster.created", ClusterChanged, N_("created a theme"), Follow.board)
CLUSTER_RENAMED = _kind("cluster.renamed", ClusterChanged, N_("renamed a theme"), Follow.board)
CLUSTER_DELETED = _kind("cluster.deleted", ClusterChanged, N_("deleted a theme"), Follow.board)
CLUSTERS_ACCEPTED = _kind(
    "clusters.accepted", ClustersAccepted, N_("accepted suggested themes"), Follow.board
)
VOTE_CAST = _kind("vote.cast", VoteChanged, N_("placed a dot"), Follow.vote, secret_actor=True)
VOTE_RETRACTED = _kind(
    "vote.retracted", VoteChanged, N_("took a dot back"), Follow.vote, secret_actor=True
)
GROUP_PHASE = _kind("group.phase", PhaseChanged, N_("changed the phase"), Follow.board)
GROUP_SETTINGS = _kind("group.settings", SettingsChanged, N_("changed the settings"), Follow.board)
GROUP_TIMER = _kind("group.timer", TimerChanged, N_("set the timer"), Follow.board)
GROUP_WRITING = _kind(
    "group.writing", WritingChanged, N_("paused or resumed writing"), Follow.board
)
REVEAL_IDEAS = _kind("group.reveal_ideas", Revealed, N_("revealed or hid the ideas"), Follow.board)
REVEAL_VOTES = _kind(
    "group.reveal_votes", Revealed, N_("revealed or hid the tallies"), Follow.board
)
RECOMMENDATION_CREATED = _kind(
    "recommendation.created",
    RecommendationChanged,
    N_("promoted a recommendation"),
    Follow.board,
)
RECOMMENDATION_EDITED = _kind(
    "recommendation.edited", RecommendationChanged, N_("edited a recommendation"), Follow.board
)
RECOMMENDATION_AGREED = _kind(
    "recommendation.agreed",
    RecommendationChanged,
    N_("marked a recommendation agreed or not"),
    Follow.board,
)
RECOMMENDATION_MOVED = _kind(
    "recommendation.moved",
    RecommendationChanged,
    N_("reordered the recommendations"),
    Follow.board,
)
RECOMMENDATION_DELETED = _kind(
    "recommendation.deleted", RecommendationChanged, N_("deleted a recommendation"), Follow.board
)
RECOMMENDATION_SOURCES = _kind(
    "recommendation.sources",
    RecommendationChanged,
    N_("changed what a recommendation draws on"),
    Follow.board,
    STAFF,
)
ANNOUNCEMENT = _kind(
    "workshop.announcement", Announcement, N_("showed a banner on every phone"), Follow.board
)
ROUND_STARTED = _kind("round.started", RoundStarted, N_("started the next round"), Follow.round)
ROUND_CHANGED = _kind("round.changed", RoundChanged, N_("changed the rounds"), Follow.board, STAFF)


# -- impact: questions and their moments (issue #24) -----------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionChanged:
    question: int
    text: str = ""

    def describe(self) -> str:
        return _quote(self.text) if self.text else ""


@dataclass(frozen=True, slots=True)
class MomentChanged:
    moment: str  # a models.Moment value
    open: bool

    def describe(self) -> str:
        return gettext(MOMENT_LABELS.get(self.moment, self.moment))


@dataclass(frozen=True, slots=True)
class AnswersGiven:
    moment: str
    answered: int  # how many of the moment's questions this device answered (values stay out)

    def describe(self) -> str:
        return gettext(MOMENT_LABELS.get(self.moment, self.moment))


MOMENT_LABELS = {
    "joining": N_("on joining (baseline)"),
    "round": N_("at the end of a round"),
    "event": N_("at the end of the event"),
    "followup": N_("at a follow-up"),
}

QUESTION_ADDED = _kind(
    "question.added", QuestionChanged, N_("added a question"), Follow.board, STAFF
)
QUESTION_REMOVED = _kind(
    "question.removed", QuestionChanged, N_("removed a question"), Follow.board, STAFF
)
# Phones too: their questions card follows (each phone's own, in fragments.questions_card).
MOMENT_AUDIENCES = frozenset({Audience.facilitator, Audience.participant})
MOMENT_OPENED = _kind(
    "moment.opened", MomentChanged, N_("opened questions"), Follow.board, MOMENT_AUDIENCES
)
MOMENT_CLOSED = _kind(
    "moment.closed", MomentChanged, N_("closed questions"), Follow.board, MOMENT_AUDIENCES
)
ANSWERS_GIVEN = _kind(
    "answers.given",
    AnswersGiven,
    N_("answered questions"),
    Follow.board,
    STAFF,
    secret_actor=True,  # answers are anonymous
)


@dataclass(frozen=True, slots=True)
class FollowUpChanged:
    recommendation: int
    title: str = ""
    changes: list[str] = field(default_factory=list)  # "status: proposed → accepted", ...

    def describe(self) -> str:
        changed = "; ".join(self.changes)
        return f"{_quote(self.title)}: {changed}" if changed else _quote(self.title)


@dataclass(frozen=True, slots=True)
class StatusLinkChanged:
    active: bool

    def describe(self) -> str:
        return gettext(N_("made") if self.active else N_("turned off"))


FOLLOW_UP_CHANGED = _kind(
    "followup.changed",
    FollowUpChanged,
    N_("updated the follow-up of a recommendation"),
    Follow.board,
    STAFF,
)
STATUS_LINK = _kind(
    "followup.status_link",
    StatusLinkChanged,
    N_("made or turned off the public status link"),
    Follow.board,
    STAFF,
)
