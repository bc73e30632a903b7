"""What a question asks for, beyond its words: the focus (the property, event or thing asked about)
and the answer type, so an answer can be checked for stating that focus with that type of value.

"How many children does Lee Jae-myung have?" names Lee (the subject, in the corpus) and asks for
children (the focus) as a count. A sentence about Lee's election in 2025 covers the subject and
holds a number, but not the focus, and a year is not a count: it does not answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.names import PROPER_WORD, question_names
from index.text import STOPWORDS, stem, words

# Words that shape a question without being what it asks about (they are matched by the type check).
_HOLLOW = frozenset(
    "many much tall old long far big large high often large number amount kind sort type way ways happen "
    "happened one ones thing things do does did done get got make made go went take took".split()
)

# Words that only say a date is asked for ("By what year?"): the type check matches them.
_DATE_WORDS = frozenset("year years date dates month months day days".split())

_YEAR = re.compile(r"^(1[6-9]\d\d|20\d\d)$")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(rf"\b(1[6-9]\d\d|20\d\d)\b|\b({_MONTHS})\b|\b(spring|summer|autumn|fall|winter)\b", re.I)
_DURATION = re.compile(r"\b\d+\s+(days?|weeks?|months?|years?|decades?)\b|\b(days?|weeks?|months?|years?)\b", re.I)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|"
    "hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|half|several|first|second|third"
)
_NUMBER = re.compile(rf"\b\d[\d,.]*\b|\b({_NUMBER_WORDS})\b", re.I)
_MONEY = re.compile(r"[$€£¥₩]\s?\d|\b\d[\d,.]*\s*(dollars?|won|yen|yuan|euros?)\b|\b(billion|million|trillion)\b", re.I)
_PERCENT = re.compile(r"\d\s?%|\bpercent\b|\bper cent\b|\bpercentage\b", re.I)
_MEASURE = re.compile(
    r"\b\d[\d,.]*\s*(cm|centimet\w+|met(re|er)s?|feet|foot|inches|kg|kilo\w*|pounds|miles?|km|kilomet\w+)\b", re.I
)
_AGE = re.compile(r"\b\d+[- ]years?[- ]old\b|\baged? \d+\b|\bborn\b", re.I)
_CAUSE = re.compile(
    r"\b(because|since|so that|in order to|due to|aims? to|aimed|goal|incentives?|reasons?|would allow|allow|signal|"
    r"reflects?|seeks?|in light of|as a result|thus|therefore|after|following|in response|to (stabilize|deter|"
    r"counter|contain|restart|reset|lower|avoid|secure|strengthen|refocus|ensure|address|achieve|show|signal))\b",
    re.I,
)

# The first pattern that matches decides the answer type.
_TYPES = [
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("age", r"\bhow old\b|\bwhat age\b|\bwhen was .* born\b|\bdate of birth\b|\bbirthday\b"),
        ("percent", r"\bwhat (percentage|percent|share)\b|\bhow much of\b|\bpercent\b"),
        (
            "measure",
            r"\bhow (tall|high|far|big|large|heavy|wide|deep)\b|\bwhat (is|was|are|were) (the|its|their) "
            r"(range|length|height|width|depth|distance|area|weight|size)\b|\bin (kilomet|km\b|miles|met(re|er)s)",
        ),
        (
            "money",
            r"\bhow much (money|did|does|do|is|was|will|would|has|have)\b.*\b(cost|pay|paid|spend|spent|earn|earned|"
            r"make|made|worth|invest|invested|salary|budget|fund|price|income|raise|raised|sell|sold|buy|bought)"
            r"|\bhow much money\b|\bsalary\b|\bnet worth\b|\bwhat (did|does) .* cost\b|\bhow much\b.*\$",
        ),
        ("count", r"\bhow many\b|\bhow much\b|\bwhat (number|amount)\b|\bnumber of\b"),
        ("date", r"\b(when|what year|what date|which year|what month|what day|by when|since when)\b|\bhow long\b"),
        (
            "reason",
            r"\bwhy\b|\bwhat (is|was|are|were) the (reason|motive|purpose|goal)s?\b|\bfor what reason\b|\bwhat for\b",
        ),
        (
            "person",
            r"^(who|whom|whose)\b|\b(who|whom|which (leader|president|person|people|official|leaders|officials|"
            r"minister|premier|general|man|woman))\b",
        ),
        (
            "organisation",
            r"\bwhich (party|parties|university|universities|company|companies|organi[sz]ation|agency|"
            r"institution|body|group|publisher|newspaper|church|bank)\b|\bwhat (party|university|company)\b",
        ),
        (
            "place",
            r"\bwhere\b|\bwhich (city|place|sea|region|country|countries|province|town|island|islands)\b|"
            r"\bin what (city|country|place)\b",
        ),
    )
]


@dataclass(frozen=True)
class Focus:
    """answer_type: age | percent | measure | money | count | date | reason | person | organisation
    | place | any. focus: stems of what is asked about (not the names it is asked about)."""

    answer_type: str
    focus: dict[str, float]
    surface: dict[str, str]
    mentions_year: bool
    inherited: bool = False  # the focus is the earlier question's: an elliptical follow-up ("By what year?")
    single: bool = True  # one thing asked; "How many books are listed, and what are they?" asks two
    # The question's own words (with the earlier question's, for a follow-up that inherits its focus): a
    # value the question already names is no answer ("the U.S. Commerce Secretary" names nobody; "in 2026"
    # does not say how long a bridge opened in 2026 is).
    asked_words: frozenset[str] = frozenset()

    def _new(self, pattern: re.Pattern[str], sentence: str) -> bool:
        """A match of `pattern` in the sentence that is not made only of the question's own words."""
        return any(not set(words(m.group(0))) <= self.asked_words for m in pattern.finditer(sentence))

    def type_match(self, sentence: str, question_numbers: set[str]) -> float:
        """1.0 when the sentence holds a value of the type asked for, 0.0 when it clearly does not,
        0.5 when the type does not constrain the answer."""
        kind = self.answer_type
        new = self._new
        if kind == "age":
            return 1.0 if new(_AGE, sentence) else 0.0
        if kind == "percent":
            return 1.0 if new(_PERCENT, sentence) else 0.0
        if kind == "measure":
            return 1.0 if new(_MEASURE, sentence) else 0.0
        if kind == "money":  # "how much will it spend?" is also answered by a share: "3.5% of GDP"
            return 1.0 if new(_MONEY, sentence) or new(_PERCENT, sentence) else 0.0
        if kind == "count":
            found = {m.group(0).lower() for m in _NUMBER.finditer(sentence)} - question_numbers - self.asked_words
            if not self.mentions_year:  # a count is not a year: "in 2025" does not say how many
                found = {n for n in found if not _YEAR.match(n)}
            return 1.0 if found else 0.0
        if kind == "date":
            # "How long is the term?" is a duration ("five-year"), rarely a length ("250 km"): both count.
            return 1.0 if new(_DATE, sentence) or new(_DURATION, sentence) or new(_MEASURE, sentence) else 0.0
        if kind == "reason":
            return 1.0 if _CAUSE.search(sentence) else 0.3
        if kind in ("person", "organisation", "place"):
            return 1.0 if new(PROPER_WORD, sentence) else 0.2
        return 0.5


