"""What `python -m assistant eval` runs: play test sets through each run (plus an optional naive
baseline), summarise, and write results.jsonl, summary.json and the report. Each step lives in its
own module (runs, play, aggregate, gate, compare, report); this one only orders them, and names what
the CLI uses, so the CLI has one module to import.

The dependency goes one way: runner -> report -> aggregate -> play -> runs; nothing imports runner.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.evaluation.aggregate import summarise_run
from assistant.evaluation.compare import compare
from assistant.evaluation.gate import fail_under, parse_thresholds
from assistant.evaluation.play import GUARD_OUTCOMES, LATENCY_NOTE, play, warm_up
from assistant.evaluation.report import write_report
from assistant.evaluation.runs import RunSpec, check_unique, parse_assignments, prepare_run, preset_runs
from assistant.evaluation.testset import load_testset
from assistant.settings import Settings

__all__ = [
    "GUARD_OUTCOMES",
    "JUDGE_NOTE",
    "compare",
    "fail_under",
    "parse_assignments",
    "parse_thresholds",
    "preset_runs",
    "run_eval",
]

JUDGE_NOTE = "ragas LLM metrics skipped: no judge LLM backend configured"


@contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Callable[..., None]]:
    """A rich bar on stderr; yields advance(description=None)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True, disable=not enabled) as bar:
        task = bar.add_task("evaluating", total=total)

        def advance(description: str | None = None, step: int = 1) -> None:
            bar.update(task, advance=step, description=description or None)  # None: keep the description

        yield advance


def run_eval(
    testsets: list[Path], settings: Settings, out_dir: Path, runs: list[RunSpec] | None = None, progress: bool = True
) -> dict[str, Any]:
    """Play every case of every test set once per run; write results.jsonl, summary.json, report.md
    and report.html into out_dir and return the summary. Test sets are all read before any model
    loads, so a malformed file fails in a second (TestsetError naming file:line)."""
    loaded = [(Path(path), load_testset(Path(path))) for path in testsets]
    runs = runs or [(settings.retriever, {})]
    check_unique(runs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_turns = sum(len(case.turns) for _, cases in loaded for case in cases)
    results: list[dict[str, Any]] = []
    summaries: dict[str, Any] = {}
    with (
        progress_bar(n_turns * len(runs), progress) as advance,
        (out_dir / "results.jsonl").open("w", encoding="utf-8") as handle,
    ):
        for name, overrides in runs:
            advance(f"{name}: preparing", 0)
            started = time.perf_counter()
            run = prepare_run(name, overrides, settings)
            warm_up(run)
            advance(name, 0)
            rows = play(run, loaded, advance)
            summaries[name] = summarise_run(run, rows, time.perf_counter() - started)
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            handle.flush()
            results += rows
    summary = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "testsets": [str(path) for path, _ in loaded],
        "cases": sum(len(cases) for _, cases in loaded),
        "turns": n_turns,
        "notes": [JUDGE_NOTE, LATENCY_NOTE],
        "runs": summaries,
    }
    (out_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    write_report(out_dir, summary, results)
    return summary
