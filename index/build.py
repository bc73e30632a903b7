"""Incremental index builds: only changed documents are re-embedded; each build is written aside
and swapped in atomically under a lock, so a failed or killed build leaves the previous index serving."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index import chroma_store, filestamps
from index.config import IndexConfig
from index.embedder import Embedder, embedder_for
from index.generation import CURRENT, FORMAT_VERSION, Generation, StoredChunk, current_path
from index.lexical import LexicalIndex
from index.loaders import Document, LoadResult, Skipped, load_corpus
from index.parallel_chunking import split_many

ProgressHook = Callable[[str, int, int], None]  # (stage, done, total)
# Above this share of chunks to (re)insert, a new Chroma collection is built rather than the previous one
# copied and edited (deletions leave holes in its HNSW graph).
INCREMENTAL_CHROMA_SHARE = 0.25


class BuildLocked(RuntimeError):
    """Another process is building an index in the same data folder."""


@dataclass
class BuildSummary:
    documents: int = 0
    chunks: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded_chunks: int = 0
    seconds: float = 0.0
    generation: str = ""
    full: bool = False
    noop: bool = False

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "embedded_chunks": self.embedded_chunks,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "generation": self.generation,
            "full": self.full,
            "noop": self.noop,
        }


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def searchable_text(chunk_text: str, title: str) -> str:
    """What is embedded and BM25-indexed: the chunk under its document title, so questions that
    name a document ("the Washington Declaration", "the Lima statement") find its chunks."""
    return f"{title}\n{chunk_text}"


def _chunk_metadata(chunk: StoredChunk, doc_meta: dict[str, str]) -> dict:
    meta = {
        "doc_id": chunk.doc_id,
        "start": chunk.start,
        "end": chunk.end,
        "title": doc_meta.get("title", chunk.doc_id),
    }
    for key in ("author", "publisher", "date", "url", "license"):
        if doc_meta.get(key):
            meta[key] = doc_meta[key]
    return meta


class IndexBuilder:
    """Builds the next generation from the corpus folders and swaps it in; chunks are embedded by
    `embedder` (the one the settings choose when none is given)."""

    def __init__(
        self, config: IndexConfig, progress: ProgressHook | None = None, embedder: Embedder | None = None
    ) -> None:
        self.config = config
        self.progress = progress or (lambda stage, done, total: None)
        self.root = config.index_root
        self.embedder = embedder or embedder_for(config)

    def build(self, full: bool = False, strict: bool = False) -> BuildSummary:
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / ".build.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise BuildLocked(f"another index build is running in {self.root}; wait for it to finish") from None
        try:
            return self._build_locked(full, strict)
        finally:
            lock.release()

    def _build_locked(self, full: bool, strict: bool) -> BuildSummary:
        started = time.perf_counter()
        self._remove_stale_builds()
        cfg = self.config
        scanned = filestamps.scan(cfg.corpus_dirs, cfg.exclude)
        previous = self._previous_generation(full)
        if previous is not None:
            recorded = filestamps.unchanged(previous.folder, scanned, cfg.corpus_dirs, cfg.exclude, cfg.max_file_bytes)
            if recorded is not None:
                return self._noop_from_stamps(previous, recorded, strict, started)
        loaded = load_corpus(
            cfg.corpus_dirs,
            cfg.exclude,
            cfg.max_file_bytes,
            scanned=scanned,
            progress=lambda done, total: self.progress("loading", done, total),
        )
        summary = BuildSummary(skipped=loaded.skipped, full=full)
        if strict and loaded.skipped:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in loaded.skipped)
            raise ValueError(f"--strict: {len(loaded.skipped)} file(s) skipped: {reasons}")
        if not loaded.documents:
            raise ValueError("no usable documents in " + ", ".join(str(d) for d in self.config.corpus_dirs))

        old_docs = previous.documents if previous else {}
        new_docs = {d.doc_id: d for d in loaded.documents}
        for doc_id, doc in new_docs.items():
            old = old_docs.get(doc_id)
            if old is None:
                summary.added.append(doc_id)
            elif old.content_hash != doc.content_hash:
                summary.changed.append(doc_id)
            else:
                summary.unchanged.append(doc_id)
        summary.removed = sorted(set(old_docs) - set(new_docs))
        if previous and not (summary.added or summary.changed or summary.removed):
            summary.noop = True
            summary.documents, summary.chunks = len(old_docs), len(previous.chunks)
            summary.generation = previous.name
            # Refresh the stamps (content hashes just proved nothing changed), so the next no-op is fast.
            self._save_stamps(previous.folder, scanned, loaded)
            summary.seconds = time.perf_counter() - started
            return summary

        name = "gen-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
        # Written in its final place (Chroma keeps paths open) but invisible until `current` points at it.
        building = self.root / name
        building.mkdir(parents=True)
        try:
            self._write_generation(building, name, loaded.documents, previous, set(summary.unchanged), summary)
            self._save_stamps(building, scanned, loaded)
            self._point_current_at(name)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            self._drop_server_collection(f"peninsula_{name}".replace("-", "_"))
            raise
        summary.generation = name
        summary.documents = len(new_docs)
        summary.seconds = time.perf_counter() - started
        self._remove_old_generations(keep={name, previous.name if previous else ""})
        return summary

    def _save_stamps(self, folder: Path, scanned: filestamps.Scan, loaded: LoadResult) -> None:
        cfg = self.config
        filestamps.save(
            folder,
            scanned,
            cfg.corpus_dirs,
            cfg.exclude,
            cfg.max_file_bytes,
            [d.doc_id for d in loaded.documents],
            [{"path": s.path, "reason": s.reason} for s in loaded.skipped],
            loaded.file_hashes,
        )

    def _noop_from_stamps(self, previous: Generation, recorded: dict, strict: bool, started: float) -> BuildSummary:
        """Nothing changed according to size and mtime: answer from the manifest, read no document."""
        skipped = [Skipped(s["path"], s["reason"]) for s in recorded["skipped"]]
        if strict and skipped:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped)
            raise ValueError(f"--strict: {len(skipped)} file(s) skipped: {reasons}")
        return BuildSummary(
            documents=int(previous.manifest["n_documents"]),
            chunks=int(previous.manifest["n_chunks"]),
            unchanged=recorded["documents"],
            skipped=skipped,
            generation=previous.name,
            noop=True,
            seconds=time.perf_counter() - started,
        )

    def _previous_generation(self, full: bool) -> Generation | None:
        folder = current_path(self.root)
        if folder is None or full:
            return None
        generation = Generation(folder)
        try:
            generation.check_compatible(
                self.embedder.name, self.embedder.dimension, self.config.chunking_signature(), self.embedder.encoder
            )
        except Exception:
            return None  # built with other settings: nothing can be reused, rebuild everything
        if generation.manifest.get("chroma_url") != (self.config.chroma_url or None):
            return None
        return generation

    def _write_generation(
        self,
        folder: Path,
        name: str,
        docs: list[Document],
        previous: Generation | None,
        unchanged: set[str],
        summary: BuildSummary,
    ) -> None:
        doc_rows, chunk_rows, vectors, to_embed = [], [], [], []
        old_chunks_by_doc: dict[str, list[int]] = {}
        if previous:
            for pos, chunk in enumerate(previous.chunks):
                old_chunks_by_doc.setdefault(chunk.doc_id, []).append(pos)
        fresh_docs = [d for d in docs if not (d.doc_id in unchanged and previous)]
        self.progress("chunking", 0, len(fresh_docs))
        splits = split_many(
            [(d.doc_id, d.text) for d in fresh_docs],
            self.config.chunk_size,
            self.config.chunk_overlap,
            progress=lambda done, total: self.progress("chunking", done, total),
        )
        for doc in docs:
            if doc.doc_id in unchanged and previous:
                stored = previous.documents[doc.doc_id]
                sentences = stored.sentences
                for pos in old_chunks_by_doc.get(doc.doc_id, []):
                    chunk_rows.append(previous.chunks[pos].__dict__)
                    vectors.append(previous.vectors[pos])
            else:
                sentences, chunks = next(splits)
                for chunk in chunks:
                    row = {
                        k: getattr(chunk, k)
                        for k in ("chunk_id", "doc_id", "text", "start", "end", "first_sentence", "last_sentence")
                    }
                    to_embed.append(len(chunk_rows))
                    chunk_rows.append(row)
                    vectors.append(None)
            doc_rows.append(
                {
                    "doc_id": doc.doc_id,
                    "text": doc.text,
                    "metadata": doc.metadata,
                    "sentences": sentences,
                    "content_hash": doc.content_hash,
                    "path": doc.path,
                }
            )
        splits.close()  # stops the pool (every result is consumed by now)
        self.progress("chunking", len(fresh_docs), len(fresh_docs))

        titles = {d.doc_id: d.metadata.get("title", d.doc_id) for d in docs}
        batch = self.config.batch_size * 4
        for lo in range(0, len(to_embed), batch):
            self.progress("embedding", lo, len(to_embed))
            positions = to_embed[lo : lo + batch]
            fresh = self.embedder.embed_documents(
                [searchable_text(chunk_rows[p]["text"], titles[chunk_rows[p]["doc_id"]]) for p in positions]
            )
            for p, vec in zip(positions, fresh):
                vectors[p] = vec
        self.progress("embedding", len(to_embed), len(to_embed))
        summary.embedded_chunks = len(to_embed)
        dim = self.embedder.dimension
        matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, dim), np.float32)

        _write_jsonl(folder / "documents.jsonl", doc_rows)
        _write_jsonl(folder / "chunks.jsonl", chunk_rows)
        np.save(folder / "vectors.npy", matrix)
        self.progress("lexical", 0, 1)
        LexicalIndex.build([searchable_text(r["text"], titles[r["doc_id"]]) for r in chunk_rows]).save(
            folder / "lexical"
        )
        self.progress("lexical", 1, 1)

        collection_name = self._store_in_chroma(folder, name, docs, chunk_rows, matrix, previous, unchanged)
        summary.chunks = len(chunk_rows)
        manifest = {
            "format": FORMAT_VERSION,
            "generation": name,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "embedding_model": self.embedder.name,
            "embedding_dim": self.embedder.dimension,
            "encoder": self.embedder.encoder,
            "chunking": self.config.chunking_signature(),
            "collection": collection_name,
            "chroma_url": self.config.chroma_url or None,
            "n_documents": len(docs),
            "n_chunks": len(chunk_rows),
            "corpus_dirs": [str(d) for d in self.config.corpus_dirs],
        }
        # The manifest is written last: a folder without one is never treated as an index.
        tmp = folder / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2))
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, folder / "manifest.json")
        _fsync_dir(folder)

    def _store_in_chroma(
        self,
        folder: Path,
        name: str,
        docs: list[Document],
        chunk_rows: list[dict],
        matrix: np.ndarray,
        previous: Generation | None,
        unchanged: set[str],
    ) -> str:
        """Write the generation's Chroma collection; returns its name.

        Embedded store with a previous generation and few changes: the previous store is copied into this
        generation's folder and only the chunks of added, changed and removed documents are deleted and
        inserted (a changed document's chunks are all replaced: same ids may now sit at other offsets).
        Otherwise, and always for a server, every chunk is inserted into a new collection.
        """
        meta_by_doc = {d.doc_id: d.metadata for d in docs}
        fresh_docs = {d.doc_id for d in docs} - (unchanged if previous else set())
        positions = [i for i, r in enumerate(chunk_rows) if r["doc_id"] in fresh_docs]
        old_chroma = previous.folder / "chroma" if previous else None
        reuse = (
            previous is not None
            and old_chroma is not None
            and not self.config.chroma_url
            and old_chroma.is_dir()
            and len(positions) <= INCREMENTAL_CHROMA_SHARE * len(chunk_rows)
        )
        if reuse:
            assert previous is not None and old_chroma is not None
            collection_name = str(previous.manifest["collection"])
            shutil.copytree(old_chroma, folder / "chroma")
            chroma = chroma_store.client(folder / "chroma", None)
            collection = chroma_store.open_collection(chroma, collection_name)
            stale = [c.chunk_id for c in previous.chunks if c.doc_id not in unchanged]
            chroma_store.delete(collection, stale, batch=chroma_store.batch_size(chroma))
        else:
            positions = list(range(len(chunk_rows)))
            collection_name = f"peninsula_{name}".replace("-", "_")
            chroma = chroma_store.client(folder / "chroma", self.config.chroma_url)
            collection = chroma_store.create_collection(chroma, collection_name)
        rows = [chunk_rows[p] for p in positions]
        self.progress("storing", 0, len(rows))
        chroma_store.add(
            collection,
            [r["chunk_id"] for r in rows],
            matrix[positions] if len(positions) < len(chunk_rows) else matrix,
            [_chunk_metadata(StoredChunk(**r), meta_by_doc[r["doc_id"]]) for r in rows],
            progress=lambda done, total: self.progress("storing", done, total),
            batch=chroma_store.batch_size(chroma),
        )
        self.progress("storing", len(rows), len(rows))
        return collection_name

    def _point_current_at(self, name: str) -> None:
        tmp = self.root / f".current-{uuid.uuid4().hex}"
        os.symlink(name, tmp)
        os.replace(tmp, self.root / CURRENT)
        _fsync_dir(self.root)

    def _remove_stale_builds(self) -> None:
        """Leftovers of killed builds: generations without a manifest (we hold the lock, so nobody
        else is writing them)."""
        for path in self.root.glob("gen-*"):
            if not (path / "manifest.json").exists():
                shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(".current-*"):
            path.unlink(missing_ok=True)

    def _remove_old_generations(self, keep: set[str]) -> None:
        """Keep the new generation and the one before it (a running server may still read it)."""
        for path in self.root.glob("gen-*"):
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
                self._drop_server_collection(f"peninsula_{path.name}".replace("-", "_"))

    def _drop_server_collection(self, collection_name: str) -> None:
        if not self.config.chroma_url:
            return
        # Already gone or server unreachable: nothing else refers to it.
        with contextlib.suppress(Exception):
            chroma_store.client(None, self.config.chroma_url).delete_collection(collection_name)
