"""One built index on disk (a "generation"): manifest, documents, chunks, vectors, BM25 and Chroma.

Generations are immutable once built. `current` is a symlink naming the one being served, swapped
atomically by the builder, so readers never see a half-built index.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from index import chroma_store
from index.chunking import Chunk
from index.lexical import LexicalIndex

# 2: documents carry the `primary` flag (index.loaders); 3: terms are stemmed from American spelling
# (index.text.american). `index` rebuilds an older index in full.
FORMAT_VERSION = 3
CURRENT = "current"


class IndexMissing(RuntimeError):
    """No index has been built yet in this data folder."""


class IndexMismatch(RuntimeError):
    """The index on disk was built with other settings than the ones in force now."""


@dataclass
class StoredDocument:
    doc_id: str
    text: str
    metadata: dict[str, str]
    sentences: list[tuple[int, int]]
    content_hash: str
    path: str


StoredChunk = Chunk  # a chunk read back from disk is the same record the chunker made
LAYOUT = "layout.json"


@dataclass
class DocEntry:
    """Where one document sits in its generation's files, with what decides whether it can be reused:
    the next build copies an unchanged document's lines, vectors and term counts without parsing them."""

    doc_id: str
    path: str
    content_hash: str
    body_hash: str
    metadata: dict[str, str]
    line: tuple[int, int]  # byte span of its row in documents.jsonl
    chunk_lines: tuple[int, int]  # byte span of its chunks' rows in chunks.jsonl
    first_chunk: int  # position of its first chunk
    n_chunks: int

    def as_row(self) -> list:
        head = [self.doc_id, self.path, self.content_hash, self.body_hash, self.metadata]
        return head + [*self.line, *self.chunk_lines, self.first_chunk, self.n_chunks]

    @classmethod
    def from_row(cls, row: list) -> DocEntry:
        doc_id, path, content_hash, body_hash, metadata, *numbers = row
        a, b, c, d, first, n = numbers
        return cls(doc_id, path, content_hash, body_hash, metadata, (a, b), (c, d), first, n)


def current_path(index_root: Path) -> Path | None:
    """The folder `current` points at, or None when nothing has been built."""
    link = index_root / CURRENT
    try:
        target = os.readlink(link)
    except (FileNotFoundError, OSError):
        return None
    path = index_root / target
    return path if (path / "manifest.json").exists() else None


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Generation:
    """Read access to one generation; heavy parts load lazily and once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())

    @classmethod
    def open_current(cls, index_root: Path) -> Generation:
        folder = current_path(index_root)
        if folder is None:
            raise IndexMissing(f"no index in {index_root}: run `python -m assistant index` first")
        return cls(folder)

    @property
    def name(self) -> str:
        return self.folder.name

    def check_compatible(self, model_name: str, dim: int, chunking: dict, encoder: str | None = None) -> None:
        """Fail with one clear line when the index was built with another model, encoder or chunking."""
        m = self.manifest
        problems = []
        if m.get("format") != FORMAT_VERSION:
            problems.append(f"index format {m.get('format')} (this version reads {FORMAT_VERSION})")
        if m.get("embedding_model") != model_name or m.get("embedding_dim") != dim:
            problems.append(
                f"embedding model {m.get('embedding_model')} ({m.get('embedding_dim')} dims), "
                f"now {model_name} ({dim} dims)"
            )
        built_with = m.get("encoder", "torch-fp32")  # indexes from before the int8 encoder were fp32 PyTorch
        if encoder is not None and built_with != encoder:
            problems.append(f"encoder {built_with}, now {encoder}")
        if m.get("chunking") != chunking:
            problems.append(f"chunking {m.get('chunking')}, now {chunking}")
        if problems:
            raise IndexMismatch(
                "The index was built with " + "; ".join(problems) + ". Rebuild it: python -m assistant index --full"
            )

    @cached_property
    def documents(self) -> dict[str, StoredDocument]:
        rows = read_jsonl(self.folder / "documents.jsonl")
        return {
            r["doc_id"]: StoredDocument(
                r["doc_id"], r["text"], r["metadata"], [tuple(s) for s in r["sentences"]], r["content_hash"], r["path"]
            )
            for r in rows
        }

    @cached_property
    def layout(self) -> dict[str, DocEntry]:
        """Every document's place in the files (`DocEntry`), in order; derived by reading the files for a
        generation written before layout.json existed."""
        try:
            rows = json.loads((self.folder / LAYOUT).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self._derived_layout()
        return {row[0]: DocEntry.from_row(row) for row in rows}

    def _derived_layout(self) -> dict[str, DocEntry]:
        spans: dict[str, list[int]] = {}  # doc_id -> [start byte, end byte, first chunk, n chunks]
        offset = 0
        with (self.folder / "chunks.jsonl").open("rb") as handle:
            for pos, line in enumerate(handle):
                span = spans.setdefault(json.loads(line)["doc_id"], [offset, offset, pos, 0])
                span[1], span[3] = offset + len(line), span[3] + 1
                offset += len(line)
        layout, offset = {}, 0
        with (self.folder / "documents.jsonl").open("rb") as handle:
            for line in handle:
                r = json.loads(line)
                body_hash = hashlib.sha256(r["text"].encode()).hexdigest()
                a, b, first, n = spans.get(r["doc_id"], [0, 0, 0, 0])
                layout[r["doc_id"]] = DocEntry(
                    r["doc_id"],
                    r["path"],
                    r["content_hash"],
                    body_hash,
                    r["metadata"],
                    (offset, offset + len(line)),
                    (a, b),
                    first,
                    n,
                )
                offset += len(line)
        return layout

    def chunk_rows(self, entry: DocEntry) -> list[dict]:
        """One document's chunk rows, read from its span of chunks.jsonl only."""
        with (self.folder / "chunks.jsonl").open("rb") as handle:
            handle.seek(entry.chunk_lines[0])
            data = handle.read(entry.chunk_lines[1] - entry.chunk_lines[0])
        return [json.loads(line) for line in data.splitlines() if line.strip()]

    def document_row(self, entry: DocEntry) -> dict:
        with (self.folder / "documents.jsonl").open("rb") as handle:
            handle.seek(entry.line[0])
            return json.loads(handle.read(entry.line[1] - entry.line[0]))

    @cached_property
    def chunks(self) -> list[StoredChunk]:
        return [StoredChunk(**row) for row in read_jsonl(self.folder / "chunks.jsonl")]

    @cached_property
    def chunk_position(self) -> dict[str, int]:
        return {c.chunk_id: i for i, c in enumerate(self.chunks)}

    @cached_property
    def vectors(self) -> np.ndarray:
        return np.load(self.folder / "vectors.npy", mmap_mode="r")

    @cached_property
    def lexical(self) -> LexicalIndex:
        return LexicalIndex.load(self.folder / "lexical")

    def collection(self, chroma_url: str | None = None) -> Any:
        """The Chroma collection of this generation (embedded in its folder, or on the server)."""
        if self.manifest.get("chroma_url") != (chroma_url or None):
            raise IndexMismatch(
                f"The index was built for Chroma at {self.manifest.get('chroma_url') or 'the embedded store'}, "
                f"now {chroma_url or 'the embedded store'}. Rebuild it: python -m assistant index --full"
            )
        if "_collection" not in self.__dict__:
            chroma = chroma_store.client(self.folder / "chroma", chroma_url)
            self.__dict__["_collection"] = chroma_store.open_collection(chroma, self.manifest["collection"])
        return self.__dict__["_collection"]
