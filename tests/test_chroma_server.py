"""The assistant against a real Chroma server (`chroma run` on a free loopback port) instead of the
embedded store: the index must live on the server, answer with citations, stay consistent with the
BM25 index across incremental rebuilds, and clean up the collections of generations it deletes.
When the server is down, the user must get one clear error, not a stack trace."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.settings import SHIPPED_CORPUS, Settings
from index.generation import Generation, current_path
from tests.ports import free_port

PROJECT = Path(__file__).resolve().parent.parent
CHROMA = Path(sys.executable).parent / "chroma"
SEED = "motin_2025_lee_north_korea_diplomacy.txt"
READY_TIMEOUT_S = 30.0

pytestmark = pytest.mark.skipif(not CHROMA.exists(), reason=f"no chroma CLI at {CHROMA}")


def wait_until_ready(url: str, process: subprocess.Popen, timeout: float = READY_TIMEOUT_S) -> None:
    """Poll the heartbeat until it answers; fail fast if the server exits (e.g. the port was taken)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with code {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)  # poll interval, not a readiness guess
    raise TimeoutError(f"chroma server at {url} not ready after {timeout:.0f} s")


@contextmanager
def chroma_server(path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A `chroma run` process persisting to `path`; stopped by its pid when the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (path.parent / f"chroma-{port}.log").open("wb")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_until_ready(url, process)
        yield url, process
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def http_client(url: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = url.removeprefix("http://").split(":")
    return chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))


def collection_name(generation_name: str) -> str:
    return f"peninsula_{generation_name}".replace("-", "_")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "db") as (url, _process):
        yield url


@pytest.fixture
def seed_corpus(tmp_path) -> Path:
    """A private copy of the shipped seed article, so tests may edit it."""
    folder = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, folder)
    return folder


def server_settings(tmp_path: Path, corpus: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dirs=[corpus], chroma_url=url)


def current(settings: Settings) -> Generation:
    return Generation(current_path(settings.index_config().index_root))


def test_index_lives_on_the_server_and_answers_with_a_citation(tmp_path, seed_corpus, server):
    settings = server_settings(tmp_path, seed_corpus, server)
    assistant = Assistant(settings)
    summary = assistant.build_index()

    generation = current(settings)
    assert generation.manifest["chroma_url"] == server
    assert not (generation.folder / "chroma").exists(), "a server build must not write an embedded store"
    on_server = {c.name: c for c in http_client(server).list_collections()}
    assert generation.manifest["collection"] in on_server
    assert on_server[generation.manifest["collection"]].count() == summary.chunks > 0

    answer = assistant.ask("Who did Lee call first?")
    assert not answer.abstained
    assert "Trump" in answer.text
    assert answer.citations and answer.citations[0].passage.doc_id == SEED
    assert "Trump" in answer.citations[0].quote
    assert answer.retrieved and any(p.dense_score is not None for p in answer.retrieved), (
        "dense hits come from the server"
    )


def test_incremental_rebuilds_drop_old_collections_and_keep_bm25_in_step(tmp_path, seed_corpus, server):
    """The builder keeps the newest two generations (a running server may still read the older);
    every generation it deletes from disk must also disappear from the Chroma server."""
    settings = server_settings(tmp_path, seed_corpus, server)
    assistant = Assistant(settings)
    first = assistant.build_index()
    article = seed_corpus / SEED
    original = article.read_text(encoding="utf-8")

    article.write_text(original + "\nThe zebra quartet performed in Kaesong in October.\n", encoding="utf-8")
    second = assistant.build_index()
    assert second.changed == [SEED] and not second.full and second.embedded_chunks <= second.chunks
    assert_store_matches_disk(settings, server, [first.generation, second.generation])
    assert_findable(assistant, "zebra quartet Kaesong", "zebra quartet")

    article.write_text(original + "\nThe walrus choir rehearsed in Wonsan in November.\n", encoding="utf-8")
    third = assistant.build_index()
    assert third.changed == [SEED]
    names = assert_store_matches_disk(settings, server, [first.generation, second.generation, third.generation])
    assert collection_name(first.generation) not in names, "the deleted generation's collection is still on the server"
    assert names == {collection_name(second.generation), collection_name(third.generation)}
    assert_findable(assistant, "walrus choir Wonsan", "walrus choir")
    stale = [p for p in assistant.retriever.search("zebra quartet Kaesong", 6, "bm25").passages if "zebra" in p.text]
    assert stale == [], "BM25 still returns text that was edited away"


def assert_store_matches_disk(settings: Settings, url: str, built: list[str]) -> set[str]:
    """Of the collections these builds created (other tests share the server), exactly those whose
    generation folder is still on disk remain; the current one agrees chunk for chunk with BM25."""
    root = settings.index_config().index_root
    on_disk = {collection_name(p.name) for p in root.glob("gen-*")}
    client = http_client(url)
    ours = {c.name for c in client.list_collections()} & {collection_name(g) for g in built}
    assert ours == on_disk
    generation = current(settings)
    collection = client.get_collection(generation.manifest["collection"])
    assert collection.count() == len(generation.chunks) == generation.lexical.n_chunks == generation.vectors.shape[0]
    return ours


def assert_findable(assistant: Assistant, query: str, phrase: str) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        hits = assistant.retriever.search(query, 3, mode).passages
        assert hits and phrase in hits[0].text, f"{mode}: {phrase!r} not the top hit for {query!r}"


def test_server_down_gives_one_clear_error(tmp_path, seed_corpus):
    """A server of its own, stopped on purpose: the library names Chroma in the error it raises."""
    with chroma_server(tmp_path / "db") as (url, process):
        settings = server_settings(tmp_path, seed_corpus, url)
        Assistant(settings).build_index()
        warm = Assistant(settings)
        assert "Trump" in warm.ask("Who did Lee call first?").text
        stop(process)
        assert process.returncode is not None

    with pytest.raises(Exception, match="(?i)chroma"):
        Assistant(settings).ask("Who did Lee call first?")


def test_server_down_cli_prints_one_line_and_a_warm_assistant_names_chroma(tmp_path, seed_corpus):
    with chroma_server(tmp_path / "db") as (url, process):
        settings = server_settings(tmp_path, seed_corpus, url)
        Assistant(settings).build_index()
        warm = Assistant(settings)
        warm.ask("Who did Lee call first?")
        stop(process)

    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_CHROMA_URL": url,
        "ASSISTANT_CORPUS_DIRS": str(seed_corpus),
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "Who did Lee call first?"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Chroma" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr

    with pytest.raises(Exception, match="(?i)chroma"):
        warm.ask("Who did Lee call first?")
