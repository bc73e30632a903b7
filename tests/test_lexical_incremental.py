"""An incremental build keeps BM25 exactly as a build from scratch would make it, while tokenising only the
changed documents' chunks and reading only the changed files. Real Chroma, fake embedder (no model)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import index.lexical
from assistant.settings import Settings
from index import loaders
from index.build import IndexBuilder
from index.generation import LAYOUT, Generation, current_path
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.fast

QUERIES = [
    "alpha committee budget",
    "tide tables published",
    "lighthouse repainted",
    "harbour project spring",
    "delta ferries Ulleung",
    "gamma beta alpha the",
]


def _build(data: Path, corpus: Path, full: bool = False):
    settings = Settings(data_dir=data, corpus_dirs=[corpus], chunk_size=120, chunk_overlap=40)
    summary = IndexBuilder(settings.index_config(), embedder=HashingEmbedder()).build(full=full)
    return summary, Generation(current_path(data / "index"))


def _age(corpus: Path, seconds: float = 60) -> None:
    """Old enough that size and mtime can be trusted (see index.filestamps)."""
    old = time.time() - seconds
    for path in corpus.iterdir():
        os.utime(path, (old, old))


def _edit(corpus: Path) -> None:
    """One file gains a sentence, one is added, one is removed."""
    alpha = corpus / "alpha.txt"
    alpha.write_text(alpha.read_text() + "The alpha budget was raised again in June by the committee.\n")
    (corpus / "delta.txt").write_text("Delta ferries crossed to Ulleung island twice a week. The tide was high.\n")
    (corpus / "gamma.txt").unlink()


def _assert_same_lexical(incremental: Generation, full: Generation) -> None:
    assert [c.chunk_id for c in incremental.chunks] == [c.chunk_id for c in full.chunks]
    assert [c.text for c in incremental.chunks] == [c.text for c in full.chunks]
    a, b = incremental.lexical, full.lexical
    assert a.n_chunks == b.n_chunks and a.doc_freq == b.doc_freq
    for query in QUERIES:
        assert np.array_equal(a.scores(query), b.scores(query)), query  # bit for bit, every chunk
        assert a.search(query, 10) == b.search(query, 10), query
    assert incremental.documents.keys() == full.documents.keys()
    for doc_id, doc in full.documents.items():
        assert incremental.documents[doc_id] == doc
    assert np.array_equal(np.asarray(incremental.vectors), np.asarray(full.vectors))
    for name in ("vectors.npy", "chunks.jsonl", "documents.jsonl"):  # copied byte ranges, same files
        assert (incremental.folder / name).read_bytes() == (full.folder / name).read_bytes(), name


def test_incremental_bm25_equals_a_full_build_of_the_same_corpus(tmp_path, small_corpus, monkeypatch):
    _age(small_corpus)
    _build(tmp_path / "inc", small_corpus)
    _edit(small_corpus)
    tokenised: list[str] = []
    real_terms = index.lexical.terms
    monkeypatch.setattr(index.lexical, "terms", lambda text: tokenised.append(text) or real_terms(text))
    read: list[str] = []
    real_load = loaders.load_file
    monkeypatch.setattr(loaders, "load_file", lambda path, *a: read.append(Path(path).name) or real_load(path, *a))
    summary, incremental = _build(tmp_path / "inc", small_corpus)
    assert summary.changed == ["alpha.txt"] and summary.added == ["delta.txt"] and summary.removed == ["gamma.txt"]
    assert sorted(read) == ["alpha.txt", "delta.txt"]  # beta.md is old and unchanged: taken from the last build
    fresh = [c for c in incremental.chunks if c.doc_id in ("alpha.txt", "delta.txt")]
    assert len(tokenised) == len(fresh) == summary.embedded_chunks  # beta's chunks were not tokenised again
    monkeypatch.undo()
    _, full = _build(tmp_path / "full", small_corpus, full=True)
    _assert_same_lexical(incremental, full)


def test_an_index_without_layout_or_term_counts_is_updated_to_the_same_result(tmp_path, small_corpus):
    """Generations written before layout.json and the term counts existed: the next build derives the
    layout from the files and tokenises every chunk once."""
    _, first = _build(tmp_path / "inc", small_corpus)
    (first.folder / LAYOUT).unlink()
    for path in (first.folder / "lexical").glob("counts.*"):
        path.unlink()
    _edit(small_corpus)
    summary, incremental = _build(tmp_path / "inc", small_corpus)
    assert summary.embedded_chunks < summary.chunks  # beta.md's vectors were reused
    _, full = _build(tmp_path / "full", small_corpus, full=True)
    _assert_same_lexical(incremental, full)


def test_a_moved_unchanged_file_keeps_its_chunks_and_records_its_new_path(tmp_path, small_corpus):
    _build(tmp_path / "inc", small_corpus)
    other = tmp_path / "other"
    shutil.copytree(small_corpus, other)
    shutil.rmtree(small_corpus)
    (other / "beta.md").rename(other / "beta2.md")  # a new name is a new document
    settings = Settings(data_dir=tmp_path / "inc", corpus_dirs=[other], chunk_size=120, chunk_overlap=40)
    summary = IndexBuilder(settings.index_config(), embedder=HashingEmbedder()).build()
    gen = Generation(current_path(tmp_path / "inc" / "index"))
    assert summary.added == ["beta2.md"] and summary.removed == ["beta.md"]
    assert sorted(summary.unchanged) == ["alpha.txt", "gamma.txt"]
    assert gen.documents["alpha.txt"].path == str(other / "alpha.txt")
    assert gen.layout["alpha.txt"].path == str(other / "alpha.txt")
    _, full = _build(tmp_path / "full", other, full=True)
    _assert_same_lexical(gen, full)


def test_scores_match_bm25s_and_its_saved_indexes_still_load(tmp_path):
    """Same Lucene BM25 as the bm25s index it replaces; a generation written by bm25s loads and ranks alike."""
    import bm25s  # the [test] extra installs it: the reference these scores must equal

    from index.lexical import LexicalIndex
    from index.text import terms

    texts = [
        "The alpha committee met in Busan and approved a budget.",
        "The beta team studied tide tables; the tide was high.",
        "Gamma lighthouse repainted white and red, red again.",
        "",
        "Delta ferries crossed to Ulleung island twice a week.",
    ]
    ours = LexicalIndex.build(texts)
    model = bm25s.BM25()
    model.index([terms(t) or ["<empty>"] for t in texts], show_progress=False)
    model.save(str(tmp_path / "old"), show_progress=False)
    loaded = LexicalIndex.load(tmp_path / "old")
    for query in ["tide tables", "red lighthouse", "budget committee Busan", "ferries"]:
        reference = model.get_scores([t for t in terms(query) if t in model.vocab_dict])
        assert np.allclose(ours.scores(query), reference, atol=1e-6)
        assert loaded.search(query, 3) == ours.search(query, 3)
    assert loaded.doc_freq == ours.doc_freq
