"""The default backend: TF-IDF vectors fitted on the board itself (scikit-learn, no downloads)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


def _vectorizers() -> list[TfidfVectorizer]:
    return [
        # Words carry the topic where the language separates words with spaces; English stop
        # words are dropped because they match across unrelated ideas and say nothing of a theme.
        TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english"),
        # Character n-grams inside word boundaries catch plurals and spelling variants
        # ("bike"/"bikes"), and they are what gives Chinese, Arabic or emoji any features at
        # all: the word tokenizer sees a run of Han characters as one token and emoji as none.
        TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5)),
    ]


def embed(texts: list[str]) -> NDArray[np.float64]:
    """One L2-normalised row per text; a text with no features (blank) is an all-zero row."""
    blocks = []
    for vectorizer in _vectorizers():
        try:
            blocks.append(normalize(vectorizer.fit_transform(texts)))
        except ValueError:
            # "empty vocabulary": no text has a single feature of this kind (all emoji, all
            # stop words...). The other vectorizer still describes the texts.
            continue
    if not blocks:
        return np.zeros((len(texts), 1))
    return np.asarray(normalize(hstack(blocks).tocsr()).toarray(), dtype=np.float64)
