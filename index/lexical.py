"""BM25 over chunks (bm25s), persisted beside the vectors and loaded once per index generation."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import bm25s
import numpy as np

from index.text import terms


class LexicalIndex:
    """BM25 scores plus document frequencies (the answerer weighs question words by rarity)."""

    def __init__(self, model: bm25s.BM25, doc_freq: dict[str, int], n_chunks: int) -> None:
        self.model = model
        self.doc_freq = doc_freq
        self.n_chunks = n_chunks

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        tokenized = [terms(t) or ["<empty>"] for t in texts]
        model = bm25s.BM25()
        model.index(tokenized, show_progress=False)
        doc_freq = Counter(term for toks in tokenized for term in set(toks))
        return cls(model, dict(doc_freq), len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(str(folder), show_progress=False)
        (folder / "doc_freq.json").write_text(json.dumps({"n": self.n_chunks, "df": self.doc_freq}))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        model = bm25s.BM25.load(str(folder), show_progress=False)
        stats = json.loads((folder / "doc_freq.json").read_text())
        return cls(model, stats["df"], stats["n"])

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; a term the corpus never uses gets the highest value."""
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (self.n_chunks + 1) / (df + 0.5))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Top-k (chunk position, BM25 score) with a positive score."""
        query_terms = [t for t in terms(query) if t in self.doc_freq]
        if not query_terms or self.n_chunks == 0:
            return []
        scores = self.model.get_scores(query_terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
