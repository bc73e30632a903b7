"""Test sets in JSONL or CSV with ragas field names; multi-turn rows carry `turns`.

Unknown fields are ignored; a malformed line is an error naming the file and the line.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class TestsetError(ValueError):
    """A test set file cannot be read; the message names the file and line."""


@dataclass
class TurnCase:
    user_input: str
    reference: str = ""
    reference_contexts: list[str] = field(default_factory=list)
    reference_facts: list[Any] = field(default_factory=list)  # str, or list of alternatives
    answerable: bool = True


@dataclass
class Case:
    id: str
    turns: list[TurnCase]
    tags: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def multi_turn(self) -> bool:
        return len(self.turns) > 1


def _turn(data: dict, where: str, default_answerable: bool = True) -> TurnCase:
    question = data.get("user_input")
    if not isinstance(question, str) or not question.strip():
        raise TestsetError(f"{where}: missing `user_input`")
    contexts = data.get("reference_contexts") or []
    if isinstance(contexts, str):
        contexts = [contexts]
    facts = data.get("reference_facts") or []
    answerable = data.get("answerable", default_answerable)
    if isinstance(answerable, str):
        answerable = answerable.strip().lower() not in ("false", "0", "no", "")
    return TurnCase(question.strip(), str(data.get("reference") or ""), list(contexts), list(facts), bool(answerable))


def _case(data: Any, where: str, fallback_id: str) -> Case:
    if not isinstance(data, dict):
        raise TestsetError(f"{where}: expected a JSON object")
    tags = data.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    if "turns" in data:
        if not isinstance(data["turns"], list) or not data["turns"]:
            raise TestsetError(f"{where}: `turns` must be a non-empty list")
        turns = [
            _turn(t if isinstance(t, dict) else {}, f"{where} turn {i + 1}", data.get("answerable", True))
            for i, t in enumerate(data["turns"])
        ]
    else:
        turns = [_turn(data, where)]
    return Case(str(data.get("id") or fallback_id), turns, list(tags), str(data.get("source") or ""))


def load_testset(path: Path) -> list[Case]:
    path = Path(path)
    if not path.is_file():
        raise TestsetError(f"{path}: no such test set file")
    cases: list[Case] = []
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            for line_no, row in enumerate(csv.DictReader(handle), start=2):
                for key in ("reference_contexts", "reference_facts", "tags"):
                    value = row.get(key)
                    if value and value.strip().startswith("["):
                        try:
                            row[key] = json.loads(value)
                        except json.JSONDecodeError as exc:
                            raise TestsetError(
                                f"{path}:{line_no}: column {key} is not valid JSON ({exc.msg})"
                            ) from None
                cases.append(_case(row, f"{path}:{line_no}", f"{path.stem}-{line_no}"))
        return cases
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise TestsetError(f"{path}:{line_no}: malformed JSON ({exc.msg} at column {exc.colno})") from None
            cases.append(_case(data, f"{path}:{line_no}", f"{path.stem}-{line_no}"))
    return cases
