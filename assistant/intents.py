"""Questions about documents rather than about what they say: summaries, header facts (author,
publisher, date, licence, URL, title), the collection, and "what does each source say about X".

Detection is by pattern, deliberately narrow: a question that only looks a little like one of these is
left to the passage answerer, which is right far more often than a forced document-level answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import log

from assistant.conversation import Conversation
from assistant.sources import SourceDocument, author_words
from index.text import STOPWORDS, stem, words

# The header field a question asks for: the first pattern that matches wins.
_FIELDS = [
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        (
            "author",
            # "the author of X" asks who only when nothing else is asked of the author: "Which consultancy
            # does the author of the Lee article work with?" asks for the consultancy.
            r"\bwho (wrote|authored|penned|is the (author|writer))\b|\bwritten by whom\b"
            r"|^(?:(?:who|what)(?:'s| is| was| are| were)\s+|name\s+|tell me\s+)?(?:the\s+)?(author|writer)s? of\b"
            r"|\bwho('s| is) the (author|writer)\b|^(the )?author\??$",
        ),
        (
            "publisher",
            r"\bwho (published|issued|released|put out|publishes)\b|\bpublisher\b"
            r"|\bwhich (organi[sz]ation|outlet|agency)"
            r" (published|issued|released)\b",
        ),
        (
            "date",
            # "out" as in "When was it out?", not "When is his presidency due to run out?".
            r"\bwhen (was|were|is|did)\b.*\b(published|issued|released|written|updated|dated|(?<!run )out|signed|"
            r"come out|publish|issue|release|write|appear|appeared)\b"
            # "On what date did Han Duck-soo become acting president?" asks when he did, not the readout's date.
            r"|\b(what|which) (is the )?(date|publication date)\b"
            r"(?!\s+(?:did|does|do|will|would|has|have|had|is|was|were|are)\s+(?!(?:it|the|this|that)\b))"
            r"|\bhow (recent|old|current) is (the|this)\b",
        ),
        ("license", r"\blicen[cs]ed?\b|\bcopyright\b|\bunder what terms\b|\bcan i (reuse|republish|copy)\b"),
        # "a link to it", not the verb of "Which sea does Motin link to Beijing's provocations?".
        ("url", r"\b(url|web address|(?:a|the|any|original) link)\b|\bwhere (can i|to) (find|read)\b"),
        (
            "title",
            r"\b(title|headline) of\b|\bwhat('s| is) (the|its) (title|headline)\b"
            r"|\bwhat is (the|this) (article|piece) called\b",
        ),
    )
]
_LIST = re.compile(
    r"\b(what|which) (documents|sources|files|texts|articles|reports)\b(?!.*\babout\b)"
    r".*\b(have|hold|contain|index(ed)?|there|"
    r"available|know|use|using|read)\b|\blist (the |all |your |of )*(documents|sources)\b|\bwhat('s| is) in (the|your) "
    r"(index|collection|corpus)\b|\bwhat (documents|sources) are (there|available)\b",
    re.I,
)
_FILTER = re.compile(
    r"\b(which|what) (documents|sources|reports|articles|statements|texts)\b.*?\b(are |were |come )?"
    r"(from|by|published by|issued by|dated)\s+(?P<what>.+?)\s*\??$",
    re.I,
)
_BY_SOURCE = re.compile(
    r"\b(what|how) (do|does|did) (the |each |every |different |various |all the |all )?(sources?|documents?)\b"
    r".*?\b(say|said|"
    r"report|describe|write)\b.*?\babout\s+(?P<topic>.+?)(,?\s*(by|per|for each) (source|document))?\s*\??$"
    r"|\bsummari[sz]e what (the |each |all the )?(sources|documents) (say|said) about\s+(?P<topic2>.+?)\s*\??$"
    r"|^(?P<topic3>.+?),?\s+(by|per|for each) (source|document)\s*\??$",
    re.I,
)
_SUMMARY = re.compile(
    r"^(please |can you |could you )?(summari[sz]e|sum up|give (me )?(a )?summary of|a summary of|summary of|recap)\b"
    r"\s*(?P<target>.*?)\s*[.?!]*$"
    r"|^what(?:'s| is| was| are| were)\s+(?P<about>.+?)\s+(mainly |mostly |really )?about\s*[.?!]*$"
    r"|\b(main|key) (points|takeaways|messages|ideas|arguments|findings)\b|\btakeaways\b|\bgist\b|\btl;?dr\b",
    re.I,
)
# The second half of "Who wrote the article, and what does it argue?": a summary asked after a header field.
_AND_SUMMARY = re.compile(
    r"\band\b[^?]*?\b(?:what (?:does|did|do) (?:it|the \w+|this \w+|he|she|they) (?:argue|say|claim|conclude|"
    r"contend|propose|find|cover)|what(?:'s| is| was) it (?:about|saying)|summari[sz]e|sum (?:it )?up|"
    r"(?:main|key) (?:points?|arguments?|takeaways|findings))\b",
    re.I,
)
_MAIN_POINTS_TARGET = re.compile(r"\b(of|in|from)\s+(?P<target>.+?)\s*[.?!]*$", re.I)
# "Who published the author's book?" asks about a work the document mentions, not about the document.
_OTHER_WORKS = re.compile(r"\b(books?|novels?|volumes?|monographs?|dissertation|thesis)\b", re.I)
_MORE = re.compile(
    r"^\s*(tell me more|more|go on|continue|keep going|what else|anything else|and\??|more please|"
    r"tell me more about (it|that|this))\s*[.?!]*\s*$",
    re.I,
)
_BARE_POINTER = re.compile(r"^\s*(it|this|that|this one|that one)\s*[.?!]*\s*$", re.I)
_ARTICLE = re.compile(r"\b(article|piece|essay|the author|this author|the writer|analysis)\b", re.I)
_POINTER = re.compile(
    r"^\s*(it|this|that|the (article|piece|essay|text|document)|this (article|piece|essay|text|"
    r"document)|the author'?s? (article|piece)?)\s*$",
    re.I,
)
# Words that say what is asked, not which document is meant.
_NOT_NAMES = frozenset(
    stem(w)
    for w in (
        "who wrote written write author writer authored published publish publisher issued issue released release when "
        "date dated updated update licence license licensed copyright url link title headline called main key points "
        "takeaways summary summarize summarise sum gist article piece document source sources documents text report "
        "statement what which under terms find read original please give tell about more say says said is was"
    ).split()
)
_GENERIC = frozenset(stem(w) for w in "article piece essay document text source".split())


@dataclass
class Intent:
    kind: str  # summary | more | field | list | filter | by-source
    field: str = ""
    target: SourceDocument | None = None
    topic: str = ""
    asked: str = ""  # the filter text ("the CRS", "2025")
    # A header question that also asks what the document says ("Who wrote it, and what does it argue?").
    with_summary: bool = False


def publisher_terms(doc: SourceDocument) -> set[str]:
    """Who a document is from: publisher and author words, the publisher's initials ("crs") and the
    file name's prefix ("wh", "crs", "wikipedia")."""
    prefix = re.split(r"[_-]", doc.doc_id)[0]
    text = " ".join([doc.metadata.get("publisher", ""), doc.metadata.get("author", ""), prefix])
    found = {stem(w) for w in words(text) if w not in STOPWORDS}
    publisher = re.findall(r"[A-Z][a-z]+", doc.metadata.get("publisher", ""))
    if len(publisher) >= 2:  # "Congressional Research Service" -> "crs"
        found.add("".join(w[0] for w in publisher[:3]).lower())
    return found


