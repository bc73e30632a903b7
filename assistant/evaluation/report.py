"""Evaluation reports: report.md for reviews and diffs, and a self-contained report.html (inline CSS,
plots embedded as base64 PNG) that opens offline in any browser, with nothing to fetch."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.evaluation.aggregate import LATENCY, METRICS
from assistant.evaluation.play import GUARD_OUTCOMES

PLOTTED = (
    "answer_correct",
    "followup_accuracy",
    "abstention_accuracy",
    "hit_at_k",
    "mrr",
    "context_recall",
    "token_f1",
    "embedding_similarity",
    "citation_validity",
    "groundedness",
)
Table = tuple[list[str], list[list[str]]]

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;
color:#1d2330}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d8dce4;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:14px}
th,td{border:1px solid #d8dce4;padding:.3rem .6rem;vertical-align:top}
th{background:#f1f3f7;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:.4rem .8rem}img{max-width:100%;height:auto}
.small{font-size:13px;color:#555}
"""


# -- tables ---------------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def metrics_table(summary: dict[str, Any]) -> Table:
    runs = summary["runs"]
    rows = [[key] + [_fmt(r["metrics"].get(key)) for r in runs.values()] for key in METRICS]
    rows += [[f"latency {key}"] + [_fmt(r["latency_ms"].get(key), 0) for r in runs.values()] for key in LATENCY]
    rows += [
        ["k"] + [str(r["k"]) for r in runs.values()],
        ["turns"] + [str(r["counts"]["turns"]) for r in runs.values()],
    ]
    generated = [r.get("llm", "extractive") != "extractive" for r in runs.values()]
    if any(generated):  # what the faithfulness guard did to each LLM run's answers, in turns
        for outcome in GUARD_OUTCOMES:
            cells = [
                str(r["counts"].get(f"guard_{outcome}", 0)) if llm else "n/a"
                for r, llm in zip(runs.values(), generated)
            ]
            rows.append([f"guard: {outcome.replace('_', ' ')}"] + cells)
    return ["metric"] + list(runs), rows


def tag_table(summary: dict[str, Any]) -> Table:
    runs = summary["runs"]
    tags = sorted({t for r in runs.values() for t in r["by_tag"]})
    rows = []
    for tag in tags:
        cells = [r["by_tag"].get(tag, {}) for r in runs.values()]
        rows.append([tag] + [f"{_fmt(c.get('answer_correct'))} (n={c.get('n', 0)})" for c in cells])
    return ["tag"] + list(runs), rows


def why_failed(row: dict[str, Any]) -> str:
    m = row["metrics"]
    if not row["answerable"]:
        return "answered an unanswerable question"
    if row["abstained"]:
        return "abstained" + (" (evidence retrieved)" if m.get("hit_at_k") else " (evidence not retrieved)")
    return f"facts {m.get('facts', 0):.2f}" + ("" if m.get("hit_at_k", 1) else ", evidence not retrieved")


def failures_table(summary: dict[str, Any], results: list[dict[str, Any]]) -> Table:
    """Turns the first run got wrong, with what was expected and what it said."""
    first = next(iter(summary["runs"]), None)
    rows = [
        [
            r["case_id"] + (f" #{r['turn'] + 1}" if r["n_turns"] > 1 else ""),
            ", ".join(r["tags"]),
            r["question"],
            r["reference"],
            r["answer"],
            why_failed(r),
        ]
        for r in results
        if r["run"] == first and not r["metrics"].get("correct")
    ]
    return ["case", "tags", "question", "expected", "answer", "why"], rows


