"""Answers written by a real LLM (any LangChain chat model), checked by the faithfulness guard.

The extractive answerer is always at hand: it answers instead when the LLM cannot be reached, returns
nothing, or (with guard=fallback) writes a sentence its passages do not support.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from assistant import llms, prompts
from assistant.answer import Answer, Citation, GuardReport, Passage, RemovedSentence, RepairedSentence, final_answer
from assistant.answerers.extractive import ExtractiveAnswerer
from assistant.answerers.weights import RELATED_SHOWN
from assistant.conversation import Conversation
from assistant.guard import CitedSentence, Guard
from assistant.rewrite import standalone
from assistant.settings import Settings
from index.embedder import Embedder
from index.generation import Generation

log = logging.getLogger(__name__)


def _token_text(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, list):  # some providers stream content parts
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return content if isinstance(content, str) else ""


class GenerativeAnswerer:
    def __init__(self, settings: Settings, embedder: Embedder, model: Any | None = None) -> None:
        self.settings = settings
        self.name = settings.llm
        self.model = model if model is not None else llms.chat_model(settings)
        self.extractive = ExtractiveAnswerer(settings, embedder)
        self.guard = Guard(settings.guard_threshold, self.extractive.vectors)  # shares the answerer's vector cache

    # -- follow-ups ---------------------------------------------------------------------------------
    def condense(self, question: str, conversation: Conversation) -> str | None:
        """The question rewritten to stand alone, or None (no history, disabled, or the call failed:
        the caller then uses the rule-based condensation)."""
        if not self.settings.llm_condense or not conversation.turns:
            return None
        try:
            reply = _token_text(self.model.invoke(prompts.condense_messages(question, conversation)))
        except Exception as exc:  # noqa: BLE001 - any failure means: condense by rules instead
            log.info("condensing with the LLM failed, using rules: %s", llms.describe_failure(exc, self.settings))
            return None
        # A rewrite must still ask what was asked, and bring in nothing the conversation did not say:
        # a model may answer instead of rewriting ("Lee called President Obama after calling Trump first.").
        line, problem = standalone(reply, question, conversation)
        if problem:
            log.info("not using the LLM's rewrite %r (%s); condensing by rules", reply.strip()[:120], problem)
        return line

    # -- answering ----------------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        passages: list[Passage],
        generation: Generation,
        conversation: Conversation,
        standalone: str | None = None,
    ) -> Answer:
        return final_answer(self.stream(question, passages, generation, conversation, standalone))

    def stream(
        self,
        question: str,
        passages: list[Passage],
        generation: Generation,
        conversation: Conversation,
        standalone: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yields the LLM's tokens as they arrive, then the checked Answer."""
        started = time.perf_counter()
        if not passages:
            yield self.extractive.answer(question, passages, generation, conversation)
            return
        pieces: list[str] = []
        first_token_ms: float | None = None
        try:
            for chunk in self.model.stream(prompts.answer_messages(question, passages, standalone)):
                token = _token_text(chunk)
                if token:
                    first_token_ms = first_token_ms or (time.perf_counter() - started) * 1000
                    pieces.append(token)
                    yield token
        except Exception as exc:  # noqa: BLE001 - timeouts, refusals, dropped servers: answer anyway
            yield self._fallback(
                question, passages, generation, conversation, started, llms.describe_failure(exc, self.settings)
            )
            return
        raw = "".join(pieces).strip()
        timings = {"first_token": first_token_ms or 0.0, "generate": (time.perf_counter() - started) * 1000}
        if not raw:
            yield self._fallback(
                question,
                passages,
                generation,
                conversation,
                started,
                f"LLM backend {self.name} returned an empty answer",
                timings=timings,
            )
            return
        checked = self.guard.check(raw, passages)
        if prompts.says_not_in_sources(raw) and not any(s.kept for s in checked):
            yield self._abstained(question, raw, passages, started, timings)
            return
        kept = [s for s in checked if s.kept]
        report = guard_report(checked, self.settings.guard, self.settings.guard_threshold)
        if not kept or (report.removed and self.settings.guard == "fallback"):
            why = (
                f"the guard found {len(report.removed)} of {len(checked)} generated sentences unsupported by the "
                f"retrieved passages; answered extractively instead"
            )
            yield self._fallback(
                question,
                passages,
                generation,
                conversation,
                started,
                why,
                report.model_copy(update={"fell_back": True}),
                raw,
                timings,
            )
            return
        answer = compose(question, kept, passages, report, raw, self.name)
        answer.timings_ms = {**timings, "answer": (time.perf_counter() - started) * 1000}
        yield answer

    def _abstained(
        self, question: str, raw: str, passages: list[Passage], started: float, timings: dict[str, float]
    ) -> Answer:
        return Answer(
            question=question,
            text=prompts.NOT_IN_SOURCES + " The closest passages are listed as related, not as an answer.",
            abstained=True,
            related=passages[:RELATED_SHOWN],
            retrieved=passages,
            backend=self.name,
            generated_text=raw,
            notes=["The LLM said the passages do not answer this question."],
            timings_ms={**timings, "answer": (time.perf_counter() - started) * 1000},
        )

    def _fallback(
        self,
        question: str,
        passages: list[Passage],
        generation: Generation,
        conversation: Conversation,
        started: float,
        why: str,
        report: GuardReport | None = None,
        raw: str | None = None,
        timings: dict[str, float] | None = None,
    ) -> Answer:
        log.info("%s", why)
        answer = self.extractive.answer(question, passages, generation, conversation)
        return answer.model_copy(
            update={
                "backend": f"extractive (fallback from {self.name})",
                "notes": [why, *answer.notes],
                "guard": report,
                "generated_text": raw,
                "timings_ms": {
                    **answer.timings_ms,
                    **(timings or {}),
                    "answer": (time.perf_counter() - started) * 1000,
                },
            }
        )


