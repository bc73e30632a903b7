"""Plays test sets through the assistant (one run per configuration, plus an optional naive
baseline), scores every turn without a judge LLM, and writes results.jsonl, summary.json and a report.

A run is a name and settings overrides, e.g. ("dense", {"retriever": "dense"}); the overrides
{"__baseline__": True} select the naive LangChain pipeline instead of the assistant. Multi-turn cases
are played as one conversation: each turn sees the earlier (question, answer) pairs, as in the chat.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from assistant.answer import Answer
from assistant.evaluation.metrics import (
    abstention_scores, embedding_similarities, expected_calibration_error, mean, percentile, reliability_bins, turn_metrics,
)
from assistant.evaluation.testset import Case, TurnCase, load_testset
from assistant.settings import RETRIEVAL_MODES, Settings

RunSpec = tuple[str, dict[str, Any]]
BASELINE = "__baseline__"
JUDGE_NOTE = "ragas LLM metrics skipped: no judge LLM backend configured"
# Named runs the CLI can ask for by name (`--run dense`), in the order they are usually compared.
PRESETS: dict[str, dict[str, Any]] = {
    **{mode: {"retriever": mode} for mode in RETRIEVAL_MODES},
    "naive-langchain": {BASELINE: True},
}
# The metrics of summary["runs"][name]["metrics"], in report order; all are in [0, 1] (None = no turn applies).
METRICS = (
    "answer_correct", "facts_recall", "overall_correct", "followup_accuracy",
    "abstention_accuracy", "abstention_precision", "abstention_recall", "abstention_rate",
    "hit_at_k", "mrr", "context_recall", "context_precision",
    "token_f1", "embedding_similarity", "citation_validity", "groundedness", "padding_share", "calibration_error",
)
LATENCY = ("p50_ms", "p95_ms", "mean_ms")
LATENCY_NOTE = "latency excludes one unrecorded warm-up question per run (index open, model load)"
WARM_UP_QUESTION = "What is this collection of documents about?"


class Asker(Protocol):
    def ask(self, question: str, history: Iterable[Any] | None = None, k: int | None = None, retriever: str | None = None) -> Answer: ...


@dataclass
class Run:
    """A configuration being played: its settings, what answers, and the k retrieval metrics use."""

    name: str
    overrides: dict[str, Any]
    settings: Settings
    asker: Asker
    k: int
    info: dict[str, Any]


# -- configuration --------------------------------------------------------------------------------

def preset_runs(names: Iterable[str]) -> list[RunSpec]:
    """Runs by preset name (hybrid, dense, bm25, naive-langchain), or `NAME:key=value,...` for a run with
    its own settings on top of the preset of that name (if any), e.g. `generative:llm=openai` beside
    `hybrid` compares the extractive and an LLM answerer in one report. An unknown bare name is an error."""
    runs = []
    for spec in names:
        name, sep, assignments = spec.partition(":")
        name = name.strip()
        if not sep and name not in PRESETS:
            raise ValueError(f"unknown run {name!r}; available: {', '.join(PRESETS)}, or NAME:key=value,... for your own")
        overrides = dict(PRESETS.get(name, {}))
        overrides.update(parse_assignments([a for a in assignments.split(",") if a.strip()], f"run {name!r} setting"))
        runs.append((name, overrides))
    return runs


def parse_assignments(items: Iterable[str], what: str = "setting") -> dict[str, str]:
    """`key=value` strings (from --set / --fail-under) as a dict; Settings validation converts types."""
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{what} {item!r} is not key=value")
        parsed[key.strip()] = value.strip()
    return parsed


def parse_thresholds(items: Iterable[str]) -> dict[str, float]:
    """`metric=value` strings (from --fail-under) as floats, naming the bad one on error."""
    thresholds: dict[str, float] = {}
    for key, value in parse_assignments(items, "threshold").items():
        try:
            thresholds[key] = float(value)
        except ValueError:
            raise ValueError(f"threshold {key}={value!r} is not a number") from None
    return thresholds


def prepare_run(name: str, overrides: dict[str, Any], settings: Settings) -> Run:
    """Build what answers for this run; fails early (IndexMissing) rather than on the first question."""
    fields = {key: value for key, value in overrides.items() if key != BASELINE}
    run_settings = settings.with_overrides(**fields)
    if overrides.get(BASELINE):
        from assistant.evaluation.baseline import NaiveBaseline

        asker = NaiveBaseline(run_settings)
        return Run(name, dict(overrides), run_settings, asker, asker.k, asker.describe())
    from assistant.service import Assistant

    assistant = Assistant(run_settings)
    info = {"pipeline": f"{run_settings.retriever} top-{run_settings.top_k} + {assistant.answerer.name} answerer", **assistant.index_status()}
    return Run(name, dict(overrides), run_settings, assistant, run_settings.top_k, info)


# -- playing --------------------------------------------------------------------------------------

def turn_row(run: Run, case: Case, index: int, turn: TurnCase, answer: Answer, testset: str) -> dict[str, Any]:
    """One line of results.jsonl: enough to see why a turn passed or failed without re-running it. The
    answer is in its JSON shape (`Answer.to_dict`), with the passages retrieved for it."""
    return {
        "run": run.name, "testset": testset, "case_id": case.id, "turn": index, "n_turns": len(case.turns),
        "followup": case.multi_turn and index > 0, "tags": case.tags, **answer.to_dict(), "question": turn.user_input,
        "reference": turn.reference, "answerable": turn.answerable,
        "retrieved": [p.to_dict() for p in answer.retrieved],
        "metrics": {key: round(value, 4) for key, value in turn_metrics(answer, turn, run.k).items()},
        "guard_removed": len(answer.guard.removed) if answer.guard else 0, "guard_outcome": guard_outcome(answer),
    }


# What the faithfulness guard did to each generated answer, counted per run (summary counts "guard_<outcome>").
GUARD_OUTCOMES = ("whole", "repaired", "partly_removed", "fell_back", "declined")


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


def play_case(run: Run, case: Case, testset: str, on_turn: Callable[[], None] = lambda: None) -> list[dict[str, Any]]:
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


def add_embedding_similarity(rows: list[dict[str, Any]]) -> None:
    """Answer-reference cosine for answerable turns that have a reference, in one batched call."""
    scored = [r for r in rows if r["answerable"] and r["reference"].strip()]
    for row, value in zip(scored, embedding_similarities([r["answer"] for r in scored], [r["reference"] for r in scored])):
        row["metrics"]["embedding_similarity"] = round(value, 4)


# -- summarising ----------------------------------------------------------------------------------

def _average(rows: list[dict[str, Any]], key: str) -> float | None:
    return mean([r["metrics"][key] for r in rows if key in r["metrics"]])


def aggregate(rows: list[dict[str, Any]]) -> dict[str, float | None]:
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
    }
    for key in ("hit_at_k", "mrr", "context_recall", "context_precision", "token_f1", "embedding_similarity", "citation_validity", "groundedness"):
        metrics[key] = _average(answerable, key)
    sentences = sum(r["metrics"].get("answer_sentences", 0) for r in rows)
    metrics["padding_share"] = sum(r["metrics"].get("padding_sentences", 0) for r in rows) / sentences if sentences else None
    confidence, right = calibration_points(rows)
    metrics["calibration_error"] = expected_calibration_error(confidence, right)
    return {key: None if value is None else round(value, 4) for key, value in metrics.items()}


def calibration_points(rows: list[dict[str, Any]]) -> tuple[list[float], list[bool]]:
    """(confidence, right) of every answered turn: what the confidence claims against what happened."""
    answered = [r for r in rows if not r["abstained"]]
    return [float(r.get("confidence", 0.0)) for r in answered], [r["answerable"] and r["metrics"]["correct"] == 1.0 for r in answered]


def latency(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    totals = [float(r["timings"].get("total", 0.0)) for r in rows]
    values = {"p50_ms": percentile(totals, 50), "p95_ms": percentile(totals, 95), "mean_ms": mean(totals)}
    return {key: None if v is None else round(v, 1) for key, v in values.items()}


def by_tag(rows: list[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """answer_correct per tag, over every turn of the tagged cases (an unanswerable turn is correct
    when it abstains, so the `unanswerable` tag reads as abstention accuracy)."""
    tags = sorted({t for r in rows for t in r["tags"]})
    result = {}
    for tag in tags:
        tagged = [r for r in rows if tag in r["tags"]]
        value = _average(tagged, "correct")
        result[tag] = {"answer_correct": None if value is None else round(value, 4), "n": len(tagged)}
    return result


def summarise_run(run: Run, rows: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    return {
        "k": run.k, "overrides": run.overrides, "retriever": "naive dense" if run.overrides.get(BASELINE) else run.settings.retriever, "llm": run.settings.llm,
        "info": run.info, "seconds": round(seconds, 1),
        "counts": {
            "cases": len({r["case_id"] for r in rows}), "turns": len(rows),
            "answerable_turns": sum(r["answerable"] for r in rows), "unanswerable_turns": sum(not r["answerable"] for r in rows),
            "followup_turns": sum(r["followup"] for r in rows), "abstained_turns": sum(r["abstained"] for r in rows),
            "fallback_turns": sum("fallback" in r.get("backend", "") for r in rows),
            "guard_removed_sentences": sum(r.get("guard_removed", 0) for r in rows),
            **{f"guard_{o}": sum(r.get("guard_outcome") == o for r in rows) for o in GUARD_OUTCOMES},
        },
        "metrics": aggregate(rows), "latency_ms": latency(rows), "by_tag": by_tag(rows),
        "reliability": reliability_bins(*calibration_points(rows)),
    }


# -- the whole evaluation -------------------------------------------------------------------------

@contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Callable[..., None]]:
    """A rich bar on stderr; yields advance(description=None)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True, disable=not enabled) as bar:
        task = bar.add_task("evaluating", total=total)

        def advance(description: str | None = None, step: int = 1) -> None:
            bar.update(task, advance=step, **({"description": description} if description else {}))

        yield advance


