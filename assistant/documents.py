"""Answers to document-level questions (see `intents`): summaries, header facts, the collection, and
one sentence per source. Each answer is built from the corpus's own text and cites it: a document's
sentences cite the chunk that holds them, a header fact cites the document's header (kind "header").

These run before the passage answerer; `answer_documents` returns None for any other question.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer import Answer, Citation, Passage
from assistant.citations import MARK
from assistant.conversation import Conversation
from assistant.intents import Intent, detect, publisher_terms
from assistant.retrieval import Retriever
from assistant.sources import SourceDocument, catalogue, chunk_passage, clean_value
from assistant.summary import summarize
from index.generation import Generation
from index.text import STOPWORDS, stem, words

BACKEND = "documents"
_FIELD_NAMES = {
    "author": "author",
    "publisher": "publisher",
    "date": "date",
    "license": "licence",
    "url": "URL",
    "title": "title",
}
TOPIC_MIN_SIMILARITY = 0.3


@dataclass
class Claim:
    """One sentence of an answer: text written around a verbatim quote, and where the quote is."""

    text: str  # the sentence as shown, without its [n]
    quote: str
    passage: Passage
    start: int  # offset of the quote in the document (in the header text for header citations)
    end: int


def compose(question: str, claims: list[Claim], retrieved: list[Passage], started: float, lead: str = "") -> Answer:
    """Number the cited passages in order of first use and join the claims, each followed by its [n]."""
    numbers: dict[str, int] = {}
    parts, citations = ([lead] if lead else []), []
    for claim in claims:
        n = numbers.setdefault(claim.passage.chunk_id, len(numbers) + 1)
        parts.append(f"{claim.text} [{n}]")
        citations.append(
            Citation(
                n=n, passage=claim.passage, quote=claim.quote, quote_start=claim.start, quote_end=claim.end, score=1.0
            )
        )
    cited = list({c.passage.chunk_id: c.passage for c in citations}.values())
    seen = {p.chunk_id for p in cited}
    return Answer(
        question=question,
        text="\n".join(parts) if lead else " ".join(parts),
        citations=citations,
        retrieved=cited + [p for p in retrieved if p.chunk_id not in seen],
        backend=BACKEND,
        confidence=1.0,
        timings_ms={"answer": (time.perf_counter() - started) * 1000},
    )


def _header_claim(doc: SourceDocument, field: str, text: str) -> Claim:
    passage = doc.header_passage()
    line = doc.header_line(field) or doc.header_line("title") or passage.text
    start = passage.text.find(line)
    return Claim(text, line, passage, start, start + len(line))


def _name(doc: SourceDocument) -> str:
    return "The article" if doc.primary else f"“{doc.title}”"


def field_answer(doc: SourceDocument, field: str) -> Claim:
    """One header fact as a sentence; a value the header only notes as unknown is said to be missing."""
    name, value = _name(doc), doc.value(field)
    if field == "title":
        return _header_claim(doc, field, f"{name.replace('“', '').replace('”', '')} is titled “{doc.title}”.")
    if value is None and field == "author" and doc.value("publisher"):
        # A government statement names no author; who issued it is the useful answer.
        said = f"{name} has no author in its header; it was published by {doc.value('publisher')}."
        return _header_claim(doc, "publisher", said)
    if value is None:
        raw = doc.metadata.get(field)
        note = f" (the header says “{raw}”)" if raw else ""
        said = f"{name} has no {_FIELD_NAMES[field]} in its header{note}."
        return _header_claim(doc, field if raw else "title", said)
    if field == "author":
        return _header_claim(doc, field, f"{name} was written by {value}.")
    if field == "publisher":
        return _header_claim(doc, field, f"{name} was published by {value}.")
    if field == "date":
        raw, label = doc.metadata["date"], doc.date_label
        plain = label.replace(" (approximate)", ", approximately")
        shown = plain if raw.strip() == label else f"{plain} (header: “{raw}”)"
        return _header_claim(doc, field, f"{name} is {'' if label == 'undated' else 'dated '}{shown}.")
    if field == "license":
        return _header_claim(doc, field, f"{name} is under this licence: {value}.")
    return _header_claim(doc, field, f"{name} comes from {value}.")


def _listing(doc: SourceDocument) -> str:
    who = doc.value("publisher") or doc.value("author") or "publisher not stated"
    return f"“{doc.title}” — {who}, {doc.date_label}."


def _chunk_passage(generation: Generation, doc_id: str, index: int) -> Passage:
    position = next(
        p for p, c in enumerate(generation.chunks) if c.doc_id == doc_id and c.first_sentence <= index < c.last_sentence
    )
    return chunk_passage(generation, position)


def summary_claims(
    doc: SourceDocument, generation: Generation, retriever: Retriever, given: set[str] | frozenset[str] = frozenset()
) -> list[Claim]:
    """The document's own sentences that summarize it, in its order, without those already `given`."""
    stored = generation.documents[doc.doc_id]
    skip = {i for i, (a, b) in enumerate(stored.sentences) if any(stored.text[a:b] in g for g in given)}
    claims = []
    for i in summarize(generation, doc.doc_id, retriever.embedder.query_side(), skip):
        a, b = stored.sentences[i]
        claims.append(Claim(stored.text[a:b], stored.text[a:b], _chunk_passage(generation, doc.doc_id, i), a, b))
    return claims


