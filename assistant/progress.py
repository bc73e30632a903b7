"""Index build progress for people: a live bar on a terminal, one plain line per event in a log.

The builder reports `(stage, done, total)`; here that becomes files, chunks, chunks/s and an ETA. A CI log
gets a line when a stage starts, every `every_s` seconds while it runs, and when it ends, never a bar
redrawn a thousand times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

STAGES = {"loading": "files", "chunking": "files", "embedding": "chunks", "lexical": "steps", "storing": "chunks"}


def describe(stage: str, done: int, total: int, elapsed: float) -> tuple[str, float | None, float | None]:
    """(`done/total unit`, items per second, seconds left) of one stage, for any display."""
    rate = done / elapsed if elapsed > 0 and done else None
    eta = (total - done) / rate if rate and total >= done else None
    return f"{done:,}/{total:,} {STAGES.get(stage, 'items')}", rate, eta


def _seconds(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


class BuildProgress:
    """A progress hook and context manager; `live=None` picks the bar when the console is a terminal."""

    def __init__(
        self,
        console: Console,
        live: bool | None = None,
        every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.live = console.is_terminal if live is None else live
        self.every_s = every_s
        self.clock = clock
        self._started: dict[str, float] = {}
        self._last_line: dict[str, float] = {}
        self._finished: set[str] = set()
        self._bar: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> BuildProgress:
        if self.live:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TextColumn("{task.fields[rate]}"),
                TextColumn("ETA {task.fields[eta]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        started = self._started.setdefault(stage, now)
        count, rate, eta = describe(stage, done, total, now - started)
        unit = STAGES.get(stage, "items")
        rate_text = f"{rate:,.1f} {unit}/s" if rate else ""
        if self._bar is not None:
            if stage not in self._tasks:
                self._tasks[stage] = self._bar.add_task(stage, total=max(total, 1), count="", rate="", eta="?")
            self._bar.update(
                self._tasks[stage], completed=done, total=max(total, 1), count=count, rate=rate_text, eta=_seconds(eta)
            )
            return
        first = stage not in self._last_line
        last = done >= total and stage not in self._finished
        if not (first or last or now - self._last_line[stage] >= self.every_s):
            return
        self._last_line[stage] = now
        if last:
            self._finished.add(stage)
        state = "done" if last else ("start" if first else "running")
        extra = f", {rate_text}" if rate_text and not first else ""
        extra += f", ETA {_seconds(eta)}" if state == "running" else ""
        extra += f" in {now - started:.1f} s" if state == "done" else ""
        self.console.print(f"index {stage} {state}: {count}{extra}", markup=False, highlight=False)
