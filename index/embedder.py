"""The embedding seam: one object turns text into unit vectors for the index build, retrieval, the
answerers, the guard and the evaluation, so each is handed the model instead of reaching for a global.

`embedder_for` is the one place a setting becomes a model. Tests hand a deterministic fake to the same
constructors (see `tests/fakes.py`), which lets logic tests run without loading MiniLM.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from index.config import IndexConfig


@runtime_checkable
class Embedder(Protocol):
    """Text in, L2-normalized float32 vectors out (so a dot product is a cosine)."""

    @property
    def name(self) -> str:
        """The model, recorded in the index manifest: another name means incompatible vectors."""
        ...

    @property
    def encoder(self) -> str:
        """How the model runs (torch-fp32, onnx-int8, ...; documents and queries may differ); also recorded,
        its vectors differ slightly."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, shape (len(texts), dimension)."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One vector, shape (dimension,)."""
        ...

    def query_side(self) -> Embedder:
        """The embedder for texts compared with a question at answer time (candidate sentences, the guard,
        summaries): `embed_documents` runs as `embed_query` does. Itself when both already run alike."""
        ...


def embedder_for(config: IndexConfig) -> Embedder:
    """The embedder the settings choose: the in-wheel MiniLM, its index chunks embedded by
    `config.index_encoder` (bulk, int8 by default) and its questions by `config.encoder`."""
    from index.embeddings import MiniLMEmbedder

    return MiniLMEmbedder(config.encoder, config.models_dir, config.batch_size, config.index_encoder)


class CachedEmbedder:
    """An Embedder that remembers every text's vector: the answerers and the guard embed the same
    sentences and words question after question, and warm questions then skip the model."""

    def __init__(self, inner: Embedder, limit: int = 50_000) -> None:
        self.inner = inner
        self._store: dict[str, np.ndarray] = {}
        self._limit = limit
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def encoder(self) -> str:
        return self.inner.encoder

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            known = {t: self._store[t] for t in dict.fromkeys(texts) if t in self._store}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = self.inner.embed_documents(missing)
            known.update(zip(missing, fresh))
            with self._lock:
                if len(self._store) + len(missing) > self._limit:
                    self._store.clear()
                self._store.update(zip(missing, fresh))
        return np.vstack([known[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    get = embed_documents  # the extractive answerer's name for it

    def query_side(self) -> Embedder:
        inner = self.inner.query_side()
        return self if inner is self.inner else CachedEmbedder(inner, self._limit)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
