"""A naive LangChain RAG baseline, to show what the project's own pipeline adds.

It does what a LangChain tutorial does: RecursiveCharacterTextSplitter(1000, 200) over the same
corpus documents, the chunks embedded as they are (no title context) into an in-memory matrix, and
top-4 dense retrieval on the raw question (no follow-up condensing, no BM25, no fusion). Only the
answer step is shared: the same answerer as the assistant, so differences come from chunking and
retrieval, not from how answers are written.

The extractive answerer reads an index generation (documents with sentence spans, chunks with the
sentences they cover, BM25 statistics for term rarity); `BaselineIndex` provides the same attributes
for the baseline chunks, built in memory.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.answer import Answer, Passage
from assistant.answerers import get_answerer
from assistant.conversation import Conversation
from assistant.service import clean_question
from assistant.settings import RetrievalMode, Settings
from assistant.sources import chunk_passage
from index.chunking import chunk_id, split_sentences
from index.embedder import Embedder, embedder_for
from index.generation import StoredChunk, StoredDocument
from index.lexical import LexicalIndex
from index.loaders import Document, load_corpus

NAME = "naive-langchain"
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
EXCLUDE = ("README*", "SOURCES*", "LICENSE*", ".*")


@dataclass
class BaselineIndex:
    """Duck-types `index.generation.Generation` for the answerer: same attribute names and shapes."""

    documents: dict[str, StoredDocument]
    chunks: list[StoredChunk]
    vectors: np.ndarray
    lexical: LexicalIndex
    chunk_position: dict[str, int] = field(init=False)
    name: str = NAME

    def __post_init__(self) -> None:
        self.chunk_position = {c.chunk_id: i for i, c in enumerate(self.chunks)}


def character_chunks(text: str, splitter: RecursiveCharacterTextSplitter) -> list[tuple[int, str]]:
    """(start offset, text) of each LangChain chunk; offsets let the answerer find the sentences."""
    pieces: list[tuple[int, str]] = []
    for doc in splitter.create_documents([text]):
        start = doc.metadata.get("start_index", -1)
        if start < 0 or text[start : start + len(doc.page_content)] != doc.page_content:
            start = text.find(doc.page_content)
        if start < 0:  # cannot happen with the default separators; a chunk we cannot place is dropped
            continue
        pieces.append((start, doc.page_content))
    return pieces


def covered_sentences(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """[first, last) indexes of the sentences overlapping the char span [start, end)."""
    hits = [i for i, (s, e) in enumerate(sentences) if s < end and e > start]
    return (hits[0], hits[-1] + 1) if hits else (0, 0)


def stored_document(doc: Document) -> StoredDocument:
    sentences = [(s.start, s.end) for s in split_sentences(doc.text)]
    return StoredDocument(doc.doc_id, doc.text, doc.metadata, sentences, doc.content_hash, doc.path)


def document_chunks(doc: StoredDocument, splitter: RecursiveCharacterTextSplitter) -> list[StoredChunk]:
    chunks: list[StoredChunk] = []
    seen: dict[str, int] = {}
    for start, text in character_chunks(doc.text, splitter):
        occurrence = seen.get(text, 0)
        seen[text] = occurrence + 1
        first, last = covered_sentences(doc.sentences, start, start + len(text))
        chunks.append(
            StoredChunk(
                "naive-" + chunk_id(doc.doc_id, text, occurrence),
                doc.doc_id,
                text,
                start,
                start + len(text),
                first,
                last,
            )
        )
    return chunks


def build_baseline_index(settings: Settings, embedder: Embedder) -> BaselineIndex:
    """Load, split and embed the corpus the way the naive pipeline would (once; ~seconds per 100 chunks)."""
    loaded = load_corpus(settings.corpus_dirs, exclude=EXCLUDE)
    if not loaded.documents:
        raise ValueError("no usable documents in " + ", ".join(str(d) for d in settings.corpus_dirs))
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True)
    documents = {d.doc_id: stored_document(d) for d in loaded.documents}
    chunks = [c for doc in documents.values() for c in document_chunks(doc, splitter)]
    vectors = embedder.embed_documents([c.text for c in chunks])
    return BaselineIndex(documents, chunks, vectors, LexicalIndex.build([c.text for c in chunks]))


class NaiveBaseline:
    """Answers like `Assistant.ask`, so the evaluation runner can play it like any other run."""

    name = NAME

    def __init__(
        self, settings: Settings, index: BaselineIndex | None = None, k: int = TOP_K, embedder: Embedder | None = None
    ) -> None:
        self.settings = settings
        self.k = k
        self.embedder = embedder or embedder_for(settings.index_config())
        self.index = index or build_baseline_index(settings, self.embedder)
        self.answerer = get_answerer(settings, self.embedder)

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """Top-k chunks by cosine similarity to the question alone."""
        scores = self.index.vectors @ self.embedder.embed_query(question)
        order = np.argsort(-scores)[: k or self.k]
        return [
            chunk_passage(self.index, int(i), float(scores[i]), rank, dense=float(scores[i]))
            for rank, i in enumerate(order, start=1)
        ]

    def ask(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        k: int | None = None,
        retriever: RetrievalMode | None = None,
    ) -> Answer:
        """`retriever` is accepted for interface parity and ignored: the baseline is dense only."""
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        conversation = Conversation.from_history(history)
        passages = self.search(text, k)
        retrieved = time.perf_counter()
        answer = self.answerer.answer(text, passages, self.index, conversation)  # type: ignore[arg-type]
        timings = {
            "retrieve": (retrieved - started) * 1000,
            **answer.timings_ms,
            "total": (time.perf_counter() - started) * 1000,
        }
        return answer.model_copy(
            update={"search_query": text, "timings_ms": {key: round(v, 2) for key, v in timings.items()}}
        )

    def describe(self) -> dict[str, Any]:
        return {
            "pipeline": f"RecursiveCharacterTextSplitter({CHUNK_SIZE}, {CHUNK_OVERLAP}) + dense top-{self.k} "
            f"+ {self.answerer.name} answerer",
            "documents": len(self.index.documents),
            "chunks": len(self.index.chunks),
        }
