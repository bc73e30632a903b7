"""Ratings stored in SQLite and exported as test-set rows a ragas-style evaluation can load."""

from __future__ import annotations

import json
import sqlite3

import pytest

from assistant.answer import Answer, Citation, Passage
from assistant.citations import strip_citations
from assistant.evaluation.testset import load_testset
from assistant.feedback import FeedbackStore, export_testset, feedback_path

FIRST = "Who did Lee call first after taking office?"
SEOUL = "What is the population of Seoul?"


@pytest.fixture(scope="module")
def answers(assistant):
    """Real answers from the shared index (one cited, one follow-up) and an abstention."""
    first = assistant.ask(FIRST)
    history = [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first.text}]
    follow = assistant.ask("And who did he call after that?", history)
    assert first.citations and follow.citations
    # An abstention as the answerer writes one; built here so these storage tests do not depend on
    # where the answerer draws its line (test_web checks that it abstains).
    abstained = Answer(
        question=SEOUL,
        text="The sources I have do not say. I found nothing that answers it.",
        abstained=True,
        related=first.retrieved[:2],
        retrieved=first.retrieved,
    )
    return first, (history, follow), abstained


def test_round_trip_and_every_write_is_committed(tmp_path, answers):
    first, _, _ = answers
    path = feedback_path(tmp_path)
    store = FeedbackStore(path)
    row_id = store.add(FIRST, first, 1, history=[], settings={"top_k": 6, "retriever": "hybrid"}, comment="  spot on  ")
    # Another connection sees it at once: nothing waits for a later commit.
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT rating, comment FROM feedback WHERE id = ?", (row_id,)).fetchone() == (1, "spot on")
    row = FeedbackStore(path).get(row_id)
    assert row.question == FIRST and row.answer == first.text and row.rating == 1 and not row.abstained
    assert row.settings == {"top_k": 6, "retriever": "hybrid"} and row.history == []
    assert row.citations == [c.to_dict() for c in first.citations]  # stored in the answer's JSON shape
    assert Citation.from_dict(row.citations[0]).to_dict() == first.citations[0].to_dict()
    assert row.created_at
    store.set_rating(row_id, -1)
    store.set_comment(row_id, "changed my mind")
    row = store.get(row_id)
    assert (row.rating, row.comment) == (-1, "changed my mind")
    store.delete(row_id)
    assert store.get(row_id) is None and store.rows() == []


def test_rating_must_be_plus_or_minus_one(tmp_path, answers):
    store = FeedbackStore(feedback_path(tmp_path))
    with pytest.raises(ValueError):
        store.add(FIRST, answers[0], 0)
    with pytest.raises(sqlite3.IntegrityError), sqlite3.connect(store.path) as raw:  # the table enforces it too
        raw.execute("INSERT INTO feedback (created_at, question, answer, rating) VALUES ('now', 'q', 'a', 5)")


def test_export_testset_rows(tmp_path, answers):
    first, (history, follow), abstained = answers
    store = FeedbackStore(feedback_path(tmp_path))
    store.add(FIRST, first, 1)
    store.add("And who did he call after that?", follow, 1, history=history, comment="good follow-up")
    store.add(SEOUL, abstained, 1)
    store.add("What do Lee and Trump have in common?", first, -1, comment="wrong passage")
    out = tmp_path / "export" / "feedback.jsonl"
    assert export_testset(store.path, out) == 4
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    up, multi, unanswerable, down = rows
    for row in rows:
        assert {"user_input", "reference", "reference_contexts", "answerable", "tags"} <= set(row)
        assert row["tags"][0] == "feedback"
    assert (
        up["reference"] == strip_citations(first.text) and "[1]" not in up["reference"] and "Trump" in up["reference"]
    )
    assert up["reference_contexts"] == [c.quote for c in first.citations] and up["answerable"] is True
    assert up["tags"] == ["feedback", "up"] and "history" not in up
    assert multi["history"] == history and "Ishiba" in multi["reference"] and multi["comment"] == "good follow-up"
    assert unanswerable["answerable"] is False and unanswerable["reference_contexts"] == []
    assert down["tags"] == ["feedback", "down"] and down["reference"] == "" and down["reference_contexts"] == []
    assert down["answerable"] is True and down["response"] == first.text and down["retrieved_contexts"]
    # The project's own test-set loader reads the export.
    cases = load_testset(out)
    assert [c.turns[0].user_input for c in cases][:1] == [FIRST] and cases[2].turns[0].answerable is False


