"""Answer backends. Each turns (question, passages, conversation) into an Answer; `get_answerer`
is the one place that chooses between them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from assistant.answer import Answer, Passage
from assistant.conversation import Conversation
from assistant.llms import get_backend
from assistant.settings import Settings
from index.embedder import Embedder
from index.generation import Generation


class Answerer(Protocol):
    name: str

    def answer(
        self,
        question: str,
        passages: list[Passage],
        generation: Generation,
        conversation: Conversation,
        standalone: str | None = None,
    ) -> Answer: ...

    def stream(
        self,
        question: str,
        passages: list[Passage],
        generation: Generation,
        conversation: Conversation,
        standalone: str | None = None,
    ) -> Iterator[str | Answer]:
        """Text as it is produced, then the final Answer (which may differ: the guard has the last word)."""
        ...

    def condense(self, question: str, conversation: Conversation) -> str | None:
        """A follow-up rewritten to stand alone, or None to use the rule-based condensation."""
        ...


def get_answerer(settings: Settings, embedder: Embedder) -> Answerer:
    """The extractive answerer (offline default) or, for a backend with a chat model (see
    `assistant.llms.BACKENDS`), a real LLM behind the faithfulness guard. `embedder` must be the one
    the index was built with: answerers compare sentences with it."""
    if not get_backend(settings.llm).generative:
        from assistant.answerers.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(settings, embedder)
    from assistant.answerers.generative import GenerativeAnswerer

    return GenerativeAnswerer(settings, embedder)
