"""The default backend: TF-IDF vectors fitted on the board itself (scikit-learn, no downloads)."""

from __future__ import annotations

from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from facilitator.clustering.stopwords import STOP_WORDS


def _vectorizers() -> list[TfidfVectorizer]:
    return [
        # Words carry the topic where the language separates words with spaces; stop
        # words are dropped because they match across unrelated ideas and say nothing of a theme.
        TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words=STOP_WORDS),
        # Character n-grams inside word boundaries catch plurals and spelling variants
        # ("bike"/"bikes"), and they are what gives Chinese, Arabic or emoji any features at
        # all: the word tokenizer sees a run of Han characters as one token and emoji as none.
        # Up to 4 characters: 5-grams cost 40% of a 200-idea board's time and added nothing
        # measurable to the groups.
        TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 4)),
    ]


def embed(texts: list[str]) -> csr_matrix:
    """One L2-normalised row per text; a text with no features (blank) is an all-zero row.

    Sparse: character n-grams give tens of thousands of columns, and densifying them cost
    seconds on a 200-idea board.
    """
    blocks = []
    for vectorizer in _vectorizers():
        try:
            blocks.append(normalize(vectorizer.fit_transform(texts)))
        except ValueError:
            # "empty vocabulary": no text has a single feature of this kind (all emoji, all
            # stop words...). The other vectorizer still describes the texts.
            continue
    if not blocks:
        return csr_matrix((len(texts), 1))
    return csr_matrix(normalize(hstack(blocks).tocsr()))
