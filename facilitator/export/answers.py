"""The answers as an anonymous CSV: a device pseudonym, never a name, a group or a time (in a
small group any of them could tell who answered)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from facilitator.export.safe import csv_bytes


@dataclass(frozen=True)
class AnswerLine:
    device: str  # a pseudonym, the same for one device across moments and questions
    moment: str
    question: int  # its number in the workshop's list, from 1
    text: str
    kind: str
    answer: str  # a number, the chosen choices joined with "; ", or the text


HEADER = ("device", "moment", "question", "question_text", "kind", "answer")


def answers_csv(lines: Sequence[AnswerLine]) -> bytes:
    rows = [HEADER] + [
        (a.device, a.moment, a.question, a.text, a.kind, a.answer)
        for a in sorted(lines, key=lambda a: (a.question, a.moment, a.device))
    ]
    return csv_bytes(rows, bom=True)
