"""Command line: python -m assistant index | ask | chat | serve | status (also as `peninsula`)."""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from assistant.llms import backend_names
from assistant.settings import RETRIEVAL_MODES, Settings

if TYPE_CHECKING:
    from assistant.answer import Answer

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Offline, cited answers about Korean-peninsula diplomacy."
)
console = Console(stderr=True, soft_wrap=True)  # one message, one line, whatever the width
out = Console(highlight=False, soft_wrap=True)  # long paths and reasons stay on one line


class State:
    settings: Settings


state = State()


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


@app.callback()
def configure(
    data_dir: Path | None = typer.Option(None, help="Data folder (index, feedback) [ASSISTANT_DATA_DIR]"),
    corpus: list[Path] | None = typer.Option(
        None, "--corpus", help="Corpus folder; repeat for several [ASSISTANT_CORPUS_DIRS]"
    ),
    retriever: str | None = typer.Option(None, help=f"{' | '.join(RETRIEVAL_MODES)} [ASSISTANT_RETRIEVER]"),
    k: int | None = typer.Option(None, "--k", help="Passages per answer [ASSISTANT_TOP_K]"),
    llm: str | None = typer.Option(None, help=f"{backend_names()} [ASSISTANT_LLM]"),
    llm_model: str | None = typer.Option(None, help="LLM model name [ASSISTANT_LLM_MODEL]"),
    llm_base_url: str | None = typer.Option(None, help="LLM server URL [ASSISTANT_LLM_BASE_URL]"),
    guard: str | None = typer.Option(
        None, help="remove | fallback: what to do with unsupported generated sentences [ASSISTANT_GUARD]"
    ),
    chroma_url: str | None = typer.Option(None, help="Chroma server URL [ASSISTANT_CHROMA_URL]"),
) -> None:
    """Settings come from ASSISTANT_* variables; these flags override them."""
    try:
        state.settings = Settings().with_overrides(
            data_dir=data_dir,
            corpus_dirs=corpus or None,
            retriever=retriever,
            top_k=k,
            llm=llm,
            chroma_url=chroma_url,
            llm_model=llm_model,
            llm_base_url=llm_base_url,
            guard=guard,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"setting {'.'.join(str(p) for p in first['loc'])}: {first['msg']}", 2)


def _assistant():
    from assistant.service import Assistant

    try:
        return Assistant(state.settings)
    except ValueError as exc:
        fail(str(exc), 2)


def _answer_or_fail(assistant, question: str, history: list, live: bool = False) -> Answer:
    """The answer; with `live`, an LLM's tokens are shown on stderr as they arrive (the checked answer
    then goes to stdout, so piped output holds only what the guard kept)."""
    from assistant.answer import Answer
    from assistant.service import QuestionRejected
    from index.chroma_store import ChromaUnavailable
    from index.generation import IndexMismatch, IndexMissing

    try:
        answer, streamed = None, False
        for item in assistant.stream(question, history):
            if isinstance(item, Answer):
                answer = item
            elif live:
                console.print(item, end="", style="dim", markup=False, highlight=False, soft_wrap=True)
                streamed = True
        if streamed:
            console.print("\n[dim]-- checked answer --[/dim]")
        assert answer is not None, "Assistant.stream ends with the Answer"
        return answer
    except (QuestionRejected, IndexMissing, IndexMismatch, ChromaUnavailable) as exc:
        fail(str(exc))


