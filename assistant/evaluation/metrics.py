"""Metrics that need no LLM judge: retrieval (hit@k, MRR, context recall/precision) and answers
(facts present, token F1, abstention, citation validity, groundedness)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import numpy as np

from assistant.answer import Answer, Passage
from assistant.citations import cited_numbers, strip_citations
from assistant.evaluation.testset import TurnCase
from index.embedder import Embedder
from index.text import STOPWORDS, words

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00ad": "", "\u00a0": " "})


def normalise(text: str) -> str:
    """Fold quotes, dashes, soft hyphens and whitespace so verbatim checks survive typography."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().lower()


def contains(haystack: str, needle: str) -> bool:
    return normalise(needle) in normalise(haystack)


def retrieval_metrics(passages: list[Passage], contexts: list[str], k: int) -> dict[str, float]:
    top = passages[:k]
    if not contexts:
        return {}
    first = next((i for i, p in enumerate(top, 1) if any(contains(p.text, c) for c in contexts)), None)
    found = [c for c in contexts if any(contains(p.text, c) for p in top)]
    relevant = [p for p in top if any(contains(p.text, c) for c in contexts)]
    return {
        "hit_at_k": 1.0 if first else 0.0,
        "mrr": 1.0 / first if first else 0.0,
        "context_recall": len(found) / len(contexts),
        "context_precision": len(relevant) / len(top) if top else 0.0,
    }


def facts_present(text: str, facts: list) -> float:
    """Share of reference facts found in the answer; a fact given as a list is satisfied by any item."""
    if not facts:
        return 1.0
    hits = 0
    for fact in facts:
        options = fact if isinstance(fact, list) else [fact]
        hits += any(contains(text, str(o)) for o in options)
    return hits / len(facts)


def token_f1(prediction: str, reference: str) -> float:
    pred = [w for w in words(strip_citations(prediction)) if w not in STOPWORDS]
    ref = [w for w in words(reference) if w not in STOPWORDS]
    if not pred or not ref:
        return 0.0
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def citation_validity(answer: Answer) -> float:
    """1.0 when every [n] in the text names a citation whose passage was retrieved for this answer."""
    marks = set(cited_numbers(answer.text))
    if not marks:
        return 1.0 if answer.abstained or not answer.citations else 0.0
    retrieved = {p.chunk_id for p in answer.retrieved}
    by_n = {c.n: c for c in answer.citations}
    valid = [n for n in marks if n in by_n and by_n[n].passage.chunk_id in retrieved]
    return len(valid) / len(marks)


def groundedness(answer: Answer) -> float:
    """Share of cited claims whose supporting quote stands in the cited passage."""
    if answer.abstained or not answer.citations:
        return 1.0 if answer.abstained else 0.0
    supported = [c for c in answer.citations if c.quote and contains(c.passage.text, c.quote)]
    return len(supported) / len(answer.citations)


def padding_sentences(question: str, answer: Answer, facts: list) -> tuple[int, int]:
    """(padding, total) answer sentences: a sentence is padding when it holds none of the reference
    facts and none of the question's focus terms (what the question asks about)."""
    from assistant.focus import find_focus
    from assistant.question import FRAME_WORDS
    from index.text import stem

    focus = set(find_focus(question, lambda term: 1.0, lambda term: True, FRAME_WORDS).focus)
    quotes = [c.quote for c in answer.citations]
    padded = 0
    for quote in quotes:
        has_fact = facts_present(quote, facts) > 0 if facts else False
        has_focus = bool(focus & {stem(w) for w in words(quote)})
        padded += not (has_fact or has_focus)
    return padded, len(quotes)


def related_holds_answer(answer: Answer, contexts: list[str]) -> float:
    """1.0 when a declined answer's related passages (shown instead of an answer) hold a reference
    passage: a needless refusal that still points the reader to the answer costs less than one that does not."""
    return 1.0 if any(contains(p.text, c) for p in answer.related for c in contexts) else 0.0


def expected_calibration_error(confidence: list[float], right: list[bool], bins: int = 10) -> float | None:
    """Mean |confidence - share right| over equal-width confidence bins, weighted by their size."""
    if not confidence:
        return None
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, r) for c, r in zip(confidence, right) if lo <= c < hi or (hi == 1.0 and c == 1.0)]
        if inside:
            total += (
                len(inside)
                / len(confidence)
                * abs(sum(c for c, _ in inside) / len(inside) - sum(r for _, r in inside) / len(inside))
            )
    return total


def reliability_bins(confidence: list[float], right: list[bool], bins: int = 10) -> list[dict[str, float]]:
    """Per confidence bucket: its range, turns, mean confidence and share right (for the reliability plot)."""
    result = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, r) for c, r in zip(confidence, right) if lo <= c < hi or (hi == 1.0 and c == 1.0)]
        if inside:
            result.append(
                {
                    "low": lo,
                    "high": hi,
                    "n": len(inside),
                    "confidence": sum(c for c, _ in inside) / len(inside),
                    "right": sum(r for _, r in inside) / len(inside),
                }
            )
    return result


def turn_metrics(answer: Answer, case: TurnCase, k: int) -> dict[str, float]:
    metrics: dict[str, float] = {"abstained": float(answer.abstained), "answerable": float(case.answerable)}
    metrics["abstention_correct"] = float(answer.abstained != case.answerable)
    if case.answerable:
        metrics.update(retrieval_metrics(answer.retrieved, case.reference_contexts, k))
        facts = facts_present(answer.text, case.reference_facts) if not answer.abstained else 0.0
        metrics["facts"] = facts
        metrics["correct"] = 1.0 if facts == 1.0 and not answer.abstained else 0.0
        metrics["token_f1"] = token_f1(answer.text, case.reference) if not answer.abstained else 0.0
        metrics["citation_validity"] = citation_validity(answer)
        metrics["groundedness"] = groundedness(answer)
        if not answer.abstained:
            metrics["padding_sentences"], metrics["answer_sentences"] = padding_sentences(
                case.user_input, answer, case.reference_facts
            )
        elif case.reference_contexts:
            metrics["related_holds_answer"] = related_holds_answer(answer, case.reference_contexts)
    else:
        metrics["correct"] = float(answer.abstained)
    return metrics


# -- aggregation (used by aggregate.py; kept here so every metric definition lives in one file) -----


def embedding_similarities(answers: list[str], references: list[str], embedder: Embedder) -> list[float]:
    """Cosine between each answer and its reference with the index's own model (one batched call),
    a cheap semantic stand-in for ragas' answer similarity that needs no judge LLM."""
    if not answers:
        return []
    # Marks are not words and would skew similarity.
    vectors = embedder.embed_documents([strip_citations(a) for a in answers] + list(references))
    a, r = vectors[: len(answers)], vectors[len(answers) :]
    return [float(x) for x in (a * r).sum(axis=1)]


def mean(values: list[float]) -> float | None:
    """Mean, or None when no turn applies: an absent measurement must not read as 0."""
    return sum(values) / len(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0-100); None when no turn was timed, not numpy's nan."""
    if not values:
        return None
    return float(np.percentile(values, q))


def abstention_scores(should_abstain: list[bool], abstained: list[bool]) -> dict[str, float | None]:
    """Precision and recall of abstaining, positive class = the question cannot be answered."""
    true_pos = sum(s and a for s, a in zip(should_abstain, abstained))
    predicted, actual = sum(abstained), sum(should_abstain)
    return {
        "abstention_precision": true_pos / predicted if predicted else None,
        "abstention_recall": true_pos / actual if actual else None,
    }
