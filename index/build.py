"""Incremental index builds: only changed documents are re-embedded; each build is written aside
and swapped in atomically under a lock, so a failed or killed build leaves the previous index serving."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from index import chroma_store, filestamps
from index.config import IndexConfig
from index.embedder import Embedder, embedder_for
from index.generation import CURRENT, FORMAT_VERSION, LAYOUT, DocEntry, Generation, current_path
from index.lexical import LexicalIndex, TermCounter, TermCounts, updated_counts
from index.loaders import Document, LoadResult, Skipped, load_corpus
from index.parallel_chunking import split_many
from index.splice import write_spliced, write_vectors

ProgressHook = Callable[[str, int, int], None]  # (stage, done, total)
# Above this share of chunks to (re)insert, a new Chroma collection is built rather than the previous one
# copied and edited (deletions leave holes in its HNSW graph).
INCREMENTAL_CHROMA_SHARE = 0.25
STREAM_BATCH = 4096  # chunks per Chroma insert while a build from scratch is still chunking
STREAM_BACKLOG = 2  # Chroma inserts queued behind the one running before the builder waits for them


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


def searchable_text(chunk_text: str, title: str) -> str:
    """What is embedded and BM25-indexed: the chunk under its document title, so questions that
    name a document ("the Washington Declaration", "the Lima statement") find its chunks."""
    return f"{title}\n{chunk_text}"


def _chunk_metadata(row: dict) -> dict:
    """What Chroma keeps of a chunk besides its vector: where it sits (document, character span).

    The document's own metadata (title, publisher, date, URL, licence) lives once in documents.jsonl.
    Copied onto each of its chunks as Chroma strings it was a third of the insert time at 100k chunks, and
    nothing queries Chroma by it: retrieval asks Chroma for ids and distances only.
    """
    return {"doc_id": row["doc_id"], "start": row["start"], "end": row["end"]}


_CHUNK_KEYS = ("chunk_id", "doc_id", "text", "start", "end", "first_sentence", "last_sentence")


@dataclass
class _Part:
    """One document of the generation being written, at chunk position `first`: either reused (`old`, its
    place in the previous generation's files) or freshly split (`sentences`, chunk `rows`)."""

    doc: Document
    first: int
    n_chunks: int
    old: DocEntry | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


def _sources(parts: list[_Part], n_chunks: int) -> np.ndarray:
    """Each chunk's position in the previous generation, -1 for a fresh one (vectorised over documents)."""
    old = [(p.first, p.old.first_chunk, p.n_chunks) for p in parts if p.old is not None and p.n_chunks]
    source = np.full(n_chunks, -1, dtype=np.int64)
    if old:
        first, old_first, n = (np.array(column, dtype=np.int64) for column in zip(*old))
        offset = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)  # 0.. within a document
        source[np.repeat(first, n) + offset] = np.repeat(old_first, n) + offset
    return source


def _title(doc: Document) -> str:
    return doc.metadata.get("title", doc.doc_id)


@dataclass
class _Streamed:
    """A new Chroma collection that chunks are inserted into as they are made."""

    name: str
    collection: Any
    client: Any


