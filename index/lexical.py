"""BM25 over chunks, persisted beside the vectors and loaded once per index generation.

The scores are Lucene's BM25 (k1 1.5, b 0.75, what bm25s computed for us before). Every score depends on
corpus-wide statistics (chunk count, average length, document frequencies), so one changed chunk changes
them all; but they are a vectorised function of the chunk x term count matrix, and tokenising is what
costs. So each generation also stores its term counts (`TermCounts`), and an incremental build tokenises
only the chunks of changed documents, then recomputes every score from the counts: the same numbers as a
build from scratch. The score matrix keeps bm25s's file layout, so indexes written by bm25s still load
(they have no counts: their next build tokenises every chunk once).
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp  # O(nnz) C conversion between chunk- and term-major

from index.text import terms

K1, B = 1.5, 0.75
EMPTY = "<empty>"  # the one term of a chunk without any (bm25s needed a token; kept so scores stay alike)
_COUNT_FILES = ("counts.indptr.npy", "counts.terms.npy", "counts.values.npy", "counts.vocab.json")


@dataclass
class TermCounts:
    """Chunk-major sparse term counts: chunk i uses term `vocab[terms[j]]` `values[j]` times, for j in
    indptr[i]:indptr[i+1]."""

    vocab: list[str]
    indptr: np.ndarray  # int64, n_chunks + 1
    terms: np.ndarray  # int32
    values: np.ndarray  # int32

    @property
    def n_chunks(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def of_texts(cls, texts: Iterable[str], vocab: list[str] | None = None) -> TermCounts:
        """Tokenise `texts`; term ids continue `vocab` (the previous generation's) so rows can be stacked."""
        return TermCounter(vocab).add(texts).result()

    def rows(self, order: np.ndarray) -> TermCounts:
        """These chunks' rows, in this order: runs of consecutive rows (most of an incremental build) are
        copied as slices, anything more scattered is gathered element by element."""
        lengths = np.diff(self.indptr)[order]
        indptr = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        breaks = np.flatnonzero(np.diff(order) != 1) + 1
        if len(order) > 0 and len(breaks) < 1000:
            starts = np.concatenate([[0], breaks]).tolist()
            ends = np.concatenate([breaks, [len(order)]]).tolist()
            spans = [(int(self.indptr[order[a]]), int(self.indptr[order[b - 1] + 1])) for a, b in zip(starts, ends)]
            return TermCounts(
                self.vocab,
                indptr,
                np.concatenate([self.terms[lo:hi] for lo, hi in spans]),
                np.concatenate([self.values[lo:hi] for lo, hi in spans]),
            )
        source = np.repeat(self.indptr[:-1][order] - indptr[:-1], lengths) + np.arange(indptr[-1], dtype=np.int64)
        return TermCounts(self.vocab, indptr, self.terms[source], self.values[source])

    def stacked(self, more: TermCounts) -> TermCounts:
        """`more`'s rows after ours; `more` must extend our vocabulary (`of_texts(..., self.vocab)`)."""
        assert more.vocab[: len(self.vocab)] == self.vocab
        return TermCounts(
            more.vocab,
            np.concatenate([self.indptr, self.indptr[-1] + more.indptr[1:]]),
            np.concatenate([self.terms, more.terms]),
            np.concatenate([self.values, more.values]),
        )

    def compacted(self) -> TermCounts:
        """Without the terms no chunk uses any more (a removed document's), keeping the others' order."""
        used = np.bincount(self.terms, minlength=len(self.vocab)) > 0
        if used.all():
            return self
        new_id = np.cumsum(used, dtype=np.int64) - 1
        vocab = [term for term, keep in zip(self.vocab, used.tolist()) if keep]
        return TermCounts(vocab, self.indptr, new_id[self.terms].astype(np.int32), self.values)

    def save(self, folder: Path) -> None:
        for name, column in zip(_COUNT_FILES, (self.indptr, self.terms, self.values)):
            np.save(folder / name, column)
        (folder / _COUNT_FILES[3]).write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TermCounts | None:
        """The stored counts, or None for an index written before they were kept."""
        if not all((folder / name).exists() for name in _COUNT_FILES):
            return None
        indptr, term_ids, values = (np.load(folder / name) for name in _COUNT_FILES[:3])
        vocab = json.loads((folder / _COUNT_FILES[3]).read_text(encoding="utf-8"))
        return cls(vocab, indptr, term_ids, values)


class TermCounter:
    """Tokenises texts batch by batch (as chunks come out of the splitter) into one `TermCounts` whose term
    ids continue `vocab`."""

    def __init__(self, vocab: list[str] | None = None) -> None:
        self.words = list(vocab or [])
        self.ids = {term: i for i, term in enumerate(self.words)}
        self.terms = array("i")  # C ints, not Python lists: 5M entries at 100k chunks
        self.values = array("i")
        self.lengths = array("q", [0])

    def add(self, texts: Iterable[str]) -> TermCounter:
        ids, words = self.ids, self.words
        for text in texts:
            counted = Counter(terms(text) or [EMPTY])
            for term in counted:
                if term not in ids:
                    ids[term] = len(words)
                    words.append(term)
            self.terms.extend(map(ids.__getitem__, counted))
            self.values.extend(counted.values())
            self.lengths.append(len(counted))
        return self

    def result(self) -> TermCounts:
        return TermCounts(
            list(self.words),
            np.cumsum(np.frombuffer(self.lengths, dtype=np.int64)),
            np.frombuffer(self.terms, dtype=np.int32).copy(),
            np.frombuffer(self.values, dtype=np.int32).copy(),
        )


def updated_counts(previous: TermCounts | None, source: np.ndarray, fresh: TermCounts) -> TermCounts:
    """The counts of a new generation: row i is `previous` row `source[i]`, or, where `source[i]` is -1,
    the next row of `fresh` (whose vocabulary extends `previous`'s)."""
    base = previous or TermCounts([], np.zeros(1, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32))
    order = source.astype(np.int64, copy=True)
    is_fresh = order < 0
    order[is_fresh] = base.n_chunks + np.arange(int(is_fresh.sum()), dtype=np.int64)
    return base.stacked(fresh).rows(order).compacted()


class LexicalIndex:
    """BM25 scores (term-major: a query reads one slice per term) plus document frequencies (the answerer
    weighs question words by rarity). `counts` is set on a freshly built index, for saving."""

    def __init__(
        self,
        vocab: dict[str, int],
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        n_chunks: int,
        counts: TermCounts | None = None,
    ) -> None:
        self.vocab = vocab
        self.data = data
        self.indices = indices
        self.indptr = indptr
        self.n_chunks = n_chunks
        self.counts = counts

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        return cls.from_counts(TermCounts.of_texts(texts))

    @classmethod
    def from_counts(cls, counts: TermCounts) -> LexicalIndex:
        """Every BM25 score from the counts, vectorised (float64 arithmetic, stored as float32)."""
        n = counts.n_chunks
        length = np.zeros(n, dtype=np.float64)  # terms per chunk
        rows = np.diff(counts.indptr) > 0
        if rows.any():  # one sum per non-empty chunk: its segment ends where the next non-empty one starts
            length[rows] = np.add.reduceat(counts.values, counts.indptr[:-1][rows], dtype=np.int64)
        average = float(length.mean()) if n else 1.0
        df = np.bincount(counts.terms, minlength=len(counts.vocab)).astype(np.float64)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        tf = counts.values.astype(np.float64)
        scores = np.repeat(K1 * ((1 - B) + B * length / average), np.diff(counts.indptr))
        scores += tf
        np.divide(tf, scores, out=scores)  # term-frequency saturation, in place: 5M entries at 100k chunks
        scores *= idf[counts.terms]
        term_major = sp.csr_matrix(
            (scores.astype(np.float32), counts.terms, counts.indptr), shape=(n, len(counts.vocab))
        ).tocsc()
        vocab = {term: i for i, term in enumerate(counts.vocab)}
        return cls(vocab, term_major.data, term_major.indices, term_major.indptr, n, counts)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "data.csc.index.npy", self.data)
        np.save(folder / "indices.csc.index.npy", self.indices)
        np.save(folder / "indptr.csc.index.npy", self.indptr)
        (folder / "vocab.index.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        params = {"k1": K1, "b": B, "method": "lucene", "idf_method": "lucene", "num_docs": self.n_chunks}
        (folder / "params.index.json").write_text(json.dumps(params))
        if self.counts is not None:
            self.counts.save(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """This format or bm25s's (same score files, no counts)."""
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        params = json.loads((folder / "params.index.json").read_text())
        data, indices, indptr = (np.load(folder / f"{name}.csc.index.npy") for name in ("data", "indices", "indptr"))
        n_terms = len(indptr) - 1  # bm25s lists one more term, "", with no column
        vocab = {term: i for term, i in vocab.items() if i < n_terms}
        return cls(vocab, data, indices, indptr, int(params["num_docs"]))

    @cached_property
    def doc_freq(self) -> dict[str, int]:
        """Chunks using each term (a term's column holds one entry per chunk that uses it)."""
        per_term = np.diff(self.indptr).tolist()
        return {term: per_term[i] for term, i in self.vocab.items() if per_term[i] > 0}

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; a term the corpus never uses gets the highest value."""
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (self.n_chunks + 1) / (df + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every chunk for `query` (a repeated query term counts again, as in bm25s)."""
        out = np.zeros(self.n_chunks, dtype=np.float32)
        for term in terms(query):
            col = self.vocab.get(term)
            if col is not None:
                lo, hi = self.indptr[col], self.indptr[col + 1]
                out[self.indices[lo:hi]] += self.data[lo:hi]  # a term's chunks are distinct: no np.add.at
        return out

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Top-k (chunk position, BM25 score) with a positive score."""
        if self.n_chunks == 0 or not any(t in self.vocab for t in terms(query)):
            return []
        scores = self.scores(query)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
