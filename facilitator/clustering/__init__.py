"""Similarity and clustering engine behind suggested themes, the duplicate hint, the
"Merge into…" list and cross-group synthesis.

Pure functions over lists of texts: no HTTP, no database, no state but the models (loaded once
per process) and the vectors they computed (kept once computed). The modules, one concept each:

- ``backends``: the engines (multilingual-e5-small, the default; all-MiniLM-L6-v2, optional;
  TF-IDF, the fallback) and how each one's vectors are grouped;
- ``multilingual``, ``semantic``, ``tfidf``: the engines themselves;
  ``languages``: which language each idea is in;
- ``vectors``: the vectors a board is grouped by; ``grouping``: suggested themes;
- ``naming``: suggested theme names; ``similarity``: how much two ideas say the same.

Every result is deterministic: the same texts and backend give the same groups and scores.
See docs/clustering.md.
"""

from __future__ import annotations

from facilitator.clustering.backends import (
    available_backends,
    configure,
    default_backend,
    preload,
    vector_model,
    warm,
)
from facilitator.clustering.grouping import suggest_clusters
from facilitator.clustering.naming import suggest_names
from facilitator.clustering.similarity import hint_scores, rank_by_similarity, similarity

__all__ = [
    "available_backends",
    "configure",
    "default_backend",
    "hint_scores",
    "preload",
    "rank_by_similarity",
    "similarity",
    "suggest_clusters",
    "suggest_names",
    "vector_model",
    "warm",
]
