"""What the index layer needs to know, decoupled from the assistant's settings object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IndexConfig:
    """Everything that decides how an index is built and where it lives."""

    data_dir: Path
    corpus_dirs: tuple[Path, ...]
    chunk_size: int = 700
    chunk_overlap: int = 150
    exclude: tuple[str, ...] = ("README*", "SOURCES*", "LICENSE*", ".*")
    max_file_bytes: int = 20_000_000
    chroma_url: str | None = None
    batch_size: int = 64
    encoder: str = "onnx-fp32"  # index.embeddings.ENCODERS: questions and answer-time sentences
    index_encoder: str = "onnx-int8"  # the chunks of an index build; both are recorded in the manifest
    model_cache: Path | None = None  # where the ONNX exports live; None = the data folder's models/

    @property
    def index_root(self) -> Path:
        return self.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        """Where the ONNX exports of the in-wheel model are cached (~115 MB, exported once, ~20 s)."""
        return self.model_cache or self.data_dir / "models"

    def chunking_signature(self) -> dict:
        """The settings that change chunk boundaries: a mismatch means the index must be rebuilt."""
        return {
            "chunk_size": self.chunk_size,
            "chunk_overlap": self.chunk_overlap,
            "chunker": "pysbd-lines-v1",
            "context": "title",
        }