_AUX = r"(?:did|does|do|is|was|are|were|has|have|had|will|would|can|could|should|might)"
# The noun a question asks for: "which hotel did", "what gift did", "how many hours", "who is the
# ambassador", "where is the headquarters". Category words (country, leader, party...) are left out:
# an answer names an instance ("Russia") without the category.
_HEADS = [
    re.compile(rf"\b(?:which|what)\s+(?:[a-z-]+\s+){{0,2}}?([a-z-]+)\s+(?:{_AUX}|[a-z]+ed)\b"),
    re.compile(r"\bhow many\s+([a-z-]+)\b"),
    re.compile(
        r"^(?:who|where|what)\s+(?:is|was|are|were)\s+the\s+(?:[a-z]+\.[a-z.]*\s+)?([a-z-]+)\s+(?:of|to|in|for)\b"
    ),
]
_CATEGORY = frozenset(
    "city place sea region country countries province town island islands state states nation nations leader "
    "leaders president presidents person people official officials minister premier general man woman men women "
    "party parties organisation organization agency institution body group company companies side sides "
    "name purpose goal reason reasons motive role aim effect result outcome issue issues step steps event events "
    "part point points measure measures kind type sort way ways thing things number amount share percentage "
    "year years date month day time times "
    # nouns answered by naming or quoting an instance: a role ("Fellow"), a title, cities, a message
    "position positions role roles post office job title titles word words phrase term terms message "
    "messages signal development developments capital capitals city cities".split()
)


