#!/usr/bin/env python
"""Peninsula benchmarks: indexing, query latency, scale, web serving and Chroma embedded vs server,
with the real model, compared against the project's performance targets.

    .venv/bin/python benchmarks/run.py            # everything (1k, 10k and 100k synthetic chunks)
    .venv/bin/python benchmarks/run.py --quick    # skips the 10k and 100k scale points

Writes benchmarks/results/latest.json and a dated copy, and prints a Markdown table. See README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
BENCH = PROJECT / "benchmarks"
RESULTS = BENCH / "results"
CACHE = BENCH / "cache"
SHARED_CORPUS = PROJECT.parent / "shared" / "corpus"
TESTSET = PROJECT / "corpus" / "testsets" / "core.jsonl"
CHROMA_CLI = Path(sys.executable).parent / "chroma"
COLD_QUESTION = "Who did Lee call first?"
SCALE_SEED = 20250601
SCALE_POINTS = {"1k": 1_000, "10k": 10_000, "100k": 100_000}  # the default points; --scale takes any "Nk"
SERVING_LEVELS = (1, 5, 20)
SECTIONS = ("encoder", "indexing", "queries", "scale", "serving", "chroma")
SCALE_ANSWER_QUESTIONS = 20  # a first (cache-cold) answer costs seconds on a busy 2-core box

# Benchmarks measure the defaults: no user ASSISTANT_* setting may leak in (the Makefile exports some).
for _name in [n for n in os.environ if n.startswith("ASSISTANT_")]:
    del os.environ[_name]
os.environ.update(
    {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }
)
sys.path.insert(0, str(PROJECT))

# name -> (comparison, threshold). Checked against the flat "keys" of a run.
TARGETS: dict[str, tuple[str, float]] = {
    "encoder_speedup": (">=", 2.0),
    "hit_at_k_delta": (">=", -0.01),
    "build_100k_s": ("<=", 170.0),
    "noop_reindex_s_100k": ("<=", 1.0),
    "one_file_changed_reindex_s_100k": ("<=", 2.0),
    "answer_p50_ms": ("<=", 30.0),
    "retrieval_p95_ms_100k": ("<=", 15.0),
    "cold_start_s": ("<=", 5.0),
}
SECTION_ALIASES = {"answer": "queries", "noop": "scale", "build": "scale"}  # --only words for what they measure


# -- small helpers ----------------------------------------------------------------------------------


def scale_size(point: str) -> int:
    """Chunks of a scale point name: "2k" -> 2000, "100k" -> 100000, "500" -> 500."""
    return int(float(point[:-1]) * 1000) if point.lower().endswith("k") else int(point)


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the Markdown table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile; None for no samples (a skipped measurement, not a zero)."""
    if not values:
        return None
    import numpy as np

    return round(float(np.percentile(np.asarray(values, dtype=float), q)), 2)


def summary_ms(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": pct(values, 50),
        "p95_ms": pct(values, 95),
        "max_ms": round(max(values), 2) if values else None,
    }


def rss_mb() -> dict[str, float]:
    """Current and peak resident memory of this process (Linux /proc; ru_maxrss as fallback)."""
    out: dict[str, float] = {"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
            elif line.startswith("VmHWM:"):
                out["peak_rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    return out


def cpu_seconds() -> dict[str, float]:
    """User + system CPU seconds of this process and of its reaped children."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self": own.ru_utime + own.ru_stime, "children": children.ru_utime + children.ru_stime}


def disk_mb(path: Path) -> float:
    """Allocated size on disk (blocks, not apparent size), symlinks not followed."""
    total = 0
    for p in path.rglob("*"):
        with contextlib.suppress(OSError):
            st = p.lstat()
            total += st.st_blocks * 512
    return round(total / 1e6, 2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, timeout: float, what: str) -> None:
    """Poll `url` until it answers 200; fail fast if `process` exits first. Bounded, no fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before it was ready")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError, OSError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready at {url} after {timeout:.0f} s")


def stop_process(process: subprocess.Popen) -> None:
    """Terminate by pid, then kill if it ignores SIGTERM."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port persisting to `path`, stopped when the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / f"chroma-{port}.log").open("wb") as logfile:
        process = subprocess.Popen(
            [str(CHROMA_CLI), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        try:
            wait_http(f"{url}/api/v2/heartbeat", process, 60, "chroma run")
            yield url
        finally:
            stop_process(process)


@contextlib.contextmanager
def patched_embed(replacement: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """Swap index.embeddings.embed (what IndexBuilder and embed_one call) for `replacement`."""
    from index import embeddings

    original = embeddings.embed
    embeddings.embed = replacement
    try:
        yield original
    finally:
        embeddings.embed = original


class StageClock:
    """IndexBuilder progress hook that turns stage callbacks into a per-stage time breakdown."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.first.setdefault(stage, now)
        self.last[stage] = now

    def breakdown(self, end: float) -> dict[str, float]:
        f, last = self.first, self.last
        if not f:
            return {}
        # A build from scratch embeds and stores while it chunks: those stages then overlap (sum > total).
        marks = [
            ("load_corpus", self.start, f.get("chunking")),
            ("chunking", f.get("chunking"), last.get("chunking")),
            ("embedding", f.get("embedding"), last.get("embedding")),
            ("write_files", last.get("embedding"), f.get("lexical")),
            ("bm25", f.get("lexical"), last.get("lexical")),
            ("chroma_add", f.get("storing"), last.get("storing")),
            ("finish", max(last.values()), end),
        ]
        return {name: round(b - a, 3) for name, a, b in marks if a is not None and b is not None}


def corpus_dirs() -> list[Path]:
    """The shipped seed article plus the related documents beside the checkout, like `make run`."""
    from assistant.settings import SHIPPED_CORPUS

    return [SHIPPED_CORPUS] + ([SHARED_CORPUS] if SHARED_CORPUS.is_dir() else [])


def settings_for(data_dir: Path, dirs: list[Path], chroma_url: str | None = None) -> Any:
    from assistant.settings import Settings

    return Settings(data_dir=data_dir, corpus_dirs=dirs, chroma_url=chroma_url)


def load_testset() -> tuple[list[str], list[list[str]]]:
    """Single-turn questions, and the multi-turn conversations (as lists of questions)."""
    singles, conversations = [], []
    for line in TESTSET.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if isinstance(row.get("user_input"), str):
            singles.append(row["user_input"])
        elif row.get("turns"):
            conversations.append([t["user_input"] for t in row["turns"]])
    return singles, conversations


def searchable_texts(dirs: list[Path]) -> list[str]:
    """Exactly the texts IndexBuilder embeds on a full build (verified against a recording)."""
    from index.build import searchable_text
    from index.chunking import chunk_document, split_sentences
    from index.loaders import load_corpus

    cfg = settings_for(Path("/nonexistent"), dirs).index_config()
    loaded = load_corpus(cfg.corpus_dirs, cfg.exclude, cfg.max_file_bytes)
    texts = []
    for doc in loaded.documents:
        for chunk in chunk_document(doc.doc_id, doc.text, split_sentences(doc.text), cfg.chunk_size, cfg.chunk_overlap):
            texts.append(searchable_text(chunk.text, doc.metadata.get("title", doc.doc_id)))
    return texts


def seed_model_cache(data: Path) -> None:
    """Put the ONNX exports (int8 for documents, fp32 for questions) into `data/models` (exported once into
    benchmarks/cache/models, then hard-linked), so no timed build or query pays the one-time export."""
    from index import embeddings, onnx_encoder

    for precision in onnx_encoder.RECIPES:
        source = onnx_encoder.ensure_model(embeddings.model_path(), CACHE / "models", precision)
        target = data / "models" / source.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)


