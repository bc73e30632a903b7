"""Answer backends. Each turns (question, passages, conversation) into an Answer; `get_answerer`
is the one place that chooses between them."""

from __future__ import annotations

from typing import Protocol

from assistant.answer import Answer, Passage
from assistant.conversation import Conversation
from assistant.settings import Settings
from index.generation import Generation


class Answerer(Protocol):
    name: str

    def answer(self, question: str, passages: list[Passage], generation: Generation, conversation: Conversation) -> Answer: ...


def get_answerer(settings: Settings) -> Answerer:
    match settings.llm:
        case "extractive":
            from assistant.answerers.extractive import ExtractiveAnswerer

            return ExtractiveAnswerer(settings)
        case other:
            raise ValueError(f"unknown answer backend {other!r}; available: extractive")
