"""Evaluation: the runner, reports, the naive LangChain baseline, gates and comparisons, and the
project's test set itself. Real model and real index (the session's `corpus_settings`); the test set
is four rows of core.jsonl (one unanswerable, one two-turn), so a full run stays under a few minutes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer import Answer, Citation, Passage
from assistant.evaluation import testset
from assistant.evaluation.aggregate import METRICS, aggregate, by_tag, latency
from assistant.evaluation.baseline import EXCLUDE, covered_sentences
from assistant.evaluation.compare import compare
from assistant.evaluation.gate import fail_under, parse_thresholds
from assistant.evaluation.metrics import abstention_scores, citation_validity, normalise, percentile, token_f1
from assistant.evaluation.play import play_case
from assistant.evaluation.runner import JUDGE_NOTE, run_eval
from assistant.evaluation.runs import Run, check_unique, preset_runs
from assistant.settings import SHIPPED_CORPUS, Settings
from index.loaders import load_corpus
from tests.conftest import SHARED_CORPUS

PROJECT = Path(__file__).resolve().parent.parent
TESTSET = PROJECT / "corpus" / "testsets" / "core.jsonl"
PICKED = ("seed-first-call", "un-lee-climate", "conv-seed-trump", "rel-usfk-troops")
RUNS = [("hybrid", {"retriever": "hybrid"}), ("naive-langchain", {"__baseline__": True})]


def core_rows() -> list[dict]:
    return [json.loads(line) for line in TESTSET.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tiny_testset(tmp_path_factory) -> Path:
    """Four core.jsonl rows; the related one only when its document is beside the checkout."""
    wanted = PICKED if SHARED_CORPUS.is_dir() else PICKED[:3]
    rows = [r for r in core_rows() if r["id"] in wanted]
    assert len(rows) == len(wanted)
    path = tmp_path_factory.mktemp("testset") / "tiny.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def evaluation(corpus_settings, tiny_testset, tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    """One evaluation with two runs, shared by the tests that read its outputs."""
    out = tmp_path_factory.mktemp("eval-out")
    summary = run_eval([tiny_testset], corpus_settings, out, RUNS, progress=False)
    results = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, summary, results


def test_run_eval_writes_results_summary_and_reports(evaluation, tiny_testset):
    out, summary, results = evaluation
    for name in ("results.jsonl", "summary.json", "report.md", "report.html"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    turns = sum(len(r.get("turns", [r])) for r in map(json.loads, tiny_testset.read_text().splitlines()))
    assert len(results) == 2 * turns
    assert [r["run"] for r in results].count("naive-langchain") == turns
    followups = [r for r in results if r["followup"]]
    assert followups and all(r["case_id"] == "conv-seed-trump" and r["turn"] == 1 for r in followups)
    row = results[0]
    assert {
        "run",
        "case_id",
        "turn",
        "tags",
        "question",
        "answer",
        "abstained",
        "citations",
        "retrieved",
        "metrics",
        "timings",
    } <= set(row)
    # The answer's own JSON shape (Answer.to_dict), with the passages retrieved for it in the same shape.
    answer = Answer.from_dict(row).to_dict()
    assert {key: row[key] for key in answer} == answer
    assert Passage.from_dict(row["retrieved"][0]).to_dict() == row["retrieved"][0] and row["retrieved"][0]["text"]
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(summary))


def test_summary_metrics_are_fractions_and_llm_metrics_are_not_faked(evaluation, corpus_settings):
    _, summary, _ = evaluation
    assert list(summary["runs"]) == ["hybrid", "naive-langchain"]
    assert JUDGE_NOTE in summary["notes"]
    for name, run in summary["runs"].items():
        assert set(METRICS) <= set(run["metrics"])
        for key, value in run["metrics"].items():
            assert value is None or 0.0 <= value <= 1.0, (name, key, value)
        for tag, cell in run["by_tag"].items():
            assert 0.0 <= cell["answer_correct"] <= 1.0 and cell["n"] > 0, (name, tag)
        assert run["metrics"]["abstention_recall"] is not None  # the unanswerable row counts
        assert run["latency_ms"]["p50_ms"] <= run["latency_ms"]["p95_ms"]
        assert not any("faithfulness" in key or "relevancy" in key for key in run["metrics"])
    assert summary["runs"]["hybrid"]["k"] == corpus_settings.top_k and summary["runs"]["naive-langchain"]["k"] == 4


def test_html_report_is_self_contained_with_plots(evaluation):
    out, _, _ = evaluation
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 4  # metrics, tags, reliability, latency
    assert not re.search(r"""(src|href)=["']?https?:""", page)  # nothing to fetch: opens offline
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | hybrid | naive-langchain |" in markdown
    assert "answer_correct by tag" in markdown and "Failed questions of run hybrid" in markdown
    assert JUDGE_NOTE in markdown and JUDGE_NOTE in page


