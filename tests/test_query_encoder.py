"""Questions are embedded by the fused fp32 ONNX graph: fused for speed, never quantized, so every
question's vector is the fp32 model's (sentence-transformers on PyTorch) to float rounding, and retrieval
and the answerer's scores do not move."""

from pathlib import Path

import numpy as np
import pytest

from assistant.evaluation.testset import load_testset
from index import embeddings, onnx_encoder
from index.embeddings import MiniLMEmbedder
from tests.conftest import TESTSET


def _questions() -> list[str]:
    """Every turn of every shipped test set: short questions, as users ask them."""
    return [
        t.user_input
        for path in sorted(Path(TESTSET).parent.glob("*.jsonl"))
        for case in load_testset(path)
        for t in case.turns
    ]


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return _questions()


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    """One export of the graph for the module (the optimizer takes ~15 s)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def reference(questions) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(embeddings.model_path()), device="cpu")
    return model.encode(questions, batch_size=32, normalize_embeddings=True)


def test_every_test_set_question_gets_the_fp32_models_vector(questions, reference, models):
    embedder = MiniLMEmbedder("onnx-fp32", models)
    ours = np.stack([embedder.embed_query(q) for q in questions])
    assert len(questions) > 100
    assert (ours * reference).sum(axis=1).min() >= 0.9999
    assert np.abs(ours - reference).max() < 1e-5


def test_answer_time_batches_get_the_same_vectors_as_single_questions(questions, models):
    """Candidate sentences are embedded in padded batches: the fused attention must ignore the padding."""
    embedder = MiniLMEmbedder("onnx-fp32", models)
    sample = questions[:40]
    together = embedder.embed_documents(sample)
    alone = np.stack([embedder.embed_query(q) for q in sample])
    assert np.abs(together - alone).max() < 1e-5


def test_fp32_graph_is_fused_and_not_quantized(models):
    import onnx

    graph = onnx_encoder.ensure_model(embeddings.model_path(), models, "fp32")
    ops = [n.op_type for n in onnx.load(str(graph)).graph.node]
    assert ops.count("Attention") == 6 and ops.count("EmbedLayerNormalization") == 1
    assert not [op for op in ops if "Integer" in op or op.startswith(("Q", "DynamicQuantize"))]
