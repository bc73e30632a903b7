"""Read corpus files (.txt, .md, .html, .pdf) into documents with metadata from an optional header.

A header is a block of `Key: value` lines at the top of a file, ended by a line of dashes. Every document
gets a `primary` flag ("true"/"false"): the project's own documents ("the article", "the author") are
those of the first corpus folder, unless a header says `Primary: yes` or `Primary: no`.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.filestamps import Scan, scan

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,40}):\s*(.*)$")
_DASHES = re.compile(r"^\s*-{3,}\s*$")
# Header keys as written in files -> the metadata names the rest of the code uses.
_KEY_ALIASES = {
    "title": "title",
    "author": "author",
    "authors": "author",
    "publisher": "publisher",
    "date": "date",
    "published": "date",
    "original url": "url",
    "url": "url",
    "source": "url",
    "license": "license",
    "licence": "license",
    "retrieved from": "retrieved_from",
}


@dataclass
class Document:
    """A corpus document: its body text and what we know about where it came from."""

    doc_id: str
    text: str
    metadata: dict[str, str]
    content_hash: str  # body and metadata: decides whether a document changed
    path: str
    body_hash: str = ""  # body only: finds the same text under two names
    file_hash: str = ""  # the file's bytes as read: re-checks a file whose size and mtime cannot be trusted


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    file_hashes: dict[str, str] = field(default_factory=dict)  # path -> hash of the bytes read, every loaded file


def parse_header(raw: str) -> tuple[dict[str, str], str]:
    """Split `Key: value` header lines (ended by dashes) from the body; no header -> ({}, raw)."""
    lines = raw.splitlines(keepends=True)
    meta: dict[str, str] = {}
    for i, line in enumerate(lines):
        if _DASHES.match(line):
            if not meta:
                return {}, raw
            return meta, "".join(lines[i + 1 :])
        match = _HEADER_LINE.match(line.rstrip("\r\n"))
        if not match:
            return {}, raw
        key = match.group(1).strip().lower()
        meta[_KEY_ALIASES.get(key, key.replace(" ", "_"))] = match.group(2).strip()
        if i > 40:
            break
    return {}, raw


PRIMARY = "primary"  # the metadata key of the flag
_YES, _NO = frozenset({"yes", "true", "1", "y"}), frozenset({"no", "false", "0", "n"})


def primary_flag(header_value: str | None, first_folder: bool) -> str:
    """The `primary` flag: the header's `Primary: yes/no` when it says one of those, else whether the
    file is in the first corpus folder."""
    value = (header_value or "").strip().lower()
    return "true" if value in _YES or (value not in _NO and first_folder) else "false"


_KNOWN_KEYS = frozenset({"title", "author", "authors", "publisher", "date", "url", "source", "license", "licence"})


def unterminated_header(raw: str) -> list[str]:
    """Keys of a header that is never ended by a dashed line: two or more known `Key: value` lines at
    the top. Such a file would index its header as body text and lose its title and date, so it is
    skipped with a reason instead (one stray "Title: ..." line in prose is left alone)."""
    keys = []
    for line in raw.splitlines()[:40]:
        match = _HEADER_LINE.match(line.strip())
        if not match:
            break
        keys.append(match.group(1).strip().lower())
    known = [k for k in keys if k in _KNOWN_KEYS]
    return known if len(known) >= 2 else []


def _title_from_name(path: Path) -> str:
    return re.sub(r"[_-]+", " ", path.stem).strip().capitalize() or path.name


def _html_to_text(raw: str) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    blocks = [
        b.get_text(" ", strip=True) for b in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "blockquote", "td"])
    ]
    text = "\n".join(b for b in blocks if b) or soup.get_text("\n", strip=True)
    return text, title


def _pdf_to_text(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    title = None
    if reader.metadata and reader.metadata.title:
        title = str(reader.metadata.title)
    return "\n".join(p for p in pages if p), title


def _normalise(text: str) -> str:
    """Unify line endings and drop trailing spaces so offsets are stable across platforms."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


