"""Rows of one run -> its entry in summary.json: metric means, latency percentiles, per-tag scores,
counts and the reliability bins. Works on rows only (never on answers), so a summary can be rebuilt
from results.jsonl."""

from __future__ import annotations

from typing import Any

from assistant.evaluation.metrics import (
    abstention_scores,
    expected_calibration_error,
    mean,
    percentile,
    reliability_bins,
)
from assistant.evaluation.play import GUARD_OUTCOMES, Row
from assistant.evaluation.runs import BASELINE, Run

# The metrics of summary["runs"][name]["metrics"], in report order; all are in [0, 1] (None = no turn applies).
METRICS = (
    "answer_correct",
    "facts_recall",
    "overall_correct",
    "followup_accuracy",
    "abstention_accuracy",
    "abstention_precision",
    "abstention_recall",
    "abstention_rate",
    "declined_related_hit",
    "hit_at_k",
    "mrr",
    "context_recall",
    "context_precision",
    "token_f1",
    "embedding_similarity",
    "citation_validity",
    "groundedness",
    "padding_share",
    "calibration_error",
)
LATENCY = ("p50_ms", "p95_ms", "mean_ms")


def _average(rows: list[Row], key: str) -> float | None:
    return mean([r["metrics"][key] for r in rows if key in r["metrics"]])


def aggregate(rows: list[Row]) -> dict[str, float | None]:
    """Means over the turns each metric applies to; see METRICS for the names."""
    answerable = [r for r in rows if r["answerable"]]
    followups = [r for r in rows if r["followup"]]
    metrics: dict[str, float | None] = {
        "answer_correct": _average(answerable, "correct"),
        "facts_recall": _average(answerable, "facts"),
        "overall_correct": _average(rows, "correct"),
        "followup_accuracy": _average(followups, "correct"),
        "abstention_accuracy": _average(rows, "abstention_correct"),
        **abstention_scores([not r["answerable"] for r in rows], [bool(r["abstained"]) for r in rows]),
        "abstention_rate": _average(rows, "abstained"),
        # Of the answerable turns declined, the share whose related passages hold the answer.
        "declined_related_hit": _average(answerable, "related_holds_answer"),
    }
    for key in (
        "hit_at_k",
        "mrr",
        "context_recall",
        "context_precision",
        "token_f1",
        "embedding_similarity",
        "citation_validity",
        "groundedness",
    ):
        metrics[key] = _average(answerable, key)
    sentences = sum(r["metrics"].get("answer_sentences", 0) for r in rows)
    metrics["padding_share"] = (
        sum(r["metrics"].get("padding_sentences", 0) for r in rows) / sentences if sentences else None
    )
    confidence, right = calibration_points(rows)
    metrics["calibration_error"] = expected_calibration_error(confidence, right)
    return {key: None if value is None else round(value, 4) for key, value in metrics.items()}


def calibration_points(rows: list[Row]) -> tuple[list[float], list[bool]]:
    """(confidence, right) of every answered turn: what the confidence claims against what happened."""
    answered = [r for r in rows if not r["abstained"]]
    return [float(r.get("confidence", 0.0)) for r in answered], [
        r["answerable"] and r["metrics"]["correct"] == 1.0 for r in answered
    ]


def latency(rows: list[Row]) -> dict[str, float | None]:
    totals = [float(r["timings"].get("total", 0.0)) for r in rows]
    values = {"p50_ms": percentile(totals, 50), "p95_ms": percentile(totals, 95), "mean_ms": mean(totals)}
    return {key: None if v is None else round(v, 1) for key, v in values.items()}


def by_tag(rows: list[Row]) -> dict[str, dict[str, float | int | None]]:
    """answer_correct per tag, over every turn of the tagged cases (an unanswerable turn is correct
    when it abstains, so the `unanswerable` tag reads as abstention accuracy)."""
    tags = sorted({t for r in rows for t in r["tags"]})
    result = {}
    for tag in tags:
        tagged = [r for r in rows if tag in r["tags"]]
        value = _average(tagged, "correct")
        result[tag] = {"answer_correct": None if value is None else round(value, 4), "n": len(tagged)}
    return result


def summarise_run(run: Run, rows: list[Row], seconds: float) -> dict[str, Any]:
    return {
        "k": run.k,
        "overrides": run.overrides,
        "retriever": "naive dense" if run.overrides.get(BASELINE) else run.settings.retriever,
        "llm": run.settings.llm,
        "info": run.info,
        "seconds": round(seconds, 1),
        "counts": {
            "cases": len({r["case_id"] for r in rows}),
            "turns": len(rows),
            "answerable_turns": sum(r["answerable"] for r in rows),
            "unanswerable_turns": sum(not r["answerable"] for r in rows),
            "followup_turns": sum(r["followup"] for r in rows),
            "abstained_turns": sum(r["abstained"] for r in rows),
            "fallback_turns": sum("fallback" in r.get("backend", "") for r in rows),
            "guard_removed_sentences": sum(r.get("guard_removed", 0) for r in rows),
            **{f"guard_{o}": sum(r.get("guard_outcome") == o for r in rows) for o in GUARD_OUTCOMES},
        },
        "metrics": aggregate(rows),
        "latency_ms": latency(rows),
        "by_tag": by_tag(rows),
        "reliability": reliability_bins(*calibration_points(rows)),
    }