def name_terms(doc: SourceDocument) -> set[str]:
    """Words that can name a document: its full title (notes included), file name, publisher and author."""
    text = " ".join([doc.raw_title, doc.doc_id.replace("_", " ")])
    return {stem(w) for w in words(text) if w not in STOPWORDS} | publisher_terms(doc)


def resolve(text: str, docs: list[SourceDocument]) -> SourceDocument | None:
    """The document a phrase names ("the Washington Declaration", "the sanctions article"), or the project's
    own document for "the article" / "this piece" / "the author"; None when no document is clearly meant."""
    asked = [stem(w) for w in words(text) if w not in STOPWORDS and stem(w) not in _NOT_NAMES]
    names = {d.doc_id: name_terms(d) for d in docs}
    if asked:
        weight = {t: log(1 + len(docs) / (1 + sum(t in n for n in names.values()))) for t in set(asked)}
        total = sum(weight.values()) or 1.0
        scored = sorted(
            ((sum(w for t, w in weight.items() if t in names[d.doc_id]) / total, d) for d in docs),
            key=lambda pair: -pair[0],
        )
        best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best[0] >= 0.5 and best[0] > runner_up + 1e-9:
            return best[1]
    primary = next((d for d in docs if d.primary), None)
    # "the article", "this piece", or its author's name mean the project's own document.
    if primary and (_ARTICLE.search(text) or _POINTER.match(text) or author_words(primary.metadata) & set(words(text))):
        return primary
    return None


def _summary_target(question: str) -> str | None:
    match = _SUMMARY.search(question)
    if not match:
        return None
    if match.group("target") is not None:
        return match.group("target") or "the article"
    if match.group("about") is not None:
        return match.group("about")
    tail = _MAIN_POINTS_TARGET.search(question[match.end() :])
    return tail.group("target") if tail else "the article"


def detect(question: str, conversation: Conversation, docs: list[SourceDocument]) -> Intent | None:
    """What document-level question this is, or None for an ordinary question about the content."""
    q = question.strip()
    if _MORE.match(q) and conversation.turns:
        previous = detect(conversation.turns[-1].question, Conversation(conversation.turns[:-1]), docs)
        if previous and previous.kind in ("summary", "more"):
            return Intent("more", target=previous.target)
        return None
    by_source = _BY_SOURCE.search(q)
    if by_source:
        topic = by_source.group("topic") or by_source.group("topic2") or by_source.group("topic3") or ""
        return Intent("by-source", topic=topic.strip())
    filtered = _FILTER.search(q)
    if filtered and not re.search(r"\babout\b", q, re.I):
        return Intent("filter", asked=filtered.group("what"))
    if _LIST.search(q):
        return Intent("list")
    for name, pattern in _FIELDS:
        if pattern.search(q) and not _OTHER_WORKS.search(q):
            target = resolve(q, docs)
            if target is None:
                return None
            return Intent("field", field=name, target=target, with_summary=bool(_AND_SUMMARY.search(q)))
    target_text = _summary_target(q)
    if target_text is not None:
        target = None
        if _BARE_POINTER.match(target_text) and conversation.turns:
            # "Summarize it." right after a question about a named document means that document.
            target = resolve(conversation.turns[-1].question, docs)
        target = target or resolve(target_text, docs)
        if target:
            return Intent("summary", target=target)
        if re.match(r"^(please |can you |could you )?(summari[sz]e|sum up)\b", q, re.I) and target_text.strip():
            return Intent("by-source", topic=target_text)
    return None