def _check_runs(runs: list[RunSpec]) -> None:
    names = [name for name, _ in runs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"run names must be unique: {', '.join(duplicates)}")


def run_eval(testsets: list[Path], settings: Settings, out_dir: Path, runs: list[RunSpec] | None = None,
             progress: bool = True) -> dict[str, Any]:
    """Play every case of every test set once per run; write results.jsonl, summary.json, report.md
    and report.html into out_dir and return the summary. Test sets are all read before any model
    loads, so a malformed file fails in a second (TestsetError naming file:line)."""
    loaded = [(Path(path), load_testset(Path(path))) for path in testsets]
    runs = runs or [(settings.retriever, {})]
    _check_runs(runs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_turns = sum(len(case.turns) for _, cases in loaded for case in cases)
    results: list[dict[str, Any]] = []
    summaries: dict[str, Any] = {}
    with progress_bar(n_turns * len(runs), progress) as advance, (out_dir / "results.jsonl").open("w", encoding="utf-8") as handle:
        for name, overrides in runs:
            advance(f"{name}: preparing", 0)
            started = time.perf_counter()
            run = prepare_run(name, overrides, settings)
            warm_up(run)
            advance(name, 0)
            rows = [row for path, cases in loaded for case in cases for row in play_case(run, case, path.name, advance)]
            add_embedding_similarity(rows)
            summaries[name] = summarise_run(run, rows, time.perf_counter() - started)
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            handle.flush()
            results += rows
    summary = {
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "testsets": [str(path) for path, _ in loaded], "cases": sum(len(cases) for _, cases in loaded), "turns": n_turns,
        "notes": [JUDGE_NOTE, LATENCY_NOTE], "runs": summaries,
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    from assistant.evaluation.report import write_report

    write_report(out_dir, summary, results)
    return summary


# -- gates and comparisons ------------------------------------------------------------------------

def fail_under(summary: dict[str, Any], thresholds: dict[str, float], run: str | None = None) -> list[str]:
    """Messages for each metric below its minimum in `run` (default: the first run); empty = pass.
    An unknown or unmeasured metric fails too: a gate that cannot be checked must not pass silently."""
    runs = summary.get("runs") or {}
    name = run or next(iter(runs), None)
    if name not in runs:
        return [f"no run named {name!r} in the summary (runs: {', '.join(runs) or 'none'})"]
    metrics = runs[name]["metrics"]
    failures = []
    for metric, minimum in thresholds.items():
        value = metrics.get(metric)
        if metric not in metrics:
            failures.append(f"{metric}: unknown metric (known: {', '.join(metrics)})")
        elif value is None:
            failures.append(f"{metric}: not measured in run {name} (no turn applies)")
        elif value < minimum:
            failures.append(f"{metric} {value:.3f} < {minimum:.3f} (run {name})")
    return failures


def load_summary(path: Path) -> dict[str, Any]:
    """summary.json from an output folder (or the file itself)."""
    path = Path(path)
    file = path / "summary.json" if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"{file}: no summary.json (run the evaluation with --out {path} first)")
    return json.loads(file.read_text(encoding="utf-8"))


def _pairs(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str]]:
    """Runs compared: those with the same name; with no name in common, the first run of each."""
    common = [name for name in a["runs"] if name in b["runs"]]
    if common:
        return [(name, name) for name in common]
    return [(next(iter(a["runs"])), next(iter(b["runs"])))] if a["runs"] and b["runs"] else []


