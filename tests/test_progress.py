"""Index progress: a live bar with chunks/s and ETA on a terminal, a few plain lines in a log."""

import io
import re

from rich.console import Console

from assistant.progress import BuildProgress
from assistant.service import Assistant
from assistant.settings import Settings


def _build(tmp_path, corpus, console: Console) -> None:
    settings = Settings(data_dir=tmp_path / "data", corpus_dirs=[corpus], chunk_size=120, chunk_overlap=40)
    with BuildProgress(console) as progress:
        Assistant(settings).build_index(progress=progress)


def test_log_gets_one_line_per_stage_event_with_counts_and_rate(tmp_path, small_corpus):
    out = io.StringIO()
    _build(tmp_path, small_corpus, Console(file=out, force_terminal=False, width=200))
    lines = out.getvalue().splitlines()
    assert lines[0] == "index loading start: 0/3 files"
    for stage in ("loading", "chunking", "embedding", "lexical", "storing"):
        # start and done, nothing between
        assert len([line for line in lines if line.startswith(f"index {stage} ")]) == 2, lines
    done = next(line for line in lines if line.startswith("index embedding done:"))
    assert re.fullmatch(r"index embedding done: (\d+)/\1 chunks, [\d.,]+ chunks/s in [\d.]+ s", done), done
    assert "\x1b[" not in out.getvalue()  # no terminal control codes in a log


def test_terminal_gets_a_bar_with_chunks_per_second_and_eta(tmp_path, small_corpus):
    out = io.StringIO()
    _build(tmp_path, small_corpus, Console(file=out, force_terminal=True, width=160))
    screen = out.getvalue()
    assert "━" in screen and "chunks/s" in screen and "ETA" in screen
    assert "index embedding done" not in screen  # the bar, not log lines
