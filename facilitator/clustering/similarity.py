"""How much two ideas say the same: for the phone's duplicate hint, the console's "Merge
into…" list and cross-group synthesis. One engine everywhere: the default backend's vectors
(by meaning, in any language), shared words only where a vector is not ready."""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse import issparse

from facilitator.clustering import draft_rate, multilingual
from facilitator.clustering.backends import TFIDF, backend
from facilitator.clustering.naming import content_keys
from facilitator.clustering.vectors import fold


def similarity(a: list[str], b: list[str], backend_name: str | None = None) -> list[float]:
    """One score in [0, 1] for each pair ``a[i]``, ``b[i]``: 1 means the same idea.

    The same text (after trimming and case-folding) scores 1.0, a blank one 0.0. With
    ``"tfidf"`` the vocabulary is fitted on all of ``a`` and ``b`` together, so pass the
    board's ideas, not one pair at a time, for scores that weigh rare words up. Raises
    ``ValueError`` when the lists differ in length or the backend is unknown.
    """
    if len(a) != len(b):
        raise ValueError("similarity needs two lists of the same length")
    settings = backend(backend_name)
    if not a:
        return []
    # TF-IDF scores use the raw vectors: LSA on a handful of texts would make unrelated
    # texts look alike.
    try:
        vectors = settings.embed([*a, *b])
    except multilingual.Unavailable:
        settings = TFIDF
        vectors = settings.embed([*a, *b])
    left, right = vectors[: len(a)], vectors[len(a) :]
    # Row by row, so that sparse TF-IDF rows are never densified.
    products = left.multiply(right) if issparse(left) else left * right
    cosines = np.asarray(products.sum(axis=1)).ravel()
    floor = settings.similarity_floor
    scores = np.clip((cosines - floor) / (1.0 - floor), 0.0, 1.0)
    out: list[float] = []
    for x, y, score in zip(a, b, scores.tolist(), strict=True):
        kx, ky = fold(x), fold(y)
        if not kx or not ky:
            out.append(0.0)
        elif kx == ky:
            out.append(1.0)
        else:
            out.append(float(score))
    return out


def hint_scores(draft: str, texts: list[str], backend_name: str | None = None) -> list[float]:
    """How much ``draft`` (what a phone is typing) says the same as each of ``texts`` (the
    board's ideas), in [0, 1], for the duplicate hint: fast enough to run on each pause.

    With ``"multilingual"`` only the draft's vector is computed in the request, and only
    ``draft_rate.DRAFTS_PER_SECOND`` times a second per process: ideas whose vectors are
    kept are compared by meaning, in any language; the others, and every idea past that
    rate, by the content words they share with the draft (microseconds, no model) while
    their vectors are computed in the background. The hint never takes the live server's
    cores.
    """
    settings = backend(backend_name)
    if not texts:
        return []
    if not settings.is_multilingual:
        return similarity([draft] * len(texts), texts, settings.name)
    return _scores(draft, texts)


def rank_by_similarity(text: str, candidates: list[str]) -> list[tuple[int, float]]:
    """Every candidate as (index into ``candidates``, score in [0, 1]), most like ``text``
    first (ties in the candidates' order): for a searchable "Merge into…" list ordered by
    meaning. Costs one vector at most in the request, as the duplicate hint does; candidates
    whose vectors are not kept yet are compared by shared words and queued for next time.
    """
    if not candidates:
        return []
    if backend(None).is_multilingual:
        scores = _scores(text, candidates)
    else:
        scores = similarity([text] * len(candidates), candidates)
    return sorted(enumerate(scores), key=lambda pair: (-pair[1], pair[0]))


def _scores(draft: str, texts: list[str]) -> list[float]:
    """Meaning where the vectors are kept (and the draft may be embedded), else shared words."""
    known = multilingual.cached(texts)
    multilingual.warm([text for text in texts if text not in known])
    key = fold(draft)
    words = content_keys(draft)
    cosines: dict[str, float] = {}
    if known and key and draft_rate.draft_allowed():
        try:
            vector = multilingual.embed_once(draft)
        except multilingual.Unavailable:
            known = {}
        else:
            cosines = {text: float(vector @ kept) for text, kept in known.items()}
    floor = backend("multilingual").similarity_floor if cosines else 0.0
    out = []
    for text in texts:
        other = fold(text)
        if not key or not other:
            out.append(0.0)
        elif other == key:
            out.append(1.0)
        elif text in cosines:
            out.append(min(1.0, max(0.0, (cosines[text] - floor) / (1.0 - floor))))
        else:
            out.append(shared_words(words, content_keys(text)))
    return out


def shared_words(a: frozenset[str], b: frozenset[str]) -> float:
    """The cosine of two sets of content words (plurals and case folded): 1 for the same
    words, 0 for none in common."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))
