"""Extractive summaries: a document's own sentences, chosen to cover the whole of it.

A sentence scores by centrality (cosine to the mean of the document's sentence vectors: it says what
much of the document says) plus a small bonus for coming early (news and statements lead with their
point). Sentences are then taken greedily with a redundancy penalty (maximal marginal relevance), and
a sentence too close to one already taken is never taken, so no two say the same thing. The chosen
sentences are returned in document order.
"""

from __future__ import annotations

import re
import threading

import numpy as np

from index.embedder import Embedder
from index.generation import Generation

_PROSE_END = re.compile(r"[.!?”\"')\]]$")
LEAD_BONUS = 0.12
REDUNDANCY = 0.55  # weight of the similarity to sentences already taken
SAME_THING = 0.82
SPREAD = 0.08  # penalty per sentence already taken from the same part (1/n of the candidates)
MAX_SENTENCES_EMBEDDED = 160  # long documents: only sentences in their most central chunks are embedded

_cache: dict[tuple[str, str, str, str], np.ndarray] = {}
_lock = threading.Lock()


def summary_length(n_sentences: int) -> int:
    """3 to 6 sentences, growing with the square root of the document's length."""
    return int(min(6, max(3, round(n_sentences**0.5))))


def _is_summary_sentence(text: str) -> bool:
    """Whole prose sentences only: headings, list stubs and captions make poor summary lines."""
    return bool(_PROSE_END.search(text)) and 8 <= len(text.split()) <= 70


def candidate_sentences(generation: Generation, doc_id: str) -> list[int]:
    """Indices of the document's sentences worth considering; for a long document, those in its most
    central chunks (by the chunk vectors already in the index), so the model embeds a bounded number."""
    doc = generation.documents[doc_id]
    usable = [i for i, (a, b) in enumerate(doc.sentences) if _is_summary_sentence(doc.text[a:b])]
    if len(usable) <= MAX_SENTENCES_EMBEDDED:
        return usable
    positions = [p for p, c in enumerate(generation.chunks) if c.doc_id == doc_id]
    vectors = np.asarray(generation.vectors[positions], dtype=np.float32)
    centre = vectors.mean(axis=0)
    order = np.argsort(-(vectors @ centre))
    keep: set[int] = set()
    for p in order:
        chunk = generation.chunks[positions[int(p)]]
        keep.update(range(chunk.first_sentence, chunk.last_sentence))
        if len(keep & set(usable)) >= MAX_SENTENCES_EMBEDDED:
            break
    return [i for i in usable if i in keep]


def _vectors(generation: Generation, doc_id: str, indices: list[int], embedder: Embedder) -> np.ndarray:
    doc = generation.documents[doc_id]
    key = (embedder.name, embedder.encoder, doc.content_hash, ",".join(map(str, indices)))
    with _lock:
        if key in _cache:
            return _cache[key]
    vectors = embedder.embed_documents([doc.text[a:b] for a, b in (doc.sentences[i] for i in indices)])
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = vectors
    return vectors


def summarize(
    generation: Generation, doc_id: str, embedder: Embedder, skip: set[int] | None = None, count: int | None = None
) -> list[int]:
    """Sentence indices of an extractive summary of `doc_id`, in document order; `skip` holds sentences
    already given (a "tell me more" continues with the next best ones). `embedder` must be the index's."""
    indices = candidate_sentences(generation, doc_id)
    if not indices:
        return []
    vectors = _vectors(generation, doc_id, indices, embedder)
    centre = vectors.mean(axis=0)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    total = len(generation.documents[doc_id].sentences) or 1
    relevance = vectors @ centre + LEAD_BONUS * (1 - np.array(indices) / total) ** 2
    similarity = vectors @ vectors.T
    want = count or summary_length(len(indices))
    skip = skip or set()
    given = [k for k, i in enumerate(indices) if i in skip]
    segment = (np.arange(len(indices)) * want) // len(indices)
    chosen: list[int] = []
    for _ in range(want):
        best, best_score = None, -1e9
        for k in range(len(indices)):
            if k in chosen or indices[k] in skip:
                continue
            taken = chosen + given
            overlap = float(similarity[k, taken].max()) if taken else 0.0
            if chosen and overlap >= SAME_THING:
                continue
            # Coverage of the whole: a part of the document already represented counts against a sentence.
            crowded = sum(segment[k] == segment[j] for j in chosen)
            score = float(relevance[k]) - REDUNDANCY * overlap - SPREAD * crowded
            if score > best_score:
                best, best_score = k, score
        if best is None:
            break
        chosen.append(best)
    return sorted(indices[k] for k in chosen)