def test_fail_under_reports_metrics_below_threshold(evaluation):
    _, summary, _ = evaluation
    value = summary["runs"]["hybrid"]["metrics"]["hit_at_k"]
    assert fail_under(summary, {"hit_at_k": value}) == []
    failures = fail_under(summary, {"hit_at_k": value + 0.01})
    assert len(failures) == 1 and "hit_at_k" in failures[0] and "hybrid" in failures[0]
    baseline = summary["runs"]["naive-langchain"]["metrics"]["answer_correct"]
    assert fail_under(summary, {"answer_correct": baseline + 0.01}, run="naive-langchain")
    assert "unknown metric" in fail_under(summary, {"accuracy": 0.5})[0]
    assert "no run named" in fail_under(summary, {"mrr": 0.1}, run="nope")[0]


def test_compare_shows_both_runs_and_deltas(evaluation, tmp_path):
    out, summary, _ = evaluation
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(out, a)
    shutil.copytree(out, b)
    for folder, mrr in ((a, 0.5), (b, 0.25)):
        edited = json.loads(json.dumps(summary))
        edited["runs"]["hybrid"]["metrics"]["mrr"] = mrr
        (folder / "summary.json").write_text(json.dumps(edited))
    table = compare(a, b)
    assert "hybrid" in table and "naive-langchain" in table
    assert "Δ (B − A)" in table
    assert "| mrr | 0.500 | 0.250 | -0.250 |" in table


def test_baseline_answers_with_a_citation_of_its_own_chunks(evaluation):
    _, _, results = evaluation
    answered = [r for r in results if r["run"] == "naive-langchain" and not r["abstained"]]
    assert answered, "the baseline answered nothing"
    for row in answered:
        assert row["citations"] and re.search(r"\[1\]", row["answer"])
        retrieved = {p["chunk_id"] for p in row["retrieved"]}
        assert all(c["chunk_id"].startswith("naive-") and c["chunk_id"] in retrieved for c in row["citations"])
        assert len(row["retrieved"]) == 4


@pytest.mark.fast
def test_malformed_testset_line_names_file_and_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    good = json.dumps({"id": "ok", "user_input": "Who did Lee call first?", "reference_facts": ["Trump"]})
    path.write_text(good + "\n" + '{"id": "bad", "user_input": \n')
    with pytest.raises(testset.TestsetError, match=re.escape(f"{path}:2")):
        run_eval(
            [path], Settings(data_dir=tmp_path / "data"), tmp_path / "out", progress=False
        )  # before any index is opened
    assert not (tmp_path / "out" / "results.jsonl").exists()


@pytest.mark.fast
def test_reference_contexts_exist_verbatim_in_the_corpus():
    """Every reference passage of core.jsonl stands in its source document (after typography
    folding), so retrieval metrics measure retrieval and not a typo in the test set."""
    dirs = [SHIPPED_CORPUS] + ([SHARED_CORPUS] if SHARED_CORPUS.is_dir() else [])
    texts = {d.doc_id: normalise(d.text) for d in load_corpus(dirs, exclude=EXCLUDE).documents}
    missing, checked_seed = [], 0
    rows = core_rows()
    for line_no, row in enumerate(rows, start=1):
        source = row.get("source")
        if source and source not in texts:
            if SHARED_CORPUS.is_dir():
                missing.append(f"{TESTSET.name}:{line_no} {row['id']}: source {source} not in the corpus")
            continue  # a related document, which lives in ../shared
        haystacks = [texts[source]] if source else list(texts.values())
        for turn in row.get("turns") or [row]:
            for context in turn.get("reference_contexts") or []:
                checked_seed += "seed" in row.get("tags", [])
                if not any(normalise(context) in text for text in haystacks):
                    missing.append(f"{TESTSET.name}:{line_no} {row['id']}: {context[:90]!r}")
    assert not missing, "\n".join(missing)
    seed_contexts = sum(
        len(t.get("reference_contexts") or [])
        for r in rows
        if "seed" in r.get("tags", [])
        for t in r.get("turns") or [r]
    )
    assert checked_seed == seed_contexts > 0


