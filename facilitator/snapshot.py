"""One workshop as plain, frozen dataclasses: what every export is computed from.

`domain.exports.read_snapshot` fills it in one read transaction; everything downstream
(report, tables, data, metrics) is a pure function of the snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from facilitator.group_settings import GroupSettings
from facilitator.models import IdeaStatus


def utc(at: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


@dataclass(frozen=True)
class WorkshopSnap:
    id: int
    title: str
    date: dt.date | None
    description: str
    code: str
    organisers: tuple[str, ...]  # emails
    created_at: dt.datetime
    language: str = "en"  # of its exports; files from before it existed read as English
    tag_label: str = ""  # the question asked at join, when rounds mix tables by it
    chatham_house: bool = False  # no names in any page or export; older files read as off


@dataclass(frozen=True)
class RoundSnap:
    id: int
    name: str
    position: int
    assignment: str
    started_at: dt.datetime | None


@dataclass(frozen=True)
class GroupSnap:
    id: int
    name: str
    prompt: str
    description: str
    code: str
    phase: str
    position: int
    settings: GroupSettings  # flat in the JSON archive, as before it was one object
    ideas_revealed: bool
    votes_revealed: bool
    writing_locked: bool
    timer_ends_at: dt.datetime | None
    facilitators: tuple[str, ...]  # emails
    created_at: dt.datetime
    round_id: int | None = None  # files from before rounds have none
    carry_from: tuple[int, ...] = ()  # groups of earlier rounds it started from


@dataclass(frozen=True)
class RevisionSnap:
    text: str
    edited_by: str
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class IdeaSnap:
    id: int
    group_id: int
    participant_id: int | None
    author_email: str | None  # a staff author
    author_name: str
    client_key: str
    text: str
    status: str
    cluster_id: int | None
    position: int
    merged_into: int | None
    hidden_reason: str
    edited_by_facilitator: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    revisions: tuple[RevisionSnap, ...] = ()
    seed_of: int | None = None  # the earlier round's recommendation it was carried from

    @property
    def published(self) -> bool:
        """Shown in exports other than the audit log: on the board, or merged into an idea."""
        return self.status in (IdeaStatus.visible, IdeaStatus.merged)


@dataclass(frozen=True)
class ClusterSnap:
    id: int
    group_id: int
    name: str
    position: int
    created_at: dt.datetime


@dataclass(frozen=True)
class VoteSnap:
    """A dot. `voter` is a participant number, never a name: ballots are secret."""

    id: int
    group_id: int
    voter: int
    target: str  # "idea" or "cluster"
    target_id: int
    created_at: dt.datetime


@dataclass(frozen=True)
class SupportSnap:
    """A phone's "+1" to an idea instead of sending its own: one per participant per idea."""

    idea_id: int
    participant_id: int  # a number, never a name
    created_at: dt.datetime


@dataclass(frozen=True)
class GalleryPlusSnap:
    """A phone's +1 on a group's agreed recommendation in the report-back gallery."""

    recommendation_id: int
    participant_id: int  # a number, never a name
    created_at: dt.datetime


@dataclass(frozen=True)
class SeatSnap:
    """Where a phone sat in a round that has ended."""

    round_id: int
    participant_id: int
    group_id: int


@dataclass(frozen=True)
class SourceSnap:
    target: str
    target_id: int


@dataclass(frozen=True)
class RecommendationSnap:
    id: int
    group_id: int
    title: str
    text: str
    rationale: str
    position: int
    agreed: bool
    created_by: str | None  # email
    created_at: dt.datetime
    updated_at: dt.datetime
    sources: tuple[SourceSnap, ...] = ()
    who_acts: str = ""  # "": no one named (an archive from before 0014 keeps it in the text)


@dataclass(frozen=True)
class FinalSnap:
    """A workshop-level recommendation and the group recommendations it came from."""

    id: int
    title: str
    text: str
    rationale: str
    position: int
    final: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    recommendation_ids: tuple[int, ...] = ()
    who_acts: str = ""


@dataclass(frozen=True)
class ParticipantSnap:
    id: int
    group_id: int | None
    display_name: str
    created_at: dt.datetime
    tag: str = ""  # the answer at join ("" unless names were kept: it can say who)


