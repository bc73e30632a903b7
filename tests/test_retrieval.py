import pytest

from assistant.evaluation.metrics import retrieval_metrics
from assistant.evaluation.testset import load_testset
from assistant.retrieval import LangChainRetriever, reciprocal_rank_fusion
from assistant.stages import ChainInput

from .conftest import TESTSET


@pytest.mark.fast
def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert max(fused, key=fused.get) == "b"  # second in one list, first in the other beats first in one only
    assert fused["d"] == pytest.approx(1 / 63)
    weighted = reciprocal_rank_fusion([["a"], ["b"]], k=60, weights=[1.0, 0.5])
    assert weighted["a"] == pytest.approx(2 * weighted["b"])


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_mode_finds_the_first_call_sentence(assistant, mode):
    retrieval = assistant.retriever.search("Who did Lee call first as president?", k=5, mode=mode)
    assert retrieval.generation is assistant.retriever.generation and retrieval.timings_ms["retrieve"] > 0
    passages = retrieval.passages
    assert len(passages) == 5
    assert any("first foreign call as president was to President Trump" in p.text for p in passages)
    assert [p.rank for p in passages] == [1, 2, 3, 4, 5]
    seed = next(p for p in passages if "first foreign call" in p.text)
    assert seed.author == "Dylan Motin" and seed.title.startswith("South Korea’s new President Lee")


def test_hybrid_retrieval_finds_reference_passages_on_the_test_set(assistant):
    """Quality gate: hit@5 of hybrid retrieval over the answerable single-turn questions."""
    hits = []
    for case in load_testset(TESTSET):
        turn = case.turns[0]
        if case.multi_turn or not turn.answerable:
            continue
        passages = assistant.retriever.search(turn.user_input, k=5, mode="hybrid").passages
        hits.append(retrieval_metrics(passages, turn.reference_contexts, 5)["hit_at_k"])
    assert len(hits) >= 60
    assert sum(hits) / len(hits) >= 0.9


def test_langchain_retriever_interface_returns_documents_with_metadata(assistant):
    retriever = LangChainRetriever(retriever=assistant.retriever, k=3, mode="hybrid")
    docs = retriever.invoke("How many U.S. troops are stationed in South Korea?")
    assert len(docs) == 3
    assert any("28,500" in d.page_content for d in docs)
    assert all(d.metadata["chunk_id"] == d.id for d in docs)


@pytest.mark.fast
def test_a_rebuild_between_search_and_answer_does_not_mix_generations(tmp_path, small_corpus, fake_embedder):
    """The chain reads the current generation once: passages and the chunk tables the answerer uses
    come from the same index even when a rebuild makes another generation current in between."""
    from assistant.service import Assistant
    from assistant.settings import Settings
    from index.generation import Generation

    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[small_corpus], chunk_size=120, chunk_overlap=40)
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.build_index()
    first = assistant.retriever.generation
    (small_corpus / "alpha.txt").write_text(
        "Title: Alpha report\n-----\nThe alpha committee met in Seoul on Friday and rejected the harbour budget.\n"
    )
    assistant.build_index()  # a new generation is current now; the retriever still holds the first
    reads: list[Generation] = []
    original = type(assistant.retriever).generation

    class Swapping(type(assistant.retriever)):
        @property
        def generation(self) -> Generation:
            # The first read (by the chain) sees the old generation; any later read sees the new one.
            current = first if not reads else original.fget(self)
            reads.append(current)
            return current

    assistant.retriever.__class__ = Swapping
    state = assistant.chain.prepare.invoke(ChainInput("What did the alpha committee approve?"))
    assert state.retrieval.generation is first and len(reads) == 1  # one read, for the search and the answer
    assert state.passages and all(p.chunk_id in first.chunk_position for p in state.passages)
    reads.clear()
    answer = assistant.chain.invoke(ChainInput("What did the alpha committee approve?"))
    assert len(reads) == 1
    retrieved = {p.chunk_id for p in answer.retrieved}
    assert answer.retrieved and all(c.passage.chunk_id in retrieved for c in answer.citations)