# -- (0) encoder ------------------------------------------------------------------------------------


def testset_questions() -> list[Any]:
    """The first turn of every answerable question with reference passages, in every shipped test set."""
    from assistant.evaluation.testset import load_testset

    return [
        t
        for path in sorted(TESTSET.parent.glob("*.jsonl"))
        for case in load_testset(path)
        for t in case.turns[:1]
        if t.answerable and t.reference_contexts
    ]


def bench_encoder(dirs: list[Path], rounds: int = 3) -> dict[str, Any]:
    """The index build's document encoder (`embedder_for(...).embed_documents`, what IndexBuilder calls)
    vs raw fp32 `SentenceTransformer.encode` on the same chunk texts, interleaved (the order alternates
    every round, so load drift on a shared machine hits both), plus dense hit@k / MRR of both on the test
    sets' answerable questions (brute-force top-k over the same chunks; our questions through our query
    encoder, as retrieval embeds them)."""
    from types import SimpleNamespace

    import numpy as np
    from sentence_transformers import SentenceTransformer  # the reference the issue names, not our loader

    from assistant.evaluation.metrics import retrieval_metrics
    from assistant.settings import Settings
    from index import embeddings
    from index.embedder import embedder_for

    seed_model_cache(CACHE)  # CACHE/models holds the exports already; this only warms the path
    settings = Settings(data_dir=CACHE, corpus_dirs=dirs)
    embedder = embedder_for(settings.index_config())  # the defaults: what a build and a question run
    texts = searchable_texts(dirs)
    reference = SentenceTransformer(str(embeddings.model_path()), device="cpu")

    def fp32() -> np.ndarray:
        return reference.encode(
            texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    def ours() -> np.ndarray:
        return embedder.embed_documents(texts)

    ours(), fp32()  # warm-up: first-call setup is in neither measurement
    load_before = os.getloadavg()[0]  # another process on the 2 cores slows fp32's big batches more
    timings: dict[str, list[float]] = {"fp32": [], "ours": []}
    vectors: dict[str, np.ndarray] = {}
    for r in range(rounds):
        for name in ("fp32", "ours") if r % 2 == 0 else ("ours", "fp32"):
            started = time.perf_counter()
            vectors[name] = fp32() if name == "fp32" else ours()
            timings[name].append(time.perf_counter() - started)
    ratios = [f / o for f, o in zip(timings["fp32"], timings["ours"])]
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]

    cases = testset_questions()
    k = Settings.model_fields["top_k"].default
    questions = [t.user_input for t in cases]
    query_vectors = {
        "fp32": reference.encode(questions, normalize_embeddings=True, convert_to_numpy=True),
        "ours": np.vstack([embedder.embed_query(q) for q in questions]),
    }  # one at a time, as retrieval
    quality: dict[str, dict[str, float]] = {}
    for name, q in query_vectors.items():
        top = np.argsort(-(q @ vectors[name].T), axis=1)[:, :k]
        rows = [
            retrieval_metrics([SimpleNamespace(text=texts[i]) for i in ranked], t.reference_contexts, k)
            for ranked, t in zip(top, cases)
        ]
        quality[name] = {m: round(sum(r[m] for r in rows) / len(rows), 4) for m in ("hit_at_k", "mrr")}
    return {
        "encoder": embedder.encoder,
        "chunks": len(texts),
        "rounds": rounds,
        "fp32_s": [round(t, 2) for t in timings["fp32"]],
        "ours_s": [round(t, 2) for t in timings["ours"]],
        "fp32_chunks_per_s": round(len(texts) / statistics.median(timings["fp32"]), 2),
        "ours_chunks_per_s": round(len(texts) / statistics.median(timings["ours"]), 2),
        "speedup_per_round": [round(x, 3) for x in ratios],
        "encoder_speedup": round(statistics.median(ratios), 3),
        "speedup_spread": [round(min(ratios), 3), round(max(ratios), 3)],
        "load_avg_1m": load,  # before and after the timed rounds: compare runs near 0 (idle)
        "questions": len(cases),
        "k": k,
        "quality": quality,
        "hit_at_k_delta": round(quality["ours"]["hit_at_k"] - quality["fp32"]["hit_at_k"], 4),
        "mrr_delta": round(quality["ours"]["mrr"] - quality["fp32"]["mrr"], 4),
        "min_cosine_to_fp32": round(float((vectors["ours"] * vectors["fp32"]).sum(axis=1).min()), 4),
    }


# -- (a) indexing -----------------------------------------------------------------------------------


