import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import Settings

pytestmark = pytest.mark.fast


def test_corpus_dirs_env_is_split_on_pathsep(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_CORPUS_DIRS", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    monkeypatch.setenv("ASSISTANT_TOP_K", "9")
    settings = Settings()
    assert settings.corpus_dirs == [tmp_path / "a", tmp_path / "b"]
    assert settings.top_k == 9


def test_overrides_win_over_env_and_are_validated(monkeypatch):
    monkeypatch.setenv("ASSISTANT_RETRIEVER", "dense")
    settings = Settings().with_overrides(retriever="bm25", top_k=None)
    assert settings.retriever == "bm25" and settings.top_k == 6
    with pytest.raises(ValidationError):
        Settings().with_overrides(retriever="magic")
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(chunk_size=200, chunk_overlap=300)


def test_defaults_bind_loopback_and_use_isolated_data_dir(isolated_user_dir):
    settings = Settings()
    assert settings.host == "127.0.0.1"
    assert settings.data_dir == Path(isolated_user_dir)