@pytest.mark.fast
@pytest.mark.parametrize(
    "name",
    [
        "honesty2.jsonl",
        "heldout_b.jsonl",
        "honesty4.jsonl",
        "honesty5.jsonl",
        "honesty6.jsonl",
        "heldout_f.jsonl",
        "heldout_g.jsonl",
        "heldout_h.jsonl",
        "honesty7.jsonl",
        "heldout_i.jsonl",
    ],
)
def test_sets_written_from_the_documents_quote_them_and_their_facts_verbatim(name):
    """The sets written from the documents alone (honesty2, honesty4 to honesty7, and heldout_b, heldout_f,
    heldout_g, heldout_h and heldout_i which are never tuned on): each reference passage stands in the
    corpus, each reference fact (or one of its alternatives) in the turn's passages, and an unanswerable
    turn has neither, so a metric never rests on a typo."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip("the related documents live beside the checkout in ../shared/corpus")
    texts = [normalise(d.text) for d in load_corpus([SHIPPED_CORPUS, SHARED_CORPUS], exclude=EXCLUDE).documents]
    path = TESTSET.parent / name
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    problems, turns = [], 0
    for row in rows:
        for turn in row.get("turns") or [row]:
            turns += 1
            contexts = [normalise(c) for c in turn.get("reference_contexts") or []]
            if not turn["answerable"]:
                problems += [f"{row['id']}: unanswerable with facts"] if turn.get("reference_facts") else []
                continue
            problems += [f"{row['id']}: {c[:60]!r}" for c in contexts if not any(c in t for t in texts)]
            for fact in turn.get("reference_facts") or []:
                options = fact if isinstance(fact, list) else [fact]
                if not any(normalise(o) in c for o in options for c in contexts):
                    problems.append(f"{row['id']}: fact {fact!r} not in its passages")
    assert not problems, "\n".join(problems)
    assert turns >= 40 and len(testset.load_testset(path)) == len(rows)


# -- pure functions: no model ---------------------------------------------------------------------


@pytest.mark.fast
def test_abstention_precision_and_recall_treat_abstaining_as_the_positive_class():
    should = [True, True, False, False]
    did = [True, False, True, False]
    assert abstention_scores(should, did) == {"abstention_precision": 0.5, "abstention_recall": 0.5}
    assert abstention_scores([False], [False]) == {"abstention_precision": None, "abstention_recall": None}


def _cited(text: str, cited: dict[int, str], retrieved: list[str]) -> Answer:
    def passage(chunk_id: str) -> Passage:
        return Passage(chunk_id=chunk_id, doc_id="d", text="t", start=0, end=1, title="T")

    citations = [
        Citation(n=n, passage=passage(cid), quote="t", quote_start=0, quote_end=1, score=1.0)
        for n, cid in cited.items()
    ]
    return Answer(question="q", text=text, citations=citations, retrieved=[passage(c) for c in retrieved])


@pytest.mark.fast
def test_citation_validity_reads_grouped_marks():
    # "[1, 2]" cites two passages: both must be citations of retrieved passages.
    assert citation_validity(_cited("Lee called Trump. [1, 2]", {1: "a", 2: "b"}, ["a", "b"])) == 1.0
    assert citation_validity(_cited("Lee called Trump. [1, 2]", {1: "a"}, ["a"])) == 0.5  # [2] names no citation
    assert citation_validity(_cited("Lee called Trump. [1][3]", {1: "a", 3: "x"}, ["a"])) == 0.5  # [3] not retrieved
    assert citation_validity(_cited("Lee called Trump. [1, 2]", {}, [])) == 0.0  # marks but no citations


@pytest.mark.fast
def test_token_f1_ignores_grouped_marks():
    assert token_f1("Lee called Trump. [1, 2]", "Lee called Trump") == 1.0
    assert token_f1("Lee called Trump. [1][2]", "Lee called Trump") == 1.0


@pytest.mark.fast
def test_percentile_matches_linear_interpolation():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([4.0, 1.0, 100.0, 3.0, 2.0], 95) == pytest.approx(80.8)  # unsorted input, between the top two
    assert percentile([10.0], 95) == 10.0 and percentile([], 50) is None


@pytest.mark.fast
def test_baseline_chunk_covers_sentences_overlapping_its_span():
    sentences = [(0, 10), (11, 20), (21, 30)]
    assert covered_sentences(sentences, 5, 15) == (0, 2)
    assert covered_sentences(sentences, 20, 21) == (0, 0)
    assert covered_sentences(sentences, 21, 40) == (2, 3)


@pytest.mark.fast
def test_cli_helpers_parse_runs_and_thresholds():
    assert [name for name, _ in preset_runs(["bm25", "naive-langchain"])] == ["bm25", "naive-langchain"]
    with pytest.raises(ValueError, match="unknown run"):
        preset_runs(["bogus"])
    assert parse_thresholds(["answer_correct=0.7", "mrr = 0.5"]) == {"answer_correct": 0.7, "mrr": 0.5}
    with pytest.raises(ValueError, match="not key=value"):
        parse_thresholds(["answer_correct"])
    with pytest.raises(ValueError, match="is not a number"):
        parse_thresholds(["mrr=high"])
    with pytest.raises(ValueError, match="unique: hybrid"):
        check_unique(preset_runs(["hybrid", "hybrid:top_k=8"]))


# -- each step on its own: play, aggregate, gate, compare (no model) ------------------------------


class ScriptedAsker:
    """Answers from a script and records the history each question was asked with."""

    def __init__(self, answers: list[Answer]) -> None:
        self.answers, self.asked = list(answers), []

    def ask(self, question, history=None, k=None, retriever=None) -> Answer:
        self.asked.append((question, list(history or [])))
        return self.answers.pop(0)


def test_play_case_plays_turns_as_one_conversation_and_scores_each(tmp_path):
    case = testset.Case(
        "conv",
        [
            testset.TurnCase("Who did Lee call first?", reference_facts=["Trump"]),
            testset.TurnCase("And after that?", reference_facts=["Ishiba"]),
        ],
        tags=["seed"],
    )
    asker = ScriptedAsker(
        [
            Answer(question="q1", text="He called Trump.", timings_ms={"total": 12.0}),
            Answer(question="q2", text="He called Xi.", backend="extractive (fallback from openai)"),
        ]
    )
    run = Run("scripted", {}, Settings(data_dir=tmp_path), asker, 6, {})
    rows = play_case(run, case, "tiny.jsonl")
    assert asker.asked[1] == ("And after that?", [("Who did Lee call first?", "He called Trump.")])
    assert [(r["turn"], r["followup"], r["metrics"]["correct"]) for r in rows] == [(0, False, 1.0), (1, True, 0.0)]
    assert rows[0]["testset"] == "tiny.jsonl" and rows[0]["run"] == "scripted" and rows[0]["timings"] == {"total": 12.0}
    assert [r["guard_outcome"] for r in rows] == [None, "fell_back"]


def _row(
    answerable: bool, correct: float, total: float, tags: list[str], followup: bool = False, abstained: bool = False
) -> dict:
    metrics = {"correct": correct, "abstained": float(abstained), "abstention_correct": float(abstained != answerable)}
    if answerable:
        metrics["facts"] = correct
    return {
        "case_id": f"c{total}",
        "answerable": answerable,
        "abstained": abstained,
        "followup": followup,
        "tags": tags,
        "metrics": metrics,
        "timings": {"total": total},
        "confidence": 0.9 if not abstained else 0.0,
    }


def test_aggregate_averages_each_metric_over_the_turns_it_applies_to():
    rows = [
        _row(True, 1.0, 10.0, ["seed"]),
        _row(True, 0.0, 20.0, ["seed", "followup"], followup=True),
        _row(False, 1.0, 30.0, ["unanswerable"], abstained=True),
    ]
    metrics = aggregate(rows)
    assert (
        metrics["answer_correct"] == 0.5
        and metrics["followup_accuracy"] == 0.0
        and metrics["overall_correct"] == 0.6667
    )
    assert (
        metrics["abstention_precision"] == metrics["abstention_recall"] == 1.0 and metrics["abstention_rate"] == 0.3333
    )
    assert metrics["hit_at_k"] is None  # no turn measured it: absent, not 0
    assert latency(rows) == {"p50_ms": 20.0, "p95_ms": 29.0, "mean_ms": 20.0}
    assert by_tag(rows) == {
        "followup": {"answer_correct": 0.0, "n": 1},
        "seed": {"answer_correct": 0.5, "n": 2},
        "unanswerable": {"answer_correct": 1.0, "n": 1},
    }


def _summary(runs: dict[str, dict[str, float | None]], turns: int = 4) -> dict:
    return {
        "created_at": "2026-01-01T00:00:00+00:00",
        "testsets": ["core.jsonl"],
        "turns": turns,
        "runs": {
            name: {"k": 6, "llm": "extractive", "metrics": metrics, "latency_ms": {"p50_ms": 100.0, "p95_ms": None}}
            for name, metrics in runs.items()
        },
    }


def test_gate_names_each_metric_under_its_threshold():
    summary = _summary({"hybrid": {"answer_correct": 0.5, "mrr": None}, "dense": {"answer_correct": 0.9, "mrr": 0.4}})
    assert fail_under(summary, {"answer_correct": 0.5}) == []  # at the threshold passes
    assert fail_under(summary, {"answer_correct": 0.6}) == ["answer_correct 0.500 < 0.600 (run hybrid)"]
    assert fail_under(summary, {"answer_correct": 0.6}, run="dense") == []
    assert fail_under(summary, {"mrr": 0.1}) == ["mrr: not measured in run hybrid (no turn applies)"]


def test_gate_names_each_metric_over_its_maximum():
    """Padding and calibration error are better low: `--fail-over` sets their maximum."""
    summary = _summary({"hybrid": {"padding_share": 0.2, "calibration_error": 0.05}})
    assert fail_under(summary, {}, maxima={"padding_share": 0.2}) == []  # at the maximum passes
    assert fail_under(summary, {}, maxima={"padding_share": 0.1, "calibration_error": 0.1}) == [
        "padding_share 0.200 > 0.100 (run hybrid)"
    ]
    assert fail_under(summary, {}, maxima={"ece": 0.1}) == [
        "ece: unknown metric (known: padding_share, calibration_error)"
    ]


def test_eval_cli_exits_1_with_the_metric_under_its_threshold(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.evaluation import runner

    summary = _summary({"hybrid": {"answer_correct": 0.5, "mrr": 0.7}})
    monkeypatch.setattr(runner, "run_eval", lambda *args, **kwargs: summary)  # the gate reads only the summary
    args = ["--data-dir", str(tmp_path), "eval", "set.jsonl", "--out", str(tmp_path / "out"), "--quiet"]
    failed = CliRunner().invoke(app, args + ["--fail-under", "answer_correct=0.6", "--fail-under", "mrr=0.5"])
    assert failed.exit_code == 1
    assert "outside threshold: answer_correct 0.500 < 0.600 (run hybrid)" in failed.output
    assert "mrr" not in failed.stderr
    passed = CliRunner().invoke(app, args + ["--fail-under", "answer_correct=0.5"])
    assert passed.exit_code == 0 and "hybrid: answer_correct=0.500" in passed.stdout
    over = CliRunner().invoke(app, args + ["--fail-over", "mrr=0.6"])
    assert over.exit_code == 1 and "outside threshold: mrr 0.700 > 0.600 (run hybrid)" in over.output


def test_compare_pairs_runs_by_name_with_deltas(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, summary in (
        (a, _summary({"hybrid": {"mrr": 0.5}, "dense": {"mrr": 0.1}})),
        (b, _summary({"hybrid": {"mrr": 0.25}, "bm25": {"mrr": 0.3}}, turns=5)),
    ):
        folder.mkdir()
        summary["runs"]["hybrid"]["latency_ms"]["p50_ms"] = 100.0 if folder == a else 80.0
        (folder / "summary.json").write_text(json.dumps(summary))
    table = compare(a, b)
    assert "## hybrid" in table and "| mrr | 0.500 | 0.250 | -0.250 |" in table
    assert "| latency p50_ms | 100 | 80 | -20 |" in table and "| latency p95_ms | n/a | n/a | n/a |" in table
    assert "Not compared: only in A: dense; only in B: bm25" in table
    assert "Different test sets (A: 4 turns" in table  # a delta across test sets is flagged
    with pytest.raises(FileNotFoundError, match="no summary.json"):
        compare(a, tmp_path / "missing")


def test_compare_without_a_common_run_name_compares_the_first_runs(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_summary({"dense": {"mrr": 0.5}})))
    b.write_text(json.dumps(_summary({"bm25": {"mrr": 0.75}})))
    table = compare(a, b)
    assert (
        "## A: dense vs B: bm25" in table
        and "| mrr | 0.500 | 0.750 | +0.250 |" in table
        and "Not compared" not in table
    )


def test_no_evaluation_step_imports_the_runner():
    """The dependency goes one way: the runner orders the steps; report, gate and compare never pull it in."""
    steps = ("runs", "play", "aggregate", "gate", "compare", "report")
    code = "import sys\n" + "".join(f"import assistant.evaluation.{m}\n" for m in steps)
    code += "print('assistant.evaluation.runner' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"
