"""The command line as a user runs it: real processes, real index."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env_extra: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=PROJECT, timeout=300)


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
    assert "skipped" in lenient.stdout and "latin.txt: not UTF-8" in lenient.stdout and "table.xlsx: unsupported file type" in lenient.stdout


def test_questions_and_settings_users_get_wrong_are_answered_in_one_line(tmp_path, small_corpus):
    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIRS": str(small_corpus)}
    assert _run(["index"], env).returncode == 0
    _one_clear_line(_run(["ask", "x" * 10_000], env), 1, "limited to 2,000 characters", "10,000")
    _one_clear_line(_run(["--llm", "gpt-9", "ask", "x"], env), 2, "llm", "extractive")
    _one_clear_line(_run(["--llm", "openai", "ask", "x"], env), 2, "ASSISTANT_LLM_BASE_URL")
    _one_clear_line(_run(["ask", "Where did the alpha committee meet?"], {**env, "ASSISTANT_CHUNK_SIZE": "300"}), 1,
                    "chunking", "python -m assistant index --full")

    control = _run(["ask", "Where did the alpha\x07 committee\x1b meet?", "--json"], env)
    assert control.returncode == 0 and "Busan" in json.loads(control.stdout)["answer"]
    korean = _run(["ask", "알파 위원회는 어디에서 만났습니까?", "--json"], env)  # another language: answered or declined, never a crash
    assert korean.returncode == 0, korean.stderr
    reply = json.loads(korean.stdout)
    assert reply["abstained"] or reply["citations"]
    markup = _run(["ask", "<script>alert(1)</script> Where did the alpha committee meet?", "--json"], env)
    assert markup.returncode == 0, markup.stderr  # markup is just text to the assistant (the web page shows it inert)
    assert json.loads(markup.stdout)["question"].startswith("<script>")
