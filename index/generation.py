"""One built index on disk (a "generation"): manifest, documents, chunks, vectors, BM25 and Chroma.

Generations are immutable once built. `current` is a symlink naming the one being served, swapped
atomically by the builder, so readers never see a half-built index.
"""

from __future__ import annotations

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

FORMAT_VERSION = 2  # 2: documents carry the `primary` flag (index.loaders); older indexes need `index --full`
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
