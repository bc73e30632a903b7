"""The documents of an index as sources: cleaned header values, display titles, dates, and the header
itself as a citable passage (so "Who wrote the article?" is answered from `Author: ...`, with a citation).

Corpus headers record provenance notes where a value is unknown ("not stated in the supplied text",
"not supplied") and put notes in parentheses after titles; readers should see those as missing, not
as a publisher called "not stated".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from assistant.answer import Passage
from assistant.dates import date_label, recency_key
from index.chunking import Chunk
from index.generation import Generation, StoredDocument
from index.loaders import PRIMARY
from index.text import STOPWORDS, words

_MISSING = re.compile(r"^\s*(not (stated|supplied|given|known|available)|unknown|n/?a|none)\b", re.I)
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
# The header lines shown (and quoted) for a document, in the order files write them.
HEADER_FIELDS = (
    ("title", "Title"),
    ("author", "Author"),
    ("publisher", "Publisher"),
    ("date", "Date"),
    ("url", "Original URL"),
    ("license", "License"),
)


# Words that point at the project's own document: "the article", "the author", "this piece".
PRIMARY_WORDS = frozenset("article author writer piece analysis".split())


def is_primary(metadata: dict[str, str]) -> bool:
    """The project's own document ("the article"): flagged by the loader (first corpus folder, or a
    `Primary:` header)."""
    return metadata.get(PRIMARY) == "true"


def author_words(metadata: dict[str, str]) -> set[str]:
    """The words of a document's author's name, lower-cased, for questions that name the author."""
    return {w for w in words(clean_value(metadata.get("author")) or "") if w not in STOPWORDS and len(w) > 2}


def primary_names(generation: Generation) -> frozenset[str]:
    """Author words of the primary documents, computed once per generation."""
    if "_primary_names" not in generation.__dict__:
        generation.__dict__["_primary_names"] = frozenset(
            w for d in generation.documents.values() if is_primary(d.metadata) for w in author_words(d.metadata)
        )
    return generation.__dict__["_primary_names"]


def about_primary(text: str, names: frozenset[str] = frozenset()) -> bool:
    """Whether `text` asks about the project's own document: it says "article", "author"... or names
    the author of a primary document (`names`, from `primary_names`)."""
    return bool((PRIMARY_WORDS | names) & set(words(text)))


def clean_value(value: str | None) -> str | None:
    """A header value, or None when the header only says it is unknown."""
    if not value or _MISSING.match(value):
        return None
    return value.strip()


def display_title(title: str) -> str:
    """The title without parenthesised notes ("(standfirst; ...)", "(CRS In Focus IF10199, version 49)")."""
    shown = title
    while _TRAILING_NOTE.search(shown) and _TRAILING_NOTE.sub("", shown).strip():
        shown = _TRAILING_NOTE.sub("", shown)
    return shown.strip()


def passage_fields(metadata: dict[str, str], doc_id: str) -> dict[str, str | None]:
    """What every passage of a document carries about it, cleaned for display."""
    return {
        "title": display_title(metadata.get("title") or doc_id),
        "author": clean_value(metadata.get("author")),
        "publisher": clean_value(metadata.get("publisher")),
        "date": metadata.get("date"),
        "date_label": date_label(metadata.get("date")),
        "license": clean_value(metadata.get("license")),
        "url": clean_value(metadata.get("url")),
    }


class ChunkTable(Protocol):
    """An index's chunks and documents: a Generation, or the evaluation's naive baseline index."""

    @property
    def chunks(self) -> Sequence[Chunk]: ...

    @property
    def documents(self) -> Mapping[str, StoredDocument]: ...


def chunk_passage(
    index: ChunkTable,
    position: int,
    score: float = 0.0,
    rank: int = 0,
    dense: float | None = None,
    lexical: float | None = None,
) -> Passage:
    """The chunk at `position` as a Passage carrying its document's cleaned metadata."""
    chunk = index.chunks[position]
    return Passage(
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        **passage_fields(index.documents[chunk.doc_id].metadata, chunk.doc_id),
        score=score,
        rank=rank,
        dense_score=dense,
        lexical_score=lexical,
    )


@dataclass(frozen=True)
class SourceDocument:
    doc_id: str
    metadata: dict[str, str]
    chunks: int
    primary: bool

    @property
    def title(self) -> str:
        return display_title(self.metadata.get("title") or self.doc_id)

    @property
    def raw_title(self) -> str:
        return self.metadata.get("title") or self.doc_id

    @property
    def date_label(self) -> str:
        return date_label(self.metadata.get("date"))

    @property
    def recency(self) -> date:
        return recency_key(self.metadata.get("date"))

    def value(self, field: str) -> str | None:
        return clean_value(self.metadata.get(field))

    def header_text(self) -> str:
        """The header lines as the file writes them (verbatim values), the text a header citation quotes."""
        return "\n".join(f"{label}: {self.metadata[key]}" for key, label in HEADER_FIELDS if self.metadata.get(key))

    def header_line(self, field: str) -> str | None:
        label = dict(HEADER_FIELDS)[field]
        return f"{label}: {self.metadata[field]}" if self.metadata.get(field) else None

    def header_passage(self) -> Passage:
        text = self.header_text()
        return Passage(
            chunk_id=f"{self.doc_id}#header",
            doc_id=self.doc_id,
            text=text,
            start=0,
            end=len(text),
            kind="header",
            **passage_fields(self.metadata, self.doc_id),
        )


def catalogue(generation: Generation) -> list[SourceDocument]:
    """Every document of the generation, newest first (undated last); computed once per generation."""
    if "_catalogue" not in generation.__dict__:
        counts: dict[str, int] = {}
        for chunk in generation.chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        docs = [
            SourceDocument(d.doc_id, dict(d.metadata), counts.get(d.doc_id, 0), is_primary(d.metadata))
            for d in generation.documents.values()
        ]
        docs.sort(key=lambda d: (d.recency, d.doc_id), reverse=True)
        generation.__dict__["_catalogue"] = docs
    return generation.__dict__["_catalogue"]


def catalogue_rows(generation: Generation) -> list[dict[str, str | int | None]]:
    """The documents view: title, publisher, date, licence and chunk count of each document."""
    return [
        {
            "title": d.title,
            "publisher": d.value("publisher"),
            "date": d.date_label,
            "license": d.value("license"),
            "chunks": d.chunks,
            "doc_id": d.doc_id,
        }
        for d in catalogue(generation)
    ]
