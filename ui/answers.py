"""Answer helpers shared by the chat page, the /chat API and the exports: confidence labels, the turn
record and chat-history normalisation (claims and grounding come from `assistant.grounding`, the JSON
from `Answer.to_dict`). Pure functions, no Gradio, so they are easy to test."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.answer import Answer


def confidence_label(answer: Answer) -> str:
    """How likely the quotes answer the question (the answerer's calibrated confidence), kept apart
    from grounding: a verbatim quote can be found in the sources and still not answer."""
    if answer.abstained:
        return f"declined (confidence it could answer {answer.confidence:.0%})"
    level = "high" if answer.confidence >= 0.8 else "medium" if answer.confidence >= 0.6 else "low"
    return f"answers the question: {level} confidence ({answer.confidence:.0%})"


def message_text(content: Any) -> str:
    """Gradio 6 hands message content over as a list of parts; the assistant wants plain text."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(message_text(part) for part in content).strip()
    return "" if content is None else str(content)


def plain_history(messages: Iterable[Any] | None) -> list[dict[str, str]]:
    """[{"role", "content": str}] for user and assistant messages; anything else is dropped."""
    out: list[dict[str, str]] = []
    for m in messages or []:
        if isinstance(m, dict) and m.get("role") in ("user", "assistant"):
            out.append({"role": m["role"], "content": message_text(m.get("content"))})
        elif isinstance(m, (list, tuple)) and len(m) == 2:  # (question, answer) pairs from older clients
            out += [
                {"role": "user", "content": message_text(m[0])},
                {"role": "assistant", "content": message_text(m[1])},
            ]
    return out


@dataclass
class ChatTurn:
    """One question and its answer as the page keeps them (per browser session, in gr.State): the
    sources panel, the feedback store and the exports all read from here, never from the chat text."""

    question: str
    answer: Answer
    history: list[dict[str, str]]
    settings: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # ratings follow the turn, not its position
