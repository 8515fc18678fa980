"""Suggested theme names: the terms that set a group apart from the rest of the board."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from facilitator.clustering.stopwords import STOP_WORDS

_MAX_WORDS = 4
_MAX_CHARS = 40


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
    """A short name (1–4 words, title-cased, in the texts' own words) for each group.

    Terms are scored like class-based TF-IDF: the mean weight of a term in the group minus its
    mean weight in the rest of the board, so a word that every idea uses ("should", "more")
    names no group. Where the texts give no word terms (emoji, or Chinese written without
    spaces, which the word tokenizer reads as one long token), the group's shortest text,
    clipped, stands as its name. Groups that share a name get " 2", " 3"... so a person can
    tell them apart.
    """
    if not groups:
        return []
    matrix = None
    terms: list[str] = []
    nonblank = [t for t in texts if t.strip()]
    if nonblank:
        vectorizer = TfidfVectorizer(
            sublinear_tf=True,
            ngram_range=(1, 2),
            stop_words=STOP_WORDS,
            # A language-blind stop-word filter for the other languages: on a board of some
            # size, a term in most ideas is grammar, not a theme.
            max_df=0.5 if len(nonblank) >= 10 else 1.0,
        )
        try:
            matrix = vectorizer.fit_transform(texts).toarray()
            terms = list(vectorizer.get_feature_names_out())
        except ValueError:  # empty vocabulary: no word term anywhere on the board
            matrix = None
    names: list[str] = []
    for group in groups:
        names.append(_name_one(texts, group, matrix, terms))
    return _distinct(names)


def _name_one(texts: list[str], group: list[int], matrix: object, terms: list[str]) -> str:
    members = [i for i in group if 0 <= i < len(texts)]
    fallback = _clip(min((texts[i] for i in members), key=len, default="")) if members else ""
    if matrix is None or not members:
        return _title(fallback) or "Theme"
    weights = np.asarray(matrix)
    inside = weights[members].mean(axis=0)
    inside_set = set(members)
    others = [i for i in range(len(texts)) if i not in inside_set]
    outside = weights[others].mean(axis=0) if others else np.zeros_like(inside)
    # A term has to occur in at least two members of a larger group to name it; a word from
    # one idea names that idea, not the theme.
    support = (weights[members] > 0).sum(axis=0)
    score = inside - outside
    score[support < min(2, len(members))] = -np.inf
    chosen: list[str] = []
    for index in np.argsort(-score, kind="stable"):
        if not np.isfinite(score[index]) or score[index] <= 0 or len(chosen) == 2:
            break
        term = str(terms[index])
        # Skip a term that repeats a word already chosen ("bike lanes" then "bike").
        if any(set(term.split()) & set(c.split()) for c in chosen):
            continue
        if len((" ".join([*chosen, term])).split()) > _MAX_WORDS:
            continue
        chosen.append(term)
    if not chosen:
        return _title(fallback) or "Theme"
    # In the order the group writes them, so that a name reads the right way round in any
    # language (Arabic "تدريب الجرائم", not "الجرائم تدريب").
    written = " ".join(texts[i].lower() for i in members)
    chosen.sort(key=lambda term: written.find(term) % (len(written) + 1))
    return _clip(_title(" ".join(chosen)))


def _distinct(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out
