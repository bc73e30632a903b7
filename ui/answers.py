"""Answer helpers shared by the chat page, the /chat API and the exports: claims, grounding,
JSON payloads and chat-history normalisation. Pure functions, no Gradio, so they are easy to test."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

from assistant.answer import Answer, Citation, Passage
from assistant.citations import MARK, cited_numbers

# A claim runs up to and including a group of citation marks (plus punctuation written after them);
# text after the last group is a claim without a citation.
_CLAIM = re.compile(rf"\S.*?(?:{MARK.pattern}(?:[\s,]*{MARK.pattern})*[.,;:!?]?(?=\s|$)|$)", re.S)
_SPACE = re.compile(r"\s+")


def claim_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each claim in `text`; used to stream an answer claim by claim."""
    return [m.span() for m in _CLAIM.finditer(text) if m.group().strip()]


def claims(text: str) -> list[str]:
    return [text[a:b] for a, b in claim_spans(text)]


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def quote_in_passage(citation: Citation) -> bool:
    """The check behind the grounding score: the quoted sentence is really in the passage cited."""
    quote = _norm(citation.quote)
    return bool(quote) and quote in _norm(citation.passage.text)


@dataclass(frozen=True)
class Grounding:
    grounded: int
    total: int

    @property
    def score(self) -> float | None:
        return self.grounded / self.total if self.total else None

    def label(self) -> str:
        if self.score is None:
            return "grounding n/a"
        return f"grounding: {self.grounded}/{self.total} quotes found in the sources"


def confidence_label(answer: Answer) -> str:
    """How likely the quotes answer the question (the answerer's calibrated confidence), kept apart
    from grounding: a verbatim quote can be found in the sources and still not answer."""
    if answer.abstained:
        return f"declined (confidence it could answer {answer.confidence:.0%})"
    level = "high" if answer.confidence >= 0.8 else "medium" if answer.confidence >= 0.6 else "low"
    return f"answers the question: {level} confidence ({answer.confidence:.0%})"


def _claim_grounded(claim: str, numbers: list[int], by_n: dict[int, list[Citation]]) -> bool:
    if not numbers:
        return False
    bare = _norm(MARK.sub(" ", claim))
    for n in numbers:
        cited = by_n.get(n, [])
        # Several quotes may share one passage number; judge the one this sentence repeats, if any.
        own = [c for c in cited if _norm(c.quote) and _norm(c.quote) in bare] or cited
        if not any(quote_in_passage(c) for c in own):
            return False
    return True


def grounding(answer: Answer) -> Grounding:
    """Share of answer sentences whose cited quote appears in the cited passage (abstentions: n/a)."""
    if answer.abstained:
        return Grounding(0, 0)
    by_n: dict[int, list[Citation]] = {}
    for c in answer.citations:
        by_n.setdefault(c.n, []).append(c)
    parts = [c for c in claims(answer.text) if re.search(r"\w", MARK.sub("", c))]
    return Grounding(sum(_claim_grounded(c, cited_numbers(c), by_n) for c in parts), len(parts))


def passage_record(p: Passage) -> dict[str, Any]:
    return {"title": p.title, "publisher": p.publisher, "author": p.author, "date": p.date_label, "url": p.url,
            "chunk_id": p.chunk_id, "doc_id": p.doc_id, "text": p.text}


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The JSON the /chat API returns and the JSON export stores for each turn."""
    g = grounding(answer)
    return {
        "answer": answer.text,
        "citations": [
            {"n": c.n, "title": c.passage.title, "publisher": c.passage.publisher, "author": c.passage.author,
             "date": c.passage.date_label, "date_header": c.passage.date, "kind": c.passage.kind,
             "license": c.passage.license, "url": c.passage.url, "quote": c.quote,
             "chunk_id": c.passage.chunk_id, "doc_id": c.passage.doc_id}
            for c in answer.citations
        ],
        "abstained": answer.abstained,
        "related": [passage_record(p) for p in answer.related],
        "timings": answer.timings_ms,
        "grounding": None if g.score is None else round(g.score, 3),
        "confidence": answer.confidence,
        "backend": answer.backend,
        "condensed_by": answer.condensed_by,
        "notes": answer.notes,
        "guard": answer.guard.model_dump() if answer.guard else None,
    }


def message_text(content: Any) -> str:
    """Gradio 6 hands message content over as a list of parts; the assistant wants plain text."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(message_text(part) for part in content).strip()
    return "" if content is None else str(content)


def plain_history(messages: Iterable[Any] | None) -> list[dict[str, str]]:
    """[{"role", "content": str}] for user and assistant messages; anything else is dropped."""
    out: list[dict[str, str]] = []
    for m in messages or []:
        if isinstance(m, dict) and m.get("role") in ("user", "assistant"):
            out.append({"role": m["role"], "content": message_text(m.get("content"))})
        elif isinstance(m, (list, tuple)) and len(m) == 2:  # (question, answer) pairs from older clients
            out += [{"role": "user", "content": message_text(m[0])}, {"role": "assistant", "content": message_text(m[1])}]
    return out


@dataclass
class ChatTurn:
    """One question and its answer as the page keeps them (per browser session, in gr.State): the
    sources panel, the feedback store and the exports all read from here, never from the chat text."""

    question: str
    answer: Answer
    history: list[dict[str, str]]
    settings: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # ratings follow the turn, not its position
