"""What a real instruct model wrote (Qwen2.5 1.5B served by llama.cpp, `--k 4`), fed to the guard and the
rewrite check against the passages a real index of the full corpus retrieves for the same questions.

The guard and the rewrite check are functions of text and passages, so the recorded outputs stand in
for the model; retrieval, embeddings, the guard, composition and the web chat's panel are all real.
"""

from __future__ import annotations

import pytest

from assistant.answer import Passage
from assistant.answerers.generative import compose, guard_report
from assistant.conversation import Conversation
from assistant.evaluation.play import guard_outcome
from assistant.guard import Guard, verbatim
from assistant.rewrite import invented, reads_as_answer, standalone
from ui.render import provenance

K = 4

NK_QUESTION = "How did North Korea respond to Lee's gestures?"
NK_RECORDED = (
    "North Korea stopped blasting loud noise across the DMZ. Pyongyang, which had no shortage of animosity "
    "for Yoon, has been uncharacteristically quiet since Lee took office. That silence may reflect both "
    "self-confidence and strategic patience. [2]"
)

DEFENSE_QUESTION = "What did President Lee pledge on defense spending?"
DEFENSE_RECORDED = (
    "The ROK also committed to spending $25 billion on U.S. military equipment purchases by 2030, and "
    "shared its plan to provide comprehensive support for U.S. Forces Korea amounting to $33 billion "
    "in accordance with ROK legal requirements. [2]"
)

FIRST_QUESTION = "Who did Lee call first after taking office?"
FIRST_RECORDED = "Lee called President Trump first after taking office. [1]"
FOLLOW_UP = "And who did he call after that?"
FOLLOW_UP_RECORDED_REWRITE = "Lee called President Obama after calling Trump first."


def retrieve(assistant, question: str) -> list[Passage]:
    return assistant.retriever.search(question, K).passages


def holder(passages: list[Passage], sentence: str) -> int:
    """The number (from 1) of the one retrieved passage that has the sentence word for word."""
    found = [n for n, p in enumerate(passages, start=1) if verbatim(sentence, p)]
    assert found, f"no retrieved passage has {sentence!r}"
    return found[0]


@pytest.fixture(scope="module")
def guard(assistant) -> Guard:
    return Guard(assistant.settings.guard_threshold, assistant.embedder)


def test_a_paragraph_closed_by_one_wrong_citation_keeps_every_sentence_with_repaired_citations(assistant, guard):
    passages = retrieve(assistant, NK_QUESTION)
    checked = guard.check(NK_RECORDED, passages)
    assert len(checked) == 3
    assert not any(verbatim(s.text, passages[1]) for s in checked), "passage [2] must be the wrong one, as recorded"
    assert [s.inherited for s in checked] == [True, True, False]  # the closing [2] covered the first two
    for sentence in checked:
        assert sentence.kept, sentence.reason
        assert sentence.repaired_from == [2]
        right = holder(passages, sentence.text.replace("North Korea stopped", "North Korea has also stopped"))
        assert sentence.supporting == [right]

    report = guard_report(checked, "remove", guard.threshold)
    answer = compose(NK_QUESTION, [s for s in checked if s.kept], passages, report, NK_RECORDED, "openai")
    assert not report.removed and [r.label() for r in report.repaired] == [f"[2] -> [{right}]"] * 3
    assert "uncharacteristically quiet" in answer.text and "strategic patience" in answer.text
    assert answer.text.count("[1]") == 3 and "[2]" not in answer.text  # renumbered: one passage, cited as [1]
    assert all(c.quote in c.passage.text for c in answer.citations)
    assert guard_outcome(answer) == "repaired"
    panel = provenance(answer)
    assert "Guard repaired the citation of 3 of 3 generated sentence(s)" in panel
    assert f"[2] → [{right}]" in panel and "the paragraph&#x27;s closing citation" in panel


def test_a_verbatim_figure_cited_to_the_wrong_passage_is_repaired_and_keeps_its_numbers(assistant, guard):
    passages = retrieve(assistant, DEFENSE_QUESTION)
    [sentence] = guard.check(DEFENSE_RECORDED, passages)
    right = holder(passages, sentence.text)
    assert right != 2 and "2030" not in passages[1].text, "passage [2] must lack the figure, as recorded"
    assert sentence.kept and sentence.repaired_from == [2] and sentence.supporting == [right]
    assert "number 2030 is not in passage" in sentence.repair_reason
    quote = sentence.quotes[right][0]
    assert "$25 billion" in quote and "2030" in quote and "$33 billion" in quote
    assert passages[right - 1].title.startswith("Joint Fact Sheet")