def bench_indexing(work: Path, dirs: list[Path]) -> tuple[dict[str, Any], Path]:
    """Full build vs raw encoder on the same texts (A-B-A so load drift cancels), no-op and one-file re-index."""
    from sentence_transformers import SentenceTransformer  # the reference the issue names, not our loader

    from assistant.service import Assistant
    from index import embeddings

    model = SentenceTransformer(str(embeddings.model_path()), device="cpu")
    model.encode(["warm-up so first-call setup is in neither measurement"])
    texts = searchable_texts(dirs)

    def raw_encode() -> float:
        started = time.perf_counter()
        model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return time.perf_counter() - started

    log(f"indexing: raw encode of {len(texts)} chunk texts (before)")
    encode_before = raw_encode()
    data = work / "main-data"
    recorded: list[str] = []
    embed_time = [0.0]

    def recording_embed(
        batch: list[str],
        batch_size: int = 64,
        show_progress: bool = False,
        encoder: str | None = None,
        cache_dir: Path | None = None,
    ):
        recorded.extend(batch)
        started = time.perf_counter()
        try:
            return original(batch, batch_size, show_progress, encoder, cache_dir)
        finally:
            embed_time[0] += time.perf_counter() - started

    log("indexing: full build")
    seed_model_cache(data)
    assistant = Assistant(settings_for(data, dirs))
    embeddings.embed(["warm-up: the build's encoder is loaded before the clock starts"])
    clock = StageClock()
    with patched_embed(recording_embed) as original:
        started = time.perf_counter()
        summary = assistant.build_index(full=True, progress=clock)
        build_s = time.perf_counter() - started
    stages = clock.breakdown(started + build_s)
    log("indexing: raw encode (after)")
    encode_after = raw_encode()
    encode_s = (encode_before + encode_after) / 2

    log("indexing: no-op and one-file-changed re-index")
    started = time.perf_counter()
    noop = assistant.build_index()
    noop_s = time.perf_counter() - started

    edited_data, edited_dirs = work / "edited-data", []
    shutil.copytree(data, edited_data, symlinks=True)  # models/ included
    for i, d in enumerate(dirs):
        edited_dirs.append(work / "edited-corpus" / f"{i}-{d.name}")
        shutil.copytree(d, edited_dirs[-1])
    seed = next(p for p in sorted(edited_dirs[0].iterdir()) if p.suffix == ".txt")
    seed.write_text(
        seed.read_text(encoding="utf-8") + "\nA benchmark edit: the delegation returned to Seoul on Friday.\n",
        encoding="utf-8",
    )
    edited = Assistant(settings_for(edited_data, edited_dirs))
    clock_changed = StageClock()
    started = time.perf_counter()
    changed = edited.build_index(progress=clock_changed)
    changed_s = time.perf_counter() - started

    build_rate = summary.chunks / build_s
    encode_rate = len(texts) / encode_s
    result = {
        "documents": summary.documents,
        "chunks": summary.chunks,
        "build_s": round(build_s, 2),
        "build_chunks_per_s": round(build_rate, 2),
        "build_stages_s": stages,
        "build_embed_calls_s": round(embed_time[0], 2),
        "encode_s_before": round(encode_before, 2),
        "encode_s_after": round(encode_after, 2),
        "encode_chunks_per_s": round(encode_rate, 2),
        "index_vs_encoder_ratio": round(build_rate / encode_rate, 3),
        "same_texts_as_builder": recorded == texts,
        "noop_reindex_s": round(noop_s, 3),
        "noop_was_noop": noop.noop,
        "one_file_changed_reindex_s": round(changed_s, 3),
        "one_file_changed_embedded_chunks": changed.embedded_chunks,
        "one_file_changed_stages_s": clock_changed.breakdown(started + changed_s),
        "index_disk_mb": disk_mb(data / "index"),
    }
    if recorded != texts:
        result["warning"] = (
            f"builder embedded {len(recorded)} texts, expected {len(texts)}: ratio compares different work"
        )
    return result, data


def build_main_index_untimed(work: Path, dirs: list[Path]) -> Path:
    from assistant.service import Assistant

    data = work / "main-data"
    seed_model_cache(data)
    Assistant(settings_for(data, dirs)).build_index()
    return data


# -- (b) queries ------------------------------------------------------------------------------------


def bench_queries(data: Path, dirs: list[Path]) -> dict[str, Any]:
    """Retrieval per mode and warm extractive answers over the single-turn test questions; cold start."""
    from assistant.service import Assistant

    questions, _ = load_testset()
    assistant = Assistant(settings_for(data, dirs))
    result: dict[str, Any] = {"questions": len(questions)}
    for mode in ("dense", "bm25", "hybrid"):
        assistant.retriever.search(questions[0], mode=mode)  # opens the generation, loads the model
        times = []
        for q in questions:
            started = time.perf_counter()
            assistant.retriever.search(q, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
        result[f"retrieval_{mode}"] = summary_ms(times)
    log("queries: first (warm-up) pass of answers, then the timed warm pass")
    first = []
    for q in questions:
        started = time.perf_counter()
        assistant.ask(q)
        first.append((time.perf_counter() - started) * 1000)
    result["answer_first_pass"] = summary_ms(first)
    times, stage_totals = [], {}
    for q in questions:
        started = time.perf_counter()
        answer = assistant.ask(q)
        times.append((time.perf_counter() - started) * 1000)
        for stage, ms in answer.timings_ms.items():
            stage_totals.setdefault(stage, []).append(ms)
    result["answer"] = summary_ms(times)
    result["answer_stage_p50_ms"] = {stage: pct(v, 50) for stage, v in stage_totals.items()}

    log("queries: cold start (3 runs of python -m assistant ask)")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_CORPUS_DIRS": os.pathsep.join(map(str, dirs))}
    runs, ok = [], True
    for _ in range(3):
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "assistant", "ask", COLD_QUESTION, "--json"],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        runs.append(round(time.perf_counter() - started, 2))
        try:
            ok = ok and proc.returncode == 0 and "Trump" in json.loads(proc.stdout)["answer"]
        except (ValueError, KeyError):
            ok = False
    result["cold_start_runs_s"] = runs
    result["cold_start_s"] = statistics.median(runs)
    result["cold_start_answer_ok"] = ok
    return result


# -- (c) scale --------------------------------------------------------------------------------------


def sentence_pool(dirs: list[Path]) -> list[str]:
    """Every distinct corpus sentence of a useful length, in a stable order."""
    from index.chunking import split_sentences
    from index.loaders import load_corpus

    cfg = settings_for(Path("/nonexistent"), dirs).index_config()
    seen: dict[str, None] = {}
    for doc in load_corpus(cfg.corpus_dirs, cfg.exclude, cfg.max_file_bytes).documents:
        for span in split_sentences(doc.text):
            sentence = doc.text[span.start : span.end]
            if 25 <= len(sentence) <= 400 and "\n" not in sentence:
                seen.setdefault(sentence, None)
    return list(seen)