def _print_answer(answer) -> None:
    out.print(answer.text)
    if answer.citations:
        out.print("\nSources:\n" + answer.sources_block())
    if answer.abstained and answer.related:
        out.print("\nRelated (not an answer):")
        for p in answer.related:
            out.print(f"- {p.title} ({p.date_label}): {p.text[:160]}…")
    for note in answer.notes if answer.backend != "extractive" else []:
        console.print(f"[yellow]note:[/yellow] {note}", markup=True, highlight=False)
    if answer.guard and answer.guard.removed and not answer.guard.fell_back:
        for removed in answer.guard.removed:
            console.print(f"[dim]  removed: {removed.text} ({removed.reason})[/dim]", highlight=False)
    for repaired in answer.guard.repaired if answer.guard and not answer.guard.fell_back else []:
        console.print(f"[dim]  repaired {repaired.label()}: {repaired.text} ({repaired.reason})[/dim]", highlight=False)
    console.print(
        f"[dim]{answer.backend} · retrieve {answer.timings_ms.get('retrieve', 0):.0f} ms · "
        f"answer {answer.timings_ms.get('answer', 0):.0f} ms[/dim]"
    )


def _json(answer) -> str:
    """One answer as one line of JSON: the shape of `Answer.to_dict` (README, "Answer JSON")."""
    return json.dumps(answer.to_dict(), ensure_ascii=False)


