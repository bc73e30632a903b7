"""Sentence splitting over every core: pysbd is pure Python and was 62% of a 100k-chunk build.

Small corpora are split in-process (starting workers costs time); large ones go to a pool of forked
processes, in document order. Fork, not spawn: spawn re-runs the main module (`python -m assistant` would
start the CLI again in every worker). The workers only run pure-Python pysbd, so model threads in the
parent are never touched; where fork does not exist the split stays in-process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from concurrent.futures import ProcessPoolExecutor

from index.chunking import Chunk, chunk_document, split_sentences

PARALLEL_MIN_CHARS = 200_000  # below this (~300 chunks), one process is as fast as starting a pool
Split = tuple[list[tuple[int, int]], list[Chunk]]  # (sentence spans, chunks) of one document


def split_one(job: tuple[str, str, int, int]) -> Split:
    doc_id, text, size, overlap = job
    spans = split_sentences(text)
    return [(s.start, s.end) for s in spans], chunk_document(doc_id, text, spans, size, overlap)


def split_many(
    docs: list[tuple[str, str]],
    size: int,
    overlap: int,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Generator[Split, None, None]:
    """(spans, chunks) of each (doc_id, text), in order; parallel when the text is large enough."""
    jobs = [(doc_id, text, size, overlap) for doc_id, text in docs]
    workers = workers or os.cpu_count() or 1
    report = progress or (lambda done, total: None)
    import multiprocessing

    if (
        workers < 2
        or sum(len(text) for _, text in docs) < PARALLEL_MIN_CHARS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for n, job in enumerate(jobs, 1):
            yield split_one(job)
            report(n, len(jobs))
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for n, result in enumerate(pool.map(split_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))), 1):
            yield result
            report(n, len(jobs))
