"""The Embedder seam: the encoder setting picks the model in one place, the fake stands in for it in logic
tests, the cache asks the model once per text, and the fast tier refuses the real model."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from assistant.settings import Settings
from index import embeddings
from index.embedder import CachedEmbedder, Embedder, embedder_for
from index.embeddings import ENCODERS, MODEL_DIM, MODEL_NAME, MiniLMEmbedder, encoder_label

pytestmark = pytest.mark.fast


def test_the_encoder_settings_choose_a_minilm_embedder_without_loading_the_model(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_MODEL_CACHE")  # the test run's shared exports, set by conftest
    for encoder in ENCODERS:
        for index_encoder in ENCODERS:
            config = Settings(data_dir=tmp_path, encoder=encoder, index_encoder=index_encoder).index_config()
            embedder = embedder_for(config)
            assert isinstance(embedder, MiniLMEmbedder) and isinstance(embedder, Embedder)
            assert (embedder.query_encoder, embedder.document_encoder) == (encoder, index_encoder)
            assert (embedder.name, embedder.dimension) == (MODEL_NAME, MODEL_DIM)
            assert embedder.encoder == encoder_label(index_encoder, encoder)
            assert embedder.cache_dir == tmp_path / "models"  # the ONNX graphs are exported into the data folder
    shared = Settings(data_dir=tmp_path, model_cache=tmp_path / "shared").index_config()
    assert embedder_for(shared).cache_dir == tmp_path / "shared"  # unless a shared folder is set


def test_by_default_chunks_are_embedded_in_int8_and_questions_in_fp32(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    embedder = embedder_for(Settings().index_config())
    assert embedder.encoder == "onnx-int8 (documents) + onnx-fp32 (queries)"  # what the manifest records
    monkeypatch.setenv("ASSISTANT_INDEX_ENCODER", "onnx-fp32")
    assert embedder_for(Settings().index_config()).encoder == "onnx-fp32"  # one encoder: its name alone


def test_each_role_runs_its_own_encoder(monkeypatch, tmp_path):
    calls = []

    def fake_embed(texts, batch_size=64, show_progress=False, encoder=None, cache_dir=None):
        calls.append((encoder, list(texts)))
        return np.zeros((len(texts), MODEL_DIM), np.float32)

    monkeypatch.setattr(embeddings, "embed", fake_embed)
    pair = MiniLMEmbedder("onnx-fp32", tmp_path, 64, "onnx-int8")
    pair.embed_documents(["chunk"])
    pair.embed_query("question")
    side = pair.query_side()
    side.embed_documents(["sentence"])
    assert calls == [("onnx-int8", ["chunk"]), ("onnx-fp32", ["question"]), ("onnx-fp32", ["sentence"])]
    assert side.encoder == "onnx-fp32" and side.cache_dir == tmp_path
    alike = MiniLMEmbedder("onnx-fp32", tmp_path, 64, "onnx-fp32")
    assert alike.query_side() is alike and MiniLMEmbedder().query_side() == MiniLMEmbedder()


def test_answer_time_vectors_come_from_the_query_encoder(monkeypatch, tmp_path):
    """The answerer and the guard score sentences against the question with one encoder, cached."""
    from assistant.answerers.extractive import ExtractiveAnswerer
    from assistant.guard import Guard

    pair = MiniLMEmbedder("onnx-fp32", tmp_path, 64, "onnx-int8")
    answerer = ExtractiveAnswerer(Settings(data_dir=tmp_path), pair)
    assert answerer.vectors.inner == pair.query_side()
    assert Guard(0.5, pair).embedder == pair.query_side()
    assert Guard(0.5, answerer.vectors).embedder is answerer.vectors  # the cache is shared, not wrapped again
    cached = CachedEmbedder(pair)
    assert cached.query_side().inner == pair.query_side() and cached.query_side() is not cached


@pytest.mark.parametrize("batch_size", [1, 2, 3, 64])
def test_length_buckets_sort_longest_first_and_keep_every_text_once(batch_size):
    lengths = [5, 12, 3, 12, 7, 1]
    buckets = embeddings.length_buckets(lengths, batch_size)
    assert sorted(p for b in buckets for p in b) == list(range(len(lengths)))
    assert all(0 < len(b) <= batch_size for b in buckets)
    flat = [lengths[p] for b in buckets for p in b]
    assert flat == sorted(lengths, reverse=True)  # neighbours in a batch have similar lengths
    assert embeddings.length_buckets([], batch_size) == []


def test_a_bucket_is_padded_only_to_its_own_longest_text():
    encoded = [[101, 7, 102], [101, 5, 6, 8, 102], [101, 102]]
    ids, mask = embeddings.padded(encoded, [1, 0])
    assert ids.shape == mask.shape == (2, 5) and ids.dtype == mask.dtype == np.int64
    assert ids.tolist() == [[101, 5, 6, 8, 102], [101, 7, 102, 0, 0]]
    assert mask.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]
    alone, alone_mask = embeddings.padded(encoded, [2])
    assert alone.tolist() == [[101, 102]] and alone_mask.all()  # batch size 1: no padding at all


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
