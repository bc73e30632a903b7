"""The Embedder seam: the encoder setting picks the model in one place, the fake stands in for it in logic
tests, the cache asks the model once per text, and the fast tier refuses the real model."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from assistant.settings import Settings
from index.embedder import CachedEmbedder, Embedder, embedder_for
from index.embeddings import ENCODERS, MODEL_DIM, MODEL_NAME, MiniLMEmbedder

pytestmark = pytest.mark.fast


def test_the_encoder_setting_chooses_a_minilm_embedder_without_loading_the_model(tmp_path):
    for encoder in ENCODERS:
        embedder = embedder_for(Settings(data_dir=tmp_path, encoder=encoder).index_config())
        assert isinstance(embedder, MiniLMEmbedder) and isinstance(embedder, Embedder)
        assert (embedder.name, embedder.dimension, embedder.encoder) == (MODEL_NAME, MODEL_DIM, encoder)
        assert embedder.cache_dir == tmp_path / "models"  # the int8 graph is exported into the data folder


def test_the_fake_embedder_is_not_a_user_setting():
    with pytest.raises(ValidationError, match="encoder"):
        Settings(encoder="hashing")
    with pytest.raises(ValueError, match="unknown encoder 'hashing'"):
        MiniLMEmbedder("hashing")


def test_a_fast_test_that_loads_the_real_model_fails():
    with pytest.raises(pytest.fail.Exception, match="real MiniLM"):
        MiniLMEmbedder().embed_query("Who did Lee call first?")


def test_the_fake_embedder_is_deterministic_normalized_and_sees_shared_words(fake_embedder):
    texts = ["The alpha committee met in Busan on Monday.", "The beta team studied tide tables."]
    vectors = fake_embedder.embed_documents(texts)
    assert isinstance(fake_embedder, Embedder)
    assert vectors.shape == (2, fake_embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(fake_embedder.embed_query(texts[0]), vectors[0])
    query = fake_embedder.embed_query("Where did the alpha committee meet?")
    assert query @ vectors[0] > query @ vectors[1] + 0.1
    assert fake_embedder.embed_documents([]).shape == (0, fake_embedder.dimension)


class Counting:
    """The fake, recording what it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.calls = inner, []
        self.name, self.encoder, self.dimension = inner.name, inner.encoder, inner.dimension

    def embed_documents(self, texts):
        self.calls.append(list(texts))
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.embed_documents([text])[0]


def test_the_cache_embeds_each_text_once_and_returns_the_model_vectors(fake_embedder):
    counting = Counting(fake_embedder)
    cached = CachedEmbedder(counting)
    first = cached.embed_documents(["alpha beta", "gamma delta", "alpha beta"])
    again = cached.embed_documents(["gamma delta", "epsilon"])
    assert counting.calls == [["alpha beta", "gamma delta"], ["epsilon"]]
    assert np.array_equal(first, fake_embedder.embed_documents(["alpha beta", "gamma delta", "alpha beta"]))
    assert np.array_equal(again[0], first[1]) and np.array_equal(cached.embed_query("epsilon"), again[1])
    assert (cached.name, cached.dimension, cached.encoder) == (fake_embedder.name, fake_embedder.dimension, "hashing")
    assert cached.embed_documents([]).shape == (0, fake_embedder.dimension)


def test_a_full_cache_is_emptied_without_losing_the_vectors_being_returned(fake_embedder):
    cached = CachedEmbedder(fake_embedder, limit=2)
    cached.embed_documents(["one", "two"])
    out = cached.embed_documents(["one", "three"])  # "three" overflows the cache, which is cleared
    assert np.array_equal(out, fake_embedder.embed_documents(["one", "three"]))
