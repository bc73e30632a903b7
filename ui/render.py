"""HTML for the sources panel and the status lines.

Everything that comes from the corpus or the user goes through `esc` (html.escape, quotes too):
gr.HTML inserts its value as markup, so an unescaped document title could inject script.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from assistant.answer import Answer, Citation, Passage, RepairedSentence
from assistant.grounding import grounding
from ui.answers import confidence_label

_BLANKS = re.compile(r"\n\s*\n")

EMPTY_PANEL = (
    '<div class="pn-sources pn-empty"><p class="pn-muted">Sources appear here. Ask a question; each answer lists the '
    "passages it cites, with the supporting sentence highlighted. Click an earlier answer to see its sources.</p></div>"
)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _known(value: str | None) -> str | None:
    """Corpus headers say "not stated …" when a field is unknown; showing that is noise."""
    if not value or value.strip().lower().startswith(("not stated", "not supplied", "unknown")):
        return None
    return value.strip()


def byline(p: Passage) -> str:
    parts = [esc(x) for x in (_known(p.author), _known(p.publisher), p.date_label) if x]
    if _known(p.license):
        parts.append("Licence: " + esc(_known(p.license)))
    return " · ".join(parts) or '<span class="pn-muted">no publication details</span>'


def _title(p: Passage) -> str:
    title = esc(p.title or p.doc_id)
    url = _known(p.url)
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    return title


def quote_span(passage: Passage, citation: Citation) -> tuple[int, int] | None:
    """Where the quote sits in the passage text: by offsets when they agree, else by search."""
    rel = citation.quote_start - passage.start
    if rel >= 0 and passage.text[rel : rel + len(citation.quote)] == citation.quote:
        return rel, rel + len(citation.quote)
    found = passage.text.find(citation.quote)
    if found >= 0:
        return found, found + len(citation.quote)
    words = citation.quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), passage.text)
    return match.span() if match else None


def _shown(text: str) -> str:
    """Escaped passage text with runs of blank lines folded, so a card is not mostly white space."""
    return esc(_BLANKS.sub("\n", text))


def _window(text: str, spans: list[tuple[int, int]], context: int) -> tuple[int, int]:
    """The part of a long passage worth showing: the highlighted sentences and some text around them."""
    if not spans or len(text) <= 2 * context + (spans[-1][1] - spans[0][0]):
        return 0, len(text)
    lo, hi = max(0, spans[0][0] - context), min(len(text), spans[-1][1] + context)
    if lo > 0:
        cut = text.find(" ", lo)
        lo = cut + 1 if 0 <= cut < spans[0][0] else lo
    if hi < len(text):
        cut = text.rfind(" ", spans[-1][1], hi)
        hi = cut if cut > 0 else hi
    return lo, hi


def highlight(text: str, spans: list[tuple[int, int]], context: int = 280) -> str:
    """`text` escaped, each span wrapped in <mark> (overlaps merged); a long passage is trimmed to
    `context` characters around the marks, so the highlighted sentence is in view without scrolling."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    lo, hi = _window(text, [(a, b) for a, b in merged], context)
    out, pos = ["…" if lo > 0 else ""], lo
    for start, end in merged:
        out += [_shown(text[pos:start]), f"<mark>{esc(text[start:end])}</mark>"]
        pos = end
    out.append(_shown(text[pos:hi]) + ("…" if hi < len(text) else ""))
    return "".join(out)


def _scores(p: Passage, citations: list[Citation]) -> str:
    items = [f"support {max(c.score for c in citations):.2f}"] if citations else []
    items.append(f"rank {p.rank}")
    items.append(f"fused {p.score:.4f}")
    if p.dense_score is not None:
        items.append(f"dense {p.dense_score:.3f}")
    if p.lexical_score is not None:
        items.append(f"bm25 {p.lexical_score:.2f}")
    return f'<div class="pn-scores">{esc(" · ".join(items))}</div>'


def source_card(n: int, passage: Passage, citations: list[Citation], show_scores: bool) -> str:
    text = passage.text.lstrip("\n")
    lead = len(passage.text) - len(text)  # spans are offsets into the unstripped passage
    spans = [(max(0, a - lead), b - lead) for a, b in (s for s in (quote_span(passage, c) for c in citations) if s)]
    body = highlight(text.rstrip("\n"), spans)
    scores = _scores(passage, citations) if show_scores else ""
    kind = '<span class="pn-kind">document header</span> ' if passage.kind == "header" else ""
    return (
        f'<div class="pn-card pn-{esc(passage.kind)}-card" data-n="{n}">'
        f'<div class="pn-card-title"><span class="pn-n">[{n}]</span> '
        f"{kind}{_title(passage)}</div>"
        f'<div class="pn-byline">{byline(passage)}</div><div class="pn-passage">{body}</div>{scores}</div>'
    )


def related_card(passage: Passage, show_scores: bool) -> str:
    scores = _scores(passage, []) if show_scores else ""
    return (
        f'<div class="pn-card pn-related-card"><div class="pn-card-title">{_title(passage)}</div>'
        f'<div class="pn-byline">{byline(passage)}</div>'
        f'<div class="pn-passage">{_shown(passage.text.strip())}</div>{scores}</div>'
    )


def meta_line(answer: Answer) -> str:
    """Retrieval and answer time, whether the quotes are in the sources (grounding) and, apart from it,
    how likely they answer the question (confidence), as one short line."""
    t = answer.timings_ms
    parts = [
        f"retrieval {t.get('retrieve', 0):.0f} ms",
        f"answer {t.get('answer', 0):.0f} ms",
        grounding(answer).label(),
        confidence_label(answer),
    ]
    return " · ".join(parts)