def make_synthetic_corpus(pool: list[str], target_chunks: int, folder: Path) -> dict[str, Any]:
    """Deterministic documents of recombined corpus sentences (paragraphs of 2-6 sentences), written
    until the chunker would cut about `target_chunks` chunks at the default chunk size."""
    from assistant.settings import Settings
    from index.chunking import Sentence, chunk_document

    size, overlap = Settings.model_fields["chunk_size"].default, Settings.model_fields["chunk_overlap"].default
    rng = random.Random(SCALE_SEED + target_chunks)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(f"pool={len(pool)}|size={size}|overlap={overlap}".encode())
    chunks = files = total_bytes = 0
    while chunks < target_chunks:
        chosen = [[rng.choice(pool) for _ in range(rng.randint(2, 6))] for _ in range(rng.randint(3, 9))]
        paragraphs = [" ".join(sentences) for sentences in chosen]
        body = "\n".join(paragraphs) + "\n"
        spans, offset = [], 0
        for sentences in chosen:  # the chunker's view of the body, without running pysbd here
            for sentence in sentences:
                spans.append(Sentence(offset, offset + len(sentence)))
                offset += len(sentence) + 1
        chunks += len(chunk_document("x", body, spans, size, overlap))
        name = f"synthetic-{target_chunks}-{files:05d}.txt"
        text = f"Title: Synthetic briefing {files:05d}\nPublisher: Peninsula benchmark\nDate: 2025-06-01\n-----\n{body}"
        (folder / name).write_text(text, encoding="utf-8")
        digest.update(name.encode() + b"\0" + text.encode())
        files += 1
        total_bytes += len(text.encode())
    return {
        "files": files,
        "estimated_chunks": chunks,
        "corpus_mb": round(total_bytes / 1e6, 2),
        "hash": digest.hexdigest(),
    }


PREFIX_LEN = 24


