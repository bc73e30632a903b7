"""What the chain's stages hand each other (see `assistant.chain`): typed records instead of one dict of
string keys, so a stage cannot read a key another never wrote, and the passages always travel with the
generation they were retrieved from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.answer import Passage
from assistant.conversation import Conversation
from assistant.retrieval import Mode, Retrieval
from index.generation import Generation


@dataclass(frozen=True)
class ChainInput:
    """The chain's input: a question, the conversation so far, and per-question overrides."""

    question: str
    history: list[Any] = field(default_factory=list)  # messages ({"role", "content"}) or (question, answer) pairs
    k: int | None = None  # passages to retrieve; None = the settings' top_k
    retriever: Mode | None = None  # None = the settings' retriever


@dataclass(frozen=True)
class Condensed:
    """The question made ready to search: what to search with, and what the answerer is asked."""

    inputs: ChainInput
    conversation: Conversation
    search_query: str  # the question itself, or a follow-up made standalone
    context_query: str | None  # searched beside it at half weight (the previous question or answer)
    asked: str  # what the answerer answers ("Where does he work?" with the author named)
    standalone: str | None  # an LLM's rewrite of a follow-up, when one was used
    condensed_by: str  # "llm" or "rules"
    started: float  # time.perf_counter() when the chain began
    timings_ms: dict[str, float]


@dataclass(frozen=True)
class Prepared:
    """A condensed question and its retrieval: everything the answer stage reads."""

    condensed: Condensed
    retrieval: Retrieval

    @property
    def passages(self) -> list[Passage]:
        return self.retrieval.passages

    @property
    def generation(self) -> Generation:
        return self.retrieval.generation

    @property
    def conversation(self) -> Conversation:
        return self.condensed.conversation
