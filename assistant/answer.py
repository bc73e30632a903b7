"""The answer contract shared by the chain, CLI, web chat and evaluation."""

from __future__ import annotations

from typing import Iterable

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """A retrieved chunk with where it came from and how it ranked."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    title: str
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    date_label: str = Field("undated", description="The header date as ISO: 2026-10-01, 2025-06 (approximate), or undated")
    license: str | None = None
    url: str | None = None
    score: float = 0.0
    dense_score: float | None = None
    lexical_score: float | None = None
    rank: int = 0
    kind: str = Field("text", description="text: a chunk of the document; header: the document's `Key: value` header")


class Citation(BaseModel):
    """`[n]` in an answer: the passage it points at and the sentence that supports the claim."""

    n: int
    passage: Passage
    quote: str = Field(description="The supporting sentence, verbatim from the passage")
    quote_start: int = Field(description="Offset of the quote in the document")
    quote_end: int
    score: float = Field(description="How strongly the quote supports the answer (0-1)")


class RemovedSentence(BaseModel):
    text: str
    reason: str
    support: float


class RepairedSentence(BaseModel):
    """A generated sentence kept with its citation moved to the retrieved passage that supports it."""

    text: str
    cited: list[int] = Field(description="What it cited, or its paragraph's closing mark did (prompt numbering)")
    to: int = Field(description="The passage that supports it, numbered as in the prompt")
    shown: int = Field(0, description="That passage's number in the answer the user reads (0: not composed)")
    support: float
    reason: str = Field("", description="Why the cited passage did not support it")
    inherited: bool = Field(False, description="The citation came from the mark that closes its paragraph")

    def label(self) -> str:
        """What the model cited and where the citation went, as "[2] -> [1]"."""
        return f"{''.join(f'[{n}]' for n in self.cited)} -> [{self.to}]"


class GuardReport(BaseModel):
    """What the faithfulness guard did to a generated answer."""

    mode: str = Field(description="remove | fallback")
    threshold: float
    checked: int = 0
    removed: list[RemovedSentence] = []
    repaired: list[RepairedSentence] = []
    fell_back: bool = False


class Answer(BaseModel):
    question: str
    text: str
    citations: list[Citation] = []
    abstained: bool = False
    related: list[Passage] = []
    retrieved: list[Passage] = []
    search_query: str = ""
    backend: str = Field("extractive", description="What produced the text: extractive, openai, ... or a fallback")
    condensed_by: str = Field("rules", description="How a follow-up was made standalone: rules or llm")
    generated_text: str | None = Field(None, description="The LLM's output before the guard, when an LLM answered")
    guard: GuardReport | None = None
    confidence: float = 0.0
    timings_ms: dict[str, float] = {}
    notes: list[str] = []

    def sources_block(self) -> str:
        """Citations as lines a terminal user can read: [n] title, publisher, date."""
        lines = []
        for c in self.citations:
            p = c.passage
            who = ", ".join(x for x in (p.author, p.publisher) if x and not x.lower().startswith("not stated"))
            where = "document header" if p.kind == "header" else f"chunk {p.chunk_id}"
            lines.append(f"[{c.n}] {p.title}" + (f" — {who}" if who else "") + f" ({p.date_label})  {where}")
        return "\n".join(lines)


def final_answer(stream: Iterable["str | Answer"]) -> Answer:
    """The Answer at the end of a stream of text pieces (what `ask` is, for callers that do not stream)."""
    result: Answer | None = None
    for item in stream:
        if isinstance(item, Answer):
            result = item
    if result is None:
        raise RuntimeError("the answer stream ended without an Answer")
    return result