def _cell(value: float | None, ms: bool = False) -> str:
    return "n/a" if value is None else (f"{value:.0f}" if ms else f"{value:.3f}")


def _delta(old: float | None, new: float | None, ms: bool = False) -> str:
    if old is None or new is None:
        return "n/a"
    return f"{new - old:+.0f}" if ms else f"{new - old:+.3f}"


def compare_runs(a: dict[str, Any], b: dict[str, Any], label_a: str, label_b: str) -> list[str]:
    """Markdown table lines: one metric per row, A, B and the delta B - A."""
    lines = [f"| metric | A: {label_a} | B: {label_b} | Δ (B − A) |", "|---|---:|---:|---:|"]
    for key in METRICS:
        lines.append(f"| {key} | {_cell(a['metrics'].get(key))} | {_cell(b['metrics'].get(key))} | {_delta(a['metrics'].get(key), b['metrics'].get(key))} |")
    for key in LATENCY:
        old, new = a["latency_ms"].get(key), b["latency_ms"].get(key)
        lines.append(f"| latency {key} | {_cell(old, True)} | {_cell(new, True)} | {_delta(old, new, True)} |")
    lines.append(f"| k | {a.get('k')} | {b.get('k')} | |")
    return lines


def compare(dir_a: Path, dir_b: Path) -> str:
    """Markdown: the two evaluations side by side with deltas, one table per pair of runs."""
    a, b = load_summary(dir_a), load_summary(dir_b)
    lines = ["# Evaluation comparison", "", f"- A: `{dir_a}` ({a.get('created_at', '?')})", f"- B: `{dir_b}` ({b.get('created_at', '?')})"]
    if a.get("testsets") != b.get("testsets") or a.get("turns") != b.get("turns"):
        lines += ["", f"> Different test sets (A: {a.get('turns')} turns of {a.get('testsets')}; B: {b.get('turns')} turns of "
                      f"{b.get('testsets')}): deltas mix test-set and system changes."]
    for name_a, name_b in _pairs(a, b):
        lines += ["", f"## {name_a}" if name_a == name_b else f"## A: {name_a} vs B: {name_b}", ""]
        lines += compare_runs(a["runs"][name_a], b["runs"][name_b], name_a, name_b)
    paired_a = {x for x, _ in _pairs(a, b)}
    paired_b = {y for _, y in _pairs(a, b)}
    only = [f"only in A: {n}" for n in a["runs"] if n not in paired_a] + [f"only in B: {n}" for n in b["runs"] if n not in paired_b]
    if only:
        lines += ["", "Not compared: " + "; ".join(only)]
    return "\n".join(lines) + "\n"