def test_the_same_answer_with_an_invented_figure_is_still_removed(assistant, guard):
    passages = retrieve(assistant, DEFENSE_QUESTION)
    invented_text = DEFENSE_RECORDED.replace("$25 billion", "$45 billion")
    [sentence] = guard.check(invented_text, passages)
    assert not sentence.kept and "number 45 is not in passage" in sentence.reason


def test_per_paragraph_and_mixed_citation_styles_on_retrieved_passages(assistant, guard):
    passages = retrieve(assistant, NK_QUESTION)
    right = holder(passages, "Pyongyang, which had no shortage of animosity for Yoon, has been uncharacteristically")
    text = (
        f"North Korea has also stopped blasting loud noise across the DMZ (Source {right}).\n\n"
        "Pyongyang, which had no shortage of animosity for Yoon, has been uncharacteristically quiet since Lee "
        f"took office. That silence may reflect both self-confidence and strategic patience [{right}][2].\n\n"
        "Kim Jong Un praised Lee's courage in a letter to Seoul."
    )
    checked = guard.check(text, passages)
    assert [s.kept for s in checked] == [True, True, True, False]
    assert all(s.supporting == [right] and not s.repaired for s in checked[:3])
    assert checked[3].reason == "no citation"  # after its paragraph's last citation: nothing covers it
    # Covered by the closing citation, an invented sentence is judged like any other, and removed.
    invention, true = guard.check(
        "Kim Jong Un praised Lee's courage in a letter to Seoul. That silence may reflect "
        f"both self-confidence and strategic patience [{right}].",
        passages,
    )
    assert invention.inherited and not invention.kept and invention.reason.startswith("unsupported")
    assert true.kept and not true.repaired


def test_the_follow_up_rewrite_that_answers_with_an_invented_name_is_rejected_for_the_rules(assistant, guard):
    history = [(FIRST_QUESTION, FIRST_RECORDED)]
    conversation = Conversation.from_history(history)
    first = guard.check(FIRST_RECORDED, retrieve(assistant, FIRST_QUESTION))
    assert [s.kept for s in first] == [True]  # the first turn's answer was good and is kept

    rewrite, why = standalone(FOLLOW_UP_RECORDED_REWRITE, FOLLOW_UP, conversation)
    assert rewrite is None and "Obama" in why
    assert invented(FOLLOW_UP_RECORDED_REWRITE, f"{FOLLOW_UP} {FIRST_QUESTION} {FIRST_RECORDED}") == ["Obama"]
    assert reads_as_answer(FOLLOW_UP_RECORDED_REWRITE)

    # Rules take over: the follow-up is searched beside the earlier question, and finds the next calls.
    query = conversation.search_query(FOLLOW_UP)
    assert query == f"{FIRST_QUESTION} {FOLLOW_UP}"
    found = " ".join(p.text for p in retrieve(assistant, query))
    assert "Ishiba" in found and "Xi Jinping" in found


@pytest.mark.fast
@pytest.mark.parametrize(
    "rewrite",
    [
        "Who did Lee call after calling President Trump first?",
        "Following his call to Trump, who did Lee Jae-myung call next?",
        'Rewritten question: "Who did Lee call after Trump, once he took office?"',
    ],
)
def test_rewrites_that_only_restate_the_conversation_are_used(rewrite):
    conversation = Conversation.from_history([(FIRST_QUESTION, FIRST_RECORDED)])
    line, why = standalone(rewrite, FOLLOW_UP, conversation)
    assert line and not why and line.endswith("?") and not line.startswith(("Rewritten", '"'))


@pytest.mark.fast
@pytest.mark.parametrize(
    "rewrite, why",
    [
        ("Who did Lee call after Trump in 2019?", "2019"),
        ("Who did Lee call after Trump? He called Ishiba.", "Ishiba"),
        ("Who did Lee call after Trump? He called Trump again.", "answer"),
        ("Lee called Trump and then he called someone else.", "answer"),
        ("What is the weather?", "own terms"),
    ],
)
def test_rewrites_that_invent_or_answer_are_rejected(rewrite, why):
    conversation = Conversation.from_history([(FIRST_QUESTION, FIRST_RECORDED)])
    line, problem = standalone(rewrite, FOLLOW_UP, conversation)
    assert line is None and why in problem
