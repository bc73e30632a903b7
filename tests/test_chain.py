"""The chain's wiring with the fake embedder over a real embedded Chroma index: what each stage hands the
next, which index the vectors belong to, and how overrides and follow-ups reach the search. What the
answers say is the real model's business (test_answers.py); here only where they come from."""

from __future__ import annotations

import pytest

from assistant.answer import Answer
from assistant.retrieval import Retrieval
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stages import ChainInput, Condensed, Prepared
from index.generation import Generation, IndexMismatch, current_path
from tests.conftest import write_small_corpus
from tests.fakes import HashingEmbedder

pytestmark = pytest.mark.fast
BUDGET = "What budget did the alpha committee approve?"


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    folder = tmp_path_factory.mktemp("chain")
    return Settings(
        data_dir=folder / "data", corpus_dirs=[write_small_corpus(folder / "corpus")], chunk_size=120, chunk_overlap=40
    )


@pytest.fixture(scope="module")
def fake_assistant(settings, fake_embedder) -> Assistant:
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.build_index()
    return assistant


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_a_search_returns_the_generation_it_searched_with_ranked_passages(fake_assistant, mode):
    retrieval = fake_assistant.retriever.search(BUDGET, k=2, mode=mode)
    assert isinstance(retrieval, Retrieval)
    assert retrieval.generation.folder == current_path(fake_assistant.settings.index_config().index_root)
    assert [p.rank for p in retrieval.passages] == [1, 2]
    assert retrieval.passages[0].doc_id == "alpha.txt" and retrieval.passages[0].title == "Alpha report"
    assert all(p.chunk_id in retrieval.generation.chunk_position for p in retrieval.passages)
    assert retrieval.timings_ms["retrieve"] > 0
    assert (retrieval.passages[0].dense_score is None) == (mode == "bm25")
    assert (retrieval.passages[0].lexical_score is None) == (mode == "dense")


def test_the_index_records_the_embedder_and_another_embedder_is_refused(fake_assistant, settings, fake_embedder):
    manifest = Generation(current_path(settings.index_config().index_root)).manifest
    assert (manifest["embedding_model"], manifest["embedding_dim"], manifest["encoder"]) == (
        fake_embedder.name,
        fake_embedder.dimension,
        fake_embedder.encoder,
    )
    assert fake_assistant.index_status()["encoder"] == "hashing"

    class Other(HashingEmbedder):
        name = "another-model"

    with pytest.raises(IndexMismatch, match=r"embedding model test-hashing.*now another-model.*index --full"):
        Assistant(settings, embedder=Other()).ask(BUDGET)


def test_prepare_hands_the_answer_stage_a_condensed_follow_up_and_its_retrieval(fake_assistant):
    history = [("Where did the alpha committee meet?", "The alpha committee met in Busan on Monday. [1]")]
    state = fake_assistant.chain.prepare.invoke(ChainInput("What did it approve?", history, k=1, retriever="bm25"))
    assert isinstance(state, Prepared) and isinstance(state.condensed, Condensed)
    condensed = state.condensed
    assert condensed.search_query == "Where did the alpha committee meet? What did it approve?"
    assert condensed.context_query == "The alpha committee met in Busan on Monday. What did it approve?"
    assert (condensed.asked, condensed.standalone, condensed.condensed_by) == ("What did it approve?", None, "rules")
    assert [t.question for t in state.conversation.turns] == ["Where did the alpha committee meet?"]
    assert set(condensed.timings_ms) == {"condense"}
    assert len(state.passages) == 1 and state.passages[0].dense_score is None  # k and retriever reached the search
    assert state.generation is state.retrieval.generation


def test_a_question_about_a_document_is_answered_from_its_header_through_the_chain(fake_assistant):
    answer = fake_assistant.ask("Who published the Alpha report?")
    assert answer.backend == "documents" and "Test Desk" in answer.text
    [citation] = answer.citations
    assert citation.passage.kind == "header" and citation.quote == "Publisher: Test Desk"
    assert answer.question == answer.search_query == "Who published the Alpha report?"
    assert {"condense", "retrieve", "answer", "total"} <= set(answer.timings_ms)
    assert len(answer.retrieved) > 1  # the header first, then what the search found


def test_stream_ends_with_the_answer_invoke_gives(fake_assistant):
    items = list(fake_assistant.stream(BUDGET, k=3))
    assert isinstance(items[-1], Answer) and not any(isinstance(i, Answer) for i in items[:-1])
    asked = fake_assistant.ask(BUDGET, k=3)
    assert (items[-1].text, items[-1].abstained, items[-1].backend) == (asked.text, asked.abstained, "extractive")
    retrieved = {p.chunk_id for p in asked.retrieved}
    assert asked.retrieved and all(c.passage.chunk_id in retrieved for c in asked.citations)
