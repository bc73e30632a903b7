"""The answer contract shared by the chain, CLI, web chat and evaluation.

`Answer.to_dict()` is the one JSON shape of an answer: `ask --json`, `chat --jsonl`, the web chat's
`/chat` API and JSON export, evaluation rows and stored feedback all write it, and `from_dict` reads
it back. The README's "Answer JSON" section documents it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from assistant.grounding import grounding


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
    date_label: str = Field(
        "undated", description="The header date as ISO: 2026-10-01, 2025-06 (approximate), or undated"
    )
    license: str | None = None
    url: str | None = None
    score: float = 0.0
    dense_score: float | None = None
    lexical_score: float | None = None
    rank: int = 0
    kind: str = Field("text", description="text: a chunk of the document; header: the document's `Key: value` header")

    def to_dict(self) -> dict[str, Any]:
        """The passage as answers show it: `date` is the display date (`date_label`), `date_header` the
        header's text."""
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "kind": self.kind,
            "title": self.title,
            "author": self.author,
            "publisher": self.publisher,
            "date": self.date_label,
            "date_header": self.date,
            "license": self.license,
            "url": self.url,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "rank": self.rank,
            "score": self.score,
            "dense_score": self.dense_score,
            "lexical_score": self.lexical_score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        fields = {k: v for k, v in data.items() if k in cls.model_fields and k not in ("date", "date_label")}
        return cls(**fields, date=data.get("date_header"), date_label=data.get("date") or "undated")


class Citation(BaseModel):
    """`[n]` in an answer: the passage it points at and the sentence that supports the claim."""

    n: int
    passage: Passage
    quote: str = Field(description="The supporting sentence, verbatim from the passage")
    quote_start: int = Field(description="Offset of the quote in the document")
    quote_end: int
    score: float = Field(description="How strongly the quote supports the answer (0-1)")

    def to_dict(self) -> dict[str, Any]:
        """One flat record: the mark's number, the quote and the passage it stands in (the passage's
        retrieval scores stay with the retrieved passages: here `score` is the quote's support)."""
        passage = {k: v for k, v in self.passage.to_dict().items() if k not in _CITATION_KEYS}
        return {
            "n": self.n,
            **passage,
            "quote": self.quote,
            "quote_start": self.quote_start,
            "quote_end": self.quote_end,
            "score": self.score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        passage = Passage.from_dict({k: v for k, v in data.items() if k not in _CITATION_KEYS})
        return cls(passage=passage, **{k: data[k] for k in ("n", "quote", "quote_start", "quote_end", "score")})


# Keys of a citation record that are the citation's own; the passage's retrieval scores are left out.
_CITATION_KEYS = frozenset({"n", "quote", "quote_start", "quote_end", "score", "dense_score", "lexical_score"})


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

    def to_dict(self) -> dict[str, Any]:
        """The answer's JSON (see the README's "Answer JSON"): what every consumer reads or stores."""
        g = grounding(self)
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "confidence": self.confidence,
            "grounding": None if g.score is None else round(g.score, 3),
            "citations": [c.to_dict() for c in self.citations],
            "related": [p.to_dict() for p in self.related],
            "backend": self.backend,
            "search_query": self.search_query,
            "condensed_by": self.condensed_by,
            "generated_text": self.generated_text,
            "guard": self.guard.model_dump() if self.guard else None,
            "timings": self.timings_ms,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """An answer read back from its JSON (`grounding` is recomputed; `retrieved` is not part of it)."""
        return cls(
            question=data.get("question", ""),
            text=data["answer"],
            abstained=data.get("abstained", False),
            confidence=data.get("confidence", 0.0),
            citations=[Citation.from_dict(c) for c in data.get("citations", [])],
            related=[Passage.from_dict(p) for p in data.get("related", [])],
            backend=data.get("backend", "extractive"),
            search_query=data.get("search_query", ""),
            condensed_by=data.get("condensed_by", "rules"),
            generated_text=data.get("generated_text"),
            guard=GuardReport.model_validate(data["guard"]) if data.get("guard") else None,
            timings_ms=data.get("timings", {}),
            notes=data.get("notes", []),
        )

    def sources_block(self) -> str:
        """Citations as lines a terminal user can read: [n] title, publisher, date."""
        lines = []
        for c in self.citations:
            p = c.passage
            who = ", ".join(x for x in (p.author, p.publisher) if x and not x.lower().startswith("not stated"))
            where = "document header" if p.kind == "header" else f"chunk {p.chunk_id}"
            lines.append(f"[{c.n}] {p.title}" + (f" — {who}" if who else "") + f" ({p.date_label})  {where}")
        return "\n".join(lines)


def refusal_text(question: str) -> str:
    """What a declined answer says, the same wherever the decision to decline is taken."""
    shown = question.strip().rstrip("?.!")
    return (
        f"The sources I have do not say. I found nothing that answers “{shown}?”; "
        "the closest passages are listed as related, not as an answer."
    )


def final_answer(stream: Iterable[str | Answer]) -> Answer:
    """The Answer at the end of a stream of text pieces (what `ask` is, for callers that do not stream)."""
    result: Answer | None = None
    for item in stream:
        if isinstance(item, Answer):
            result = item
    if result is None:
        raise RuntimeError("the answer stream ended without an Answer")
    return result
