"""Re-index without reading the corpus: size and mtime decide when they can be trusted, content hashes
when they cannot (a file written just before the build, a touched file). Fake embedder: no model."""

from __future__ import annotations

import os
import time

import pytest

import index.build
from assistant.settings import Settings
from index import chroma_store, filestamps, loaders
from index.build import IndexBuilder
from index.generation import Generation, current_path
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.fast


def _builder(tmp_path, corpus) -> IndexBuilder:
    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[corpus], chunk_size=120, chunk_overlap=40)
    return IndexBuilder(settings.index_config(), embedder=HashingEmbedder())


def _age(corpus, seconds: float = 60) -> None:
    old = time.time() - seconds
    for path in corpus.iterdir():
        os.utime(path, (old, old))


def _refuse(*args, **kwargs):
    raise AssertionError("the corpus was loaded on a no-op re-index")


def _forbid_loading(monkeypatch) -> None:
    monkeypatch.setattr(loaders, "load_file", _refuse)
    monkeypatch.setattr(index.build, "load_corpus", _refuse)


def test_files_written_just_before_the_build_are_re_hashed_not_reloaded(tmp_path, small_corpus, monkeypatch):
    """Every file is racy (written a moment before the build): the no-op reads those files' bytes to
    compare hashes, and loads no document."""
    first = _builder(tmp_path, small_corpus).build()
    hashed: list[str] = []
    real_hash = filestamps._hash_file
    monkeypatch.setattr(filestamps, "_hash_file", lambda path: hashed.append(path) or real_hash(path))
    _forbid_loading(monkeypatch)
    again = _builder(tmp_path, small_corpus).build()
    assert again.noop and again.generation == first.generation and again.embedded_chunks == 0
    assert sorted(again.unchanged) == ["alpha.txt", "beta.md", "gamma.txt"] and again.chunks == first.chunks
    assert sorted(os.path.basename(p) for p in hashed) == ["alpha.txt", "beta.md", "gamma.txt"]


def test_old_files_are_neither_read_nor_hashed(tmp_path, small_corpus, monkeypatch):
    _age(small_corpus)
    first = _builder(tmp_path, small_corpus).build()
    monkeypatch.setattr(filestamps, "_hash_file", lambda path: pytest.fail(f"{path} was read"))
    _forbid_loading(monkeypatch)
    again = _builder(tmp_path, small_corpus).build()
    assert again.noop and again.generation == first.generation


def test_same_size_same_mtime_edit_of_a_racy_file_is_caught_by_its_hash(tmp_path, small_corpus):
    first = _builder(tmp_path, small_corpus).build()
    beta = small_corpus / "beta.md"
    stamp = beta.stat().st_mtime_ns
    beta.write_text(beta.read_text().replace("March", "April"))  # same size
    os.utime(beta, ns=(stamp, stamp))
    summary = _builder(tmp_path, small_corpus).build()
    assert not summary.noop and summary.changed == ["beta.md"] and summary.generation != first.generation
    gen = Generation(current_path(tmp_path / "data" / "index"))
    assert any("April" in c.text for c in gen.chunks if c.doc_id == "beta.md")


def test_an_edit_right_after_a_fresh_corpus_loads_only_the_edited_file(tmp_path, small_corpus, monkeypatch):
    """Every file is racy: an incremental build hashes the unedited ones (their bytes are the ones the last
    build read) instead of parsing them, and still catches a same-size, same-mtime edit by its hash."""
    first = _builder(tmp_path, small_corpus).build()
    alpha, beta = small_corpus / "alpha.txt", small_corpus / "beta.md"
    alpha.write_text(alpha.read_text() + "The committee met again in June.\n")
    stamp = beta.stat().st_mtime_ns
    beta.write_text(beta.read_text().replace("March", "April"))  # same size, same mtime below
    os.utime(beta, ns=(stamp, stamp))
    loaded: list[str] = []
    real_load = loaders.load_file
    monkeypatch.setattr(loaders, "load_file", lambda path, *a: loaded.append(path.name) or real_load(path, *a))
    summary = _builder(tmp_path, small_corpus).build()
    assert sorted(loaded) == ["alpha.txt", "beta.md"]  # gamma.txt: hashed, found as the last build read it
    assert sorted(summary.changed) == ["alpha.txt", "beta.md"] and summary.unchanged == ["gamma.txt"]
    assert summary.generation != first.generation
    gen = Generation(current_path(tmp_path / "data" / "index"))
    assert any("April" in c.text for c in gen.chunks if c.doc_id == "beta.md")


def test_a_touched_file_is_hashed_again_and_nothing_is_re_embedded(tmp_path, small_corpus, monkeypatch):
    _age(small_corpus)
    first = _builder(tmp_path, small_corpus).build()
    os.utime(small_corpus / "gamma.txt")  # new mtime, same bytes: the content hash decides
    touched = _builder(tmp_path, small_corpus).build()
    assert touched.noop and touched.generation == first.generation and touched.embedded_chunks == 0
    # The stamps were refreshed: the next no-op reads nothing but gamma.txt (now racy) and loads nothing.
    _forbid_loading(monkeypatch)
    again = _builder(tmp_path, small_corpus).build()
    assert again.noop and again.generation == first.generation


def test_chroma_holds_vectors_and_metadata_in_batches_of_the_client_size(tmp_path, small_corpus, monkeypatch):
    """Chunk texts live in chunks.jsonl, not twice; inserts are cut at the size the client accepts."""
    sizes: list[int] = []
    real_add = chroma_store.add

    def recording_add(collection, ids, vectors, metadatas, progress=None, batch=chroma_store.MAX_BATCH):
        sizes.append(batch)
        return real_add(collection, ids, vectors, metadatas, progress, batch=2)

    monkeypatch.setattr(chroma_store, "add", recording_add)
    summary = _builder(tmp_path, small_corpus).build()
    gen = Generation(current_path(tmp_path / "data" / "index"))
    stored = gen.collection().get(include=["documents", "metadatas"])
    assert sorted(stored["ids"]) == sorted(c.chunk_id for c in gen.chunks) and len(stored["ids"]) == summary.chunks
    assert all(d is None for d in stored["documents"])
    assert {m["doc_id"] for m in stored["metadatas"]} == {"alpha.txt", "beta.md", "gamma.txt"}
    assert sizes and sizes[0] > 2  # the client's own limit was asked for (5461 for embedded Chroma 1.x)
