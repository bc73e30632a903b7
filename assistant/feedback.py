"""Thumbs up / down on answers, kept in SQLite, and turned into test-set rows.

Ratings are the cheapest source of new evaluation cases: a thumbs-up answer becomes a reference, an
abstention rated up becomes an unanswerable case, and a thumbs-down is a case to fix. Every write is
its own transaction, so a crash of the web chat loses at most the click in flight.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.answer import Answer
from assistant.citations import strip_citations

FEEDBACK_FILE = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL DEFAULT '[]',
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    settings TEXT NOT NULL DEFAULT '{}',
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT,
    abstained INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass
class FeedbackRow:
    id: int
    created_at: str
    question: str
    history: list[dict[str, str]]
    answer: str
    citations: list[dict[str, Any]]
    settings: dict[str, Any]
    rating: int
    comment: str | None
    abstained: bool


def feedback_path(data_dir: Path) -> Path:
    """Where the web chat keeps ratings: beside the index, in the user's data folder."""
    return Path(data_dir) / FEEDBACK_FILE


class FeedbackStore:
    """SQLite table `feedback`; one short connection per call, which is safe from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> closing[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)  # autocommit: each statement commits
        db.row_factory = sqlite3.Row  # columns by name: a column added to the table cannot shift the others
        return closing(db)

    def add(
        self,
        question: str,
        answer: Answer | str,
        rating: int,
        history: Iterable[dict[str, str]] = (),
        settings: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> int:
        """Store one rating (+1 / -1) of an answer; returns the row id."""
        if rating not in (1, -1):
            raise ValueError("rating must be +1 or -1")
        if isinstance(answer, Answer):
            # Citations as in the answer's JSON: enough to show and re-check them without the index.
            text, citations, abstained = answer.text, [c.to_dict() for c in answer.citations], answer.abstained
        else:
            text, citations, abstained = str(answer), [], False
        row = (
            _now(),
            question,
            _dump(list(history)),
            text,
            _dump(citations),
            _dump(settings or {}),
            rating,
            _clean_comment(comment),
            int(abstained),
        )
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback"
                " (created_at, question, history, answer, citations, settings, rating, comment, abstained)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            assert cursor.lastrowid is not None  # set by the INSERT just run
            return cursor.lastrowid

    def set_rating(self, row_id: int, rating: int) -> None:
        """A user who changes their mind (👍 then 👎) updates the row rather than adding a second one."""
        if rating not in (1, -1):
            raise ValueError("rating must be +1 or -1")
        with self._connect() as db:
            db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, row_id))

    def set_comment(self, row_id: int, comment: str | None) -> None:
        with self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (_clean_comment(comment), row_id))

    def delete(self, row_id: int) -> None:
        """Un-clicking a thumb withdraws the rating."""
        with self._connect() as db:
            db.execute("DELETE FROM feedback WHERE id = ?", (row_id,))

    def get(self, row_id: int) -> FeedbackRow | None:
        rows = self._select("WHERE id = ?", (row_id,))
        return rows[0] if rows else None

    def rows(self) -> list[FeedbackRow]:
        return self._select("ORDER BY id", ())

    def _select(self, where: str, params: tuple) -> list[FeedbackRow]:
        with self._connect() as db:
            cursor = db.execute(
                "SELECT id, created_at, question, history, answer, citations, settings, rating, comment, abstained"
                f" FROM feedback {where}",
                params,
            )
            return [
                FeedbackRow(
                    id=r["id"],
                    created_at=r["created_at"],
                    question=r["question"],
                    history=json.loads(r["history"]),
                    answer=r["answer"],
                    citations=json.loads(r["citations"]),
                    settings=json.loads(r["settings"]),
                    rating=r["rating"],
                    comment=r["comment"],
                    abstained=bool(r["abstained"]),
                )
                for r in cursor.fetchall()
            ]


def testset_row(row: FeedbackRow) -> dict[str, Any]:
    """One rated answer as a test-set row with ragas field names.

    A thumbs-up makes the answer the `reference` and its cited quotes the `reference_contexts`; an
    abstention rated up is an unanswerable case. A thumbs-down keeps what was said only as `response`
    / `retrieved_contexts`, so the case is there to be fixed but nothing wrong becomes a reference.
    """
    up = row.rating > 0
    quotes = [c["quote"] for c in row.citations if c.get("quote")]
    out: dict[str, Any] = {
        "id": f"feedback-{row.id}",
        "user_input": row.question,
        "reference": strip_citations(row.answer) if up else "",
        "reference_contexts": quotes if up else [],
        "answerable": not (row.abstained and up),
        "response": row.answer,
        "retrieved_contexts": quotes,
        "tags": ["feedback", "up" if up else "down"],
        "source": "feedback",
        "created_at": row.created_at,
    }
    if row.comment:
        out["comment"] = row.comment
    if row.history:
        out["history"] = row.history
    return out


def export_testset(db_path: Path, out_path: Path) -> int:
    """Write every rated answer in `db_path` as JSONL to `out_path`; returns the number of rows."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"{db_path}: no feedback yet (rate an answer in the web chat first)")
    rows = FeedbackStore(db_path).rows()
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(testset_row(row), ensure_ascii=False) + "\n")
    return len(rows)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _clean_comment(comment: str | None) -> str | None:
    text = (comment or "").strip()
    return text[:4000] or None
