"""Playing test sets through a run: every turn becomes one row of results.jsonl, scored without a
judge LLM. Multi-turn cases are played as one conversation: each turn sees the earlier (question,
answer) pairs, as in the chat. Rows are plain dicts so aggregation, reports and comparisons read the
same data whether it was just played or loaded from disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answer import Answer
from assistant.evaluation.metrics import embedding_similarities, turn_metrics
from assistant.evaluation.runs import Run
from assistant.evaluation.testset import Case, TurnCase
from index.embedder import Embedder

Row = dict[str, Any]
LATENCY_NOTE = "latency excludes one unrecorded warm-up question per run (index open, model load)"
WARM_UP_QUESTION = "What is this collection of documents about?"
# What the faithfulness guard did to each generated answer, counted per run (summary counts "guard_<outcome>").
GUARD_OUTCOMES = ("whole", "repaired", "partly_removed", "fell_back", "declined")


def turn_row(run: Run, case: Case, index: int, turn: TurnCase, answer: Answer, testset: str) -> Row:
    """One line of results.jsonl: enough to see why a turn passed or failed without re-running it. The
    answer is in its JSON shape (`Answer.to_dict`), with the passages retrieved for it."""
    return {
        "run": run.name,
        "testset": testset,
        "case_id": case.id,
        "turn": index,
        "n_turns": len(case.turns),
        "followup": case.multi_turn and index > 0,
        "tags": case.tags,
        **answer.to_dict(),
        "question": turn.user_input,
        "reference": turn.reference,
        "answerable": turn.answerable,
        "retrieved": [p.to_dict() for p in answer.retrieved],
        "metrics": {key: round(value, 4) for key, value in turn_metrics(answer, turn, run.k).items()},
        "guard_removed": len(answer.guard.removed) if answer.guard else 0,
        "guard_outcome": guard_outcome(answer),
    }


def guard_outcome(answer: Answer) -> str | None:
    """whole, repaired (citations moved, nothing removed), partly_removed, fell_back (the extractive answer
    was given: guard, timeout or empty output), declined (the model said the sources do not answer); None
    for an answer no LLM wrote."""
    if answer.backend.startswith("extractive (fallback"):
        return "fell_back"
    if answer.generated_text is None:
        return None
    if answer.guard is None:
        return "declined"
    if answer.guard.removed:
        return "partly_removed"
    return "repaired" if answer.guard.repaired else "whole"


def play_case(run: Run, case: Case, testset: str, on_turn: Callable[[], None] = lambda: None) -> list[Row]:
    """All turns of a case as one conversation, each turn seeing the answers actually given before it."""
    history: list[tuple[str, str]] = []
    rows = []
    for index, turn in enumerate(case.turns):
        answer = run.asker.ask(turn.user_input, list(history))
        history.append((turn.user_input, answer.text))
        rows.append(turn_row(run, case, index, turn, answer, testset))
        on_turn()
    return rows


def warm_up(run: Run) -> None:
    """One unrecorded question first: opening the index and loading models would otherwise land in
    the first turn's latency and dominate p95 on a small test set."""
    run.asker.ask(WARM_UP_QUESTION, [])


def play(run: Run, testsets: list[tuple[Path, list[Case]]], on_turn: Callable[[], None] = lambda: None) -> list[Row]:
    """Every case of every test set through `run`, in order, then the batched answer-reference similarity."""
    rows = [row for path, cases in testsets for case in cases for row in play_case(run, case, path.name, on_turn)]
    add_embedding_similarity(rows, run.asker.embedder.query_side())  # one encoder for answers and references
    return rows


def add_embedding_similarity(rows: list[Row], embedder: Embedder) -> None:
    """Answer-reference cosine for answerable turns that have a reference, in one batched call."""
    scored = [r for r in rows if r["answerable"] and r["reference"].strip()]
    answers, references = [r["answer"] for r in scored], [r["reference"] for r in scored]
    for row, value in zip(scored, embedding_similarities(answers, references, embedder)):
        row["metrics"]["embedding_similarity"] = round(value, 4)
