import json
import os
import time

import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from index import chroma_store, loaders
from index.build import BuildLocked, IndexBuilder
from index.generation import Generation, IndexMismatch, current_path


def _settings(tmp_path, corpus, **kw) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dirs=[corpus], chunk_size=120, chunk_overlap=40, **kw)


def _current(settings) -> Generation:
    return Generation(current_path(settings.index_config().index_root))


def test_first_build_indexes_every_document_with_metadata(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    summary = Assistant(settings).build_index()
    assert sorted(summary.added) == ["alpha.txt", "beta.md", "gamma.txt"]
    gen = _current(settings)
    assert gen.manifest["embedding_dim"] == 384 and gen.manifest["n_chunks"] == summary.chunks
    collection = gen.collection()
    assert collection.count() == summary.chunks
    got = collection.get(where={"doc_id": "alpha.txt"}, include=["metadatas"])
    alpha = [c for c in gen.chunks if c.doc_id == "alpha.txt"]
    assert sorted((m["start"], m["end"]) for m in got["metadatas"]) == sorted((c.start, c.end) for c in alpha)
    assert gen.documents["alpha.txt"].metadata["publisher"] == "Test Desk"  # once per document, not per chunk
    assert gen.vectors.shape == (summary.chunks, 384)


def test_editing_one_file_re_embeds_only_that_file(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    assistant = Assistant(settings)
    assistant.build_index()
    before = {c.chunk_id for c in _current(settings).chunks if c.doc_id != "beta.md"}
    (small_corpus / "beta.md").write_text("# Beta notes\n\nThe beta team measured currents near Jeju in April.\n")
    summary = assistant.build_index()
    gen = _current(settings)
    beta_chunks = [c for c in gen.chunks if c.doc_id == "beta.md"]
    assert summary.changed == ["beta.md"] and sorted(summary.unchanged) == ["alpha.txt", "gamma.txt"]
    assert summary.embedded_chunks == len(beta_chunks)
    assert before <= {c.chunk_id for c in gen.chunks}
    assert any("Jeju" in c.text for c in beta_chunks)


def test_deleting_a_file_removes_its_chunks(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    assistant = Assistant(settings)
    assistant.build_index()
    (small_corpus / "gamma.txt").unlink()
    summary = assistant.build_index()
    gen = _current(settings)
    assert summary.removed == ["gamma.txt"]
    assert all(c.doc_id != "gamma.txt" for c in gen.chunks)
    assert gen.collection().get(where={"doc_id": "gamma.txt"})["ids"] == []
    found = assistant.retriever.search("lighthouse repainted", 5, "bm25").passages
    assert "lighthouse" not in [t for p in found for t in p.text.split()]


def test_unchanged_corpus_is_a_no_op_and_full_rebuilds(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    assistant = Assistant(settings)
    first = assistant.build_index()
    again = assistant.build_index()
    assert again.noop and again.generation == first.generation and again.embedded_chunks == 0
    full = assistant.build_index(full=True)
    assert not full.noop and full.generation != first.generation and full.embedded_chunks == full.chunks


def test_index_built_with_other_model_or_chunking_is_a_clear_error(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    Assistant(settings).build_index()
    other = settings.with_overrides(chunk_size=300)
    with pytest.raises(IndexMismatch, match="index --full"):
        Assistant(other).ask("What did the alpha committee approve?")
    manifest_path = _current(settings).folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["embedding_model"] = "some-other-model"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatch, match="embedding model some-other-model"):
        Assistant(settings).ask("What did the alpha committee approve?")


def test_an_index_from_before_the_primary_flag_asks_for_a_full_rebuild(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    Assistant(settings).build_index()
    folder = _current(settings).folder
    assert all(d.metadata["primary"] == "true" for d in Generation(folder).documents.values())
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "format": 1}))  # as written before the flag
    with pytest.raises(IndexMismatch, match=r"index format 1 .*python -m assistant index --full"):
        Assistant(settings).ask("What did the alpha committee approve?")
    rebuilt = Assistant(settings).build_index()  # a plain `index` rebuilds it all rather than reusing it
    assert (
        rebuilt.embedded_chunks == rebuilt.chunks
        and Assistant(settings).ask("What did the alpha committee approve?").text
    )


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full: inserts on their own thread"])
def test_failed_build_leaves_previous_index_serving(tmp_path, small_corpus, monkeypatch, full):
    settings = _settings(tmp_path, small_corpus)
    assistant = Assistant(settings)
    first = assistant.build_index()
    (small_corpus / "delta.txt").write_text("Delta ferries crossed to Ulleung island twice a week.\n")

    def broken_add(*args, **kwargs):
        raise RuntimeError("disk full while writing vectors")

    monkeypatch.setattr(chroma_store, "add", broken_add)
    with pytest.raises(RuntimeError, match="disk full"):
        assistant.build_index(full=full)
    monkeypatch.undo()
    assert current_path(settings.index_config().index_root).name == first.generation
    leftovers = [p.name for p in settings.index_config().index_root.glob("gen-*")]
    assert leftovers == [first.generation]
    answer = Assistant(settings).ask("What budget did the alpha committee approve?")
    assert "12 million won" in answer.text
    assert assistant.build_index().added == ["delta.txt"]


def test_second_concurrent_build_is_refused(tmp_path, small_corpus):
    from filelock import FileLock

    settings = _settings(tmp_path, small_corpus)
    root = settings.index_config().index_root
    root.mkdir(parents=True)
    with FileLock(str(root / ".build.lock")), pytest.raises(BuildLocked, match="another index build is running"):
        IndexBuilder(settings.index_config()).build()


def test_retriever_picks_up_a_rebuild_without_restart(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    assistant = Assistant(settings)
    assistant.build_index()
    assert not any("Ulleung" in p.text for p in assistant.retriever.search("ferries to Ulleung", 5).passages)
    (small_corpus / "delta.txt").write_text("Delta ferries crossed to Ulleung island twice a week.\n")
    Assistant(settings).build_index()
    assert any("Ulleung" in p.text for p in assistant.retriever.search("ferries to Ulleung", 5).passages)


def test_no_op_re_index_reads_no_file_when_sizes_and_mtimes_are_unchanged(tmp_path, small_corpus, monkeypatch):
    settings = _settings(tmp_path, small_corpus)
    first = Assistant(settings).build_index()
    old = time.time() - 60  # out of the racy window: the stamps are trusted
    for path in small_corpus.iterdir():
        os.utime(path, (old, old))
    assert Assistant(settings).build_index().noop  # content hashes prove nothing changed; stamps are refreshed

    def no_reading(*args, **kwargs):
        raise AssertionError("a file was read on a no-op re-index")

    monkeypatch.setattr(loaders, "load_file", no_reading)
    again = Assistant(settings).build_index()
    assert again.noop and again.generation == first.generation
    assert sorted(again.unchanged) == ["alpha.txt", "beta.md", "gamma.txt"] and again.chunks == first.chunks


def test_touched_file_is_re_hashed_and_a_same_size_edit_inside_the_mtime_tick_is_caught(tmp_path, small_corpus):
    settings = _settings(tmp_path, small_corpus)
    assistant = Assistant(settings)
    assistant.build_index()
    beta = small_corpus / "beta.md"
    os.utime(beta)  # newer mtime, same content: the hash decides, nothing to rebuild
    assert assistant.build_index().noop
    stamp = beta.stat().st_mtime_ns
    # Same size, same mtime, other content, written just after the stamp was recorded.
    beta.write_text(beta.read_text().replace("March", "April"))
    os.utime(beta, ns=(stamp, stamp))
    summary = assistant.build_index()
    assert summary.changed == ["beta.md"] and not summary.noop
