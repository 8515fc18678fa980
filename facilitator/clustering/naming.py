"""Suggested theme names: the words and phrases that set a group apart from the rest."""

from __future__ import annotations

import re
from collections import Counter

from facilitator.clustering.stopwords import STOP_WORDS

_MAX_CHARS = 40
# Words people use to ask for anything, which name no theme ("we need more…", "please make…"),
# and the pieces of a pasted link.
_FILLER = frozenset(
    [
        "need",
        "needs",
        "want",
        "wants",
        "like",
        "make",
        "please",
        "would",
        "could",
        "should",
        "also",
        "just",
        "really",
        "sure",
        "know",
        "think",
        "way",
        "get",
        "got",
        "use",
        "lot",
        "lots",
        "thing",
        "things",
        "good",
        "better",
        "great",
        "new",
        "idea",
        "ideas",
        "http",
        "https",
        "www",
        "com",
        "org",
    ]
)
_STOP = frozenset(STOP_WORDS) | _FILLER
# Letters, digits and marks of any script; apostrophes stay inside words ("don't").
_WORD = re.compile(r"\w+(?:['’]\w+)*")
# A two-word phrase says more than a word ("bike lanes" against "bike"), so it wins over a
# word that covers up to this much more of the group.
_PHRASE_BONUS = 1.3
# A second term joins the name only when it is nearly as distinctive as the first.
_SECOND_TERM = 0.8


def _key(word: str) -> str:
    """The word folded for counting: lower case, and English plurals made singular, so that
    "lanes" and "lane" count as one term ("businesses" → "business", "cities" → "city")."""
    word = word.casefold()
    if len(word) <= 3 or not word.isascii():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _terms(text: str) -> dict[str, str]:
    """Each term of a text (a word, or two words side by side with no stop word between) by its
    key, with the words as the text wrote them."""
    terms: dict[str, str] = {}
    previous: tuple[str, str] | None = None
    for match in _WORD.finditer(text):
        word = match.group()
        key = _key(word)
        if word.casefold() in _STOP or key in _STOP or word.isdigit():
            previous = None
            continue
        terms.setdefault(key, word)
        if previous is not None and previous[0] != key:
            terms.setdefault(f"{previous[0]} {key}", f"{previous[1]} {word}")
        previous = (key, word)
    return terms


def _title(term: str) -> str:
    # str.title() would turn "don't" into "Don'T" and lowercase acronyms; only the first
    # letter of each word is raised, which leaves scripts without case untouched.
    return " ".join(word[:1].upper() + word[1:] for word in term.split())


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _MAX_CHARS:
        return text
    return text[: _MAX_CHARS - 1].rstrip() + "…"


def suggest_names(texts: list[str], groups: list[list[int]]) -> list[str]:
    """A short name (1–3 words, first letters raised, in the texts' own words) for each group.

    A term (a word, or a two-word phrase) is scored by the share of the group's ideas that use
    it minus the share of the other ideas that do, so a word every idea uses names no group and
    a word of one idea names that idea, not the theme: a term has to be in two of the group's
    ideas. Phrases are preferred, plurals count with their singular, and the name is written
    as most of the group's ideas write it. Where no term qualifies (emoji, or Chinese written
    without spaces, which reads as one long word), the group's shortest text, clipped, stands
    as its name. Groups that share a name get " 2", " 3"... so a person can tell them apart.
    """
    if not groups:
        return []
    per_text = [_terms(text) for text in texts]
    board = Counter(key for terms in per_text for key in terms)
    return _distinct([_name_one(texts, group, per_text, board) for group in groups])


def _name_one(
    texts: list[str], group: list[int], per_text: list[dict[str, str]], board: Counter[str]
) -> str:
    members = sorted({i for i in group if 0 <= i < len(texts)})
    fallback = _clip(min((texts[i] for i in members), key=len, default=""))
    inside: Counter[str] = Counter(key for i in members for key in per_text[i])
    others = len(texts) - len(members)
    scores: dict[str, float] = {}
    for key, count in inside.items():
        if count < min(2, len(members)):
            continue
        outside = (board[key] - count) / others if others else 0.0
        score = count / len(members) - outside
        if score > 0:
            scores[key] = score * (_PHRASE_BONUS if " " in key else 1.0)
    ranked = sorted(scores, key=lambda key: (-scores[key], key))
    if not ranked:
        return _title(fallback) or "Theme"
    chosen = [_phrase_of(ranked[0], inside, scores)]
    for key in ranked[1:]:
        if scores[key] < _SECOND_TERM * scores[ranked[0]]:
            break
        # "bike lane" then "bike" would repeat a word; a third word would make a sentence.
        words = set(chosen[0].split())
        if not set(key.split()) & words and len(key.split()) + len(words) <= 3:
            chosen.append(key)
            break
    written = [_written(key, members, per_text) for key in chosen]
    # Two terms read in the order the group's ideas use them ("bike paths", not "paths bike").
    written.sort(key=lambda term: _position(term, [texts[i] for i in members]))
    return _clip(" ".join(_title(term) for term in written))


def _position(term: str, texts: list[str]) -> float:
    """Where a term starts on average, as a share of each text that contains it."""
    found = [
        text.casefold().find(term.casefold()) / max(1, len(text))
        for text in texts
        if term.casefold() in text.casefold()
    ]
    return sum(found) / len(found) if found else 1.0


def _phrase_of(key: str, inside: Counter[str], scores: dict[str, float]) -> str:
    """The best-scored phrase around a word, when at least half the ideas that use the word use
    it ("lane" → "bike lane"); else the word."""
    if " " in key:
        return key
    phrases = [
        phrase
        for phrase in scores
        if key in phrase.split() and " " in phrase and 2 * inside[phrase] >= inside[key]
    ]
    return max(phrases, key=lambda phrase: (scores[phrase], phrase), default=key)


def _written(key: str, members: list[int], per_text: list[dict[str, str]]) -> str:
    """The term as most of the group's ideas write it (ties: the first idea's way)."""
    forms = Counter(per_text[i][key] for i in members if key in per_text[i])
    return forms.most_common(1)[0][0]


def _distinct(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out
