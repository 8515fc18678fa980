"""A workshop's set-up as a YAML file: read with line numbers, check, create in one go, write back.

The CLI (`facilitator workshop import` / `export-setup`) and the organiser's upload share this.
A file is checked whole before anything is written, and written in one transaction, so a bad
file creates nothing. Every problem is reported with its line and field.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import LiteralScalarString
from sqlmodel import Session, col, select

from facilitator import i18n
from facilitator.domain import (
    access,
    accounts,
    codes,
    workshop_views,
    workshops,
    yaml_budget,
)
from facilitator.domain.actors import Staff
from facilitator.domain.errors import Forbidden, Invalid
from facilitator.domain.text import clean
from facilitator.domain.workshops import GroupDraft
from facilitator.group_settings import GroupSettings, SettingsRefused
from facilitator.i18n import N_
from facilitator.models import Group, GroupFacilitator, Phase, User, Workshop
from facilitator.store.database import Database

PhaseName = Literal["collect", "cluster", "vote", "recommend", "closed"]


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


class GroupSpec(SettingsKeys):
    name: str
    question: str
    context: str = ""
    facilitators: list[str] = []

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


class Setup(_Strict):
    title: str
    date: dt.date | None = None
    description: str = ""
    language: str = i18n.DEFAULT  # of the projector and the exports
    defaults: SettingsKeys = SettingsKeys()
    groups: list[GroupSpec] = Field(
        min_length=workshops.MIN_GROUPS, max_length=workshops.MAX_GROUPS
    )

    _title = field_validator("title", mode="before")(_cleaned(200, False))
    _description = field_validator("description", mode="before")(_cleaned(5000, True, False))

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> str:
        try:
            return workshops.check_language(value)
        except Invalid as exc:
            raise ValueError(exc.message) from None


@dataclass(frozen=True)
class Problem:
    line: int | None  # 1-based
    field: str  # "groups[2].vote_cap"
    msgid: str  # marked with N_; translated where shown, like a DomainError's
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    @property
    def message(self) -> str:
        text = i18n.gettext(self.msgid)
        return text.format(**self.params) if self.params else text

    def __str__(self) -> str:
        where = (
            i18n.gettext(N_("line {line}")).format(line=self.line)
            if self.line
            else i18n.gettext(N_("file"))
        )
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


# The schema's refusals in our words (pydantic's own are English only), by error type.
_MESSAGES = {
    "missing": N_("This is required."),
    "extra_forbidden": N_("This key is not known here. Check its spelling."),
    "int_parsing": N_("This should be a whole number."),
    "int_type": N_("This should be a whole number."),
    "int_from_float": N_("This should be a whole number."),
    "greater_than_equal": N_("This should be at least {ge}."),
    "less_than_equal": N_("This should be at most {le}."),
    "bool_parsing": N_("This should be true or false."),
    "bool_type": N_("This should be true or false."),
    "string_type": N_("This should be text."),
    "literal_error": N_("This should be one of: {expected}."),
    "too_short": N_("This list is too short: it needs at least {min_length}."),
    "too_long": N_("This list is too long: it may have at most {max_length}."),
    "date_parsing": N_("This should be a date like 2026-11-27."),
    "date_type": N_("This should be a date like 2026-11-27."),
    "date_from_datetime_parsing": N_("This should be a date like 2026-11-27."),
    "date_from_datetime_inexact": N_("This should be a date like 2026-11-27."),
    "list_type": N_("This should be a list."),
    "dict_type": N_("This should be a set of keys and values."),
    "model_type": N_("This should be a set of keys and values."),
}


def _problem(doc: Any, err: Any) -> Problem:
    loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
    where = (_line(doc, loc), _field(loc))
    if err["type"] in _MESSAGES:
        params = {k: v for k, v in (err.get("ctx") or {}).items() if k != "error"}
        return Problem(*where, _MESSAGES[err["type"]], params)
    # Our own validators' refusals, already in the reader's language; else pydantic's words.
    return Problem(*where, str(err["msg"]).removeprefix("Value error, "))


class BadSetup(Exception):
    """A set-up file with problems, each naming its line and field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _field(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(doc: Any, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest node on `loc` that the file has (a missing key: its parent)."""
    line: int | None = None
    node = doc
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
        else:
            break
        node = node[part]
    if line is None and isinstance(doc, CommentedMap | CommentedSeq):
        line = doc.lc.line + 1
    return line


_NOT_YAML = N_("This is not valid YAML: {problem}")


def parse(text: str) -> Setup:
    """Read and check a set-up file; raises BadSetup with every problem found."""
    try:
        doc = yaml_budget.load(text)
    except yaml_budget.OverBudget as exc:
        raise BadSetup([Problem(exc.line, "", exc.msgid, exc.params)]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise BadSetup([Problem(line, "", _NOT_YAML, {"problem": exc.problem})]) from None
    except ReaderError as exc:  # a raw control character: YAML refuses it before parsing
        line = text[: exc.position].count("\n") + 1
        raise BadSetup([Problem(line, "", _NOT_YAML, {"problem": exc.reason})]) from None
    if not isinstance(doc, CommentedMap):
        raise BadSetup([Problem(1, "", N_("The file should be a mapping with title and groups."))])
    try:
        setup = Setup.model_validate(_plain(doc))
    except ValidationError as exc:
        raise BadSetup([_problem(doc, err) for err in exc.errors()]) from None
    try:
        setup.defaults.settings()
    except SettingsRefused as exc:
        raise BadSetup([_refused(doc, ("defaults",), exc)]) from None
    problems = []
    for n, group in enumerate(setup.groups):
        try:
            group.settings(setup.defaults)
        except SettingsRefused as exc:
            problems.append(_refused(doc, ("groups", n), exc))
    if problems:
        raise BadSetup(problems)
    return setup


def _refused(doc: Any, at: tuple[int | str, ...], exc: SettingsRefused) -> Problem:
    """GroupSettings' refusal, worded like the schema's for the key at fault."""
    loc = (*at, exc.field)
    if isinstance(exc.value, int) and exc.value < exc.lowest:
        return Problem(
            _line(doc, loc), _field(loc), _MESSAGES["greater_than_equal"], {"ge": exc.lowest}
        )
    if exc.highest_field is not None:  # the cap over the budget: two keys, so the group's line
        return Problem(_line(doc, at), _field(loc), N_("This should not be more than vote_budget."))
    return Problem(_line(doc, loc), _field(loc), _MESSAGES["less_than_equal"], {"le": exc.highest})


def _plain(node: Any) -> Any:
    """ruamel's containers as plain dicts and lists, for the schema."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


# -- creating -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedGroup:
    id: int
    name: str
    code: str
    facilitators: tuple[str, ...]  # emails assigned now


@dataclass(frozen=True)
class Invite:
    email: str
    token: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Created:
    workshop_id: int
    title: str
    code: str
    groups: tuple[CreatedGroup, ...]
    invitations: tuple[Invite, ...]


def create(s: Session, actor: Staff, setup: Setup, invitation_days: float) -> Created:
    """Create the workshop in the caller's transaction. The organiser, if listed, is
    assigned; for anyone else an invitation link is made, which they accept (with their
    password, if they have an account): never an account, and no one is put on a workshop
    unasked."""
    drafts = [GroupDraft(g.name, g.question, g.context) for g in setup.groups]
    wid, group_ids = workshops.add_workshop(
        s, actor, setup.title, setup.date, setup.description, drafts
    )
    staff = access.workshop_staff(s, wid)
    users = {u.email: u.id for u in s.exec(select(User).where(col(User.id).in_(staff))).all()}
    missing: dict[str, list[int]] = {}
    made = []
    for gid, spec in zip(group_ids, setup.groups, strict=True):
        group = s.get(Group, gid)
        assert group is not None
        group.settings = spec.settings(setup.defaults)
        group.phase = spec.start_phase(setup.defaults)
        s.add(group)
        assigned = []
        for email in dict.fromkeys(spec.facilitators):
            uid = users.get(email)
            if uid is None:
                missing.setdefault(email, []).append(gid)
            else:
                s.add(GroupFacilitator(group_id=gid, user_id=uid))
                assigned.append(email)
        made.append(CreatedGroup(gid, group.name, group.code, tuple(assigned)))
    names = {g.id: g.name for g in made}
    invites = tuple(
        Invite(
            email,
            accounts.add_invitation(s, actor, wid, email, gids, invitation_days),
            tuple(names[g] for g in gids),
        )
        for email, gids in missing.items()
    )
    workshop = s.get(Workshop, wid)
    assert workshop is not None
    workshop.language = setup.language
    s.add(workshop)
    return Created(wid, setup.title, workshop.code, tuple(made), invites)


async def import_setup(db: Database, actor: Staff, text: str, invitation_days: float) -> Created:
    """Check the file, then create everything in one transaction (or raise BadSetup)."""
    if not actor.is_organiser:
        raise Forbidden(N_("Only organisers can create workshops."))
    # Off the event loop: even within its budgets, reading a large file takes a while.
    setup = await asyncio.to_thread(parse, text)
    return await db.write(create, actor, setup, invitation_days)


def join_links(created: Created, base_url: str) -> dict[str, Any]:
    """What `import --json` prints: one object with each group's join link and code."""
    base = base_url.rstrip("/")
    return {
        "workshop": {"id": created.workshop_id, "title": created.title, "code": created.code},
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "code": codes.display(g.code),
                "join_url": f"{base}/j/{g.code}",
                "facilitators": list(g.facilitators),
            }
            for g in created.groups
        ],
        "invitations": [
            {"email": i.email, "groups": list(i.groups), "url": f"{base}/invite/{i.token}"}
            for i in created.invitations
        ],
    }


