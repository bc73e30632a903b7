"""Writing a generation's files from the previous generation's bytes: an incremental build copies the
unchanged documents' rows, chunks and vectors as byte ranges (in the kernel, `os.copy_file_range`, so they
never pass through Python) and writes only what changed. At 100k chunks a one-file change rewrites ~300 MB
of files; copied this way they cost a fraction of parsing or gathering them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

Piece = bytes | tuple[int, int]  # new bytes, or a [start, end) byte span of the old file


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def copy_range(src: int, dst: int, start: int, end: int) -> None:
    """Append bytes [start, end) of `src` to `dst` (at its current position)."""
    while start < end:
        try:
            done = os.copy_file_range(src, dst, end - start, start)
        except OSError:  # not supported here (another file system, an old kernel): through user space
            done = 0
        if done <= 0:
            data = os.pread(src, min(end - start, 1 << 24), start)
            if not data:  # the old file is shorter than its layout says: never write a truncated copy
                raise OSError(f"unexpected end of file at byte {start} (wanted up to {end})")
            write_all(dst, data)
            done = len(data)
        start += done


def write_spliced(path: Path, old_path: Path | None, pieces: list[Piece]) -> list[tuple[int, int]]:
    """Write `pieces` in order and fsync; runs of adjacent old spans go out as one copy. Returns where each
    piece landed in the new file."""
    spans, offset = [], 0
    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    old = os.open(old_path, os.O_RDONLY) if old_path is not None and any(isinstance(p, tuple) for p in pieces) else -1
    try:
        run: list[int] = []  # pending [start, end) of the old file, copied when the run breaks
        for piece in pieces:
            if isinstance(piece, tuple):
                if run and run[1] == piece[0]:
                    run[1] = piece[1]
                else:
                    if run:
                        copy_range(old, out, *run)
                    run = list(piece)
                size = piece[1] - piece[0]
            else:
                if run:
                    copy_range(old, out, *run)
                    run = []
                write_all(out, piece)
                size = len(piece)
            spans.append((offset, offset + size))
            offset += size
        if run:
            copy_range(old, out, *run)
        os.fsync(out)
    finally:
        os.close(out)
        if old >= 0:
            os.close(old)
    return spans


def _npy_data_offset(path: Path, dim: int) -> int | None:
    """Where the rows of a float32 (n, dim) C-order .npy file start; None for any other layout."""
    with path.open("rb") as handle:
        version = np.lib.format.read_magic(handle)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(handle)
        if fortran or dtype != np.dtype("<f4") or len(shape) != 2 or shape[1] != dim:
            return None
        return handle.tell()


def npy_header(n: int, dim: int) -> bytes:
    """The header `np.save` writes for a float32 (n, dim) array."""
    import io

    header = np.lib.format.header_data_from_array_1_0(np.empty((0, dim), dtype=np.float32))
    header["shape"] = (n, dim)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def write_vectors(path: Path, old_path: Path, source: np.ndarray, fresh: np.ndarray) -> bool:
    """vectors.npy with row i = the old file's row `source[i]`, or, where that is -1, the next row of
    `fresh`; byte for byte what `np.save` of that matrix writes. False (nothing written) when the old file
    has another layout."""
    dim = fresh.shape[1]
    offset = _npy_data_offset(old_path, dim)
    if offset is None:
        return False
    row = 4 * dim
    fresh = np.ascontiguousarray(fresh, dtype=np.float32)
    # Runs: maximal stretches of consecutive old rows, or of fresh rows.
    is_old = source >= 0
    breaks = np.flatnonzero((np.diff(source) != 1) | (is_old[1:] != is_old[:-1])) + 1
    starts = np.concatenate([[0], breaks]).astype(np.int64).tolist()
    ends = np.concatenate([breaks, [len(source)]]).astype(np.int64).tolist()
    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    old = os.open(old_path, os.O_RDONLY)
    try:
        write_all(out, npy_header(len(source), dim))
        taken = 0
        for a, b in zip(starts, ends) if len(source) else ():
            if is_old[a]:
                first = int(source[a])
                copy_range(old, out, offset + first * row, offset + (first + b - a) * row)
            else:
                write_all(out, fresh[taken : taken + b - a].tobytes())
                taken += b - a
        assert taken == len(fresh), "fresh rows left over"
    finally:
        os.close(out)
        os.close(old)
    return True
