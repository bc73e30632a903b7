"""The assistant as one object: what the CLI, the web chat and the evaluation all call."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from assistant.answer import Answer
from assistant.answerers import get_answerer
from assistant.chain import build_chain
from assistant.retrieval import Retriever
from assistant.settings import RetrievalMode, Settings
from assistant.stages import ChainInput
from index.build import BuildSummary, IndexBuilder, ProgressHook
from index.embedder import Embedder, embedder_for
from index.generation import Generation, IndexMissing, current_path

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QuestionRejected(ValueError):
    """The question cannot be asked as it is; the message says why, for the user."""


def clean_question(question: str | None, max_chars: int) -> str:
    text = _CONTROL.sub(" ", question or "").strip()
    if not text:
        raise QuestionRejected("Please type a question.")
    if len(text) > max_chars:
        raise QuestionRejected(
            f"Questions are limited to {max_chars:,} characters; this one has {len(text):,}. Please shorten it."
        )
    return text


class Assistant:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        # One embedder for the build, the search and the answer: their vectors must be comparable.
        self.embedder = embedder or embedder_for(self.settings.index_config())
        self.retriever = Retriever(self.settings, self.embedder)
        self.answerer = get_answerer(self.settings, self.embedder)
        self.chain = build_chain(self.retriever, self.answerer)

    def ask(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        k: int | None = None,
        retriever: RetrievalMode | None = None,
    ) -> Answer:
        text = clean_question(question, self.settings.max_question_chars)
        return self.chain.invoke(ChainInput(text, list(history or []), k, retriever))

    def stream(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        k: int | None = None,
        retriever: RetrievalMode | None = None,
    ) -> Iterator[str | Answer]:
        """Text pieces as the answerer writes them (none for the extractive one), then the final Answer.
        With an LLM the final text is what the faithfulness guard kept, which may differ from the stream."""
        text = clean_question(question, self.settings.max_question_chars)
        yield from self.chain.stream(ChainInput(text, list(history or []), k, retriever))

    def build_index(
        self, full: bool = False, strict: bool = False, progress: ProgressHook | None = None
    ) -> BuildSummary:
        return IndexBuilder(self.settings.index_config(), progress, self.embedder).build(full=full, strict=strict)

    def ensure_index(self) -> BuildSummary | None:
        """Bring the index up to date before serving (a no-op when nothing changed; a full rebuild
        when it was built with other settings). Another build in progress is left to finish."""
        from index.build import BuildLocked

        try:
            return self.build_index()
        except BuildLocked:
            return None

    def index_status(self) -> dict[str, Any]:
        folder = current_path(self.settings.index_config().index_root)
        if folder is None:
            raise IndexMissing("no index yet: run `python -m assistant index`")
        m = Generation(folder).manifest
        return {
            "documents": m["n_documents"],
            "chunks": m["n_chunks"],
            "embedding_model": m["embedding_model"],
            "encoder": m.get("encoder", "torch-fp32"),
            "built_at": m["built_at"],
            "generation": m["generation"],
            "chroma": m.get("chroma_url") or "embedded",
        }