@pytest.mark.fast
def test_naming_the_primary_documents_author_searches_that_document(tmp_path, fake_embedder):
    """Whether a question is about the project's own document comes from the `primary` flag and its
    author's name in the index, not from a word list naming one author."""
    from assistant.service import Assistant
    from assistant.settings import Settings
    from assistant.sources import about_primary, primary_names

    own, related = tmp_path / "own", tmp_path / "related"
    own.mkdir(), related.mkdir()
    (own / "essay.txt").write_text(
        "Title: Tides\nAuthor: Jane Quillfeather\n-----\n"
        "Harbour tides rose in March. The new harbour wall held firm against them.\n"
    )
    (related / "notes.txt").write_text(
        "Title: Harbour notes\nAuthor: Port Office\n-----\n"
        "What does the harbour office say about harbour tides? Harbour tides rose in May.\n"
    )
    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[own, related], chunk_size=120, chunk_overlap=40)
    assistant = Assistant(settings, embedder=fake_embedder)
    assistant.build_index()
    generation = assistant.retriever.generation
    assert primary_names(generation) == {"jane", "quillfeather"}
    assert about_primary("What does Quillfeather say about harbour tides?", primary_names(generation))
    assert not about_primary("What does the office say about harbour tides?", primary_names(generation))
    asked = assistant.retriever.search("What does Quillfeather say about harbour tides?", k=2).passages
    plain = assistant.retriever.search("What does the office say about harbour tides?", k=2).passages
    assert asked[0].doc_id == "essay.txt" and plain[0].doc_id == "notes.txt"


def _textbook_bm25(docs: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Lucene BM25, term by term in plain Python: the reference the index's scores must equal."""
    import math

    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    df = {t: sum(t in d for d in docs) for t in set(query)}
    scores = []
    for doc in docs:
        score = 0.0
        for term in query:
            if not df.get(term):
                continue
            tf = doc.count(term)
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            score += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))  # Lucene drops the (k1 + 1)
        scores.append(score)
    return scores


LEXICAL_TEXTS = [
    "The harbour wall held firm against the spring tides in Busan.",
    "Tide tables for the harbour were published in March by the port office.",
    "The lighthouse keeper repainted the lighthouse white and red.",
    "Budget talks: the committee approved twelve million won for the harbour project.",
    "Spring storms closed the port office twice; the harbour tides rose above the wall.",
    "Nothing here mentions any of the query words at all.",
    "",
]


@pytest.mark.fast
@pytest.mark.parametrize(
    "query",
    ["harbour tides", "Who repainted the lighthouse?", "port office budget harbour harbour", "tides wall", "zebra"],
)
def test_bm25_search_equals_the_textbook_scores_and_ranking(tmp_path, query):
    from index.lexical import LexicalIndex
    from index.text import terms

    built = LexicalIndex.build(LEXICAL_TEXTS)
    built.save(tmp_path / "lexical")
    for index in (built, LexicalIndex.load(tmp_path / "lexical")):  # the served index is the loaded one
        expected = _textbook_bm25([terms(t) or ["<empty>"] for t in LEXICAL_TEXTS], terms(query))
        want = sorted((p for p, s in enumerate(expected) if s > 0), key=lambda p: (-expected[p], p))
        found = index.search(query, k=len(LEXICAL_TEXTS))
        assert [p for p, _ in found] == want
        assert [s for _, s in found] == pytest.approx([expected[p] for p in want], rel=1e-5)
        assert index.search(query, k=2) == found[:2]


@pytest.mark.fast
@pytest.mark.parametrize("context", [None, "Tell me about the alpha committee budget."])
def test_hybrid_search_is_the_fusion_of_the_dense_and_bm25_rankings(tmp_path, small_corpus, fake_embedder, context):
    """Hybrid = reciprocal rank fusion of exactly the rankings the dense and BM25 modes return (BM25 runs
    on a worker thread while the query is encoded: that must not change which ranking is which)."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[small_corpus], chunk_size=100, chunk_overlap=20)
    retriever = Assistant(settings, embedder=fake_embedder).retriever
    Assistant(settings, embedder=fake_embedder).build_index()
    query = "When did the harbour project start and who approved the budget?"
    every = len(retriever.generation.chunks)
    assert every >= 4

    def ranking(text: str, mode: str) -> list[str]:
        return [p.chunk_id for p in retriever.search(text, k=every, mode=mode).passages]

    rankings = [ranking(query, "dense"), ranking(query, "bm25")]
    weights = [1.0, settings.lexical_weight]
    if context:
        rankings += [ranking(context, "dense"), ranking(context, "bm25")]
        weights += [0.5, 0.5 * settings.lexical_weight]
    fused = reciprocal_rank_fusion(rankings, settings.rrf_k, weights)
    for _ in range(3):  # repeated: the worker thread is reused
        hybrid = retriever.search(query, k=every, mode="hybrid", context_query=context).passages
        assert {p.chunk_id: p.score for p in hybrid} == pytest.approx(fused)
        assert [p.score for p in hybrid] == sorted((p.score for p in hybrid), reverse=True)
        dense = {p.chunk_id: p.dense_score for p in retriever.search(query, k=every, mode="dense").passages}
        assert all(p.dense_score == dense.get(p.chunk_id) for p in hybrid if p.chunk_id in dense)
