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
# The languages told apart: the most written ones. Among all 97, a short English idea read as
# Nigerian Pidgin or Kurdish ("more bike lanes": Kurdish, 9%), and Tagalog or Latin claimed
# short Spanish and Italian ones.
_CODES = """
    af am ar az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gl gu ha he hi hr hu
    hy id is it ja ka kk km kn ko lt lv mk ml mn mr ms mt ne nl no pa pl ps pt ro ru si sk sl
    sq sr sv sw ta te th tl tr uk ur uz vi yo zh zu
"""
LANGUAGES = frozenset(_CODES.split())
# Below this probability the guess is left out: "library open late" is English at 15%.
_CONFIDENT = 0.5


def _load() -> Any:
    # Unpickling the model takes about a second: once per process, on first use.
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(sorted(LANGUAGES))
            _identifier = identifier
        return _identifier


def detect(texts: list[str]) -> list[str]:
    """An ISO 639-1 code per text; ``"und"`` where the guess is unsure, and for a text with no
    letters (emoji, digits, blank), where any guess would be noise."""
    out = []
    for text in texts:
        code, probability = (
            _load().classify(text) if any(ch.isalpha() for ch in text) else (UNKNOWN, 0.0)
        )
        out.append(str(code) if probability >= _CONFIDENT else UNKNOWN)
    return out


def main_share(languages: list[str]) -> float:
    """The share of the texts written in the board's most used language."""
    if not languages:
        return 1.0
    return Counter(languages).most_common(1)[0][1] / len(languages)
