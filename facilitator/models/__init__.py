"""SQLModel tables and enums, a module per subject. No queries here.

Enums are stored as plain strings, so adding a value needs no database type change.
"""

from __future__ import annotations

from facilitator.models.accounts import Invitation, LoginSession, Role, User
from facilitator.models.board import (
    Cluster,
    Idea,
    IdeaRevision,
    IdeaStatus,
    IdeaSupport,
    Phase,
    Vote,
    VoteTarget,
)
from facilitator.models.event import (
    Assignment,
    Group,
    GroupCarry,
    GroupFacilitator,
    Participant,
    Round,
    Workshop,
    WorkshopOrganiser,
)
from facilitator.models.gallery import GalleryPlus, RoundSeat
from facilitator.models.impact import (
    Answer,
    FollowUp,
    FollowUpLink,
    FollowUpStatus,
    Moment,
    MomentState,
    Question,
    QuestionKind,
    StatusLink,
)
from facilitator.models.log import Channel, Event
from facilitator.models.plenary import Ballot, BallotPoints, Plenary, PlenaryMethod
from facilitator.models.recommendations import (
    Recommendation,
    RecommendationSource,
    Scope,
    SourceKind,
)
from facilitator.models.time import utcnow
from facilitator.models.vectors import IdeaVector

__all__ = [
    "Answer",
    "Assignment",
    "Ballot",
    "BallotPoints",
    "Channel",
    "Cluster",
    "Event",
    "FollowUp",
    "FollowUpLink",
    "FollowUpStatus",
    "GalleryPlus",
    "Group",
    "GroupCarry",
    "GroupFacilitator",
    "Idea",
    "IdeaRevision",
    "IdeaStatus",
    "IdeaSupport",
    "IdeaVector",
    "Invitation",
    "LoginSession",
    "Moment",
    "MomentState",
    "Participant",
    "Phase",
    "Plenary",
    "PlenaryMethod",
    "Question",
    "QuestionKind",
    "Recommendation",
    "RecommendationSource",
    "Role",
    "Round",
    "RoundSeat",
    "Scope",
    "SourceKind",
    "StatusLink",
    "User",
    "Vote",
    "VoteTarget",
    "Workshop",
    "WorkshopOrganiser",
    "utcnow",
]
