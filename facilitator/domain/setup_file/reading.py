"""Reading a set-up file: YAML within budgets, then the schema, every problem with its line."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from facilitator import i18n
from facilitator.domain import yaml_budget
from facilitator.domain.setup_file.schema import Setup
from facilitator.group_settings import SettingsRefused
from facilitator.i18n import N_


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
    problems += _round_problems(doc, setup)
    if problems:
        raise BadSetup(problems)
    return setup


def _round_problems(doc: Any, setup: Setup) -> list[Problem]:
    """Each group in a round the file lists, each round with a group, and each group
    carried forward from an earlier round."""
    problems = []
    used = set()
    for n, group in enumerate(setup.groups):
        at: tuple[int | str, ...] = ("groups", n, "round")
        if group.round is None:
            used.add(1)
        elif not setup.rounds:
            problems.append(Problem(_line(doc, at), _field(at), N_("List the rounds first.")))
        elif group.round > len(setup.rounds):
            message = N_("There are only {count} rounds.")
            params = {"count": len(setup.rounds)}
            problems.append(Problem(_line(doc, at), _field(at), message, params))
        else:
            used.add(group.round)
    round_of = {g.name.casefold(): g.round or 1 for g in setup.groups}
    for n, group in enumerate(setup.groups):
        for k, name in enumerate(group.carry):
            at = ("groups", n, "carry", k)
            earlier = round_of.get(name.strip().casefold())
            if earlier is None or earlier >= (group.round or 1):
                message = N_("{name} is not a group of an earlier round.")
                problems.append(Problem(_line(doc, at), _field(at), message, {"name": name}))
    for n, _ in enumerate(setup.rounds):
        if n + 1 not in used:
            at = ("rounds", n)
            problems.append(Problem(_line(doc, at), _field(at), N_("This round has no groups.")))
    return problems


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
