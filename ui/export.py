"""The conversation as Markdown (to read or paste) and as JSON (to process), written for download."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.grounding import grounding
from ui.answers import ChatTurn

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def conversation_markdown(turns: list[ChatTurn], index: dict[str, Any] | None = None) -> str:
    lines = [
        "# Peninsula conversation",
        "",
        f"Exported {_now()}" + (f" · index built {index.get('built_at')}" if index else ""),
        "",
    ]
    for i, turn in enumerate(turns, start=1):
        a = turn.answer
        lines += [f"## {i}. {turn.question}", "", a.text, ""]
        if a.citations:
            lines.append("Sources:")
            seen: set[tuple[int, str]] = set()
            for c in a.citations:
                p = c.passage
                if (c.n, c.quote) in seen:
                    continue
                seen.add((c.n, c.quote))
                who = ", ".join(x for x in (p.author, p.publisher, p.date) if x)
                lines.append(f"- [{c.n}] {p.title}" + (f" ({who})" if who else "") + f": “{c.quote}”")
            lines.append("")
        elif a.abstained and a.related:
            lines.append("Related (not an answer):")
            lines += [f"- {p.title}" + (f" ({p.date})" if p.date else "") for p in a.related]
            lines.append("")
        t = a.timings_ms
        lines += [
            f"_retrieval {t.get('retrieve', 0):.0f} ms · answer {t.get('answer', 0):.0f} ms · {grounding(a).label()}_",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def conversation_json(turns: list[ChatTurn], index: dict[str, Any] | None = None) -> str:
    data = {
        "exported_at": _now(),
        "index": index,
        "turns": [{**t.answer.to_dict(), "question": t.question, "settings": t.settings} for t in turns],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


class ExportFolder:
    """One temporary folder per app, one sub-folder per browser session, overwritten each turn, so
    the download buttons always hold the current conversation and disk use stays bounded."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="peninsula-export-"))
        weakref.finalize(self, shutil.rmtree, self.root, True)  # removed with the app (or at exit)

    def write(self, session: str, turns: list[ChatTurn], index: dict[str, Any] | None) -> tuple[Path, Path]:
        folder = self.root / (_SAFE.sub("_", session)[:64] or "anonymous")
        folder.mkdir(parents=True, exist_ok=True)
        md, js = folder / "peninsula-conversation.md", folder / "peninsula-conversation.json"
        md.write_text(conversation_markdown(turns, index), encoding="utf-8")
        js.write_text(conversation_json(turns, index), encoding="utf-8")
        return md, js

    def forget(self, session: str) -> None:
        shutil.rmtree(self.root / (_SAFE.sub("_", session)[:64] or "anonymous"), ignore_errors=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
