"""Sentence-aware chunking with overlap: chunks are runs of whole sentences, with char offsets.

Lines are segmented separately, so headings and bylines never glue onto the next sentence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import pysbd


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    first_sentence: int
    last_sentence: int  # exclusive


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # char_span=False: pysbd's own span search compiles one regex per sentence (most of its time on
    # large corpora, benchmarks/README.md); we find each piece in the line ourselves instead.
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans (start, end) into `text`, trimmed of surrounding whitespace."""
    spans: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            cursor = 0
            for piece in _segmenter().segment(line):
                stripped = piece.strip()
                if not stripped:
                    continue
                found = line.find(stripped, cursor)
                if found < 0:  # pysbd changed the text (it should not with clean=False): keep the rest whole
                    rest = line[cursor:]
                    found, stripped = cursor + len(rest) - len(rest.lstrip()), rest.strip()
                    if not stripped:
                        break
                spans.append(Sentence(offset + found, offset + found + len(stripped)))
                cursor = found + len(stripped)
        offset += len(line) + 1
    return spans


def chunk_id(doc_id: str, text: str, occurrence: int) -> str:
    """Stable id: the same text in the same document gets the same id on every build."""
    digest = hashlib.sha256(f"{doc_id}\x1f{occurrence}\x1f{text}".encode()).hexdigest()
    return digest[:20]


def chunk_document(doc_id: str, text: str, sentences: list[Sentence], size: int, overlap: int) -> list[Chunk]:
    """Group whole sentences into chunks of at most `size` chars (a longer sentence stands alone),
    each chunk starting with the trailing sentences of the previous one, up to `overlap` chars."""
    if overlap >= size:
        raise ValueError(f"chunk_overlap ({overlap}) must be smaller than chunk_size ({size})")
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    i = 0
    n = len(sentences)
    while i < n:
        j = i + 1
        while j < n and sentences[j].end - sentences[i].start <= size:
            j += 1
        start, end = sentences[i].start, sentences[j - 1].end
        body = text[start:end]
        occurrence = seen.get(body, 0)
        seen[body] = occurrence + 1
        chunks.append(Chunk(chunk_id(doc_id, body, occurrence), doc_id, body, start, end, i, j))
        if j >= n:
            break
        # Step back over whole sentences that fit in the overlap, but always move forward.
        k = j
        while k - 1 > i and sentences[j - 1].end - sentences[k - 1].start <= overlap:
            k -= 1
        i = k
    return chunks
