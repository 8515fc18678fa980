"""The set-up file's shape: its keys, their types and the text rules they share with the forms."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from facilitator import i18n
from facilitator.domain import accounts, workshops
from facilitator.domain.errors import Invalid
from facilitator.domain.questions import MAX_QUESTIONS, QuestionDraft, check_question
from facilitator.domain.round_state import MAX_ROUNDS
from facilitator.domain.text import clean
from facilitator.group_settings import GroupSettings
from facilitator.models import Phase

PhaseName = Literal["collect", "cluster", "vote", "recommend", "closed"]
AssignmentName = Literal["stay", "choose", "random", "tag", "list"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


def _cleaned(limit: int, multiline: bool, required: bool = True) -> Any:
    """A validator that applies the same text rules as the forms (control characters, limits)."""

    def check(value: object) -> str:
        try:
            return clean(value, limit=limit, multiline=multiline, required=required)
        except Invalid as exc:
            raise ValueError(exc.message) from None

    return check


class SettingsKeys(_Strict):
    """The keys of a group's starting phase and its GroupSettings, typed for the file. In
    `defaults` they apply to every group that does not say; a key nobody gives takes
    GroupSettings' default. Their bounds are GroupSettings' own check."""

    phase: PhaseName | None = None
    private_mode: bool | None = None
    premoderation: bool | None = None
    vote_budget: int | None = None
    vote_cap: int | None = None
    lock_on_timer: bool | None = None

    def settings(self, defaults: SettingsKeys | None = None) -> GroupSettings:
        """These keys, else the defaults', as GroupSettings (or SettingsRefused)."""
        names = set(GroupSettings.names())
        given = defaults.model_dump(include=names, exclude_none=True) if defaults else {}
        return GroupSettings(**given | self.model_dump(include=names, exclude_none=True))

    def start_phase(self, defaults: SettingsKeys) -> Phase:
        return Phase(self.phase or defaults.phase or Phase.collect)


class RoundSpec(_Strict):
    """A round: its name and how phones find their group when it starts."""

    name: str
    assignment: AssignmentName = "choose"

    _name = field_validator("name", mode="before")(_cleaned(120, False))


class GroupSpec(SettingsKeys):
    name: str
    question: str
    context: str = ""
    facilitators: list[str] = []
    round: int | None = Field(default=None, ge=1, le=MAX_ROUNDS)  # 1 for the first
    # Groups of earlier rounds whose agreed recommendations this one starts from.
    carry: list[str] = Field(default=[], max_length=50)

    _name = field_validator("name", mode="before")(_cleaned(120, False))
    _question = field_validator("question", mode="before")(_cleaned(500, True))
    _context = field_validator("context", mode="before")(_cleaned(2000, True, False))

    @field_validator("facilitators", mode="after")
    @classmethod
    def _emails(cls, emails: list[str]) -> list[str]:
        out = []
        for email in emails:
            try:
                out.append(accounts.check_email(email))
            except Invalid as exc:
                raise ValueError(f"{email!r}: {exc.message}") from None
        return out


class QuestionSpec(_Strict):
    """A question and when it is asked; checked by the same rules as the organiser's form."""

    text: str
    kind: Literal["scale", "single", "multiple", "text"]
    asked: list[Literal["joining", "round", "event", "followup"]] = Field(min_length=1)
    scale: str | None = None  # "1-5" or "0-10"
    low_label: str = ""
    high_label: str = ""
    choices: list[str] = []

    @field_validator("scale", mode="before")
    @classmethod
    def _scale(cls, value: object) -> object:
        return value if value is None else str(value)

    @model_validator(mode="after")
    def _whole(self) -> QuestionSpec:
        try:
            self.draft()
        except Invalid as exc:
            raise ValueError(exc.message) from None
        return self

    def draft(self) -> QuestionDraft:
        return check_question(
            self.kind,
            self.text,
            self.asked,
            self.scale,
            self.low_label,
            self.high_label,
            self.choices,
        )


class Setup(_Strict):
    title: str
    date: dt.date | None = None
    description: str = ""
    language: str = i18n.DEFAULT  # of the projector and the exports
    defaults: SettingsKeys = SettingsKeys()
    tag_label: str = ""  # asked at join, when a round mixes tables by it
    chatham_house: bool = False  # no names asked, shown or exported
    rounds: list[RoundSpec] = Field(default=[], max_length=MAX_ROUNDS)
    groups: list[GroupSpec] = Field(
        min_length=workshops.MIN_GROUPS, max_length=workshops.MAX_GROUPS
    )
    questions: list[QuestionSpec] = Field(default=[], max_length=MAX_QUESTIONS)

    _title = field_validator("title", mode="before")(_cleaned(200, False))
    _description = field_validator("description", mode="before")(_cleaned(5000, True, False))
    _tag_label = field_validator("tag_label", mode="before")(_cleaned(60, False, False))

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> str:
        try:
            return workshops.check_language(value)
        except Invalid as exc:
            raise ValueError(exc.message) from None