def load_file(path: Path, max_bytes: int = 20_000_000) -> Document:
    """Load one file; raises ValueError with a one-line reason when it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(f"unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}")
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > max_bytes:
        raise ValueError(f"file is {size:,} bytes, over the {max_bytes:,}-byte cap")
    title_hint: str | None = None
    data = path.read_bytes()
    if suffix == ".pdf":
        try:
            raw, title_hint = _pdf_to_text(data)
        except Exception as exc:  # pypdf raises many types on bad files
            raise ValueError(f"unreadable PDF ({type(exc).__name__})") from exc
    else:
        if b"\x00" in data[:8192]:
            raise ValueError("binary file (NUL bytes), not text")
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 text (bad byte at offset {exc.start})") from exc
    meta, body = parse_header(raw)
    if not meta and suffix != ".pdf" and (keys := unterminated_header(raw)):
        raise ValueError(
            f"header ({', '.join(k.capitalize() + ':' for k in keys)}) is not ended by a line of dashes; "
            "add '-----' after it"
        )
    if suffix in (".html", ".htm"):
        body, title_hint = _html_to_text(body)
    body = _normalise(body)
    if not body.strip():
        raise ValueError("no text after the header")
    meta.setdefault("title", title_hint or _title_from_name(path))
    digest = hashlib.sha256(("\n".join(f"{k}={v}" for k, v in sorted(meta.items())) + "\n" + body).encode()).hexdigest()
    body_hash = hashlib.sha256(body.encode()).hexdigest()
    return Document(
        doc_id=path.name,
        text=body,
        metadata=meta,
        content_hash=digest,
        path=str(path),
        body_hash=body_hash,
        file_hash=file_hash(data),
    )


def file_hash(data: bytes) -> str:
    """What `Document.file_hash` holds for a file of these bytes."""
    return hashlib.sha256(data).hexdigest()


def load_corpus(
    dirs: tuple[Path, ...] | list[Path],
    exclude: tuple[str, ...] = (),
    max_bytes: int = 20_000_000,
    scanned: Scan | None = None,
    progress: Callable[[int, int], None] | None = None,
    known: Callable[[str], Document | None] | None = None,
) -> LoadResult:
    """Load every supported file below the corpus folders; each unusable file is skipped with a reason.
    `scanned` is the file listing when the caller already made it (`index.filestamps.scan`);
    `progress(done, total)` is told every 100 files. `known(path)` is the document of a file the last
    build loaded and that cannot have changed since (its text is then left empty: nobody needs it), or
    None to read the file."""
    scanned = scanned or scan(dirs, exclude)
    report = progress or (lambda done, total: None)
    total, done = len(scanned.files), 0
    report(0, total)
    result = LoadResult()
    seen_ids: dict[str, str] = {}
    seen_hashes: dict[str, str] = {}
    by_rank: dict[int, list[str]] = {}  # paths as strings: a Path per file cost 0.25 s at 15k files
    for rank, name in scanned.files:
        by_rank.setdefault(rank, []).append(name)
    for rank, folder in enumerate(dirs):
        if not Path(folder).is_dir():
            result.skipped.append(Skipped(str(folder), "corpus folder does not exist"))
            continue
        for path in by_rank.get(rank, []):
            done += 1
            if done % 100 == 0:
                report(done, total)
            try:
                doc = (known(path) if known else None) or load_file(Path(path), max_bytes)
            except ValueError as exc:
                result.skipped.append(Skipped(path, str(exc)))
                continue
            except OSError as exc:
                result.skipped.append(Skipped(path, f"unreadable ({exc.strerror or type(exc).__name__})"))
                continue
            if doc.file_hash:
                result.file_hashes[doc.path] = doc.file_hash
            if doc.body_hash in seen_hashes:
                result.skipped.append(Skipped(path, f"same content as {seen_hashes[doc.body_hash]}"))
                continue
            if doc.doc_id in seen_ids:
                result.skipped.append(
                    Skipped(path, f"another file named {doc.doc_id} is already indexed ({seen_ids[doc.doc_id]})")
                )
                continue
            doc.metadata[PRIMARY] = primary_flag(doc.metadata.get(PRIMARY), rank == 0)
            seen_ids[doc.doc_id] = doc.path
            seen_hashes[doc.body_hash] = doc.path
            result.documents.append(doc)
    report(total, total)
    return result
