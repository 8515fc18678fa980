"""Baseline and change: each question at each moment (n, mean, median, distribution as a
chart), and for a scale asked on joining and later, the change on the same devices with its
95% interval, for the event and for each group. Only when the workshop asks questions."""

from __future__ import annotations

from collections import defaultdict

from facilitator import answer_stats, i18n
from facilitator.answer_stats import Change, Summary
from facilitator.export.blocks import Bars, Block, Heading, Para, Table
from facilitator.i18n import gettext as _
from facilitator.snapshot import QuestionSnap, Snapshot
from facilitator.vocabulary import MOMENT_LABELS

BASELINE = "joining"


def section(snap: Snapshot) -> list[Block]:
    if not snap.questions:
        return []
    # question -> moment -> device -> value
    given: dict[int, dict[str, dict[int, object]]] = defaultdict(lambda: defaultdict(dict))
    for a in snap.answers:
        given[a.question_id][a.moment][a.participant_id] = a.value
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
    for number, q in enumerate(snap.questions, start=1):
        out += _question(snap, number, q, given[q.id])
    return out


def moment_label(moment: str) -> str:
    return _(MOMENT_LABELS.get(moment, moment))


def _num(x: float | None) -> str:
    return i18n.format_number(x, 2) if x is not None else "–"


def _signed(x: float | None) -> str:
    return "–" if x is None else ("+" if x > 0 else "") + i18n.format_number(x, 2)


def _summary(q: QuestionSnap, values: list[object]) -> Summary:
    if q.kind == "scale":
        return answer_stats.scale_summary([v for v in values if isinstance(v, int)], q.low, q.high)
    if q.kind == "text":
        return Summary(len(values), None, None, ())
    picked = [v for v in values if isinstance(v, int | list)]
    return answer_stats.choice_summary(picked, len(q.choices))


def _question(
    snap: Snapshot, number: int, q: QuestionSnap, answers: dict[str, dict[int, object]]
) -> list[Block]:
    out: list[Block] = [Heading(f"{number}. {q.text}", 2)]
    summaries = {m: _summary(q, list(answers.get(m, {}).values())) for m in q.moments}
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
        labels = tuple(str(v) for v in range(q.low, q.high + 1))
    elif q.kind == "text":
        rows = [[_("Moment"), _("Answered")]]
        rows += [[moment_label(m), s.n] for m, s in summaries.items()]
        out.append(Table(rows))
        out.append(Para(_("The written answers are in the anonymous answers file.")))
        return out
    else:
        labels = q.choices
        rows = [[_("Choice"), *(moment_label(m) for m in summaries)]]
        for n, choice in enumerate(q.choices):
            rows.append([choice, *(s.distribution[n] for s in summaries.values())])
        rows.append([_("Answered"), *(s.n for s in summaries.values())])
        out.append(Table(rows))
    for m, s in summaries.items():
        if s.n:
            caption = _("Answers {moment}: {n} phones.").format(moment=moment_label(m), n=s.n)
            out.append(Bars(s.distribution, labels, caption))
    if q.kind == "scale" and BASELINE in q.moments:
        out += _changes(snap, q, answers)
    return out


def _changes(snap: Snapshot, q: QuestionSnap, answers: dict[str, dict[int, object]]) -> list[Block]:
    groups = {g.id: g.name for g in snap.groups}
    group_of = {p.id: groups.get(p.group_id or 0, "") for p in snap.participants}
    baseline = answers.get(BASELINE, {})
    rows: list[list[object]] = [
        [_("Compared with the baseline"), _("Group"), _("Pairs"), _("Mean change"),
         _("Interval (95%)"), _("Clear change")]
    ]  # fmt: skip
    for later in (m for m in q.moments if m != BASELINE):
        pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for device, value in answers.get(later, {}).items():
            before = baseline.get(device)
            if isinstance(before, int) and isinstance(value, int):
                pairs[""].append((before, value))
                pairs[group_of.get(device, "")].append((before, value))
        rows.append(_change_row(later, _("Whole event"), answer_stats.paired_change(pairs[""])))
        for name in sorted(n for n in pairs if n):
            rows.append(_change_row(later, name, answer_stats.paired_change(pairs[name])))
    return [Table(rows)]


def _change_row(later: str, who: str, change: Change) -> list[object]:
    interval = f"{_signed(change.low)} … {_signed(change.high)}" if change.low is not None else "–"
    clear = _("yes") if change.clear else _("no")
    return [moment_label(later), who, change.n, _signed(change.mean), interval, clear]
