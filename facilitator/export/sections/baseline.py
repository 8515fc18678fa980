"""Baseline and change: each question at each moment (n, mean, median, distribution as a
chart), and for a scale asked on joining and later, the change on the same devices with its
95% interval, for the event and for each group. Only when the workshop asks questions."""

from __future__ import annotations

from facilitator import answer_stats, i18n, moments
from facilitator.answer_stats import Change, ChangeRow, QuestionResult
from facilitator.export.blocks import Bars, Block, Heading, Para, Table
from facilitator.i18n import gettext as _
from facilitator.snapshot import Snapshot


def section(snap: Snapshot) -> list[Block]:
    if not snap.questions:
        return []
    groups = {g.id: g.name for g in snap.groups}
    group_of = {p.id: groups.get(p.group_id or 0, "") for p in snap.participants}
    out: list[Block] = [
        Heading(_("Baseline and change"), 1),
        Para(
            _(
                "Questions asked on phones at chosen moments, anonymously: how many phones "
                "answered (n), the mean and median of a scale, and how the answers spread. "
                "The change from the baseline counts only phones that answered both times, "
                "with its interval (95%); a clear change is one whose interval leaves out zero."
            )
        ),
    ]
    found = answer_stats.results(snap.questions, snap.answers, group_of, len(snap.rounds))
    for number, result in enumerate(found, start=1):
        out += _question(number, result)
    return out


def moment_label(moment: str) -> str:
    return moments.label(moment)


def _num(x: float | None) -> str:
    return i18n.format_number(x, 2) if x is not None else "–"


def _signed(x: float | None) -> str:
    return "–" if x is None else ("+" if x > 0 else "") + i18n.format_number(x, 2)


def _question(number: int, result: QuestionResult) -> list[Block]:
    q = result.question
    out: list[Block] = [Heading(f"{number}. {q.text}", 2)]
    summaries = {m.moment: m.summary for m in result.moments}
    if q.kind == "scale":
        out.append(
            Para(
                _("A scale from {low} ({low_label}) to {high} ({high_label}).").format(
                    low=q.low, low_label=q.low_label, high=q.high, high_label=q.high_label
                )
            )
        )
        rows: list[list[object]] = [[_("Moment"), _("Answered"), _("Mean"), _("Median")]]
        for m, s in summaries.items():
            rows.append([moment_label(m), s.n, _num(s.mean), _num(s.median)])
        out.append(Table(rows))
    elif q.kind == "text":
        rows = [[_("Moment"), _("Answered")]]
        rows += [[moment_label(m), s.n] for m, s in summaries.items()]
        out.append(Table(rows))
        out.append(Para(_("The written answers are in the anonymous answers file.")))
        return out
    else:
        rows = [[_("Choice"), *(moment_label(m) for m in summaries)]]
        for n, choice in enumerate(q.choices):
            rows.append([choice, *(s.distribution[n] for s in summaries.values())])
        rows.append([_("Answered"), *(s.n for s in summaries.values())])
        out.append(Table(rows))
    for m, s in summaries.items():
        if s.n:
            caption = _("Answers {moment}: {n} phones.").format(moment=moment_label(m), n=s.n)
            out.append(Bars(s.distribution, result.labels(), caption))
    if result.changes:
        out.append(_changes(result.changes))
    return out


def _changes(changes: tuple[ChangeRow, ...]) -> Table:
    rows: list[list[object]] = [
        [_("Compared with the baseline"), _("Group"), _("Pairs"), _("Mean change"),
         _("Interval (95%)"), _("Clear change")]
    ]  # fmt: skip
    rows += [_change_row(c.later, c.group or _("Whole event"), c.change) for c in changes]
    return Table(rows)


def _change_row(later: str, who: str, change: Change) -> list[object]:
    interval = f"{_signed(change.low)} … {_signed(change.high)}" if change.low is not None else "–"
    clear = _("yes") if change.clear else _("no")
    return [moment_label(later), who, change.n, _signed(change.mean), interval, clear]
