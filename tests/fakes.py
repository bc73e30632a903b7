"""A deterministic stand-in for MiniLM, for tests of logic rather than of the model's judgement.

It satisfies `index.embedder.Embedder`: texts that share words (and word pieces) get close vectors, the
same text always gets the same vector, and nothing is loaded, so a test with it runs in milliseconds.
Its similarities are not MiniLM's: thresholds tuned on the real model do not carry over.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer


class HashingEmbedder:
    """Hashed counts of character 3-5-grams within words, L2-normalized, in a fixed dimension."""

    name = "test-hashing-char-ngrams"
    encoder = "hashing"
    dimension = 256  # unlike MiniLM's 384: nothing may assume the real model's shape

    def __init__(self) -> None:
        self._vectorizer = HashingVectorizer(
            n_features=self.dimension,
            analyzer="char_wb",
            ngram_range=(3, 5),
            alternate_sign=False,
            norm="l2",
        )

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return self._vectorizer.transform(list(texts)).toarray().astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def query_side(self) -> HashingEmbedder:
        return self