def guard_report(checked: list[CitedSentence], mode: str, threshold: float) -> GuardReport:
    """The guard's verdicts as the report users see: removed sentences and repaired citations."""
    return GuardReport(
        mode=mode,
        threshold=threshold,
        checked=len(checked),
        removed=[RemovedSentence(text=s.text, reason=s.reason, support=s.support) for s in checked if not s.kept],
        repaired=[
            RepairedSentence(
                text=s.text,
                cited=s.repaired_from,
                to=s.supporting[0],
                support=s.support,
                reason=s.repair_reason,
                inherited=s.inherited,
            )
            for s in checked
            if s.repaired
        ],
    )


def compose(
    question: str, kept: list[CitedSentence], passages: list[Passage], report: GuardReport, raw: str, backend: str
) -> Answer:
    """Kept sentences, renumbered [1], [2], ... in order of first citation, each with its quote; the
    report's repairs learn the number their passage got."""
    numbers: dict[int, int] = {}
    parts: list[str] = []
    citations: list[Citation] = []
    for sentence in kept:
        marks = []
        for n in sentence.supporting:
            shown = numbers.setdefault(n, len(numbers) + 1)
            marks.append(f"[{shown}]")
            quote, start, end = sentence.quotes[n]
            citations.append(
                Citation(
                    n=shown,
                    passage=passages[n - 1],
                    quote=quote,
                    quote_start=start,
                    quote_end=end,
                    score=min(1.0, sentence.support),
                )
            )
        parts.append(f"{sentence.text} {''.join(marks)}")
    for repair in report.repaired:
        repair.shown = numbers.get(repair.to, 0)
    notes = []
    if report.removed:
        notes.append(f"The guard removed {len(report.removed)} unsupported sentence(s) from the generated answer.")
    if report.repaired:
        notes.append(
            f"The guard moved the citation of {len(report.repaired)} sentence(s) to the retrieved passage "
            "that supports it."
        )
    return Answer(
        question=question,
        text=" ".join(parts),
        citations=citations,
        retrieved=passages,
        backend=backend,
        confidence=round(min(s.support for s in kept), 3),
        generated_text=raw,
        guard=report,
        notes=notes,
    )
