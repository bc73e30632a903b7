"""`eval --compare A --compare B`: two earlier evaluations side by side, read from their
summary.json, with the delta B - A per metric. Needs no model or index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.evaluation.aggregate import LATENCY, METRICS


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
        old, new = a["metrics"].get(key), b["metrics"].get(key)
        lines.append(f"| {key} | {_cell(old)} | {_cell(new)} | {_delta(old, new)} |")
    for key in LATENCY:
        old, new = a["latency_ms"].get(key), b["latency_ms"].get(key)
        lines.append(f"| latency {key} | {_cell(old, True)} | {_cell(new, True)} | {_delta(old, new, True)} |")
    lines.append(f"| k | {a.get('k')} | {b.get('k')} | |")
    return lines


def compare(dir_a: Path, dir_b: Path) -> str:
    """Markdown: the two evaluations side by side with deltas, one table per pair of runs."""
    a, b = load_summary(dir_a), load_summary(dir_b)
    lines = [
        "# Evaluation comparison",
        "",
        f"- A: `{dir_a}` ({a.get('created_at', '?')})",
        f"- B: `{dir_b}` ({b.get('created_at', '?')})",
    ]
    if a.get("testsets") != b.get("testsets") or a.get("turns") != b.get("turns"):
        lines += [
            "",
            f"> Different test sets (A: {a.get('turns')} turns of {a.get('testsets')}; B: {b.get('turns')} turns of "
            f"{b.get('testsets')}): deltas mix test-set and system changes.",
        ]
    for name_a, name_b in _pairs(a, b):
        lines += ["", f"## {name_a}" if name_a == name_b else f"## A: {name_a} vs B: {name_b}", ""]
        lines += compare_runs(a["runs"][name_a], b["runs"][name_b], name_a, name_b)
    paired_a = {x for x, _ in _pairs(a, b)}
    paired_b = {y for _, y in _pairs(a, b)}
    only = [f"only in A: {n}" for n in a["runs"] if n not in paired_a] + [
        f"only in B: {n}" for n in b["runs"] if n not in paired_b
    ]
    if only:
        lines += ["", "Not compared: " + "; ".join(only)]
    return "\n".join(lines) + "\n"