def summary_answer(
    question: str,
    doc: SourceDocument,
    generation: Generation,
    retriever: Retriever,
    conversation: Conversation,
    started: float,
    more: bool,
) -> Answer:
    given = conversation.given_sentences() if more else set()
    claims = summary_claims(doc, generation, retriever, given)
    if not claims:
        text = f"I have already given every sentence of {_name(doc)} that summarizes it."
        return Answer(
            question=question,
            text=text,
            backend=BACKEND,
            confidence=1.0,
            timings_ms={"answer": (time.perf_counter() - started) * 1000},
        )
    when = doc.date_label.replace(" (approximate)", ", approximately")
    lead = f"More from “{doc.title}” ({when}):" if more else f"Summary of “{doc.title}” ({when}), in its own words:"
    return compose(question, claims, [], started, lead)


def by_source_answer(question: str, topic: str, generation: Generation, retriever: Retriever, started: float) -> Answer:
    """One sentence per document that speaks to the topic, newest document first."""
    passages = retriever.search(topic, k=max(12, retriever.settings.top_k * 2), generation=generation).passages
    docs = {d.doc_id: d for d in catalogue(generation)}
    topic_terms = {stem(w) for w in words(topic) if w not in STOPWORDS}
    named = _topic_name(topic)
    seen: set[tuple[str, int]] = set()
    cands: list[tuple[str, int, Passage]] = []
    for p in passages:
        chunk = generation.chunks[generation.chunk_position[p.chunk_id]]
        for i in range(chunk.first_sentence, chunk.last_sentence):
            if (p.doc_id, i) not in seen:
                seen.add((p.doc_id, i))
                cands.append((p.doc_id, i, p))
    texts = [generation.documents[d].text[slice(*generation.documents[d].sentences[i])] for d, i, _ in cands]
    if not cands:
        return _nothing(question, topic, passages, started)
    embedder = retriever.embedder.query_side()  # sentences scored against the topic: one encoder for both
    sims = embedder.embed_documents(texts) @ embedder.embed_query(topic)
    best: dict[str, tuple[float, int]] = {}
    for k, ((doc_id, _, _), text) in enumerate(zip(cands, texts)):
        terms = {stem(w) for w in words(text) if w not in STOPWORDS}
        # At least half the topic's words, and a name whole or by its acronym: neither "working groups" nor
        # "Terner Consulting ... Forum for Nuclear Strategy" says anything about the Nuclear Consultative Group.
        shared = len(terms & topic_terms)
        if (
            len(text.split()) < 6
            or not shared
            or 2 * shared < len(topic_terms)
            or float(sims[k]) < TOPIC_MIN_SIMILARITY
        ):
            continue
        if named and not (named[0] in text or re.search(rf"\b{named[1]}\b", text)):
            continue
        score = float(sims[k]) + 0.1 * len(terms & topic_terms) / (len(topic_terms) or 1)
        if doc_id not in best or score > best[doc_id][0]:
            best[doc_id] = (score, k)
    if not best:
        return _nothing(question, topic, passages, started)
    claims = []
    for doc_id in sorted(best, key=lambda d: (docs[d].recency, d), reverse=True):
        d, i, p = cands[best[doc_id][1]]
        a, b = generation.documents[d].sentences[i]
        quote = texts[best[doc_id][1]]
        claims.append(Claim(f"{docs[d].title} ({docs[d].date_label}): {quote}", quote, p, a, b))
    lead = f"What {len(claims)} source{'s' if len(claims) > 1 else ''} say about {topic.rstrip('?.')}, newest first:"
    return compose(question, claims, passages, started, lead)


