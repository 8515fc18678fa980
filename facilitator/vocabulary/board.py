"""The kinds of one group's board: ideas, themes, dots, phases and settings, recommendations,
banners; and the payloads they carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from facilitator.i18n import N_, gettext
from facilitator.models import Idea
from facilitator.vocabulary.kinds import STAFF, Follow, _kind, quote


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
        text = quote(self.idea.text)
        if self.idea.status == "hidden" and self.idea.hidden_reason:
            return f"{text} ({self.idea.hidden_reason})"
        if self.into_text:
            return gettext(N_("{idea} into {other}")).format(idea=text, other=quote(self.into_text))
        return text


@dataclass(frozen=True, slots=True)
class IdeaSupported:
    """A phone's "+1" to an idea already on the board, instead of sending its own."""

    idea: int
    text: str
    support: int  # the idea's +1s now

    def describe(self) -> str:
        return quote(self.text)


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
            idea=quote(self.text),
            source=quote(self.from_name) if self.from_name else gettext(NOT_IN_A_THEME),
            target=quote(self.to_name) if self.to_name else gettext(NOT_IN_A_THEME),
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
            return f"{quote(self.previous_name)} → {quote(self.name)}"
        return quote(self.name) if self.name else ""


@dataclass(frozen=True, slots=True)
class ClustersAccepted:
    clusters: list[int]  # themes made
    names: list[str] = field(default_factory=list)  # of those made, then of those extended
    extended: list[int] = field(default_factory=list)  # themes on the board given more ideas

    def describe(self) -> str:
        return ", ".join(quote(n) for n in self.names)


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
class PhonesChanged:
    """A phone joined the group, or left it for another, while the group voted: how many
    phones may vote changed ("12 of 15 phones have voted")."""

    joined: bool  # False: it moved on to another group

    def describe(self) -> str:
        return gettext("a phone joined") if self.joined else gettext("a phone left")


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
        return quote(self.title) if self.title else ""


@dataclass(frozen=True, slots=True)
class Announcement:
    text: str

    def describe(self) -> str:
        return quote(self.text) if self.text else gettext(N_("taken down"))


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
# Recorded only while the group votes: outside the vote no page shows how many phones the
# group has (who is online comes from the sockets), so a join changes nothing on screen.
GROUP_PHONES = _kind(
    "group.phones", PhonesChanged, N_("joined or left the group during the vote"), Follow.turnout
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