@pytest.mark.fast
def test_export_without_feedback_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no feedback yet"):
        export_testset(tmp_path / "missing.sqlite3", tmp_path / "out.jsonl")


@pytest.mark.fast
def test_strip_citations():
    assert (
        strip_citations("Lee called Trump first. [1] Then Ishiba [2], then Xi [2, 3].")
        == "Lee called Trump first. Then Ishiba, then Xi."
    )
    assert strip_citations("- Trump [1]\n- Ishiba [1][2]\n") == "- Trump\n- Ishiba"  # a list stays a list


# -- the store alone, with answers written by hand (fast tier) ------------------------------------------------

CALL = "Lee’s first foreign call as president was to President Trump."


def written_answer(question: str = FIRST) -> Answer:
    passage = Passage(
        chunk_id="c1", doc_id="motin.txt", text=f"Intro. {CALL} Outro.", start=40, end=120, title="Lee’s opening"
    )
    citation = Citation(n=1, passage=passage, quote=CALL, quote_start=47, quote_end=47 + len(CALL), score=0.9)
    return Answer(question=question, text=f"{CALL} [1]", citations=[citation], retrieved=[passage])


@pytest.mark.fast
def test_a_rating_is_committed_at_once_and_can_be_changed_but_never_to_zero(tmp_path):
    store = FeedbackStore(feedback_path(tmp_path))
    row_id = store.add(FIRST, written_answer(), 1, settings={"top_k": 6}, comment="  spot on  ")
    with sqlite3.connect(store.path) as raw:  # another connection sees it: nothing waits for a later commit
        assert raw.execute("SELECT rating, comment FROM feedback WHERE id = ?", (row_id,)).fetchone() == (1, "spot on")
    row = store.get(row_id)
    assert (row.answer, row.settings, row.citations[0]["quote"], row.citations[0]["chunk_id"]) == (
        f"{CALL} [1]",
        {"top_k": 6},
        CALL,
        "c1",
    )
    store.set_rating(row_id, -1)
    assert store.get(row_id).rating == -1
    with pytest.raises(ValueError):
        store.add(FIRST, written_answer(), 0)
    with pytest.raises(ValueError):
        store.set_rating(row_id, 2)
    store.delete(row_id)
    assert store.rows() == []


@pytest.mark.fast
def test_ratings_are_exported_as_rows_the_testset_loader_reads(tmp_path):
    store = FeedbackStore(feedback_path(tmp_path))
    history = [{"role": "user", "content": "Who did Lee call?"}, {"role": "assistant", "content": "Trump. [1]"}]
    store.add(FIRST, written_answer(), 1, history=history, comment="good")
    store.add(SEOUL, Answer(question=SEOUL, text="The sources I have do not say.", abstained=True), 1)
    store.add("Why?", written_answer("Why?"), -1)
    out = tmp_path / "export" / "rated.jsonl"
    assert export_testset(store.path, out) == 3
    up, unanswerable, down = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (up["reference"], up["reference_contexts"], up["answerable"]) == (CALL, [CALL], True)
    assert up["history"] == history and up["comment"] == "good" and up["tags"] == ["feedback", "up"]
    assert unanswerable["answerable"] is False and unanswerable["reference_contexts"] == []
    assert down["tags"] == ["feedback", "down"] and down["reference"] == "" and down["response"] == f"{CALL} [1]"
    assert [c.turns[-1].user_input for c in load_testset(out)] == [FIRST, SEOUL, "Why?"]
