"""The index build's fast encoder must not cost retrieval quality: with the default settings (chunks
embedded by int8 ONNX Runtime, questions by the fp32 model), hit@k and MRR on the shipped test sets stay
within 0.01 of an index whose chunks the fp32 model embedded, dense and hybrid."""

from pathlib import Path

import pytest

from assistant.evaluation.metrics import retrieval_metrics
from assistant.evaluation.testset import load_testset
from assistant.retrieval import Retriever
from assistant.service import Assistant
from assistant.settings import Settings
from tests.conftest import TESTSET


def _questions() -> list:
    """The first turn of every answerable question with reference passages, in every shipped test set."""
    return [
        t
        for path in sorted(Path(TESTSET).parent.glob("*.jsonl"))
        for case in load_testset(path)
        for t in case.turns[:1]
        if t.answerable and t.reference_contexts
    ]


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


def test_default_build_encoder_retrieves_no_worse_than_fp32_by_more_than_001(tmp_path, corpus_settings):
    cases = _questions()
    assert len(cases) > 100  # one question more or less found moves hit@k by under 0.01
    defaults = Settings.model_fields
    assert (
        (corpus_settings.index_encoder, corpus_settings.encoder)
        == (
            defaults["index_encoder"].default,
            defaults["encoder"].default,
        )
        == ("onnx-int8", "onnx-fp32")
    )
    fast = _scores(corpus_settings, cases)
    fp32_settings = corpus_settings.with_overrides(data_dir=tmp_path / "fp32", index_encoder="onnx-fp32")
    Assistant(fp32_settings).build_index()
    fp32 = _scores(fp32_settings, cases)
    # No worse than fp32 by more than 0.01 (what `hit_at_k_delta >= -0.01` in make bench asks). Not
    # two-sided: on 166 questions the int8 index finds two more reference passages than fp32 (+0.012).
    for key, reference in fp32.items():
        assert fast[key] >= reference - 0.01, (key, fast[key], reference)
    assert fp32["dense_hit_at_k"] > 0.5  # the comparison is between two working retrievers


def test_manifest_records_both_encoders_and_a_mismatch_asks_for_a_full_rebuild(tmp_path, small_corpus):
    from index.generation import Generation, IndexMismatch, current_path

    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[small_corpus], chunk_size=120, chunk_overlap=40)
    Assistant(settings).build_index()
    manifest = Generation(current_path(settings.index_config().index_root)).manifest
    assert manifest["encoder"] == "onnx-int8 (documents) + onnx-fp32 (queries)"
    other = settings.with_overrides(index_encoder="onnx-fp32")
    with pytest.raises(IndexMismatch, match=r"encoder onnx-int8 \(documents\) \+ onnx-fp32 \(queries\), now onnx-fp32"):
        Assistant(other).ask("What did the alpha committee approve?")
    rebuilt = Assistant(other).build_index()  # nothing reusable: every chunk is embedded again
    assert rebuilt.embedded_chunks == rebuilt.chunks > 0
    assert Generation(current_path(settings.index_config().index_root)).manifest["encoder"] == "onnx-fp32"


def test_int8_vectors_do_not_depend_on_how_many_texts_run_at_once():
    """The build encoder runs one text per core at a time: threads share its work, never its vectors."""
    import numpy as np

    from index import embeddings

    texts = ["Seoul and Washington " * n for n in (1, 30, 5, 60, 2)]
    shared = embeddings.load_encoder("onnx-int8")
    assert isinstance(shared, embeddings.OnnxEncoder) and shared.workers >= 1
    alone = embeddings.OnnxEncoder(shared.session, workers=1)
    for positions, ids, mask in embeddings.batches(texts, batch_size=len(texts)):
        threaded = embeddings.OnnxEncoder(shared.session, workers=3).vectors(ids, mask)
        assert np.array_equal(threaded, alone.vectors(ids, mask)), positions