def index_prefixes(pool: list[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for sentence in sorted(pool, key=len, reverse=True):  # longest first: greedy takes the longest match
        table.setdefault(sentence[:PREFIX_LEN], []).append(sentence)
    return table


def _walk(text: str, table: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(pool sentences found in order, leftover fragments that match no pool sentence)."""
    found, leftovers, i, n = [], [], 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        match = next((s for s in table.get(text[i : i + PREFIX_LEN], []) if text.startswith(s, i)), None)
        if match is None:
            # pysbd drew a boundary the pool does not have: keep the rest of this line as one fragment
            end = text.find("\n", i)
            end = n if end < 0 else end
            leftovers.append(text[i:end])
            i = end
            continue
        found.append(match)
        i += len(match)
    return found, leftovers


def sentence_vectors(pool: list[str]) -> dict[str, Any]:
    """Real-model vectors of every pool sentence, cached under benchmarks/cache/ by pool hash."""
    import numpy as np

    from index import embeddings

    embeddings.configure(embeddings.DEFAULT_ENCODER, CACHE / "models")
    signature = "\x1e".join(pool) + embeddings.MODEL_NAME + embeddings.DEFAULT_ENCODER
    key = hashlib.sha256(signature.encode()).hexdigest()[:16]
    path = CACHE / f"sentences-{key}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        log(f"scale: embedding {len(pool)} pool sentences with the real model (cached for next time)")
        matrix = embeddings.embed(pool)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return {"path": str(path), "n": len(pool)}


def bench_scale(work: Path, dirs: list[Path], points: list[str], exact: bool, keep: bool = False) -> dict[str, Any]:
    """Synthetic corpora at each scale point: build (in a child process, cached vectors) and query
    (in another child, so RSS is the serving footprint)."""
    pool = sentence_pool(dirs)
    pool_info = sentence_vectors(pool)
    pool_file = work / "pool.json"
    pool_file.write_text(json.dumps(pool))
    result: dict[str, Any] = {
        "pool_sentences": len(pool),
        "vectors": "exact (real model per chunk)"
        if exact
        else "proxy: normalised mean of real-model sentence vectors, cached; measures storage/indexing, not encoding",
    }
    for point in points:
        n = scale_size(point)
        folder = work / f"scale-{point}"
        log(f"scale {point}: generating corpus")
        info = make_synthetic_corpus(pool, n, folder / "corpus")
        cache_file = CACHE / f"vectors-{info['hash'][:16]}-{'exact' if exact else 'proxy'}.npz"
        job = {
            "corpus": str(folder / "corpus"),
            "data": str(folder / "data"),
            "cache": str(cache_file),
            "pool": str(pool_file),
            "sentences": pool_info["path"],
            "exact": exact,
        }
        log(
            f"scale {point}: build ({info['files']} files, ~{info['estimated_chunks']} chunks; "
            f"vector cache {'hit' if cache_file.exists() else 'miss'})"
        )
        built = run_worker("build", job)
        log(f"scale {point}: queries")
        queried = run_worker("query", job)
        result[point] = {**info, "build": built, "query": queried, "index_disk_mb": disk_mb(folder / "data" / "index")}
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return result


def run_worker(kind: str, job: dict[str, Any]) -> dict[str, Any]:
    """Run this script as a child worker; its last stdout line is the JSON result."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", kind, json.dumps(job)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=6 * 3600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} worker failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def worker_build(job: dict[str, Any]) -> dict[str, Any]:
    """Build with a cached-vector embed: hits come from the cache, misses from the proxy (or the model)."""
    import numpy as np

    from index import embeddings
    from index.build import IndexBuilder

    seed_model_cache(Path(job["data"]))  # leftover fragments are embedded for real; the export is not timed
    pool = json.loads(Path(job["pool"]).read_text())
    table = index_prefixes(pool)
    sent_vecs = np.load(job["sentences"])
    sent_row = {s: i for i, s in enumerate(pool)}
    cache_path = Path(job["cache"])
    keys: dict[bytes, int] = {}
    rows: list[np.ndarray] = []
    if cache_path.exists():
        stored = np.load(cache_path)
        keys = {row.tobytes(): i for i, row in enumerate(stored["keys"])}  # (n, 20) uint8 sha1 digests
        rows = list(stored["vectors"])
    stats = {"hits": 0, "misses": 0, "unmatched_fragments": 0}
    fragment_vecs: dict[str, np.ndarray] = {}
    real_embed = embeddings.embed

    def proxy(text: str) -> np.ndarray:
        body = text.split("\n", 1)[1] if "\n" in text else text  # drop the title line
        found, leftovers = _walk(body, table)
        for fragment in leftovers:
            if fragment not in fragment_vecs:
                fragment_vecs[fragment] = real_embed([fragment])[0]
        stats["unmatched_fragments"] += len(leftovers)
        parts = [sent_vecs[sent_row[s]] for s in found] + [fragment_vecs[f] for f in leftovers]
        vec = np.mean(parts, axis=0) if parts else real_embed([text])[0]
        return (vec / np.linalg.norm(vec)).astype(np.float32)

    def cached_embed(
        texts: list[str],
        batch_size: int = 64,
        show_progress: bool = False,
        encoder: str | None = None,
        cache_dir: Path | None = None,
    ) -> np.ndarray:
        out = np.empty((len(texts), embeddings.MODEL_DIM), dtype=np.float32)
        missing = []
        for i, text in enumerate(texts):
            row = keys.get(hashlib.sha1(text.encode()).digest())
            if row is None:
                missing.append(i)
            else:
                out[i] = rows[row]
        stats["hits"] += len(texts) - len(missing)
        stats["misses"] += len(missing)
        if missing:
            fresh = (
                real_embed([texts[i] for i in missing], batch_size)
                if job["exact"]
                else [proxy(texts[i]) for i in missing]
            )
            for i, vec in zip(missing, fresh):
                out[i] = vec
                digest = hashlib.sha1(texts[i].encode()).digest()
                if digest not in keys:  # keys and rows must stay in the same order for the save
                    keys[digest] = len(rows)
                    rows.append(np.asarray(vec, dtype=np.float32))
        return out

    config = settings_for(Path(job["data"]), [Path(job["corpus"])]).index_config()
    clock = StageClock()
    with patched_embed(cached_embed):
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        summary = IndexBuilder(config, clock).build(full=True)
        build_s = time.perf_counter() - started
        cpu_after = cpu_seconds()
        memory = rss_mb()
        started = time.perf_counter()
        noop = IndexBuilder(config).build()
        noop_s = time.perf_counter() - started
        # One file gains a sentence: an incremental build that re-embeds that file only.
        edited = sorted(Path(job["corpus"]).glob("*.txt"))[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "One more sentence was added here.\n", encoding="utf-8")
        clock_changed = StageClock()
        changed_cpu = cpu_seconds()["self"]
        started = time.perf_counter()
        changed = IndexBuilder(config, clock_changed).build()
        changed_s = time.perf_counter() - started
        changed_cpu = cpu_seconds()["self"] - changed_cpu
    if stats["misses"]:
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_suffix(".tmp.npz")
        # uint8 rows, not dtype "S20": numpy strips trailing NUL bytes from S-strings, losing 1 key in 256
        digests = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 20)
        np.savez(tmp, keys=digests, vectors=np.vstack(rows).astype(np.float32))
        os.replace(tmp, cache_path)
    return {
        "documents": summary.documents,
        "chunks": summary.chunks,
        "build_s": round(build_s, 2),
        "build_chunks_per_s": round(summary.chunks / build_s, 1),
        "stages_s": clock.breakdown(clock.start + build_s),
        # CPU seconds of the build (this process; the chunking workers): wall time divided among 2 cores
        # is bounded by their sum / 2, whatever else the machine runs.
        "build_cpu_s": {k: round(cpu_after[k] - cpu_before[k], 1) for k in cpu_after},
        "noop_reindex_s": round(noop_s, 3),
        "noop_was_noop": noop.noop,
        "one_file_changed_reindex_s": round(changed_s, 3),
        "one_file_changed_embedded_chunks": changed.embedded_chunks,
        "one_file_changed_stages_s": clock_changed.breakdown(clock_changed.start + changed_s),
        "one_file_changed_cpu_s": round(changed_cpu, 3),
        "vector_cache": stats,
        "build_rss_mb": memory,
    }


def worker_query(job: dict[str, Any]) -> dict[str, Any]:
    """Warm retrieval per mode and warm answers over the test questions against a scale index."""
    from assistant.service import Assistant

    questions, _ = load_testset()
    started = time.perf_counter()
    assistant = Assistant(settings_for(Path(job["data"]), [Path(job["corpus"])]))
    for mode in ("dense", "bm25", "hybrid"):
        assistant.retriever.search(questions[0], mode=mode)
    open_s = time.perf_counter() - started
    out: dict[str, Any] = {"open_index_and_model_s": round(open_s, 2)}
    for mode in ("hybrid", "dense", "bm25"):
        times = []
        for q in questions:
            t = time.perf_counter()
            assistant.retriever.search(q, mode=mode)
            times.append((time.perf_counter() - t) * 1000)
        out[f"retrieval_{mode}"] = summary_ms(times)
    from index import chroma_store, embeddings

    generation = assistant.retriever.generation
    encode_ms, store_ms, lexical_ms = [], [], []
    for q in questions:  # where hybrid time goes: the query encoder, the vector store, BM25 (on its own thread)
        t = time.perf_counter()
        vector = embeddings.embed_one(q)
        encode_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        # the size the retriever passes too: without it `collection.count()` dominates at 100k chunks
        chroma_store.query(
            generation.collection(), vector, assistant.settings.candidate_k, count=len(generation.chunks)
        )
        store_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        generation.lexical.search(q, assistant.settings.candidate_k)
        lexical_ms.append((time.perf_counter() - t) * 1000)
    out["query_encode"] = summary_ms(encode_ms)
    out["store_query"] = summary_ms(store_ms)
    out["lexical_search"] = summary_ms(lexical_ms)
    subset = questions[:SCALE_ANSWER_QUESTIONS]
    for label in ("answer_first_pass", "answer"):  # the second pass is warm, as in the queries section
        times = []
        for q in subset:
            t = time.perf_counter()
            assistant.ask(q)
            times.append((time.perf_counter() - t) * 1000)
        out[label] = summary_ms(times)
    out["serving_rss_mb"] = rss_mb()
    return out


# -- (d) serving ------------------------------------------------------------------------------------


def worker_serve(job: dict[str, Any]) -> None:
    """The web chat of ui.app on a port, in its own process so clients do not share its GIL."""
    from assistant.service import Assistant
    from ui.app import build_app
    from ui.settings import UISettings

    ui = UISettings(auth=None, uploads=False)
    app = build_app(Assistant(settings_for(Path(job["data"]), [Path(d) for d in job["corpus"]])), ui)
    print(json.dumps({"concurrency": ui.concurrency}), flush=True)
    app.launch(server_name="127.0.0.1", server_port=job["port"], quiet=True, prevent_thread_lock=False)


def bench_serving(work: Path, data: Path, dirs: list[Path]) -> dict[str, Any]:
    """p50/p95 of /chat at 1, 5 and 20 concurrent conversations; "skipped: reason" when the UI is not there."""
    try:
        from gradio_client import Client
    except Exception as exc:  # noqa: BLE001 - any import problem means: skip, say why
        return {"skipped": f"gradio_client not importable: {exc}"}
    probe = subprocess.run(
        [sys.executable, "-c", "from ui.app import build_app"], cwd=PROJECT, capture_output=True, text=True
    )
    if probe.returncode != 0:
        return {"skipped": "ui.app.build_app not importable: " + (probe.stderr.strip().splitlines() or ["?"])[-1]}
    port = free_port()
    job = {"data": str(data), "corpus": [str(d) for d in dirs], "port": port}
    logfile = (work / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--worker", "serve", json.dumps(job)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=logfile,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        try:
            wait_http(url + "config", process, 180, "web chat")
            ui_info = json.loads(process.stdout.readline() or "{}")
            probe_client = Client(url, verbose=False)
            first = probe_client.predict(
                question=COLD_QUESTION, history=[], api_name="/chat"
            )  # warm-up and endpoint check
            probe_client.close()
            if not isinstance(first, dict) or "answer" not in first:
                return {"skipped": f"/chat returned {type(first).__name__}, not the expected dict"}
        except Exception as exc:  # noqa: BLE001
            logfile.flush()
            tail = (work / "serve.log").read_text()[-600:]
            return {"skipped": f"web chat /chat endpoint unusable: {type(exc).__name__}: {exc} | {tail}"}
        _, conversations = load_testset()
        result: dict[str, Any] = {"ui_concurrency_limit": ui_info.get("concurrency")}
        log("serving: untimed warm-up sweep through every conversation")
        result["warm_up"] = chat_load(Client, url, conversations, 1, turns_each=sum(map(len, conversations)))
        for level in SERVING_LEVELS:
            log(f"serving: {level} concurrent conversation(s)")
            result[f"c{level}"] = chat_load(Client, url, conversations, level)
        return result
    finally:
        stop_process(process)
        logfile.close()


def chat_load(
    client_cls: Any, url: str, conversations: list[list[str]], level: int, turns_each: int | None = None
) -> dict[str, Any]:
    """`level` threads, each its own gradio_client conversation with history, all starting together.
    Levels run after a warm-up sweep, so they compare load, not the answerer's vector cache."""
    turns_each = turns_each or max(3, 30 // level)
    clients = [client_cls(url, verbose=False) for _ in range(level)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(level)

    def converse(n: int) -> None:
        script = [
            (conv, i)
            for c in range(len(conversations))
            for conv in [conversations[(n + c) % len(conversations)]]
            for i in range(len(conv))
        ]
        history: list[dict[str, str]] = []
        barrier.wait()
        for conv, i in script[:turns_each]:
            if i == 0:
                history = []
            question = conv[i]
            started = time.perf_counter()
            try:
                reply = clients[n].predict(question=question, history=history, api_name="/chat")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                history = history + [
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": reply["answer"]},
                ]
            except Exception as exc:  # noqa: BLE001 - count, keep the conversation going
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

    started = time.perf_counter()
    threads = [threading.Thread(target=converse, args=(n,)) for n in range(level)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    for c in clients:
        with contextlib.suppress(Exception):
            c.close()
    return {
        **summary_ms(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "requests_per_s": round(len(latencies) / wall, 2),
    }


# -- (e) Chroma embedded vs server -------------------------------------------------------------------


def bench_chroma(work: Path, data: Path, dirs: list[Path]) -> dict[str, Any]:
    """The same dense queries against the embedded store and a `chroma run` server holding the same vectors."""
    import numpy as np

    from assistant.retrieval import Retriever
    from index import chroma_store, embeddings
    from index.build import IndexBuilder, searchable_text
    from index.generation import Generation

    if not CHROMA_CLI.exists():
        return {"skipped": f"no chroma CLI at {CHROMA_CLI}"}
    questions, _ = load_testset()
    embedded_settings = settings_for(data, dirs)
    generation = Generation.open_current(embedded_settings.index_config().index_root)
    titles = {d.doc_id: d.metadata.get("title", d.doc_id) for d in generation.documents.values()}
    known = {
        searchable_text(c.text, titles[c.doc_id]): np.asarray(generation.vectors[i])
        for i, c in enumerate(generation.chunks)
    }

    def reuse_vectors(
        texts: list[str],
        batch_size: int = 64,
        show_progress: bool = False,
        encoder: str | None = None,
        cache_dir: Path | None = None,
    ) -> np.ndarray:
        missing = [t for t in texts if t not in known]
        extra = dict(zip(missing, original(missing, batch_size))) if missing else {}
        return np.vstack([known.get(t, extra.get(t)) for t in texts]).astype(np.float32)

    query_vectors = embeddings.embed(questions)
    k = embedded_settings.candidate_k
    result: dict[str, Any] = {"queries": len(questions), "k": k}
    with chroma_server(work / "chroma-server" / "db") as url:
        server_settings = settings_for(work / "server-data", dirs, url)
        with patched_embed(reuse_vectors) as original:
            IndexBuilder(server_settings.index_config()).build(full=True)
        stores = {"embedded": (embedded_settings, None), "server": (server_settings, url)}
        top1: dict[str, list[str]] = {}
        for name, (settings, chroma_url) in stores.items():
            gen = Generation.open_current(settings.index_config().index_root)
            collection = gen.collection(chroma_url)
            chroma_store.query(collection, query_vectors[0], k)
            times, firsts = [], []
            for vec in query_vectors:
                started = time.perf_counter()
                hits = chroma_store.query(collection, vec, k)
                times.append((time.perf_counter() - started) * 1000)
                firsts.append(hits[0][0] if hits else "")
            top1[name] = firsts
            retriever = Retriever(settings)
            retriever.search(questions[0], mode="dense")
            search_times = []
            for q in questions:
                started = time.perf_counter()
                retriever.search(q, mode="dense")
                search_times.append((time.perf_counter() - started) * 1000)
            result[name] = {"store_query": summary_ms(times), "retriever_dense": summary_ms(search_times)}
    result["same_top1_share"] = round(sum(a == b for a, b in zip(top1["embedded"], top1["server"])) / len(questions), 3)
    return result


# -- results ----------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    with contextlib.suppress(OSError):
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = next(
            (line.split(":", 1)[1].strip() for line in cpu.splitlines() if line.startswith("model name")), "?"
        )
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0]
        info["ram_gb"] = round(int(mem.split()[1]) / 1024 / 1024, 1)
    with contextlib.suppress(Exception):
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    info["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    info["thread_env"] = {
        k: os.environ[k] for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS") if k in os.environ
    }
    return info


def flat_keys(sections: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers under stable names (what README.md documents and targets refer to)."""
    keys: dict[str, Any] = {}
    enc = sections.get("encoder", {})
    for name in ("encoder_speedup", "hit_at_k_delta", "mrr_delta", "ours_chunks_per_s", "fp32_chunks_per_s"):
        if name in enc:
            keys[name if "chunks" not in name else f"encoder_{name}"] = enc[name]
    a = sections.get("indexing", {})
    for name in (
        "build_s",
        "build_chunks_per_s",
        "encode_chunks_per_s",
        "index_vs_encoder_ratio",
        "noop_reindex_s",
        "one_file_changed_reindex_s",
        "chunks",
    ):
        if name in a:
            keys[name if name != "chunks" else "corpus_chunks"] = a[name]
    b = sections.get("queries", {})
    for mode in ("dense", "bm25", "hybrid"):
        if f"retrieval_{mode}" in b:
            keys[f"retrieval_{mode}_p50_ms"] = b[f"retrieval_{mode}"]["p50_ms"]
            keys[f"retrieval_{mode}_p95_ms"] = b[f"retrieval_{mode}"]["p95_ms"]
    if "answer" in b:
        keys["answer_p50_ms"], keys["answer_p95_ms"] = b["answer"]["p50_ms"], b["answer"]["p95_ms"]
        keys["answer_first_pass_p50_ms"] = b["answer_first_pass"]["p50_ms"]
    if "cold_start_s" in b:
        keys["cold_start_s"] = b["cold_start_s"]
    c = sections.get("scale", {})
    for point in [p for p, v in c.items() if isinstance(v, dict) and "build" in v]:
        if point in c:
            keys[f"build_{point}_s"] = c[point]["build"]["build_s"]
            keys[f"build_chunks_per_s_{point}"] = c[point]["build"]["build_chunks_per_s"]
            keys[f"retrieval_p50_ms_{point}"] = c[point]["query"]["retrieval_hybrid"]["p50_ms"]
            keys[f"retrieval_p95_ms_{point}"] = c[point]["query"]["retrieval_hybrid"]["p95_ms"]
            keys[f"answer_p50_ms_{point}"] = c[point]["query"]["answer"]["p50_ms"]
            keys[f"serving_rss_mb_{point}"] = c[point]["query"]["serving_rss_mb"].get("rss_mb")
            keys[f"build_peak_rss_mb_{point}"] = c[point]["build"]["build_rss_mb"].get("peak_rss_mb")
            keys[f"index_disk_mb_{point}"] = c[point]["index_disk_mb"]
            keys[f"noop_reindex_s_{point}"] = c[point]["build"]["noop_reindex_s"]
            if "one_file_changed_reindex_s" in c[point]["build"]:
                keys[f"one_file_changed_reindex_s_{point}"] = c[point]["build"]["one_file_changed_reindex_s"]
    d = sections.get("serving", {})
    if "skipped" in d:
        keys["web_chat"] = "skipped: " + d["skipped"].removeprefix("skipped: ")[:120]
    for level in SERVING_LEVELS:
        if f"c{level}" in d:
            keys[f"web_chat_p50_ms_c{level}"] = d[f"c{level}"]["p50_ms"]
            keys[f"web_chat_p95_ms_c{level}"] = d[f"c{level}"]["p95_ms"]
    e = sections.get("chroma", {})
    for store in ("embedded", "server"):
        if store in e:
            keys[f"chroma_{store}_dense_p50_ms"] = e[store]["store_query"]["p50_ms"]
            keys[f"chroma_{store}_dense_p95_ms"] = e[store]["store_query"]["p95_ms"]
    return keys


def references(sections: dict[str, Any]) -> dict[str, str]:
    """What each headline figure is measured against, from the same run."""
    refs: dict[str, str] = {}
    enc = sections.get("encoder", {})
    if "encoder_speedup" in enc:
        refs["encoder_speedup"] = (
            f"ours {enc['ours_chunks_per_s']} / fp32 SentenceTransformer "
            f"{enc['fp32_chunks_per_s']} chunks/s; rounds {enc['speedup_per_round']}"
        )
        q = enc["quality"]
        refs["hit_at_k_delta"] = (
            f"dense hit@{enc['k']} ours {q['ours']['hit_at_k']} - fp32 {q['fp32']['hit_at_k']} "
            f"(MRR {q['ours']['mrr']} vs {q['fp32']['mrr']}), {enc['questions']} questions"
        )
    a = sections.get("indexing", {})
    if "index_vs_encoder_ratio" in a:
        refs["index_vs_encoder_ratio"] = (
            f"build {a['build_chunks_per_s']} / fp32 SentenceTransformer {a['encode_chunks_per_s']} chunks/s"
        )
    b = sections.get("queries", {})
    if "answer" in b:
        refs["answer_p50_ms"] = (
            f"hybrid retrieval p50 {b['retrieval_hybrid']['p50_ms']} ms of it; {b['questions']} questions"
        )
    if "cold_start_runs_s" in b:
        refs["cold_start_s"] = f"median of {b['cold_start_runs_s']}"
    for point, v in sections.get("scale", {}).items():
        if isinstance(v, dict) and "build" in v:
            refs[f"build_{point}_s"] = (
                f"{v['build']['chunks']} chunks, {v['files']} files; peak RSS "
                f"{v['build']['build_rss_mb'].get('peak_rss_mb')} MB; "
                f"stages {v['build']['stages_s']}"
            )
            refs[f"noop_reindex_s_{point}"] = f"{v['files']} files"
            if "one_file_changed_stages_s" in v["build"]:
                refs[f"one_file_changed_reindex_s_{point}"] = f"stages {v['build']['one_file_changed_stages_s']}"
            refs[f"retrieval_p95_ms_{point}"] = f"query encode p50 {v['query']['query_encode']['p50_ms']} ms"
    return refs


def judge(keys: dict[str, Any]) -> dict[str, Any]:
    verdicts = {}
    for name, (op, limit) in TARGETS.items():
        value = keys.get(name)
        if not isinstance(value, (int, float)):
            verdicts[name] = {"target": f"{op} {limit:g}", "value": None, "status": "not measured"}
            continue
        ok = value <= limit if op == "<=" else value >= limit
        verdicts[name] = {"target": f"{op} {limit:g}", "value": value, "status": "pass" if ok else "miss"}
    return verdicts


def markdown(report: dict[str, Any]) -> str:
    keys, verdicts = report["keys"], report["targets"]
    lines = [
        f"Peninsula benchmark {report['date']} ({report['kind']}) · {report['machine'].get('nproc')} CPU "
        f"{report['machine'].get('cpu_model', '?')} · {report['machine'].get('ram_gb', '?')} GB · load "
        f"{report['machine']['loadavg_start'][0]} → {report['machine'].get('loadavg_end', ['?'])[0]}",
        "",
        "| metric | value | target | status | reference (same run) |",
        "|---|---:|---:|---|---|",
    ]
    refs = report.get("references", {})
    ordered = [n for n in verdicts if n in keys] + [n for n in keys if n not in verdicts]
    for name in ordered:
        value, verdict = keys[name], verdicts.get(name, {})
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        target, status = verdict.get("target", ""), verdict.get("status", "")
        lines.append(f"| {name} | {shown} | {target} | {status} | {refs.get(name, '')} |")
    for name, verdict in verdicts.items():
        if name not in keys:
            lines.append(f"| {name} | – | {verdict['target']} | {verdict['status']} | |")
    for name, error in report.get("errors", {}).items():
        lines.append(f"| {name} (section failed) | {error.splitlines()[-1][:120]} | | error |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="scale section at 1k chunks only (skips 10k and 100k)")
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}"
    )
    parser.add_argument(
        "--only",
        default=None,
        help="subset by what it measures: encoder, indexing, answer (=queries), noop/build (=scale), serving, chroma",
    )
    parser.add_argument(
        "--scale", default=None, help="comma-separated scale points (any Nk), e.g. 2k or 1k,10k (overrides --quick)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the encoder comparison")
    parser.add_argument(
        "--exact-scale-vectors",
        action="store_true",
        help="embed every synthetic chunk with the model on a cache miss (hours on a small CPU) instead of the proxy",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary work folder (and the scale indexes in it)"
    )
    parser.add_argument(
        "--label",
        default=None,
        help="write only results/YYYY-MM-DD-LABEL.json (latest.json untouched), "
        "e.g. for an A/B run with OMP_WAIT_POLICY=PASSIVE",
    )
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "JOB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, job = args.worker[0], json.loads(args.worker[1])
        if kind == "serve":
            worker_serve(job)
            return 0
        print(json.dumps({"build": worker_build, "query": worker_query}[kind](job)))
        return 0

    chosen = args.only or args.sections
    sections = list(dict.fromkeys(SECTION_ALIASES.get(s.strip(), s.strip()) for s in chosen.split(",") if s.strip()))
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    points = args.scale.split(",") if args.scale else (["1k"] if args.quick else list(SCALE_POINTS))
    try:
        assert all(scale_size(p) > 0 for p in points)
    except (ValueError, AssertionError):
        parser.error("scale points look like 1k, 2k, 100k")
    dirs = corpus_dirs()
    work = Path(tempfile.mkdtemp(prefix="peninsula-bench-"))
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "sections_run": sections,
        "scale_points": points if "scale" in sections else [],
        "machine": machine(),
        "corpus_dirs": [str(d) for d in dirs],
        "git": git_state(),
    }
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    started = time.perf_counter()
    try:
        data: Path | None = None
        if "encoder" in sections:
            run_section("encoder", errors, lambda: bench_encoder(dirs, args.rounds), results)
        if "indexing" in sections:
            data = run_section("indexing", errors, lambda: bench_indexing(work, dirs), results, unpack=True)
        if data is None and any(s in sections for s in ("queries", "serving", "chroma")):
            log("building the main index (untimed)")
            data = build_main_index_untimed(work, dirs)
        if "queries" in sections:
            run_section("queries", errors, lambda: bench_queries(data, dirs), results)
        if "scale" in sections:
            run_section(
                "scale", errors, lambda: bench_scale(work, dirs, points, args.exact_scale_vectors, args.keep), results
            )
        if "serving" in sections:
            run_section("serving", errors, lambda: bench_serving(work, data, dirs), results)
        if "chroma" in sections:
            run_section("chroma", errors, lambda: bench_chroma(work, data, dirs), results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    report["total_s"] = round(time.perf_counter() - started, 1)
    report["keys"] = flat_keys(results)
    report["targets"] = judge(report["keys"])
    report["references"] = references(results)
    report["sections"] = results
    if errors:
        report["errors"] = errors
    full = set(sections) == set(SECTIONS) and points == list(SCALE_POINTS)
    report["kind"] = "full" if full else ("quick" if args.quick and set(sections) == set(SECTIONS) else "partial")
    write_results(report, args.label)
    print(markdown(report))
    return 1 if errors else 0


def run_section(
    name: str, errors: dict[str, str], fn: Callable[[], Any], results: dict[str, Any], unpack: bool = False
) -> Any:
    """Run one section; a failure is recorded (and reported) without losing the other sections."""
    log(f"section {name}")
    started = time.perf_counter()
    try:
        value = fn()
    except Exception:  # noqa: BLE001 - a benchmark reports failures instead of dying halfway
        errors[name] = traceback.format_exc()
        log(f"section {name} failed:\n{errors[name]}")
        return None
    value, extra = value if unpack else (value, None)
    value["section_s"] = round(time.perf_counter() - started, 1)
    results[name] = value
    return extra


def git_state() -> dict[str, Any]:
    with contextlib.suppress(Exception):
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=PROJECT, capture_output=True, text=True
        ).stdout.strip()
        return {"commit": head, "dirty": bool(dirty)}
    return {}


def write_results(report: dict[str, Any], label: str | None = None) -> None:
    """latest.json always; the dated copy is YYYY-MM-DD.json for a full run, -quick/-partial otherwise,
    so a quick run never overwrites the day's full numbers."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    day = report["date"][:10]
    if label:
        (RESULTS / f"{day}-{label}.json").write_text(text)
        return
    suffix = "" if report["kind"] == "full" else f"-{report['kind']}"
    (RESULTS / "latest.json").write_text(text)
    (RESULTS / f"{day}{suffix}.json").write_text(text)


if __name__ == "__main__":
    sys.exit(main())
