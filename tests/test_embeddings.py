"""Our encoders against sentence-transformers on the same in-wheel model: the fp32 one gives its vectors,
the int8 one stays close to them."""

import numpy as np
import pytest

from index import embeddings

TEXTS = [
    "Lee Jae-myung called Donald Trump first.",
    "North Korea stayed uncharacteristically quiet.",
    "short",
    "A much longer sentence about the alliance between Seoul and Washington, " * 20,  # truncated at 256 tokens
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(embeddings.model_path()), device="cpu").encode(TEXTS, normalize_embeddings=True)


@pytest.mark.parametrize("encoder", ["torch-fp32", "onnx-fp32"])
def test_fp32_vectors_equal_sentence_transformers_encode(reference, encoder):
    ours = embeddings.embed(TEXTS, batch_size=2, encoder=encoder)
    assert ours.shape == (len(TEXTS), embeddings.MODEL_DIM)
    assert np.abs(ours - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_int8_vectors_point_where_the_fp32_ones_do(reference):
    ours = embeddings.embed(TEXTS, batch_size=2, encoder="onnx-int8")
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * reference).sum(axis=1).min() > 0.98  # cosine to the reference vector of the same text


@pytest.mark.parametrize("encoder", embeddings.ENCODERS)
def test_order_of_inputs_is_kept_when_batches_are_sorted_by_length(encoder):
    texts = ["b " * 50, "a", "c " * 10]
    together = embeddings.embed(texts, batch_size=2, encoder=encoder)
    alone = np.stack([embeddings.embed_one(t, encoder=encoder) for t in texts])
    assert np.abs(together - alone).max() < 1e-5  # a text's vector does not depend on its batch


def test_int8_graph_is_exported_once_into_the_data_folder(tmp_path):
    from index import onnx_encoder

    first = onnx_encoder.ensure_model(embeddings.model_path(), tmp_path / "models")
    assert first.parent == tmp_path / "models" and first.stat().st_size > 1_000_000
    mtime = first.stat().st_mtime_ns
    assert onnx_encoder.ensure_model(embeddings.model_path(), tmp_path / "models") == first
    assert first.stat().st_mtime_ns == mtime
    # The fused fp32 graph it was quantized from is kept as the question encoder's: not exported again.
    fp32 = onnx_encoder.ensure_model(embeddings.model_path(), tmp_path / "models", "fp32")
    assert sorted((tmp_path / "models").iterdir()) == sorted([first, fp32]) and fp32.stat().st_mtime_ns <= mtime
    import onnx

    ops = [n.op_type for n in onnx.load(str(first)).graph.node]
    assert ops.count("QAttention") == 6  # fused before quantization: one int8 attention node per layer
    assert ops.count("MatMulInteger") == 18  # per layer: attention output and the two feed-forward products
    assert "EmbedLayerNormalization" in ops and "QEmbedLayerNormalization" not in ops  # fp32 embeddings