# -- markdown -------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> list[str]:
    headers, rows = table
    lines = ["| " + " | ".join(_md_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]


def _intro(summary: dict[str, Any]) -> str:
    return (
        f"Created {summary['created_at']} from {', '.join(summary['testsets'])}: "
        f"{summary['cases']} cases, {summary['turns']} turns per run."
    )


def _run_lines(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(run name, what it is and how long it took), for the list under the title."""
    return [
        (name, f"{r['info'].get('pipeline', '')}; k={r['k']}; {r['seconds']} s") for name, r in summary["runs"].items()
    ]


def markdown_report(summary: dict[str, Any], results: list[dict[str, Any]]) -> str:
    first = next(iter(summary["runs"]), "")
    failed = failures_table(summary, results)
    lines = [
        "# Peninsula evaluation",
        "",
        _intro(summary),
        "",
        *[f"- **{name}**: {text}" for name, text in _run_lines(summary)],
        "",
    ]
    lines += [f"> {note}" for note in summary.get("notes", [])]
    lines += ["", "## Metrics per run", "", *markdown_table(metrics_table(summary))]
    lines += [
        "",
        "## answer_correct by tag",
        "",
        "Over every turn of the tagged cases; an unanswerable turn counts as correct when it abstains.",
        "",
    ]
    lines += markdown_table(tag_table(summary))
    lines += ["", f"## Failed questions of run {first} ({len(failed[1])})", ""]
    lines += markdown_table(failed) if failed[1] else ["None."]
    return "\n".join(lines) + "\n"


# -- plots ----------------------------------------------------------------------------------------


def _png(fig) -> str:
    """The figure as a data: URI (Agg canvas, no pyplot state, safe in any thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _grouped_bars(labels: Sequence[str], series: dict[str, list[float]], title: str, horizontal: bool = False) -> str:
    from matplotlib.figure import Figure

    height = max(3.5, 0.32 * len(labels) * max(1, len(series)) / 2) if horizontal else 4.2
    fig = Figure(figsize=(10, height))
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(series))
    positions = range(len(labels))
    for i, (name, values) in enumerate(series.items()):
        offsets = [p + (i - (len(series) - 1) / 2) * width for p in positions]
        (ax.barh if horizontal else ax.bar)(offsets, values, width, label=name)
    if horizontal:
        ax.set_yticks(list(positions), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
    else:
        ax.set_xticks(list(positions), labels, rotation=30, ha="right")
        ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.grid(axis="x" if horizontal else "y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _png(fig)


def metrics_plot(summary: dict[str, Any]) -> str:
    series = {name: [r["metrics"].get(k) or 0.0 for k in PLOTTED] for name, r in summary["runs"].items()}
    return _grouped_bars(PLOTTED, series, "Key metrics per run (n/a drawn as 0)")


def tag_plot(summary: dict[str, Any]) -> str:
    tags = sorted({t for r in summary["runs"].values() for t in r["by_tag"]})
    series = {
        name: [(r["by_tag"].get(t, {}).get("answer_correct") or 0.0) for t in tags]
        for name, r in summary["runs"].items()
    }
    return _grouped_bars(tags, series, "answer_correct by tag", horizontal=True)


def reliability_plot(summary: dict[str, Any]) -> str:
    """Confidence bucket -> share of answered turns that were right, per run; the diagonal is perfect calibration."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for name, run in summary["runs"].items():
        bins = run.get("reliability") or []
        if bins:
            ax.plot([b["confidence"] for b in bins], [b["right"] for b in bins], marker="o", label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence shown (answered turns)")
    ax.set_ylabel("share right")
    ax.set_title("Reliability of the confidence")
    ax.legend(fontsize=8, loc="upper left")
    return _png(fig)


def latency_plot(summary: dict[str, Any], results: list[dict[str, Any]]) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3.8))
    ax = fig.add_subplot()
    totals = {name: [r["timings"].get("total", 0.0) for r in results if r["run"] == name] for name in summary["runs"]}
    values = [v for vs in totals.values() for v in vs] or [0.0]
    low, high = min(values), max(values)
    edges = [low + (high - low) * i / 30 for i in range(31)] if high > low else 10
    for name, vs in totals.items():
        ax.hist(vs, bins=edges, alpha=0.5, label=name)  # the same bins for every run, so bars compare
    ax.set_xlabel("total ms per turn")
    ax.set_ylabel("turns")
    ax.set_title("Latency per turn")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _png(fig)


# -- html -----------------------------------------------------------------------------------------


def html_table(table: Table) -> str:
    headers, rows = table

    def cell(text: str) -> str:
        numeric = text.replace(".", "", 1).replace("-", "", 1).replace("+", "", 1).isdigit() or text == "n/a"
        return f"<td class=num>{html.escape(text)}</td>" if numeric else f"<td>{html.escape(text)}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(uri: str, alt: str) -> str:
    return f'<img src="{uri}" alt="{html.escape(alt)}">'


def html_report(summary: dict[str, Any], results: list[dict[str, Any]]) -> str:
    first = next(iter(summary["runs"]), "")
    failed = failures_table(summary, results)
    runs = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>" for name, text in _run_lines(summary))
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Peninsula evaluation</title>",
        f"<style>{CSS}</style></head><body><h1>Peninsula evaluation</h1>",
        f"<p>{html.escape(_intro(summary))}</p><ul>{runs}</ul>",
        "".join(f"<p class=note>{html.escape(n)}</p>" for n in summary.get("notes", [])),
        "<h2>Metrics per run</h2>",
        html_table(metrics_table(summary)),
        _img(metrics_plot(summary), "Key metrics per run"),
        "<h2>answer_correct by tag</h2><p class=small>Over every turn of the tagged cases; "
        "an unanswerable turn counts as correct when it abstains.</p>",
        html_table(tag_table(summary)),
        _img(tag_plot(summary), "answer_correct by tag"),
        "<h2>Calibration</h2><p class=small>Answered turns bucketed by the confidence shown; calibration_error in the "
        "table above is the expected calibration error over these buckets.</p>",
        _img(reliability_plot(summary), "Reliability plot"),
        "<h2>Latency</h2>",
        _img(latency_plot(summary, results), "Latency histogram"),
        f"<h2>Failed questions of run {html.escape(first)} ({len(failed[1])})</h2>",
        html_table(failed) if failed[1] else "<p>None.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(out_dir: Path, summary: dict[str, Any], results: list[dict[str, Any]]) -> tuple[Path, Path]:
    """Write report.md and report.html into out_dir; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md, page = out_dir / "report.md", out_dir / "report.html"
    md.write_text(markdown_report(summary, results), encoding="utf-8")
    page.write_text(html_report(summary, results), encoding="utf-8")
    return md, page
