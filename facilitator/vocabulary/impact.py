"""The kinds of impact (issue #24): questions and their moments, answers, follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from facilitator import moments
from facilitator.i18n import N_, gettext
from facilitator.vocabulary.kinds import EVERYONE, STAFF, Audience, Follow, _kind, quote


@dataclass(frozen=True, slots=True)
class QuestionChanged:
    question: int
    text: str = ""

    def describe(self) -> str:
        return quote(self.text) if self.text else ""


@dataclass(frozen=True, slots=True)
class MomentChanged:
    moment: str  # an occasion's key (facilitator.moments): a moment, or round-N
    open: bool

    def describe(self) -> str:
        return moments.label(self.moment)


@dataclass(frozen=True, slots=True)
class AnswersGiven:
    moment: str
    answered: int  # how many of the moment's questions this device answered (values stay out)

    def describe(self) -> str:
        return moments.label(self.moment)


MOMENT_LABELS = moments.LABELS

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
        return f"{quote(self.title)}: {changed}" if changed else quote(self.title)


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


@dataclass(frozen=True, slots=True)
class ChathamHouseChanged:
    on: bool

    def describe(self) -> str:
        return gettext(N_("turned on") if self.on else N_("turned off"))


# Every page follows (phones lose their name box, consoles their names); recorded on the
# workshop's channel and on each group's.
CHATHAM_HOUSE = _kind(
    "workshop.chatham_house",
    ChathamHouseChanged,
    N_("set the Chatham House Rule"),
    Follow.board,
    EVERYONE,
)
