"""Documents users add from the web chat: checked, saved under a safe name in data_dir/uploads, and
indexed. The uploads folder is one more corpus folder, so a later `python -m assistant index` run
with the same settings keeps the uploaded documents."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.service import Assistant
    from index.build import ProgressHook

ALLOWED_SUFFIXES = (".txt", ".md", ".html", ".pdf")
UPLOADS_FOLDER = "uploads"
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadRejected(ValueError):
    """The file cannot be added; the message says why, for the user."""


def uploads_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / UPLOADS_FOLDER


def with_uploads(settings: Settings) -> Settings:
    """Settings whose corpus includes the uploads folder (create the Assistant with these)."""
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    if folder in [Path(d) for d in settings.corpus_dirs]:
        return settings
    return settings.with_overrides(corpus_dirs=[*settings.corpus_dirs, folder])


def safe_name(name: str) -> str:
    """A plain file name for `name`, or UploadRejected.

    Only the base name is kept (a browser may send "C:\\Users\\x\\a.txt"); names with "..", hidden
    names and other extensions are refused rather than repaired, since a repaired name could still
    surprise the user.
    """
    raw = (name or "").replace("\\", "/")
    if ".." in raw:
        raise UploadRejected("File names containing '..' are not accepted.")
    base = unicodedata.normalize("NFKC", raw.rsplit("/", 1)[-1]).strip()
    if not base or base.startswith("."):
        raise UploadRejected("Please give the file a plain name (not hidden, not empty).")
    suffix = Path(base).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadRejected(f"Only {', '.join(ALLOWED_SUFFIXES)} files can be added (got {suffix or 'no extension'}).")
    stem = _UNSAFE.sub("_", Path(base).stem).strip(" ._")[:100]
    if not stem:
        raise UploadRejected("Please give the file a name made of letters or digits.")
    return stem.replace(" ", "_") + suffix


def _check_content(source: Path, suffix: str) -> None:
    head = source.read_bytes()[:8192]
    if suffix == ".pdf":
        if not head.startswith(b"%PDF-"):
            raise UploadRejected("This .pdf file is not a PDF document.")
        return
    if b"\x00" in head:
        raise UploadRejected(f"This {suffix} file is binary, not text.")
    try:
        source.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRejected(f"This {suffix} file is not UTF-8 text.") from None


def save_upload(source: str | Path, original_name: str, folder: Path, max_bytes: int) -> Path:
    """Copy an uploaded file into `folder` under a sanitized name; returns where it landed."""
    name = safe_name(original_name)
    source = Path(source)
    if not source.is_file():
        raise UploadRejected("The upload did not arrive; please try again.")
    size = source.stat().st_size
    if size == 0:
        raise UploadRejected("The file is empty.")
    if size > max_bytes:
        raise UploadRejected(f"The file is {size:,} bytes; the limit is {max_bytes:,}.")
    _check_content(source, Path(name).suffix)
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / name).resolve()
    if target.parent != folder:  # belt and braces: safe_name already rules this out
        raise UploadRejected("That file name is not accepted.")
    partial = target.with_name(f".{target.name}.part")  # hidden, so an index build never reads half a file
    shutil.copyfile(source, partial)
    partial.replace(target)
    return target


def add_document(
    assistant: Assistant, source: str | Path, original_name: str, max_bytes: int, progress: ProgressHook | None = None
) -> str:
    """Save an upload and index it (incrementally); returns a message for the user.

    The retriever follows the index's `current` pointer, so the next question already searches the
    new document. `progress` is the index builder's (stage, done, total) hook.
    A file the indexer refuses (unreadable PDF, duplicate name or content) is removed
    again, so the uploads folder only holds what is actually in the index.
    """
    from index.build import BuildLocked

    folder = uploads_dir(assistant.settings)
    if folder not in [Path(d) for d in assistant.settings.corpus_dirs]:
        raise UploadRejected(
            "Uploads are not part of this assistant's corpus (create it with ui.uploads.with_uploads)."
        )
    target = save_upload(source, original_name, folder, max_bytes)
    try:
        summary = assistant.build_index(progress=progress)
    except BuildLocked:
        raise UploadRejected(
            "The index is being rebuilt right now; the file is saved and will be included next time."
        ) from None
    refused = [s for s in summary.skipped if Path(s.path).name == target.name]
    if refused:
        target.unlink(missing_ok=True)
        raise UploadRejected(f"{target.name} could not be indexed: {refused[0].reason}.")
    return f"Added {target.name}. The index now holds {summary.documents} documents ({summary.chunks} chunks)."