class _FreshChunks:
    """The chunks of added and changed documents, handled in batches as the splitter yields them, while its
    workers split the next documents: embedded, tokenised for BM25 and, into a new collection, stored.

    Chroma inserts run on a thread of their own, in order (they release the GIL): the builder tokenises
    and embeds the next batch meanwhile, instead of waiting for the largest stage of a build from scratch.
    """

    def __init__(
        self,
        builder: IndexBuilder,
        docs: list[Document],
        vocab: list[str],
        opener: Callable[[], _Streamed] | None,
    ) -> None:
        self.builder = builder
        self.titles = {d.doc_id: _title(d) for d in docs}
        # Opened at the first flush, after the splitter has forked its workers (Chroma starts threads).
        self.opener = opener
        self.into: _Streamed | None = None
        self.storer: ThreadPoolExecutor | None = None  # one thread: inserts stay in order
        self.pending: deque[Future] = deque()
        self.batch = STREAM_BATCH if opener else 4 * builder.config.batch_size
        self.counter = TermCounter(vocab)
        self.rows: list[tuple[int, dict]] = []  # (position in the generation, chunk row)
        self.embedded: list[np.ndarray] = []
        self.done = 0
        # For progress totals only: about one chunk per (size - overlap) characters.
        step = max(1, builder.config.chunk_size - builder.config.chunk_overlap)
        self.expected = sum(len(d.text) for d in docs) // step

    def add(self, first: int, rows: list[dict]) -> None:
        self.rows.extend((first + i, row) for i, row in enumerate(rows))
        if len(self.rows) - self.done >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Embed, tokenise and (when streaming) store the rows added since the last flush."""
        rows = [row for _, row in self.rows[self.done :]]
        if not rows:
            return
        texts = [searchable_text(row["text"], self.titles[row["doc_id"]]) for row in rows]
        step = 4 * self.builder.config.batch_size
        total = max(self.expected, len(self.rows) + 1)
        vectors = []
        for lo in range(0, len(texts), step):
            self.builder.progress("embedding", self.done + lo, total)
            vectors.append(self.builder.embedder.embed_documents(texts[lo : lo + step]))
        matrix = np.vstack(vectors).astype(np.float32)
        self.embedded.append(matrix)
        self.counter.add(texts)
        if self.opener is not None:
            into = self.streamed()
            self.builder.progress("storing", self.done, total)
            while len(self.pending) > STREAM_BACKLOG:  # bounded: a slow store must not hold every batch
                self.pending.popleft().result()
            if self.storer is None:
                self.storer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-insert")
            self.pending.append(
                self.storer.submit(
                    chroma_store.add,
                    into.collection,
                    [row["chunk_id"] for row in rows],
                    matrix,
                    [_chunk_metadata(row) for row in rows],
                    batch=chroma_store.batch_size(into.client),
                )
            )
        self.done = len(self.rows)

    def stored(self) -> str:
        """The streamed collection's name, once every insert has landed (an insert's error is raised here)."""
        while self.pending:
            self.pending.popleft().result()
        return self.streamed().name

    def close(self) -> None:
        """Wait for the insert thread (also when the build failed, before its folder is removed)."""
        wait(self.pending)
        if self.storer is not None:
            self.storer.shutdown(wait=True)

    def streamed(self) -> _Streamed:
        """The collection chunks are streamed into (opened on first use)."""
        assert self.opener is not None
        if self.into is None:
            self.into = self.opener()
        return self.into

    def vectors(self) -> np.ndarray:
        dim = self.builder.embedder.dimension
        n = len(self.rows)
        self.builder.progress("embedding", n, n)
        if self.opener is not None:
            self.builder.progress("storing", n, n)
        return np.vstack(self.embedded) if self.embedded else np.zeros((0, dim), np.float32)

    def counts(self) -> TermCounts:
        return self.counter.result()


class _Vectors:
    """The new generation's vectors: row i is the previous generation's row `source[i]`, or (-1) the next
    fresh one. The full matrix is only assembled when something needs all of it (a build from scratch, a new
    Chroma collection); an incremental build copies the old rows file to file (`splice.write_vectors`)."""

    def __init__(self, builder: IndexBuilder, previous: Generation | None, source: np.ndarray, fresh: np.ndarray):
        self.builder, self.previous, self.source, self.fresh = builder, previous, source, fresh
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    def matrix(self) -> np.ndarray:
        with self._lock:  # the Chroma thread and the file writer may both ask
            if self._matrix is None:
                matrix = np.empty((len(self.source), self.builder.embedder.dimension), dtype=np.float32)
                is_old = self.source >= 0
                if self.previous is not None and is_old.any():
                    matrix[is_old] = self.previous.vectors[self.source[is_old]]
                matrix[~is_old] = self.fresh
                self._matrix = matrix
            return self._matrix

    def save(self, path: Path) -> None:
        old = self.previous.folder / "vectors.npy" if self.previous is not None else None
        if self._matrix is None and old is not None and write_vectors(path, old, self.source, self.fresh):
            return
        np.save(path, self.matrix())


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


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
            known=self._known_documents(previous, scanned) if previous else None,
        )
        summary = BuildSummary(skipped=loaded.skipped, full=full)
        if strict and loaded.skipped:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in loaded.skipped)
            raise ValueError(f"--strict: {len(loaded.skipped)} file(s) skipped: {reasons}")
        if not loaded.documents:
            raise ValueError("no usable documents in " + ", ".join(str(d) for d in self.config.corpus_dirs))

        old_docs = previous.layout if previous else {}
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
            summary.documents, summary.chunks = len(old_docs), int(previous.manifest["n_chunks"])
            summary.generation = previous.name
            # Refresh the stamps (content hashes just proved nothing changed), so the next no-op is fast.
            self._save_stamps(previous.folder, scanned, loaded)
            summary.seconds = time.perf_counter() - started
            return summary

        name = "gen-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
        # Written in its final place (Chroma keeps paths open) but invisible until `current` points at it.
        building = self.root / name
        building.mkdir(parents=True)
        # Generations older than the one being served go while this one is written (deleting is mostly
        # waiting); the served one stays, also for a full build, which has no `previous`.
        serving = current_path(self.root)
        keep = {name, serving.name if serving else ""}
        cleaner = threading.Thread(target=self._remove_old_generations, args=(keep,))
        cleaner.start()
        try:
            self._write_generation(building, name, loaded.documents, previous, set(summary.unchanged), summary)
            self._save_stamps(building, scanned, loaded)
            self._point_current_at(name)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            self._drop_server_collection(f"peninsula_{name}".replace("-", "_"))
            raise
        finally:
            cleaner.join()
        summary.generation = name
        summary.documents = len(new_docs)
        summary.seconds = time.perf_counter() - started
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

    def _known_documents(self, previous: Generation, scanned: filestamps.Scan) -> Callable[[str], Document | None]:
        """The previous build's documents of the files that cannot have changed since (`filestamps.trusted`),
        by path, so they are not read, parsed and hashed again."""
        cfg = self.config
        trusted = filestamps.trusted(previous.folder, scanned, cfg.corpus_dirs, cfg.exclude, cfg.max_file_bytes)
        by_path = {entry.path: entry for entry in previous.layout.values() if entry.path in trusted}

        def known(path: str) -> Document | None:
            entry = by_path.get(path)
            if entry is None:
                return None
            return Document(
                entry.doc_id, "", dict(entry.metadata), entry.content_hash, path, entry.body_hash, trusted[path]
            )

        return known

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
        reused = unchanged if previous else set()
        old_counts = TermCounts.load(previous.folder / "lexical") if previous else None
        # A build from scratch inserts into a new collection while the workers still split documents.
        opener = (lambda: self._new_collection(folder, name)) if previous is None else None
        fresh = _FreshChunks(self, docs, old_counts.vocab if old_counts else [], opener)
        try:
            parts = self._chunk(docs, previous, reused, fresh)
            fresh.flush()
            n_chunks = parts[-1].first + parts[-1].n_chunks if parts else 0
            source = _sources(parts, n_chunks)
            vectors = _Vectors(self, previous, source, fresh.vectors())
            summary.embedded_chunks = len(fresh.rows)

            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="build") as pool:
                # Chroma (copy, delete, insert; mostly outside the GIL) and BM25 (numpy) work while the files
                # are written; on an error, leaving the `with` waits for them before the folder is removed.
                storing = (
                    pool.submit(self._store_in_chroma, folder, name, parts, vectors, previous, fresh.rows)
                    if opener is None
                    else None
                )
                lexical = pool.submit(self._save_lexical, folder, previous, old_counts, parts, source, fresh)
                self._write_files(folder, previous, parts, vectors)
                lexical.result()
                collection_name = storing.result() if storing is not None else fresh.stored()
        finally:
            fresh.close()
        summary.chunks = n_chunks
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
            "n_chunks": n_chunks,
            "corpus_dirs": [str(d) for d in self.config.corpus_dirs],
        }
        # The manifest is written last: a folder without one is never treated as an index.
        tmp = folder / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2))
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, folder / "manifest.json")
        _fsync_dir(folder)

    def _write_files(self, folder: Path, previous: Generation | None, parts: list[_Part], vectors: _Vectors) -> None:
        """documents.jsonl, chunks.jsonl, vectors.npy and layout.json (where each document landed)."""
        doc_spans = self._write_documents(folder, previous, parts)
        chunk_spans = write_spliced(
            folder / "chunks.jsonl",
            previous.folder / "chunks.jsonl" if previous else None,
            [part.old.chunk_lines if part.old else _jsonl(part.rows) for part in parts],
        )
        vectors.save(folder / "vectors.npy")
        layout = [
            DocEntry(
                p.doc.doc_id,
                p.doc.path,
                p.doc.content_hash,
                p.doc.body_hash,
                p.doc.metadata,
                doc,
                chunk,
                p.first,
                p.n_chunks,
            ).as_row()
            for p, doc, chunk in zip(parts, doc_spans, chunk_spans)
        ]
        (folder / LAYOUT).write_text(json.dumps(layout, ensure_ascii=False), encoding="utf-8")

    def _chunk(
        self, docs: list[Document], previous: Generation | None, reused: set[str], fresh: _FreshChunks
    ) -> list[_Part]:
        """Every document in order: a reused one points at its place in the previous generation, the
        others are split into sentences and chunks (in parallel), which go to `fresh` as they come."""
        fresh_docs = [d for d in docs if d.doc_id not in reused]
        self.progress("chunking", 0, len(fresh_docs))
        splits = split_many(
            [(d.doc_id, d.text) for d in fresh_docs],
            self.config.chunk_size,
            self.config.chunk_overlap,
            progress=lambda done, total: self.progress("chunking", done, total),
        )
        parts, first = [], 0
        for doc in docs:
            if doc.doc_id in reused:
                assert previous is not None
                old = previous.layout[doc.doc_id]
                parts.append(_Part(doc, first, old.n_chunks, old=old))
            else:
                sentences, chunks = next(splits)
                rows = [{k: getattr(c, k) for k in _CHUNK_KEYS} for c in chunks]
                parts.append(_Part(doc, first, len(rows), sentences=sentences, rows=rows))
                fresh.add(first, rows)
            first += parts[-1].n_chunks
        splits.close()  # stops the pool (every result is consumed by now)
        self.progress("chunking", len(fresh_docs), len(fresh_docs))
        return parts

    def _write_documents(self, folder: Path, previous: Generation | None, parts: list[_Part]) -> list[tuple[int, int]]:
        """documents.jsonl: a reused document's row is copied as bytes unless its path or flags moved."""
        pieces: list[bytes | tuple[int, int]] = []
        for part in parts:
            doc, old = part.doc, part.old
            if old is not None and (old.path, old.metadata) == (doc.path, doc.metadata):
                pieces.append(old.line)
                continue
            if old is not None:
                assert previous is not None
                row = {**previous.document_row(old), "path": doc.path, "metadata": doc.metadata}
            else:
                row = {
                    "doc_id": doc.doc_id,
                    "text": doc.text,
                    "metadata": doc.metadata,
                    "sentences": part.sentences,
                    "content_hash": doc.content_hash,
                    "path": doc.path,
                }
            pieces.append(_jsonl([row]))
        old_file = previous.folder / "documents.jsonl" if previous else None
        return write_spliced(folder / "documents.jsonl", old_file, pieces)

    def _save_lexical(
        self,
        folder: Path,
        previous: Generation | None,
        old_counts: TermCounts | None,
        parts: list[_Part],
        source: np.ndarray,
        fresh: _FreshChunks,
    ) -> None:
        self.progress("lexical", 0, 1)
        self._lexical(previous, old_counts, parts, source, fresh).save(folder / "lexical")
        self.progress("lexical", 1, 1)

    def _lexical(
        self,
        previous: Generation | None,
        old_counts: TermCounts | None,
        parts: list[_Part],
        source: np.ndarray,
        fresh: _FreshChunks,
    ) -> LexicalIndex:
        """BM25 from the previous generation's term counts plus the fresh chunks' (`index.lexical`)."""
        if previous is not None and old_counts is None:  # built before counts were kept: tokenise every chunk once
            titles = {p.doc.doc_id: _title(p.doc) for p in parts}
            texts = [
                searchable_text(row["text"], titles[row["doc_id"]])
                for part in parts
                for row in (previous.chunk_rows(part.old) if part.old else part.rows)
            ]
            return LexicalIndex.build(texts)
        return LexicalIndex.from_counts(updated_counts(old_counts, source, fresh.counts()))

    def _new_collection(self, folder: Path, name: str) -> _Streamed:
        collection_name = f"peninsula_{name}".replace("-", "_")
        chroma = chroma_store.client(folder / "chroma", self.config.chroma_url)
        return _Streamed(collection_name, chroma_store.create_collection(chroma, collection_name), chroma)

    def _store_in_chroma(
        self,
        folder: Path,
        name: str,
        parts: list[_Part],
        vectors: _Vectors,
        previous: Generation | None,
        fresh: list[tuple[int, dict]],
    ) -> str:
        """Write the generation's Chroma collection after the files; returns its name.

        Embedded store with few changes: the previous store is copied into this generation's folder and only
        the chunks of added, changed and removed documents are deleted and inserted (a changed document's
        chunks are all replaced: same ids may now sit at other offsets). Otherwise, and always for a server,
        every chunk is inserted into a new collection.
        """
        assert previous is not None  # a build from scratch streams into its collection (`_FreshChunks`)
        old_chroma = previous.folder / "chroma"
        reuse = (
            not self.config.chroma_url
            and old_chroma.is_dir()
            and len(fresh) <= INCREMENTAL_CHROMA_SHARE * len(vectors.source)
        )
        if reuse:
            collection_name = str(previous.manifest["collection"])
            shutil.copytree(old_chroma, folder / "chroma")
            chroma = chroma_store.client(folder / "chroma", None)
            collection = chroma_store.open_collection(chroma, collection_name)
            kept = {part.doc.doc_id for part in parts if part.old is not None}
            stale = [
                row["chunk_id"]
                for doc_id, entry in previous.layout.items()
                if doc_id not in kept
                for row in previous.chunk_rows(entry)
            ]
            chroma_store.delete(collection, stale, batch=chroma_store.batch_size(chroma))
        else:
            fresh = [
                (part.first + i, row)
                for part in parts
                for i, row in enumerate(part.rows if part.old is None else previous.chunk_rows(part.old))
            ]
            streamed = self._new_collection(folder, name)
            collection_name, collection, chroma = streamed.name, streamed.collection, streamed.client
        self.progress("storing", 0, len(fresh))
        chroma_store.add(
            collection,
            [row["chunk_id"] for _, row in fresh],
            vectors.fresh if reuse else vectors.matrix(),
            [_chunk_metadata(row) for _, row in fresh],
            progress=lambda done, total: self.progress("storing", done, total),
            batch=chroma_store.batch_size(chroma),
        )
        self.progress("storing", len(fresh), len(fresh))
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
        """Keep the new generation and the one before it (the current one, that servers read until the
        new one is in place)."""
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
