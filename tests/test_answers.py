"""The answerer on the real corpus: named questions from the issue, then quality gates over the
project's test set (counts a little under what was measured, so a regression fails)."""

import re

import pytest

from assistant.answer import Answer, Citation, GuardReport, Passage, RemovedSentence
from assistant.evaluation.metrics import citation_validity, facts_present, groundedness
from assistant.evaluation.testset import load_testset

from .conftest import TESTSET


def _cited_correctly(answer) -> bool:
    return not answer.abstained and citation_validity(answer) == 1.0 and groundedness(answer) == 1.0


@pytest.mark.fast
def test_the_answer_json_is_flat_and_reads_back():
    passage = Passage(
        chunk_id="c1",
        doc_id="d.txt",
        text="Lee called Trump first. Then Ishiba.",
        start=10,
        end=46,
        title="Lee’s opening",
        author="A. Writer",
        date="2025-06 (approximate: June)",
        date_label="2025-06 (approximate)",
        kind="text",
        rank=1,
    )
    quote = "Lee called Trump first."
    answer = Answer(
        question="Who did Lee call first?",
        text=f"{quote} [1]",
        confidence=0.8,
        backend="openai",
        citations=[Citation(n=1, passage=passage, quote=quote, quote_start=10, quote_end=33, score=0.9)],
        related=[passage],
        guard=GuardReport(mode="remove", threshold=0.5, removed=[RemovedSentence(text="x", reason="y", support=0.1)]),
        timings_ms={"total": 5.0},
    )
    data = answer.to_dict()
    assert (
        data["answer"] == answer.text
        and data["grounding"] == 1.0
        and data["confidence"] == 0.8
        and data["timings"] == {"total": 5.0}
    )
    citation = data["citations"][0]
    assert (
        citation["n"],
        citation["title"],
        citation["kind"],
        citation["quote"],
        citation["chunk_id"],
        citation["score"],
    ) == (1, "Lee’s opening", "text", quote, "c1", 0.9)
    assert citation["date"] == "2025-06 (approximate)" and citation["date_header"] == "2025-06 (approximate: June)"
    assert "passage" not in citation and data["related"][0]["text"] == passage.text
    assert data["guard"]["removed"][0]["reason"] == "y"
    again = Answer.from_dict(data)
    assert again.to_dict() == data and again.citations[0].passage.date == passage.date


def test_first_call_then_follow_up_names_ishiba_and_xi(assistant):
    first = assistant.ask("Who did Lee call first?")
    assert "Trump" in first.text and _cited_correctly(first)
    history = [("Who did Lee call first?", first.text)]
    second = assistant.ask("And who did he call after that?", history)
    assert "Ishiba" in second.text and "Xi" in second.text
    assert "first foreign call" not in second.text  # the follow-up asks for something new
    assert _cited_correctly(second)


def test_a_follow_up_ending_in_that_is_searched_with_the_earlier_question(assistant):
    """ "How did North Korea react to that?" names North Korea, yet "that" is the loudspeaker halt."""
    first = "What did Lee do about the propaganda loudspeakers along the border?"
    answer = assistant.ask(first)
    assert "loudspeakers" in answer.text
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": answer.text}]
    follow = assistant.ask("How did North Korea react to that?", history)
    assert follow.search_query.startswith(first)
    assert not follow.abstained and follow.citations


def test_citations_carry_source_metadata_and_quote_within_passage(assistant):
    answer = assistant.ask("How many U.S. troops are stationed in South Korea?")
    assert "28,500" in answer.text
    citation = answer.citations[0]
    assert citation.passage.publisher.startswith("Congressional Research Service")
    assert citation.passage.date and citation.passage.title
    assert citation.quote in citation.passage.text
    assert re.search(r"\[1\]", answer.text)
    document_text = assistant.retriever.generation.documents[citation.passage.doc_id].text
    assert document_text[citation.quote_start : citation.quote_end] == citation.quote


def test_north_korea_response_is_answered_from_the_article(assistant):
    answer = assistant.ask("How did North Korea respond to Lee's gestures?")
    assert not answer.abstained
    assert "uncharacteristically quiet" in answer.text or "stopped blasting" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What is the population of Seoul?",
        "How old is Lee Jae-myung?",
        "What is Lee's favorite food?",
        "What is the recipe for kimchi?",
        "Who did Lee appoint as his unification minister?",
    ],
)
def test_questions_the_sources_do_not_answer_are_declined_with_related_passages(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained
    assert answer.text.startswith("The sources I have do not say")
    assert answer.citations == [] and "[1]" not in answer.text
    assert 1 <= len(answer.related) <= 3


def test_timings_are_reported_per_stage(assistant):
    answer = assistant.ask("What did Lee halt at the DMZ?")
    assert {"condense", "retrieve", "answer", "total"} <= set(answer.timings_ms)
    assert answer.timings_ms["total"] >= answer.timings_ms["retrieve"]


@pytest.fixture(scope="module")
def testset_results(assistant):
    """Every case of the project's test set, played once (conversations as one history)."""
    results = []
    for case in load_testset(TESTSET):
        history: list[tuple[str, str]] = []
        for index, turn in enumerate(case.turns):
            answer = assistant.ask(turn.user_input, history)
            results.append((case, index, turn, answer))
            history.append((turn.user_input, answer.text))
    return results


def _right(turn, answer) -> bool:
    if not turn.answerable:
        return answer.abstained
    return _cited_correctly(answer) and facts_present(answer.text, turn.reference_facts) == 1.0


def test_seed_article_questions_are_answered_correctly(testset_results):
    seed = [(t, a) for c, i, t, a in testset_results if not c.multi_turn and t.answerable and "seed" in c.tags]
    right = sum(_right(t, a) for t, a in seed)
    assert len(seed) >= 30 and right >= 36, f"{right}/{len(seed)} seed questions right"


def test_related_document_questions_are_answered_correctly(testset_results):
    related = [(t, a) for c, i, t, a in testset_results if not c.multi_turn and t.answerable and "related" in c.tags]
    right = sum(_right(t, a) for t, a in related)
    assert len(related) >= 15 and right >= 23, f"{right}/{len(related)} related questions right"


def test_unanswerable_questions_are_declined(testset_results):
    unanswerable = [(t, a) for c, i, t, a in testset_results if not t.answerable]
    declined = sum(a.abstained for t, a in unanswerable)
    assert len(unanswerable) >= 10 and declined >= 13, f"{declined}/{len(unanswerable)} declined"
    # The sign-constrained answerability model (session 9) declines 14 of 16 unanswerable turns (session 8:
    # 14, the first fitted model 11, the old rule 10) and 13 answerable ones; both are bounded.
    declined_answerable = [t.user_input for c, i, t, a in testset_results if t.answerable and a.abstained]
    assert len(declined_answerable) <= 14, declined_answerable


def test_two_turn_follow_ups_are_right(testset_results):
    second_turns = [(t, a) for c, i, t, a in testset_results if c.multi_turn and i == 1]
    right = sum(_right(t, a) for t, a in second_turns)
    assert len(second_turns) >= 8 and right >= 5, f"{right}/{len(second_turns)} second turns right"


def test_every_answer_cites_only_retrieved_passages(testset_results):
    answered = [a for c, i, t, a in testset_results if not a.abstained]
    assert answered and all(citation_validity(a) == 1.0 for a in answered)
    assert all(groundedness(a) == 1.0 for a in answered)
    numbers = [sorted({c.n for c in a.citations}) for a in answered]
    assert all(n == list(range(1, len(n) + 1)) for n in numbers)  # [1], [2] ... in order, no gaps
