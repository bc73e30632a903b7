"""An incremental build writes its files from byte ranges of the previous generation's: the result must
be exactly the file a build from scratch writes."""

from pathlib import Path

import numpy as np
import pytest

from index.splice import write_spliced, write_vectors

pytestmark = pytest.mark.fast


def test_vectors_from_old_rows_and_fresh_ones_equal_np_save_of_the_matrix(tmp_path: Path):
    rng = np.random.default_rng(0)
    old = rng.standard_normal((50, 8)).astype(np.float32)
    np.save(tmp_path / "old.npy", old)
    # kept runs, a reordered run, fresh rows between, at the start and at the end
    source = np.array([-1, 0, 1, 2, -1, -1, 10, 11, 5, 6, 7, -1, 49, -1], dtype=np.int64)
    fresh = rng.standard_normal((int((source < 0).sum()), 8)).astype(np.float32)
    expected = np.empty((len(source), 8), dtype=np.float32)
    expected[source >= 0] = old[source[source >= 0]]
    expected[source < 0] = fresh
    np.save(tmp_path / "expected.npy", expected)
    assert write_vectors(tmp_path / "new.npy", tmp_path / "old.npy", source, fresh)
    assert (tmp_path / "new.npy").read_bytes() == (tmp_path / "expected.npy").read_bytes()


def test_vectors_of_another_layout_are_left_to_the_caller(tmp_path: Path):
    np.save(tmp_path / "old.npy", np.zeros((4, 8), dtype=np.float64))
    source = np.array([0, 1, -1])
    assert not write_vectors(tmp_path / "new.npy", tmp_path / "old.npy", source, np.zeros((1, 8), np.float32))
    assert not (tmp_path / "new.npy").exists()


def test_spliced_file_holds_the_pieces_in_order_and_reports_where_they_landed(tmp_path: Path):
    (tmp_path / "old").write_bytes(b"aaaa\nbbbb\ncccc\n")
    pieces: list[bytes | tuple[int, int]] = [(5, 10), b"new\n", (0, 5), (10, 15)]
    spans = write_spliced(tmp_path / "new", tmp_path / "old", pieces)
    data = (tmp_path / "new").read_bytes()
    assert data == b"bbbb\nnew\naaaa\ncccc\n"
    assert [data[a:b] for a, b in spans] == [b"bbbb\n", b"new\n", b"aaaa\n", b"cccc\n"]


def test_a_span_past_the_end_of_the_old_file_fails_instead_of_writing_a_short_file(tmp_path: Path):
    (tmp_path / "old").write_bytes(b"aaaa\n")
    with pytest.raises(OSError):
        write_spliced(tmp_path / "new", tmp_path / "old", [(0, 5), (5, 10)])
