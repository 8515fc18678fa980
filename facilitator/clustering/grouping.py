"""Suggested themes: a board's ideas grouped by average-link clustering, cut where the
silhouette minus a small penalty (per theme, or for straying from about √n themes) is best,
so the caller never gives a number of clusters. Deterministic: the same texts and backend
give the same groups."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from facilitator.clustering import multilingual
from facilitator.clustering.backends import TFIDF, Backend, backend
from facilitator.clustering.vectors import board_vectors, cosine_distances, fold

# Below this many texts a silhouette means little (it needs 2 ≤ k ≤ n − 1 and clusters of
# some size), so small boards group by a plain similarity threshold.
_MIN_SILHOUETTE_BOARD = 6


def silhouette(distances: NDArray[np.float64], labels: NDArray[np.int_]) -> float:
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


def _labels(settings: Backend, vectors: NDArray[np.float64]) -> NDArray[np.int_]:
    """Average-link clustering, cut where the silhouette minus the penalty is best."""
    n = len(vectors)
    distances = cosine_distances(vectors)
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
    tree = linkage(squareform(cosine_distances(centred), checks=False), "average")
    if settings.silhouette_centring:
        distances = cosine_distances(
            normalize(vectors - settings.silhouette_centring * vectors.mean(axis=0))
        )
    # Themes of fewer than three ideas on average are not worth suggesting, hence n // 3.
    scored = [
        (silhouette(distances, cut) - _penalty(settings, found, n), found, cut)
        for found, cut in cuts(tree, n, max(2, n // 3))
    ]
    # Only the best cuts as cut are refined and judged again: refining every cut of a
    # 200-idea board doubled the CPU time of its suggestions (+100 ms) for the same mean ARI
    # on the tuning seeds within 0.002 (Cambridge 0.259 against 0.261, the others equal).
    scored.sort(key=lambda entry: -entry[0])
    best_score, best = -np.inf, np.ones(n, dtype=np.int_)
    for _, found, cut in scored[:_REFINED_CUTS]:
        labels = refined(centred, cut)
        score = silhouette(distances, labels) - _penalty(settings, found, n)
        if score > best_score:
            best_score, best = score, labels
    return best


def _penalty(settings: Backend, found: int, n: int) -> float:
    """What a cut into ``found`` themes of a board of ``n`` ideas costs: the backend's
    penalty per theme (as a share of the board), and its prior: how far the cut strays from
    the √n themes such a board is expected to hold (40 ideas: about 6), on a log scale, so
    that twice too many and half as many cost the same. On a board whose ideas all share one
    subject, sentence vectors give every cut a low, flat silhouette, and a penalty per theme
    chose the fewest: a 37-idea board on cyber capacity building came out as 3 blobs
    ("legislation" beside "scholarships") where the prior keeps 9 themes a facilitator
    would accept. TF-IDF keeps its penalty per theme: the prior moved its ARI by 0.02 at most,
    and split a 12-idea board of three plain themes into four."""
    return settings.penalty * found / n + settings.prior * abs(math.log(found / math.sqrt(n)))


# Cuts refined and judged again, the best as cut first.
_REFINED_CUTS = 12


# Rounds of moving ideas to their nearest theme after a cut; boards settle in 2–4.
_REFINE_ROUNDS = 10


def refined(vectors: NDArray[np.float64], labels: NDArray[np.int_]) -> NDArray[np.int_]:
    """A cut of the tree with each idea moved to the cluster whose mean direction is nearest
    (spherical k-means from the cut, the same number of clusters). Average link never undoes
    an early merge, so an idea joined to the wrong pair stays there; moving such ideas, then
    letting the silhouette judge the moved cuts, lifted ARI on the tuning seeds on every data
    set (BANKING77 +0.004, Cambridge +0.024, xSID +0.005, mixed xSID ±0). Stops before a
    cluster would empty, so the count stays the cut's; deterministic (ties: the first)."""
    _, current = np.unique(labels, return_inverse=True)
    count = int(current.max()) + 1
    for _ in range(_REFINE_ROUNDS):
        onehot = np.eye(count)[current]
        centres = normalize(onehot.T @ vectors)
        moved = np.argmax(vectors @ centres.T, axis=1)
        if np.array_equal(moved, current) or len(np.unique(moved)) < count:
            break
        current = moved
    return np.asarray(current, dtype=np.int_)


def cuts(tree: NDArray[np.float64], n: int, most: int) -> Iterator[tuple[int, NDArray[np.int_]]]:
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


def suggest_clusters(texts: list[str], backend_name: str | None = None) -> list[list[int]]:
    """Suggested themes for a board: groups of indices into ``texts``.

    Each group has at least two indices, sorted; no index is in two groups; groups come
    largest first (ties by their first index). An idea in no group is "left alone":
    singletons are not returned, and neither is a blank text (nothing to group it by).
    Texts that are the same after trimming and case-folding always share a group. Works on
    any script (Arabic, Chinese, emoji, mixed), on duplicates, and on 0, 1 or 2 texts (the
    smallest boards only group what is clearly alike). The number of groups is chosen by
    the algorithm. ``backend_name`` is a name from ``available_backends()``, by default
    ``default_backend()``; an unknown one raises ``ValueError``. If the multilingual model
    cannot be loaded, TF-IDF answers instead of an error.
    """
    settings = backend(backend_name)
    try:
        return _suggest(texts, settings)
    except multilingual.Unavailable:
        return _suggest(texts, TFIDF)


def _suggest(texts: list[str], settings: Backend) -> list[list[int]]:
    keys = [fold(text) for text in texts]
    # Exact duplicates are clustered once and share the result, so a pasted-twice idea
    # cannot pull a silhouette towards a cluster of two copies.
    unique: dict[str, int] = {}
    for key in keys:
        if key and key not in unique:
            unique[key] = len(unique)
    if not unique:
        return []
    # The first text with each key, in its own case: case carries meaning for no backend
    # here, but the sentence models were trained on natural text.
    first: dict[str, str] = {}
    for text, key in zip(texts, keys, strict=True):
        first.setdefault(key, text)
    originals = [first[key] for key in unique]
    # One BLAS thread: the matrices of a board are a few hundred rows, and on a busy server
    # OpenBLAS's threads spent more time waiting for a core than computing (a 200-idea board
    # took 4× the CPU time with two threads).
    with threadpool_limits(1, user_api="blas"):
        if len(unique) == 1:
            labels = np.zeros(1, dtype=np.int_)
        elif settings.count_copies:
            # Vectors once per distinct text; each copy then counts in the cut as posted.
            rows = [unique[key] for key in keys if key]
            expanded = _labels(settings, board_vectors(settings, originals)[rows])
            labels = np.zeros(len(unique), dtype=np.int_)
            for row, label in zip(reversed(rows), reversed(expanded.tolist()), strict=True):
                labels[row] = label  # the first copy's label, as copies merge at distance 0
        else:
            labels = _labels(settings, board_vectors(settings, originals))
    members: dict[int, list[int]] = {}
    for index, key in enumerate(keys):
        if key:
            members.setdefault(int(labels[unique[key]]), []).append(index)
    groups = [sorted(group) for group in members.values() if len(group) >= 2]
    return sorted(groups, key=lambda group: (-len(group), group[0]))