def _repair_item(r: RepairedSentence) -> str:
    """A repaired sentence with its move "[2] → [1]" (numbers as the model saw the passages)."""
    moved = f"{''.join(f'[{n}]' for n in r.cited)} → [{r.to}]"
    if r.shown and r.shown != r.to:
        moved += f", shown as [{r.shown}]"
    why = ("from the paragraph's closing citation; " if r.inherited else "") + r.reason
    return (
        f'<li>{esc(r.text)} <span class="pn-repair">{esc(moved)}</span> <span class="pn-muted">({esc(why)})</span></li>'
    )


def provenance(answer: Answer) -> str:
    """Which backend wrote the answer, its notes, and what the faithfulness guard removed or repaired."""
    parts = [
        f'<div class="pn-backend">Answered by: <b>{esc(answer.backend)}</b>'
        + (" · follow-up rewritten by the LLM" if answer.condensed_by == "llm" else "")
        + "</div>"
    ]
    parts += [f'<div class="pn-note">{esc(note)}</div>' for note in answer.notes if note]
    if answer.guard and answer.guard.removed:
        items = "".join(
            f'<li><s>{esc(r.text)}</s> <span class="pn-muted">({esc(r.reason)})</span></li>'
            for r in answer.guard.removed
        )
        parts.append(
            f'<details class="pn-guard"><summary>Guard removed {len(answer.guard.removed)} of '
            f"{answer.guard.checked} generated sentence(s)</summary><ul>{items}</ul></details>"
        )
    if answer.guard and answer.guard.repaired and not answer.guard.fell_back:  # a fallback kept none of them
        items = "".join(_repair_item(r) for r in answer.guard.repaired)
        parts.append(
            f'<details class="pn-guard pn-repaired"><summary>Guard repaired the citation of '
            f"{len(answer.guard.repaired)} of {answer.guard.checked} generated sentence(s)</summary>"
            f"<ul>{items}</ul></details>"
        )
    if len(parts) == 1 and answer.backend == "extractive":
        return ""
    return f'<div class="pn-provenance">{"".join(parts)}</div>'


def sources_panel(
    answer: Answer | None, position: int | None = None, count: int | None = None, show_scores: bool = False
) -> str:
    """The panel beside the chat for one answer: its cited passages, or related passages for an abstention."""
    if answer is None:
        return EMPTY_PANEL
    which = f"Answer {position} of {count}" if position and count else "Answer"
    head = (
        f'<div class="pn-head"><span class="pn-which">{esc(which)}</span>'
        f'<span class="pn-meta">{esc(meta_line(answer))}</span></div>' + provenance(answer)
    )
    if answer.abstained:
        cards = "".join(related_card(p, show_scores) for p in answer.related)
        body = (
            (
                '<div class="pn-abstain">The sources do not answer this question.</div>'
                '<h4 class="pn-related-h">Related (not an answer)</h4>'
                '<p class="pn-muted">The closest passages found. They are not evidence for an answer.</p>'
                f'<div class="pn-cards pn-related">{cards}</div>'
            )
            if cards
            else '<div class="pn-abstain">The sources do not answer this question.</div>'
        )
        return f'<div class="pn-sources">{head}{body}</div>'
    by_n: dict[int, list[Citation]] = {}
    for c in answer.citations:
        by_n.setdefault(c.n, []).append(c)
    cards = "".join(source_card(n, cs[0].passage, cs, show_scores) for n, cs in sorted(by_n.items()))
    body = f'<div class="pn-cards">{cards}</div>' if cards else '<p class="pn-muted">This answer cites no passages.</p>'
    return f'<div class="pn-sources">{head}{body}</div>'


def message_panel(text: str) -> str:
    """A one-line notice in the panel (searching, errors)."""
    return f'<div class="pn-sources"><p class="pn-muted">{esc(text)}</p></div>'


def _when(stamp: str | None) -> str:
    if not stamp:
        return "unknown"
    try:
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp


def index_status_line(status: dict[str, Any] | None, error: str | None = None) -> str:
    """Documents, chunks, embedding model and build time of the index being served."""
    if status is None:
        return f'<div class="pn-status pn-status-error">Index: {esc(error or "not available")}</div>'
    model = str(status.get("embedding_model") or "?").split(" (")[0]
    text = (
        f"Index: {status.get('documents', '?')} documents · {status.get('chunks', '?')} chunks · "
        f"embeddings {model} · built {_when(status.get('built_at'))}"
    )
    return f'<div class="pn-status">{esc(text)}</div>'


def documents_table(rows: list[dict[str, Any]]) -> str:
    """The documents view: every indexed document with its title, publisher, date, licence and chunks."""
    if not rows:
        return '<div class="pn-documents"><p class="pn-muted">No index yet.</p></div>'
    head = "<tr><th>Title</th><th>Publisher</th><th>Date</th><th>Licence</th><th>Chunks</th></tr>"
    body = "".join(
        f'<tr data-doc="{esc(r["doc_id"])}"><td>{esc(r["title"])}</td><td>{esc(r["publisher"] or "not stated")}</td>'
        f"<td>{esc(r['date'])}</td><td>{esc(r['license'] or 'not stated')}</td><td>{esc(r['chunks'])}</td></tr>"
        for r in rows
    )
    return (
        f'<div class="pn-documents"><p class="pn-muted">{len(rows)} documents, newest first.</p>'
        f"<table>{head}{body}</table></div>"
    )