@app.command()
def index(
    full: bool = typer.Option(False, "--full", help="Rebuild everything instead of only what changed"),
    strict: bool = typer.Option(False, "--strict", help="Fail when any file is skipped"),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON"),
) -> None:
    """Build or update the index from the corpus folders."""
    from assistant.progress import BuildProgress
    from index.build import BuildLocked
    from index.chroma_store import ChromaUnavailable

    assistant = _assistant()
    # A bar on a terminal; one line per event (stderr) in a log, so a long build is never silent.
    with BuildProgress(console, live=False if json_out else None) as progress:
        try:
            summary = assistant.build_index(full=full, strict=strict, progress=progress)
        except (BuildLocked, ValueError, ChromaUnavailable) as exc:
            fail(str(exc))
    if json_out:
        print(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    s = summary
    verb = "Index up to date" if s.noop else "Indexed"
    out.print(
        f"{verb}: {s.documents} documents, {s.chunks} chunks in {s.seconds:.1f} s "
        f"(added {len(s.added)}, changed {len(s.changed)}, removed {len(s.removed)}, unchanged {len(s.unchanged)}; "
        f"{s.embedded_chunks} chunks embedded)"
    )
    for skipped in s.skipped:
        out.print(f"  skipped {skipped.path}: {skipped.reason}")


@app.command()
def ask(question: str, json_out: bool = typer.Option(False, "--json", help="Print the answer as JSON")) -> None:
    """Answer one question."""
    answer = _answer_or_fail(_assistant(), question, [], live=not json_out)
    print(_json(answer)) if json_out else _print_answer(answer)


@app.command()
def chat(
    jsonl: bool = typer.Option(False, "--jsonl", help="Read questions from stdin, one per line; write JSON answers"),
) -> None:
    """A conversation in the terminal; follow-up questions use the earlier turns."""
    assistant = _assistant()
    history: list[tuple[str, str]] = []
    if jsonl:
        for line in sys.stdin:
            question = line.strip()
            if not question:
                continue
            answer = _answer_or_fail(assistant, question, history)
            print(_json(answer), flush=True)  # plain print: rich would wrap the JSON line
            history.append((question, answer.text))
        return
    console.print("Ask about Lee Jae-myung's North Korea policy and regional dynamics. Empty line or Ctrl-D quits.")
    while True:
        try:
            question = input("\n> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        answer = _answer_or_fail(assistant, question, history, live=True)
        _print_answer(answer)
        history.append((question, answer.text))


@app.command()
def status() -> None:
    """Show what the current index holds."""
    from index.generation import IndexMissing

    try:
        info = _assistant().index_status()
    except IndexMissing as exc:
        fail(str(exc))
    for key, value in info.items():
        out.print(f"{key:>16}: {value}")


@app.command("eval")
def evaluate(
    testsets: list[Path] | None = typer.Argument(None, help="Test set files (.jsonl or .csv)"),
    out_dir: Path = typer.Option(
        Path("eval-out"), "--out", help="Folder for results.jsonl, summary.json, report.md/.html"
    ),
    runs: list[str] | None = typer.Option(
        None, "--run", help=f"{' | '.join(RETRIEVAL_MODES)} | naive-langchain | NAME:key=value,...; repeat to compare"
    ),
    sets: list[str] | None = typer.Option(None, "--set", help="Setting override key=value, e.g. --set top_k=8"),
    fail_unders: list[str] | None = typer.Option(None, "--fail-under", help="metric=value; exit 1 when below"),
    fail_overs: list[str] | None = typer.Option(
        None, "--fail-over", help="metric=value; exit 1 when above (padding_share, calibration_error)"
    ),
    compare_dirs: list[Path] | None = typer.Option(
        None, "--compare", help="Compare two earlier output folders: --compare A --compare B"
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar"),
) -> None:
    """Evaluate answers against test sets and write a report with plots."""
    from assistant.evaluation import runner
    from assistant.evaluation.testset import TestsetError
    from index.generation import IndexMismatch, IndexMissing

    if compare_dirs:
        if len(compare_dirs) != 2:
            fail("--compare takes two folders: --compare A --compare B")
        try:
            out.print(runner.compare(compare_dirs[0], compare_dirs[1]))
        except (OSError, ValueError) as exc:
            fail(str(exc))
        return
    if not testsets:
        fail("give at least one test set, e.g. corpus/testsets/core.jsonl")
    try:
        settings = state.settings.with_overrides(**runner.parse_assignments(sets or []))
        thresholds = runner.parse_thresholds(fail_unders or [])
        maxima = runner.parse_thresholds(fail_overs or [])
        summary = runner.run_eval(
            list(testsets), settings, out_dir, runner.preset_runs(runs or []) or None, progress=not quiet
        )
    except (TestsetError, IndexMissing, IndexMismatch, ValueError) as exc:
        fail(str(exc))
    for name, run in summary["runs"].items() if isinstance(summary.get("runs"), dict) else []:
        metrics = run.get("metrics", run)
        out.print(
            f"{name}: "
            + ", ".join(f"{k}={v:.3f}" for k, v in metrics.items() if isinstance(v, float) and k in _HEADLINE)
        )
        if run.get("llm", "extractive") != "extractive":  # what the guard did to the generated answers
            counts = run.get("counts", {})
            out.print(
                f"{name} guard: "
                + ", ".join(f"{o.replace('_', ' ')} {counts.get(f'guard_{o}', 0)}" for o in runner.GUARD_OUTCOMES)
            )
    out.print(f"Report: {out_dir / 'report.html'}")
    failures = runner.fail_under(summary, thresholds, maxima=maxima) if thresholds or maxima else []
    for failure in failures:
        console.print(f"[red]outside threshold:[/red] {failure}")
    if failures:
        raise typer.Exit(1)


_HEADLINE = (
    "answer_correct",
    "hit_at_k",
    "abstention_accuracy",
    "followup_accuracy",
    "citation_validity",
    "groundedness",
)

feedback_app = typer.Typer(help="Ratings given in the web chat.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(out_file: Path = typer.Argument(..., help="Where to write the test-set rows (.jsonl)")) -> None:
    """Turn rated answers into test-set rows, so real use becomes evaluation data."""
    from assistant.feedback import export_testset, feedback_path

    try:
        count = export_testset(feedback_path(state.settings.data_dir), out_file)
    except FileNotFoundError as exc:
        fail(str(exc))
    out.print(f"Wrote {count} rows to {out_file}")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default 127.0.0.1) [ASSISTANT_HOST]"),
    port: int | None = typer.Option(None, help="Port (default 7860) [ASSISTANT_PORT]"),
) -> None:
    """Start the web chat (builds the index first if there is none)."""
    settings = state.settings.with_overrides(host=host, port=port)
    frontends = {ep.name: ep for ep in entry_points(group="peninsula.frontends")}
    if "web" not in frontends:
        fail("the web chat is not installed: pip install -e . from the project folder")
    frontends["web"].load()(settings)


def main() -> None:
    app()
