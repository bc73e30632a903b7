"""Size + mtime stamps of the corpus files, kept beside each index generation.

A no-op re-index must not read and hash every file (6-10 s at 15k files): when every file still has the
size and modification time recorded by the last build, and nothing was added or removed, nothing changed.
Any difference sends the build down the slow path, where content hashes decide. A stamp is only trusted
when the file was last modified well before it was recorded: a write in the same timestamp tick as the
recording could otherwise keep size and mtime while changing the content. Such "racy" files (typically
the last ones written before a build) have the hash of the bytes the build read recorded beside their
stamp, and only they are read and hashed again, instead of the whole corpus.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

STAMPS_FILE = "files.json"
RACY_NS = 2_000_000_000  # coarsest common mtime granularity (FAT: 2 s); younger stamps are re-checked


@dataclass
class Scan:
    """The corpus files as `load_corpus` would visit them, with their stamps (None: unreadable)."""

    files: list[tuple[int, str]] = field(default_factory=list)  # (corpus folder rank, path), in visit order
    stamps: dict[str, list[int] | None] = field(default_factory=dict)
    started_ns: int = 0


def _walk(folder: str, excluded: re.Pattern[str]) -> list[tuple[tuple[str, ...], os.DirEntry]]:
    """(relative parts, entry) of every non-directory below `folder`, skipping hidden and excluded names
    and not descending into linked folders (as `Path.rglob` does)."""
    found: list[tuple[tuple[str, ...], os.DirEntry]] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(folder, ())]
    while pending:
        path, parts = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, parts + (entry.name,)))
            elif not entry.is_dir() and not excluded.match(entry.name):
                found.append((parts + (entry.name,), entry))
    found.sort(key=lambda item: item[0])
    return found


def scan(dirs: tuple[Path, ...] | list[Path], exclude: tuple[str, ...] = ()) -> Scan:
    """List every candidate corpus file (regular files and broken links, sorted per folder) with one
    `stat` each; missing folders are simply absent (the loader reports them)."""
    result = Scan(started_ns=time.time_ns())
    excluded = re.compile("|".join(fnmatch.translate(p) for p in exclude) or r"(?!)")
    for rank, folder in enumerate(Path(d) for d in dirs):
        if not folder.is_dir():
            continue
        for _parts, entry in _walk(str(folder), excluded):
            path = entry.path
            try:
                st = entry.stat()
            except OSError:
                if entry.is_symlink():  # broken link: listed, so it is reported as unreadable
                    result.files.append((rank, path))
                    result.stamps[path] = None
                continue
            if stat.S_ISREG(st.st_mode):
                result.files.append((rank, path))
                result.stamps[path] = [st.st_size, st.st_mtime_ns]
    return result


def _context(dirs: tuple[Path, ...] | list[Path], exclude: tuple[str, ...], max_bytes: int) -> dict:
    return {"corpus_dirs": [str(d) for d in dirs], "exclude": list(exclude), "max_bytes": max_bytes}


def save(
    folder: Path,
    current: Scan,
    dirs: tuple[Path, ...] | list[Path],
    exclude: tuple[str, ...],
    max_bytes: int,
    documents: list[str],
    skipped: list[dict],
    file_hashes: dict[str, str] | None = None,
) -> None:
    """Record the stamps a build was made from, with the documents and skipped files it found
    (atomically: a reader sees the old or the new file). `file_hashes` (path -> hash of the bytes the
    build read, `index.loaders.file_hash`) is kept for the racy files, whose stamps alone prove nothing."""
    racy_from = current.started_ns - RACY_NS
    hashes = file_hashes or {}
    payload = {
        "context": _context(dirs, exclude, max_bytes),
        "recorded_ns": current.started_ns,
        "stamps": current.stamps,
        "racy_hashes": {
            path: hashes[path]
            for path, stamp in current.stamps.items()
            if stamp is not None and stamp[1] >= racy_from and path in hashes
        },
        "documents": documents,
        "skipped": skipped,
    }
    tmp = folder / (STAMPS_FILE + ".tmp")
    tmp.write_text(json.dumps(payload))
    os.replace(tmp, folder / STAMPS_FILE)


def _saved(folder: Path, dirs: tuple[Path, ...] | list[Path], exclude: tuple[str, ...], max_bytes: int) -> dict | None:
    """The stamps file of a build made with these settings, else None."""
    try:
        stat_ = (folder / STAMPS_FILE).stat()
        saved = _read_stamps(str(folder / STAMPS_FILE), stat_.st_ino, stat_.st_mtime_ns, stat_.st_size)
    except (OSError, ValueError):
        return None
    return saved if saved.get("context") == _context(dirs, exclude, max_bytes) else None


@functools.lru_cache(maxsize=2)
def _read_stamps(path: str, inode: int, mtime_ns: int, size: int) -> dict:
    """Parsed once per version of the file (saving replaces it: a new inode): a build asks `unchanged`, then
    `trusted` (2 MB at 15k files). Callers must not modify the result."""
    return json.loads(Path(path).read_text())


def trusted(
    folder: Path, current: Scan, dirs: tuple[Path, ...] | list[Path], exclude: tuple[str, ...], max_bytes: int
) -> dict[str, str]:
    """Files that cannot have changed since the last build: same size and mtime, and written well before it
    was recorded or, when written close to it, holding the bytes it read (as a no-op build checks them). An
    incremental build takes what it knows about them from that build without parsing them again: right
    after a corpus is written most of its files are that young, and hashing one costs far less than loading
    it. Maps each path to the hash of its bytes when it was checked ("" when its stamps sufficed)."""
    saved = _saved(folder, dirs, exclude, max_bytes)
    if saved is None:
        return {}
    trusted_before = int(saved.get("recorded_ns", 0)) - RACY_NS
    recorded = saved.get("stamps", {})
    racy_hashes = saved.get("racy_hashes", {})
    found: dict[str, str] = {}
    for path, stamp in current.stamps.items():
        if stamp is None or recorded.get(path) != stamp:
            continue
        if stamp[1] < trusted_before:
            found[path] = ""
        elif path in racy_hashes and _hash_file(path) == racy_hashes[path]:
            found[path] = racy_hashes[path]
    return found


def unchanged(
    folder: Path, current: Scan, dirs: tuple[Path, ...] | list[Path], exclude: tuple[str, ...], max_bytes: int
) -> dict | None:
    """What the last build recorded (documents, skipped) when no file can have changed since, else None."""
    saved = _saved(folder, dirs, exclude, max_bytes)
    if saved is None or saved.get("stamps") != current.stamps:
        return None
    trusted_before = int(saved.get("recorded_ns", 0)) - RACY_NS
    racy_hashes = saved.get("racy_hashes", {})
    for path, stamp in current.stamps.items():
        if stamp is not None and stamp[1] >= trusted_before:  # written too close to the recording to be sure
            recorded = racy_hashes.get(path)
            if recorded is None or _hash_file(path) != recorded:
                return None
    return {"documents": list(saved.get("documents", [])), "skipped": list(saved.get("skipped", []))}


def _hash_file(path: str) -> str | None:
    """`index.loaders.file_hash` of the file as it is now, None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None