# -- writing back ---------------------------------------------------------------------------


def dump(s: Session, workshop_id: int) -> str:
    """The set-up of an existing workshop, as a file `parse` reads back to the same set-up."""
    w = s.get(Workshop, workshop_id)
    if w is None:
        raise Invalid(N_("That workshop does not exist."))
    groups = s.exec(
        select(Group).where(Group.workshop_id == workshop_id).order_by(col(Group.position))
    ).all()
    doc = CommentedMap()
    doc["title"] = w.title
    if w.date is not None:
        doc["date"] = w.date
    if w.description:
        doc["description"] = _block(w.description)
    doc["language"] = w.language
    doc["groups"] = []
    for g in groups:
        assert g.id is not None
        emails = workshop_views.facilitator_emails(s, g.id)
        item: dict[str, Any] = {"name": g.name, "question": _block(g.prompt)}
        if g.description:
            item["context"] = _block(g.description)
        if emails:
            item["facilitators"] = emails
        item |= {"phase": str(g.phase), **asdict(g.settings)}
        doc["groups"].append(item)
    out = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096  # one line per sentence, not folded at 80 columns
    yaml.indent(mapping=2, sequence=4, offset=2)
    out.write("# Written by `facilitator workshop export-setup`; import it with\n")
    out.write("# `facilitator workshop import FILE`. The format is in docs/setup-files.md.\n")
    yaml.dump(doc, out)
    return out.getvalue()


def _block(text: str) -> str:
    """Text with line breaks as a `|` block, which reads as it will show."""
    return LiteralScalarString(text) if "\n" in text else text
