"""An incremental build edits a copy of the previous Chroma store instead of inserting every chunk again;
the result holds exactly the new generation's chunks, with their current offsets. Fake embedder: no model."""

from __future__ import annotations

import pytest

import index.build
from assistant.settings import Settings
from index import chroma_store
from index.build import IndexBuilder
from index.generation import Generation, current_path
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.fast


def _build(tmp_path, corpus, **kw):
    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[corpus], chunk_size=120, chunk_overlap=40)
    summary = IndexBuilder(settings.index_config(), embedder=HashingEmbedder()).build(**kw)
    return summary, Generation(current_path(tmp_path / "data" / "index"))


def _assert_store_matches(gen: Generation) -> None:
    stored = gen.collection().get(include=["metadatas", "embeddings"])
    by_id = dict(zip(stored["ids"], zip(stored["metadatas"], stored["embeddings"])))
    assert sorted(by_id) == sorted(c.chunk_id for c in gen.chunks)
    for pos, chunk in enumerate(gen.chunks):
        meta, vector = by_id[chunk.chunk_id]
        assert (meta["doc_id"], meta["start"], meta["end"]) == (chunk.doc_id, chunk.start, chunk.end)
        assert abs(float(vector @ gen.vectors[pos]) - float(gen.vectors[pos] @ gen.vectors[pos])) < 1e-4


def test_one_changed_file_edits_a_copy_of_the_previous_store(tmp_path, small_corpus, monkeypatch):
    monkeypatch.setattr(index.build, "INCREMENTAL_CHROMA_SHARE", 0.9)  # three documents: one is a big share
    first, gen1 = _build(tmp_path, small_corpus)
    inserted: list[str] = []
    real_add = chroma_store.add

    def recording_add(collection, ids, *args, **kwargs):
        inserted.extend(ids)
        return real_add(collection, ids, *args, **kwargs)

    monkeypatch.setattr(chroma_store, "add", recording_add)
    alpha = small_corpus / "alpha.txt"  # a sentence in front: every later chunk moves
    alpha.write_text(alpha.read_text().replace("-----\n", "-----\nA new opening sentence comes first.\n"))
    (small_corpus / "gamma.txt").unlink()
    summary, gen2 = _build(tmp_path, small_corpus)
    assert summary.changed == ["alpha.txt"] and summary.removed == ["gamma.txt"]
    assert sorted(inserted) == sorted(c.chunk_id for c in gen2.chunks if c.doc_id == "alpha.txt")
    assert gen2.manifest["collection"] == gen1.manifest["collection"]  # the copied store keeps its name
    _assert_store_matches(gen2)
    assert gen1.collection().count() == first.chunks  # the previous generation's store is untouched
    _assert_store_matches(gen1)


def test_many_changes_or_a_full_build_insert_everything_into_a_new_collection(tmp_path, small_corpus):
    _, gen1 = _build(tmp_path, small_corpus)
    for path in small_corpus.iterdir():
        path.write_text(path.read_text() + "One more line for every file.\n")
    _, gen2 = _build(tmp_path, small_corpus)
    assert gen2.manifest["collection"] != gen1.manifest["collection"]
    _assert_store_matches(gen2)
    _, gen3 = _build(tmp_path, small_corpus, full=True)
    assert gen3.manifest["collection"] not in (gen1.manifest["collection"], gen2.manifest["collection"])
    _assert_store_matches(gen3)
