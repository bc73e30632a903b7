"""Sentence splitting in worker processes gives exactly what one process gives, in document order."""

import pytest

from index import parallel_chunking
from index.chunking import chunk_document, split_sentences
from index.loaders import load_corpus
from tests.conftest import corpus_dirs

pytestmark = pytest.mark.fast


def test_parallel_split_equals_serial_split_in_order(monkeypatch):
    docs = [(d.doc_id, d.text[:6000]) for d in load_corpus(corpus_dirs()).documents][:6]
    docs += [(f"copy-{doc_id}", text) for doc_id, text in docs]  # more jobs than workers
    monkeypatch.setattr(parallel_chunking, "PARALLEL_MIN_CHARS", 0)
    events: list[tuple[int, int]] = []
    parallel = list(
        parallel_chunking.split_many(docs, 700, 150, workers=2, progress=lambda d, t: events.append((d, t)))
    )
    for (doc_id, text), (sentences, chunks) in zip(docs, parallel, strict=True):
        spans = split_sentences(text)
        assert sentences == [(s.start, s.end) for s in spans]
        assert chunks == chunk_document(doc_id, text, spans, 700, 150)
    assert events[-1] == (len(docs), len(docs))
