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
    again = _run(["index", "--json"], env)
    assert json.loads(again.stdout)["noop"] is True

    asked = _run(["ask", "What budget did the alpha committee approve?", "--json"], env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "12 million won" in answer["answer"] and answer["citations"][0]["passage"]["title"] == "Alpha report"
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