_NAME_WORDS = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of|for|and|on|the)?\s*[A-Z][\w’'-]*){2,}")


def _topic_name(topic: str) -> tuple[str, str] | None:
    """A name of three or more capitalised words in the topic ("the Nuclear Consultative Group"), with its
    acronym ("NCG"): a sentence speaks to such a topic only by naming it."""
    found = _NAME_WORDS.search(topic)
    if not found:
        return None
    name = found.group(0)
    initials = "".join(w[0] for w in name.split() if w[0].isupper())
    return name, re.escape(initials)


def _nothing(question: str, topic: str, passages: list[Passage], started: float) -> Answer:
    text = f"No source says anything specific about “{topic.rstrip('?.')}”."
    return Answer(
        question=question,
        text=text,
        abstained=True,
        related=passages[:3],
        retrieved=passages,
        backend=BACKEND,
        timings_ms={"answer": (time.perf_counter() - started) * 1000},
        notes=["no sentence on the topic"],
    )


def collection_answer(question: str, intent: Intent, generation: Generation, started: float) -> Answer:
    docs = catalogue(generation)
    if intent.kind == "filter":
        docs = [d for d in docs if _matches(d, intent.asked)]
        if not docs:
            return Answer(
                question=question,
                text=f"None of the {len(catalogue(generation))} documents is from {intent.asked.rstrip('?.')}.",
                backend=BACKEND,
                confidence=1.0,
                timings_ms={"answer": (time.perf_counter() - started) * 1000},
            )
        are = "documents are" if len(docs) > 1 else "document is"
        lead = f"{len(docs)} {are} from {intent.asked.rstrip('?.')} (newest first):"
    else:
        lead = f"The index holds {len(docs)} documents (title — publisher, date; newest first):"
    claims = [_header_claim(d, "title", _listing(d)) for d in docs]
    return compose(question, claims, [], started, lead)


def _matches(doc: SourceDocument, asked: str) -> bool:
    """A filter ("the CRS", "the White House", "2025") against a document's publisher, author, id and date."""
    terms = [stem(w) for w in words(asked) if w not in STOPWORDS]
    if not terms:
        return False
    years = [t for t in terms if t.isdigit() and len(t) == 4]
    if years:
        return doc.date_label[:4] in years
    return all(t in publisher_terms(doc) for t in terms)


def _about_author(doc: SourceDocument, generation: Generation) -> list[Claim]:
    """The document's own sentence introducing its author ("<Author> is a Visiting Scholar at ..."), if any:
    who wrote it is more useful with who they are, and a follow-up ("Where does he work?") leans on it."""
    author = doc.value("author")
    stored = generation.documents[doc.doc_id]
    if not author:
        return []
    for i, (a, b) in enumerate(stored.sentences):
        text = stored.text[a:b]
        if text.startswith(author) and " is " in text[len(author) : len(author) + 5]:
            return [Claim(text, text, _chunk_passage(generation, doc.doc_id, i), a, b)]
    return []


_AUTHOR_SAID = re.compile(rf"\bwas written by (?P<name>[^.\[]+?)\.\s*{MARK.pattern}")
_PRONOUN = re.compile(r"\b(he|she|him|her|his)\b", re.I)


def author_followup(question: str, conversation: Conversation) -> str | None:
    """ "Where does he work?" right after "The article was written by <Author>." asks about that person:
    the question with the pronoun replaced by the name, or None when it is not such a follow-up."""
    if not conversation.turns or not (said := _AUTHOR_SAID.search(conversation.turns[-1].answer)):
        return None
    pronoun = _PRONOUN.search(question)
    if pronoun is None:
        return None
    name = said.group("name").strip()
    named = f"{name}’s" if pronoun.group(1).lower() == "his" else name
    return question[: pronoun.start()] + named + question[pronoun.end() :]


# "the author of the Lee article" / "the writer of this piece" as what a question asks about.
_AUTHOR_OF = re.compile(
    r"\b(?:the|this) (?:author|writer) of (?:the|this) (?:[\w’'-]+ ){0,3}?(?:article|piece|essay|analysis)\b", re.I
)


def author_named(question: str, generation: Callable[[], Generation]) -> str | None:
    """ "Which consultancy does the author of the Lee article work with?" asks about a person the
    article names in its header: the question with that phrase replaced by the author's name, so the
    search finds the author's biography; None when the question does not say "the author of" the article.
    `generation` is only read for such a question: the chain reads the index once per question."""
    found = _AUTHOR_OF.search(question)
    if found is None:
        return None
    primary = next((d for d in catalogue(generation()) if d.primary), None)
    name = clean_value(primary.metadata.get("author")) if primary else None
    if not name:
        return None
    return question[: found.start()] + name + question[found.end() :]


def answer_documents(
    question: str, conversation: Conversation, generation: Generation, retriever: Retriever
) -> Answer | None:
    """The answer to a document-level question, or None when the question is about the content."""
    started = time.perf_counter()
    intent = detect(question, conversation, catalogue(generation))
    if intent is None:
        return None
    if intent.kind in ("summary", "more") and intent.target is not None:
        more = intent.kind == "more"
        return summary_answer(question, intent.target, generation, retriever, conversation, started, more)
    if intent.kind == "field" and intent.target is not None:
        claims = [field_answer(intent.target, intent.field)]
        if intent.with_summary:  # "..., and what does it argue?": the document's own summary answers the rest
            claims += summary_claims(intent.target, generation, retriever)
        elif intent.field == "author":
            claims += _about_author(intent.target, generation)
        return compose(question, claims, [], started)
    if intent.kind in ("list", "filter"):
        return collection_answer(question, intent, generation, started)
    if intent.kind == "by-source" and intent.topic:
        return by_source_answer(question, intent.topic, generation, retriever, started)
    return None
