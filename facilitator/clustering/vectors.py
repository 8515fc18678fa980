"""The vectors a board is grouped by: a backend's embeddings, each language's lean taken out,
with the board's TF-IDF + LSA vectors beside them."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import issparse
from sklearn.preprocessing import normalize

from facilitator.clustering import languages, tfidf
from facilitator.clustering.backends import Backend

# A language needs this many ideas on the board before its lean is taken out: language
# identification misreads some short texts, and the mean of one or two ideas is their topic.
_MIN_LANGUAGE_IDEAS = 3


def board_vectors(backend: Backend, texts: list[str]) -> NDArray[np.float64]:
    """The vectors to group: TF-IDF + LSA, after the embeddings when there are any."""
    lexical = lsa(tfidf.embed(texts))
    if backend.lexical_weight is None:
        return lexical
    embedded = dense(backend.embed(texts))
    weight = backend.lexical_weight
    if backend.language_centring:
        found = languages.detect(texts)
        embedded = language_centred(embedded, found, backend.language_centring)
        weight *= languages.main_share(found)
    return np.asarray(normalize(np.hstack([embedded, weight * lexical])))


def language_centred(
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


def lsa(vectors: Any) -> NDArray[np.float64]:
    """TF-IDF rows reduced to a few latent dimensions (dense, L2-normalised)."""
    if min(vectors.shape) > 2:
        # LSA folds synonyms and n-gram variants of one word into shared dimensions, which a
        # silhouette over raw TF-IDF (nearly orthogonal rows) cannot see. A board has far
        # fewer texts than n-gram columns, so the SVD goes through the small texts × texts
        # Gram matrix X·Xᵀ = U·S²·Uᵀ (X·V = U·S): exact, deterministic, and milliseconds where
        # TruncatedSVD's randomized QR over tens of thousands of columns took a second.
        gram = dense(vectors @ vectors.T)
        eigenvalues, eigenvectors = np.linalg.eigh(gram)
        dimensions = min(_lsa_dimensions(len(gram)), len(gram) - 1)
        top = np.argsort(-eigenvalues, kind="stable")[:dimensions]
        vectors = normalize(eigenvectors[:, top] * np.sqrt(np.clip(eigenvalues[top], 0.0, None)))
    return dense(vectors)


def _lsa_dimensions(n: int) -> int:
    # Few dimensions keep topics rather than wordings (8–10 beat 20 and 30 on boards of 50–60
    # ideas); a larger board has room for more themes, so it keeps more.
    return max(8, n // 6)


def dense(vectors: Any) -> NDArray[np.float64]:
    return np.asarray(vectors.toarray() if issparse(vectors) else vectors, dtype=np.float64)


def cosine_distances(vectors: NDArray[np.float64]) -> NDArray[np.float64]:
    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    # Symmetric to the last bit, as squareform insists.
    return np.asarray((distances + distances.T) / 2.0, dtype=np.float64)


def fold(text: str) -> str:
    """A text as the engine compares it for sameness: trimmed, spaces collapsed, case-folded."""
    return " ".join(text.casefold().split())
