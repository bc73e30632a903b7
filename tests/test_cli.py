"""The command line as a user runs it: real processes, real index; and in process (CliRunner) with the
fake embedder, for parsing and wiring."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

PROJECT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env_extra: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT,
        timeout=300,
    )


def test_index_then_ask_json_and_chat_jsonl(tmp_path, small_corpus):
    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIRS": str(small_corpus)}
    built = _run(["index"], env)
    assert built.returncode == 0, built.stderr
    assert "Indexed: 3 documents" in built.stdout and "added 3" in built.stdout
    assert "index embedding done: " in built.stderr and "\x1b[" not in built.stderr  # a log, not a bar
    again = _run(["index", "--json"], env)
    assert json.loads(again.stdout)["noop"] is True

    asked = _run(["ask", "What budget did the alpha committee approve?", "--json"], env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "12 million won" in answer["answer"] and answer["citations"][0]["title"] == "Alpha report"
    assert {"retrieve", "answer", "total"} <= set(answer["timings"])

    chat = _run(["chat", "--jsonl"], env, stdin="Where did the alpha committee meet?\nWhat did it approve?\n")
    lines = [json.loads(line) for line in chat.stdout.splitlines()]
    assert len(lines) == 2 and "Busan" in lines[0]["answer"]
    assert "12 million won" in lines[1]["answer"]  # "it" resolved from the first turn


def test_bad_input_gets_one_clear_line(tmp_path, small_corpus):
    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIRS": str(small_corpus)}
    missing = _run(["ask", "Anything?"], env)
    assert missing.returncode == 1 and "no index" in missing.stderr and "Traceback" not in missing.stderr
    _run(["index"], env)
    empty = _run(["ask", "   "], env)
    assert empty.returncode == 1 and "Please type a question" in empty.stderr
    bad_setting = _run(["--retriever", "magic", "ask", "x"], env)
    assert bad_setting.returncode == 2 and "retriever" in bad_setting.stderr and "Traceback" not in bad_setting.stderr


def _one_clear_line(proc: subprocess.CompletedProcess, code: int, *phrases: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr[-1500:])
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    for phrase in phrases:
        assert phrase in errors[0], errors[0]


def test_skipped_files_are_listed_and_strict_makes_them_an_error(tmp_path, small_corpus):
    (small_corpus / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (small_corpus / "table.xlsx").write_bytes(b"PK\x03\x04")
    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIRS": str(small_corpus)}
    strict = _run(["index", "--strict"], env)
    _one_clear_line(strict, 1, "latin.txt")
    assert not (tmp_path / "data" / "index" / "current").exists(), "a strict failure must not publish an index"
    lenient = _run(["index"], env)
    assert lenient.returncode == 0, lenient.stderr
    assert "Indexed: 3 documents" in lenient.stdout
    assert (
        "skipped" in lenient.stdout
        and "latin.txt: not UTF-8" in lenient.stdout
        and "table.xlsx: unsupported file type" in lenient.stdout
    )


def test_questions_and_settings_users_get_wrong_are_answered_in_one_line(tmp_path, small_corpus):
    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIRS": str(small_corpus)}
    assert _run(["index"], env).returncode == 0
    _one_clear_line(_run(["ask", "x" * 10_000], env), 1, "limited to 2,000 characters", "10,000")
    _one_clear_line(_run(["--llm", "gpt-9", "ask", "x"], env), 2, "llm", "extractive")
    _one_clear_line(_run(["--llm", "openai", "ask", "x"], env), 2, "ASSISTANT_LLM_BASE_URL")
    _one_clear_line(
        _run(["ask", "Where did the alpha committee meet?"], {**env, "ASSISTANT_CHUNK_SIZE": "300"}),
        1,
        "chunking",
        "python -m assistant index --full",
    )

    control = _run(["ask", "Where did the alpha\x07 committee\x1b meet?", "--json"], env)
    assert control.returncode == 0 and "Busan" in json.loads(control.stdout)["answer"]
    korean = _run(
        ["ask", "알파 위원회는 어디에서 만났습니까?", "--json"], env
    )  # another language: answered or declined, never a crash
    assert korean.returncode == 0, korean.stderr
    reply = json.loads(korean.stdout)
    assert reply["abstained"] or reply["citations"]
    markup = _run(["ask", "<script>alert(1)</script> Where did the alpha committee meet?", "--json"], env)
    assert markup.returncode == 0, markup.stderr  # markup is just text to the assistant (the web page shows it inert)
    assert json.loads(markup.stdout)["question"].startswith("<script>")


# -- in-process, with the fake embedder (fast tier): parsing, wiring and the one-line errors -----------------

runner = CliRunner()


@pytest.mark.fast
def test_global_flags_become_the_settings_and_a_bad_one_is_one_line(tmp_path):
    from assistant.cli import state

    result = runner.invoke(
        app,
        [
            "--data-dir",
            str(tmp_path),
            "--retriever",
            "bm25",
            "--k",
            "2",
            "--llm",
            "extractive",
            "--guard",
            "fallback",
            "feedback",
            "export",
            str(tmp_path / "out.jsonl"),
        ],
    )
    assert result.exit_code == 1 and "no feedback yet" in result.stderr  # the command ran, with these settings:
    assert (state.settings.data_dir, state.settings.retriever, state.settings.top_k, state.settings.guard) == (
        tmp_path,
        "bm25",
        2,
        "fallback",
    )
    bad = runner.invoke(app, ["--retriever", "magic", "ask", "x"])
    assert bad.exit_code == 2 and bad.stderr.count("error:") == 1 and "setting retriever" in bad.stderr
    assert bad.exception is None or isinstance(bad.exception, SystemExit)  # no traceback, an exit code


@pytest.mark.fast
def test_eval_arguments_are_checked_before_anything_loads():
    none = runner.invoke(app, ["eval"])
    assert none.exit_code == 1 and "give at least one test set" in none.stderr
    one = runner.invoke(app, ["eval", "--compare", "a"])
    assert one.exit_code == 1 and "--compare takes two folders" in one.stderr
    bad = runner.invoke(app, ["eval", "corpus/testsets/core.jsonl", "--fail-under", "hit_at_k"])
    assert bad.exit_code == 1 and "hit_at_k" in bad.stderr


@pytest.mark.fast
def test_index_status_and_ask_in_process(tmp_path, small_corpus, use_fake_embedder):
    base = ["--data-dir", str(tmp_path / "data"), "--corpus", str(small_corpus)]
    missing = runner.invoke(app, [*base, "ask", "Anything?"])
    assert missing.exit_code == 1 and "no index" in missing.stderr
    built = runner.invoke(app, [*base, "index", "--json"])
    assert built.exit_code == 0, built.output
    summary = json.loads(built.stdout)
    assert (summary["documents"], summary["noop"], sorted(summary["added"])) == (
        3,
        False,
        ["alpha.txt", "beta.md", "gamma.txt"],
    )
    status = runner.invoke(app, [*base, "status"])
    assert status.exit_code == 0 and "encoder: hashing" in status.stdout and use_fake_embedder.name in status.stdout
    asked = runner.invoke(app, [*base, "ask", "Who published the Alpha report?", "--json"])
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert "Test Desk" in answer["answer"] and answer["citations"][0]["kind"] == "header"
    empty = runner.invoke(app, [*base, "ask", "   "])
    assert empty.exit_code == 1 and "Please type a question" in empty.stderr
    chat = runner.invoke(app, [*base, "chat", "--jsonl"], input="Who published the Alpha report?\nAnd the date?\n")
    assert chat.exit_code == 0 and len(chat.stdout.splitlines()) == 2
