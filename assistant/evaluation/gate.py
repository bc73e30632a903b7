"""The quality gate (`eval --fail-under metric=value`, `--fail-over metric=value`): which metrics of a
summary fall below their minimum or rise above their maximum (padding, calibration error: lower is
better). It only reads a summary, so a gate can be checked against any earlier evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from assistant.evaluation.runs import parse_assignments


def parse_thresholds(items: Iterable[str]) -> dict[str, float]:
    """`metric=value` strings (from --fail-under) as floats, naming the bad one on error."""
    thresholds: dict[str, float] = {}
    for key, value in parse_assignments(items, "threshold").items():
        try:
            thresholds[key] = float(value)
        except ValueError:
            raise ValueError(f"threshold {key}={value!r} is not a number") from None
    return thresholds


def fail_under(
    summary: dict[str, Any],
    thresholds: dict[str, float],
    run: str | None = None,
    maxima: dict[str, float] | None = None,
) -> list[str]:
    """Messages for each metric below its minimum (or above its maximum, from `maxima`) in `run`
    (default: the first run); empty = pass. An unknown or unmeasured metric fails too: a gate that
    cannot be checked must not pass silently."""
    runs = summary.get("runs") or {}
    name = run or next(iter(runs), None)
    if name not in runs:
        return [f"no run named {name!r} in the summary (runs: {', '.join(runs) or 'none'})"]
    metrics = runs[name]["metrics"]
    failures = []
    limits = [(m, v, "<") for m, v in thresholds.items()] + [(m, v, ">") for m, v in (maxima or {}).items()]
    for metric, limit, side in limits:
        value = metrics.get(metric)
        if metric not in metrics:
            failures.append(f"{metric}: unknown metric (known: {', '.join(metrics)})")
        elif value is None:
            failures.append(f"{metric}: not measured in run {name} (no turn applies)")
        elif (value < limit) if side == "<" else (value > limit):
            failures.append(f"{metric} {value:.3f} {side} {limit:.3f} (run {name})")
    return failures
