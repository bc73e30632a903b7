"""Chroma, embedded (PersistentClient) or a server (HttpClient), always with our own embedding function
so Chroma never downloads its default model, and with telemetry off. Vectors always come from the
assistant's Embedder: Chroma is handed vectors, never text to embed.

Chroma holds ids, vectors and where each chunk sits (doc_id, start, end), not the chunk texts or the
document metadata: those live in the generation's chunks.jsonl and documents.jsonl, where retrieval reads
them. Storing texts in Chroma made it index every one for its full-text search, and a document's title,
publisher and date copied onto each chunk were a third of the insert time at 100k chunks, for nobody to
read: retrieval asks Chroma for ids and distances only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from index.embeddings import MODEL_NAME

MAX_BATCH = 2000  # when the client cannot say what it accepts (get_max_batch_size)


class ChromaUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached; the message says what to do."""


def _unreachable(url: str | None, exc: Exception) -> ChromaUnavailable:
    return ChromaUnavailable(
        f"cannot reach the Chroma server at {url} ({type(exc).__name__}); start it "
        f"(chroma run --host 127.0.0.1 --port PORT --path DIR) or unset ASSISTANT_CHROMA_URL"
    )


class InWheelEmbeddingFunction(EmbeddingFunction[Documents]):
    """Stands in for Chroma's default embedding function (which would download a model) and refuses to
    embed: which model embeds is the caller's Embedder's business, and Chroma only stores its vectors."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        raise RuntimeError("Chroma is given vectors, never text: embed with an index.embedder.Embedder first")

    @staticmethod
    def name() -> str:
        return "peninsula-inwheel-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> InWheelEmbeddingFunction:
        return InWheelEmbeddingFunction()

    def default_space(self) -> Literal["cosine"]:
        return "cosine"


def client(chroma_dir: Path | None, chroma_url: str | None) -> Any:
    """An embedded client on `chroma_dir`, or an HTTP client when a server URL is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if not url.hostname:
            raise ValueError(f"ASSISTANT_CHROMA_URL {chroma_url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 80),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises ValueError("Could not connect ...") among others
            raise _unreachable(chroma_url, exc) from exc
    assert chroma_dir is not None
    return chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings)


def create_collection(chroma: Any, name: str) -> Any:
    return chroma.create_collection(
        name=name, embedding_function=InWheelEmbeddingFunction(), metadata={"hnsw:space": "cosine"}
    )


def open_collection(chroma: Any, name: str) -> Any:
    return chroma.get_collection(name=name, embedding_function=InWheelEmbeddingFunction())


def batch_size(chroma: Any) -> int:
    """The largest insert the client accepts (5461 for embedded Chroma 1.x), MAX_BATCH if it cannot say."""
    try:
        return max(1, int(chroma.get_max_batch_size()))
    except Exception:
        return MAX_BATCH


def add(
    collection: Any,
    ids: list[str],
    vectors: np.ndarray,
    metadatas: list[dict],
    progress: Callable[[int, int], None] | None = None,
    batch: int = MAX_BATCH,
) -> None:
    """Insert in batches of `batch` (see `batch_size`); `progress(done, total)` after each one."""
    for lo in range(0, len(ids), batch):
        hi = lo + batch
        collection.add(ids=ids[lo:hi], embeddings=vectors[lo:hi], metadatas=metadatas[lo:hi])
        if progress:
            progress(min(hi, len(ids)), len(ids))


def delete(collection: Any, ids: list[str], batch: int = MAX_BATCH) -> None:
    """Remove these ids (absent ones are ignored), in batches."""
    for lo in range(0, len(ids), batch):
        collection.delete(ids=ids[lo : lo + batch])


def query(collection: Any, vector: np.ndarray, k: int, count: int | None = None) -> list[tuple[str, float]]:
    """Top-k (chunk id, cosine similarity) for one query vector.

    Pass `count` when the caller knows the collection size: `collection.count()` is most of a query's cost
    at 100k chunks.
    """
    try:
        k = min(k, collection.count() if count is None else count)
        if k <= 0:
            return []
        result = collection.query(query_embeddings=[vector], n_results=k, include=["distances"])
    except (OSError, ConnectionError) as exc:
        raise _unreachable("the configured URL", exc) from exc
    except Exception as exc:
        if type(exc).__module__.startswith(("httpx", "httpcore")):  # a server that went away
            raise _unreachable("the configured URL", exc) from exc
        raise
    return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0])]
