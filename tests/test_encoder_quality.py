"""The fast int8 encoder must not cost retrieval quality: hit@k and MRR on the shipped test set stay
within 0.01 of the fp32 reference model, dense and hybrid."""

import pytest

from assistant.evaluation.metrics import retrieval_metrics
from assistant.evaluation.testset import load_testset
from assistant.retrieval import Retriever
from assistant.service import Assistant
from index import embeddings
from tests.conftest import TESTSET


def _scores(settings, cases) -> dict[str, float]:
    retriever = Retriever(settings)
    totals: dict[str, float] = {}
    for mode in ("dense", "hybrid"):
        k = settings.top_k
        rows = [
            retrieval_metrics(retriever.search(t.user_input, k, mode).passages, t.reference_contexts, k) for t in cases
        ]
        for metric in ("hit_at_k", "mrr"):
            totals[f"{mode}_{metric}"] = sum(r[metric] for r in rows) / len(rows)
    return totals


def test_int8_retrieval_within_001_of_fp32_on_the_test_set(tmp_path, corpus_settings):
    cases = [t for case in load_testset(TESTSET) for t in case.turns[:1] if t.answerable and t.reference_contexts]
    assert len(cases) > 50
    assert corpus_settings.encoder == "onnx-fp32"  # the default: the fp32 reference's vectors
    fp32 = _scores(corpus_settings, cases)
    int8_settings = corpus_settings.with_overrides(data_dir=tmp_path / "int8", encoder="onnx-int8")
    try:
        Assistant(int8_settings).build_index()
        int8 = _scores(int8_settings, cases)
    finally:
        embeddings.configure(embeddings.DEFAULT_ENCODER)  # the session's other tests use the default encoder
    for key, reference in fp32.items():
        assert int8[key] >= reference - 0.01, (key, int8[key], reference)
    assert fp32["dense_hit_at_k"] > 0.5  # the comparison is between two working retrievers


def test_manifest_records_the_encoder_and_a_mismatch_asks_for_a_full_rebuild(tmp_path, small_corpus):
    from assistant.settings import Settings
    from index.generation import Generation, IndexMismatch, current_path

    settings = Settings(
        data_dir=tmp_path / "data", corpus_dirs=[small_corpus], chunk_size=120, chunk_overlap=40, encoder="onnx-int8"
    )
    Assistant(settings).build_index()
    assert Generation(current_path(settings.index_config().index_root)).manifest["encoder"] == "onnx-int8"
    other = settings.with_overrides(encoder="torch-fp32")
    try:
        with pytest.raises(IndexMismatch, match=r"encoder onnx-int8, now torch-fp32.*index --full"):
            Assistant(other).ask("What did the alpha committee approve?")
        rebuilt = Assistant(other).build_index()  # nothing reusable: every chunk is embedded again
        assert rebuilt.embedded_chunks == rebuilt.chunks > 0
    finally:
        embeddings.configure(embeddings.DEFAULT_ENCODER)
