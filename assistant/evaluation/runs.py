"""What a run is: a name and settings overrides, e.g. ("dense", {"retriever": "dense"}), built into
something that answers. The overrides {"__baseline__": True} select the naive LangChain pipeline
instead of the assistant. Kept apart from playing and scoring so the CLI can check run specs (and fail
on a typo) before any model loads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.answer import Answer
from assistant.settings import RETRIEVAL_MODES, RetrievalMode, Settings
from index.embedder import Embedder

RunSpec = tuple[str, dict[str, Any]]
BASELINE = "__baseline__"
# Named runs the CLI can ask for by name (`--run dense`), in the order they are usually compared.
PRESETS: dict[str, dict[str, Any]] = {
    **{mode: {"retriever": mode} for mode in RETRIEVAL_MODES},
    "naive-langchain": {BASELINE: True},
}


class Asker(Protocol):
    embedder: Embedder  # what it retrieves with; answer similarity is measured with it too

    def ask(
        self,
        question: str,
        history: Iterable[Any] | None = None,
        k: int | None = None,
        retriever: RetrievalMode | None = None,
    ) -> Answer: ...


@dataclass
class Run:
    """A configuration being played: its settings, what answers, and the k retrieval metrics use."""

    name: str
    overrides: dict[str, Any]
    settings: Settings
    asker: Asker
    k: int
    info: dict[str, Any]


def preset_runs(names: Iterable[str]) -> list[RunSpec]:
    """Runs by preset name (hybrid, dense, bm25, naive-langchain), or `NAME:key=value,...` for a run with
    its own settings on top of the preset of that name (if any), e.g. `generative:llm=openai` beside
    `hybrid` compares the extractive and an LLM answerer in one report. An unknown bare name is an error."""
    runs = []
    for spec in names:
        name, sep, assignments = spec.partition(":")
        name = name.strip()
        if not sep and name not in PRESETS:
            raise ValueError(
                f"unknown run {name!r}; available: {', '.join(PRESETS)}, or NAME:key=value,... for your own"
            )
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


def check_unique(runs: list[RunSpec]) -> None:
    """Run names key the summary and results.jsonl, so two runs of one name would overwrite each other."""
    names = [name for name, _ in runs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"run names must be unique: {', '.join(duplicates)}")


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
    info = {
        "pipeline": f"{run_settings.retriever} top-{run_settings.top_k} + {assistant.answerer.name} answerer",
        **assistant.index_status(),
    }
    return Run(name, dict(overrides), run_settings, assistant, run_settings.top_k, info)
