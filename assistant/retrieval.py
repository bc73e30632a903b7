"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused with reciprocal rank fusion.

The retriever follows the index's `current` pointer, so a rebuild is picked up without a restart. A search
returns a `Retrieval`: the passages together with the generation they came from, since the answerer reads
that generation's chunk tables and `current` may move in between.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from assistant.answer import Passage
from assistant.settings import RetrievalMode, Settings
from assistant.sources import about_primary, chunk_passage, is_primary, primary_names
from index.embedder import Embedder, embedder_for
from index.generation import Generation, current_path

Mode = RetrievalMode


def reciprocal_rank_fusion(
    rankings: list[list[str]], k: int = 60, weights: list[float] | None = None
) -> dict[str, float]:
    """Sum of weight/(k + rank) over every ranking an id appears in (rank starts at 1)."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


@dataclass(frozen=True)
class Retrieval:
    """One search: its passages, best first, and the index generation they were found in."""

    generation: Generation
    passages: list[Passage]
    timings_ms: dict[str, float] = field(default_factory=dict)


class Retriever:
    """Serves one index generation at a time and swaps to a newer one when `current` moves."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        config = settings.index_config()
        self.index_root = config.index_root
        self.embedder = embedder or embedder_for(config)  # queries must be embedded as the chunks were
        self._generation: Generation | None = None
        self._lock = threading.Lock()
        # BM25 searches overlap query encoding (see `search`); a few workers so concurrent users do not queue.
        self._lexical_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bm25")

    @property
    def generation(self) -> Generation:
        folder = current_path(self.index_root)
        with self._lock:
            if self._generation is None or (folder is not None and folder != self._generation.folder):
                generation = Generation.open_current(self.index_root)
                generation.check_compatible(
                    self.embedder.name,
                    self.embedder.dimension,
                    self.settings.index_config().chunking_signature(),
                    self.embedder.encoder,
                )
                _ = generation.lexical  # load once per generation, never per query
                generation.collection(self.settings.chroma_url)
                self._generation = generation
            return self._generation

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: Mode | None = None,
        context_query: str | None = None,
        generation: Generation | None = None,
    ) -> Retrieval:
        """The top-k passages for `query` in the current generation (or `generation`, to stay in one the
        caller already holds), with that generation. A `context_query` (the question with the conversation
        before it) adds its own rankings at half weight."""
        k = k or self.settings.top_k
        mode = mode or self.settings.retriever
        generation = generation or self.generation
        started = time.perf_counter()
        texts = [(query, 1.0)] + ([(context_query, 0.5)] if context_query else [])
        candidate_k = self.settings.candidate_k
        # In hybrid mode BM25 runs on a worker thread while this one encodes the query and asks Chroma:
        # the ONNX encoder and numpy release the GIL, so the lexical search costs (almost) no wall time.
        lexical_hits: list[Future[list[tuple[int, float]]] | None] = [
            self._lexical_pool.submit(generation.lexical.search, text, candidate_k) if mode == "hybrid" else None
            for text, _ in texts
        ]
        dense: dict[int, float] = {}
        lexical: dict[int, float] = {}
        rankings: list[list[str]] = []
        weights: list[float] = []
        for (text, weight), pending in zip(texts, lexical_hits):
            if mode in ("hybrid", "dense"):
                vector = self.embedder.embed_query(text)
                hits = _dense_hits(generation, vector, candidate_k, self.settings.chroma_url)
                scores = {
                    generation.chunk_position[cid]: score for cid, score in hits if cid in generation.chunk_position
                }
                rankings.append([str(p) for p in scores])
                weights.append(weight)
                for p, score in scores.items():
                    dense.setdefault(p, score)
            if mode in ("hybrid", "bm25"):
                found = pending.result() if pending is not None else generation.lexical.search(text, candidate_k)
                scores = dict(found)
                rankings.append([str(p) for p in scores])
                weights.append(weight * self.settings.lexical_weight)
                for p, score in scores.items():
                    lexical.setdefault(p, score)
        if about_primary(query, primary_names(generation)):
            # "the article" / "the author" mean the project's own corpus, not the related sources.
            documents, chunks = generation.documents, generation.chunks
            primary = [p for p in rankings[0] if is_primary(documents[chunks[int(p)].doc_id].metadata)]
            rankings.append(primary)
            weights.append(1.0)
        fused = reciprocal_rank_fusion(rankings, self.settings.rrf_k, weights)
        order = sorted(fused, key=lambda p: -fused[p])[:k]
        timings = {"retrieve": (time.perf_counter() - started) * 1000}
        passages = [
            chunk_passage(generation, int(p), fused[p], rank, dense.get(int(p)), lexical.get(int(p)))
            for rank, p in enumerate(order, start=1)
        ]
        return Retrieval(generation, passages, timings)


def _dense_hits(generation: Generation, vector, k: int, chroma_url: str | None) -> list[tuple[str, float]]:
    from index import chroma_store

    return chroma_store.query(generation.collection(chroma_url), vector, k, count=len(generation.chunks))


class LangChainRetriever(BaseRetriever):
    """The same retriever behind LangChain's interface, for use in any LangChain chain."""

    retriever: Retriever
    k: int = 6
    mode: Mode = "hybrid"

    model_config = {"arbitrary_types_allowed": True}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=p.text, metadata=p.model_dump(exclude={"text"}), id=p.chunk_id)
            for p in self.retriever.search(query, self.k, self.mode).passages
        ]
