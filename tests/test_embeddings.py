"""Our loader must give the vectors sentence-transformers gives for the same in-wheel model."""

import numpy as np

from index import embeddings


def test_vectors_equal_sentence_transformers_encode():
    from sentence_transformers import SentenceTransformer

    texts = [
        "Lee Jae-myung called Donald Trump first.",
        "North Korea stayed uncharacteristically quiet.",
        "short",
        "A much longer sentence about the alliance between Seoul and Washington, " * 20,  # truncated at 256 tokens
    ]
    reference = SentenceTransformer(str(embeddings.model_path()), device="cpu").encode(texts, normalize_embeddings=True)
    ours = embeddings.embed(texts, batch_size=2)
    assert ours.shape == (len(texts), embeddings.MODEL_DIM)
    assert np.abs(ours - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_order_of_inputs_is_kept_when_batches_are_sorted_by_length():
    texts = ["b " * 50, "a", "c " * 10]
    together = embeddings.embed(texts, batch_size=2)
    alone = np.stack([embeddings.embed_one(t) for t in texts])
    assert np.abs(together - alone).max() < 1e-5
