"""Grounding: the share of an answer's claims whose quoted sentence really stands in the passage it
cites. It is part of every answer's JSON and shown under every answer, so it is computed here, once.

A claim runs up to and including a group of citation marks (plus punctuation written after them);
text after the last group is a claim without a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.citations import MARK, cited_numbers

if TYPE_CHECKING:  # answer.py puts grounding in the answer's JSON; only annotations need its models here
    from assistant.answer import Answer, Citation

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