def asked_head(question: str) -> str | None:
    """The noun the question asks for, when it names one that is not a mere category: "Which hotel did
    Trump stay in?" asks for a hotel, and a sentence that names none cannot answer it."""
    q = main_clause(question)
    names = question_names(question)
    for pattern in _HEADS:
        found = pattern.search(q)
        if found:
            head = found.group(1)
            if head in STOPWORDS or head in _CATEGORY or head in _HOLLOW or head in names or re.match(_AUX, head):
                return None
            return head
    return None


_EXCLUDED_LEAD = re.compile(r"^(apart from|aside from|besides|other than|except for)\b[^,?]*,\s*", re.I)
_SECOND_ASK = re.compile(r",?\s+and\s+(what|which|who|whom|where|when|how|why)\b", re.I)

_LEAD_CLAUSE = re.compile(
    r"^(when|after|before|while|if|at|in|during)\b[^,?]*,\s*(?=(what|which|who|whom|how|why|where|when)\b)"
)


def main_clause(question: str) -> str:
    """The question lower-cased, without a leading clause: "When Biden called Han, what position did
    he hold?" asks the second question, not "when"."""
    q = question.lower().strip()
    lead = _LEAD_CLAUSE.match(q)
    return q[lead.end() :] if lead else q


def answer_type(question: str) -> str:
    q = main_clause(question)
    for kind, pattern in _TYPES:
        if pattern.search(q):
            return kind
    return "any"


def find_focus(question: str, idf, known, frame_words: frozenset[str], earlier: str = "") -> Focus:
    """The question's focus terms: its content words minus the names it asks about and minus words
    that only shape the question; each weighted by rarity like the other question terms.

    `earlier` is the question a follow-up leans on. An elliptical follow-up ("By what year?", "Where?")
    asks about the earlier question's focus, so it inherits that focus: after "What did Trump eat at the
    state dinner?" was declined, "By what year?" must find a sentence about the meal, not any year."""
    kind = answer_type(question)
    names = question_names(question)
    focus: dict[str, float] = {}
    surface: dict[str, str] = {}
    # "Apart from his university roles, what other organizations...?" does not ask about a university.
    asked = _EXCLUDED_LEAD.sub("", question.strip())
    for word in words(asked):
        if word in STOPWORDS or word in frame_words or word in _HOLLOW or word in names or word.isdigit():
            continue
        if kind == "date" and word in _DATE_WORDS:
            continue
        term = stem(word)
        focus[term] = idf(term) if known(term) else 3.0
        surface.setdefault(term, word)
    years = any(_YEAR.match(w) for w in words(question)) or bool(re.search(r"\byears?\b", question, re.I))
    if not focus and earlier:
        inherited = find_focus(earlier, idf, known, frame_words)
        own = frozenset(words(question)) | inherited.asked_words
        return Focus(
            kind if kind != "any" else inherited.answer_type, inherited.focus, inherited.surface, years, True, True, own
        )
    return Focus(
        kind, focus, surface, years, single=not _SECOND_ASK.search(question), asked_words=frozenset(words(question))
    )