@dataclass(frozen=True)
class EventSnap:
    channel: str  # "workshop", "group:<id>" or "ballots:<id>" (ids of this snapshot)
    seq: int
    kind: str
    payload: dict[str, Any]
    actor: str  # "participant:<id>", "staff:<email>" or as recorded
    at: dt.datetime

    @property
    def group_id(self) -> int | None:
        kind, _, ident = self.channel.partition(":")
        return int(ident) if kind == "group" else None


@dataclass(frozen=True)
class QuestionSnap:
    """A question and the moments it is asked at (issue #24)."""

    id: int
    kind: str
    text: str
    moments: tuple[str, ...]
    position: int = 0
    low: int = 1
    high: int = 5
    low_label: str = ""
    high_label: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerSnap:
    """One device's answer at one moment: a participant id, never a name."""

    question_id: int
    participant_id: int
    moment: str
    value: int | list[int] | str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class MomentSnap:
    moment: str
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class FollowUpSnap:
    """What became of a final recommendation (its id in final_recommendations)."""

    final_id: int
    owner_name: str
    owner_organisation: str
    status: str
    due: dt.date | None
    notes: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class PlenarySnap:
    """The plenary vote (issue #23): how it counts, which final recommendations (their ids
    in final_recommendations, in the order shown), when it opened and closed."""

    method: str  # "dots" or "ranking"
    budget: int
    cap: int
    items: tuple[int, ...]
    opened_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None  # its timer, if one was set
    closed_at: dt.datetime | None = None


@dataclass(frozen=True)
class BallotSnap:
    """One device's plenary ballot: a participant id, never a name. `dots` by final id, or
    `ranking`, the final ids in the device's order; where the phone sat when it voted."""

    participant_id: int
    group_id: int | None
    round_id: int | None
    dots: dict[int, int] = field(default_factory=dict)
    ranking: tuple[int, ...] = ()
    cast_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Snapshot:
    workshop: WorkshopSnap
    groups: tuple[GroupSnap, ...]
    ideas: tuple[IdeaSnap, ...]
    clusters: tuple[ClusterSnap, ...]
    votes: tuple[VoteSnap, ...]
    recommendations: tuple[RecommendationSnap, ...]
    participants: tuple[ParticipantSnap, ...]
    events: tuple[EventSnap, ...]
    taken_at: dt.datetime
    include_names: bool = False
    # The organiser's synthesis; when there is none, reports use the agreed group ones.
    final_recommendations: tuple[FinalSnap, ...] = field(default=())
    rounds: tuple[RoundSnap, ...] = ()
    # Impact (issue #24); files from before it have none.
    questions: tuple[QuestionSnap, ...] = ()
    answers: tuple[AnswerSnap, ...] = ()
    moments: tuple[MomentSnap, ...] = ()
    follow_ups: tuple[FollowUpSnap, ...] = ()
    supports: tuple[SupportSnap, ...] = ()  # files from before +1s have none
    # The report-back gallery's +1s and each ended round's seats (issue #23); files from
    # before them have none.
    gallery_plus: tuple[GalleryPlusSnap, ...] = ()
    seats: tuple[SeatSnap, ...] = ()
    plenary: PlenarySnap | None = None  # files from before the plenary vote have none
    ballots: tuple[BallotSnap, ...] = ()

    def group(self, group_id: int) -> GroupSnap:
        return next(g for g in self.groups if g.id == group_id)

    def published_ideas(self, group_id: int | None = None) -> list[IdeaSnap]:
        return [
            i for i in self.ideas if i.published and (group_id is None or i.group_id == group_id)
        ]

    def tally(self, target: str, target_id: int) -> int:
        return sum(1 for v in self.votes if v.target == target and v.target_id == target_id)

    def plus_ones(self, idea_id: int) -> int:
        return sum(1 for p in self.supports if p.idea_id == idea_id)

    def gallery_plus_for(self, recommendation_id: int) -> int:
        """The room's +1s on a group's recommendation in the report-back gallery."""
        return sum(1 for p in self.gallery_plus if p.recommendation_id == recommendation_id)
