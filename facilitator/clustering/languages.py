"""Which language each idea is written in (py3langid: 97 languages, a model of 4 MB shipped
in its wheel, numpy only), for multilingual boards.

A multilingual embedding still places a sentence partly by its language: on a board where
ideas arrive in five languages, the Arabic ideas lean towards each other whatever they say.
Knowing each idea's language lets the engine take that lean out, and lets names be written
in the language most of a group's ideas use.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

_lock = threading.Lock()
_identifier: Any = None
UNKNOWN = "und"


def _load() -> Any:
    # Unpickling the model takes about a second: once per process, on first use.
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        return _identifier


def detect(texts: list[str]) -> list[str]:
    """An ISO 639-1 code per text; ``"und"`` for a text with no letters (emoji, digits,
    blank), where any guess would be noise."""
    out = []
    for text in texts:
        if not any(ch.isalpha() for ch in text):
            out.append(UNKNOWN)
        else:
            out.append(str(_load().classify(text)[0]))
    return out


def main_share(languages: list[str]) -> float:
    """The share of the texts written in the board's most used language."""
    if not languages:
        return 1.0
    return Counter(languages).most_common(1)[0][1] / len(languages)
