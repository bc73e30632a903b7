"""What a question asks for: its content terms weighted by rarity, and the kind of answer it wants."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.focus import ASKED_WHEN, MONTHS_IN_TEXT, Focus, find_focus, main_clause
from assistant.names import PROPER_WORD, question_names
from assistant.sources import about_primary
from index.text import STOPWORDS, stem, words

# Words that frame a question but never name what it is about.
FRAME_WORDS = frozenset(
    "article author writer piece text source sources document documents say said says saying mention mentioned "
    "according describe described explain tell think believe mean means main exactly kind type happen happened "
    "view position stance opinion give know known please anything something thing things current currently "
    "expect predict".split()
)


@dataclass
class QuestionProfile:
    text: str
    kind: str  # who | when | how-many | why | where | how | yes-no | what
    terms: dict[str, float] = field(default_factory=dict)  # stem -> weight (current question)
    surface: dict[str, str] = field(default_factory=dict)  # stem -> a word form, for soft matching
    context_terms: dict[str, float] = field(default_factory=dict)  # from earlier turns, weaker
    numbers: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    about_article: bool = False
    subject: str = ""  # who the question asks about ("North Korea" in "How did North Korea respond?")
    focus: Focus | None = None  # what it asks for about that subject, and the type of answer


# The first pattern that matches decides what kind of answer the question wants.
_KINDS = [
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("age", r"\bhow old\b|\bwhat age\b|\bwhen was .* born\b"),
        ("how-many", r"\bhow (many|much)\b|\bwhat (number|percentage|share|amount)\b|\bnumber of\b"),
        ("when", rf"{ASKED_WHEN}|\b(what year|what date|which year|what month)\b|\bhow long\b"),
        (
            "why",
            r"\bwhy\b|\bwhat (is|was|are|were) the (reason|motive|purpose|goal)s?\b|\bfor what reason\b|\bwhat for\b",
        ),
        (
            "who",
            r"^(who|whom|whose)\b"
            r"|\b(who|whom|which (leader|president|country|countries|person|people|official|leaders))\b",
        ),
        ("where", r"\bwhere\b|\bwhich (city|place|sea|region)\b"),
        ("how", r"^how\b"),
        ("yes-no", r"^(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b"),
    )
]


def question_kind(question: str) -> str:
    q = main_clause(question)
    for kind, pattern in _KINDS:
        if pattern.search(q):
            return kind
    return "what"


_SUBJECT = re.compile(
    r"\b(?i:did|does|do|has|have|had|will|would|could|can|might|should)\s+(?:the\s+)?((?:[A-Z][\w’'-]*\s?){1,3})"
)


OOV_WEIGHT = 3.0  # a word the corpus never uses: as likely a paraphrase as a missing topic


def profile(
    question: str,
    idf,
    context: str = "",
    known=lambda term: True,
    primary_names: frozenset[str] = frozenset(),
    earlier: str = "",
) -> QuestionProfile:
    """Content terms of the question (weighted by idf); terms of earlier turns go to context_terms.
    `primary_names` (see `assistant.sources.primary_names`) make a question naming the author about the article."""
    result = QuestionProfile(text=question, kind=question_kind(question))
    for word in words(question):
        if word in STOPWORDS or word in FRAME_WORDS:
            continue
        term = stem(word)
        result.terms[term] = idf(term) if known(term) else OOV_WEIGHT
        result.surface.setdefault(term, word)
        if word.isdigit():
            result.numbers.add(word)
    for word in words(context):
        if word in STOPWORDS or word in FRAME_WORDS:
            continue
        term = stem(word)
        if term not in result.terms:
            result.context_terms[term] = 0.3 * (idf(term) if known(term) else OOV_WEIGHT)
    result.names = question_names(question) - FRAME_WORDS
    subject = _SUBJECT.search(question)
    result.subject = re.sub(r"[’']s$", "", subject.group(1).strip()) if subject else ""
    result.about_article = about_primary(f"{question} {context}", primary_names)
    result.focus = find_focus(question, idf, known, FRAME_WORDS, earlier)
    if result.focus.inherited:  # "By what year?" is the earlier question asking for a date: search its words
        result.terms = {t: w for t, w in result.terms.items() if t in result.focus.focus}
        for term, weight in result.focus.focus.items():
            result.terms[term] = weight
            result.context_terms.pop(term, None)
        result.surface.update(result.focus.surface)
    return result


_TIME = re.compile(rf"\b(1[89]\d\d|20\d\d|{MONTHS_IN_TEXT})\b|\b(days?|weeks?|months?|years?|decades?)\b", re.I)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|trillion|dozen|half|percent)\b",
    re.I,
)
_CAUSE = re.compile(
    r"\b(because|since|so that|in order to|due to|aims? to|aimed|goal|incentives?|reasons?|would allow|allow|signal|"
    r"reflects?|seeks?|in light of|as a result|thus|therefore|"
    r"to (stabilize|deter|counter|contain|restart|reset|lower|avoid|"
    r"secure|strengthen|refocus|ensure|address|achieve))\b",
    re.I,
)


def answer_type_match(kind: str, sentence: str, q: QuestionProfile) -> float:
    """1.0 when the sentence holds the kind of thing the question asks for (a date, a number, a name,
    a reason), 0.0 when it clearly does not, 0.5 when the kind does not constrain the answer."""
    if kind == "when":
        return 1.0 if _TIME.search(sentence) else 0.0
    if kind == "how-many":
        found = {m.group(0).lower() for m in _NUMBER.finditer(sentence)}
        return 1.0 if found - q.numbers else 0.0
    if kind == "age":
        return 1.0 if re.search(r"\b\d+[- ]years?[- ]old\b|\baged? \d+|\bborn\b", sentence) else 0.0
    if kind == "why":
        return 1.0 if _CAUSE.search(sentence) else 0.3
    if kind in ("who", "where"):
        names = {n.lower().rstrip("’'s") for n in PROPER_WORD.findall(sentence)}
        return 1.0 if names - q.names - {"the"} else 0.2
    return 0.5
