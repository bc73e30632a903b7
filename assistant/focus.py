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
# A word that only says an amount of money is asked for ("the total budget"): the type check matches it.
_MONEY_WORDS = frozenset(["total"])

_YEAR = re.compile(r"^(1[6-9]\d\d|20\d\d)$")
# A question asking for the day or the month, not just the year.
_FINE_DATE = re.compile(r"\b(?:what|which|exact)\s+(?:exact\s+)?(date|day|month)\b|\bexactly (when)\b")
# "When" asks for a date as the question word ("When was it signed?", "By when?", "... and when?"); in
# "What did she give him when she went to Pyongyang?" it only opens a clause that sets the scene.
ASKED_WHEN = r"(?:^|\b(?:and|or|by|since|until|till|from)\s+|,\s*)when\b"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# In running text, as a month: "may" and "march" only capitalised ("talks may resume" names no month).
MONTHS_IN_TEXT = _MONTHS.replace("march", "(?-i:March)").replace("may", "(?-i:May)")
_MONTH = re.compile(rf"\b({MONTHS_IN_TEXT})\b|\b\d{{1,2}}/\d{{1,2}}\b", re.I)
_DAY = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS_IN_TEXT})\b|\b(?:{MONTHS_IN_TEXT})\s+\d{{1,2}}\b|\b\d{{1,2}}/\d{{1,2}}\b",
    re.I,
)
# "fall" as a season follows a word that makes it one ("in the fall", "by fall 2026"), not "prices fall".
_DATE = re.compile(
    rf"\b(?:FY\s?)?(1[6-9]\d\d|20\d\d)\b|\b({MONTHS_IN_TEXT})\b|\b(spring|summer|autumn|winter)\b"
    r"|\b(?:in|the|last|next|this|early|late|by|until)\s+(fall)\b",
    re.I,
)
_DURATION = re.compile(r"\b\d+\s+(days?|weeks?|months?|years?|decades?)\b|\b(days?|weeks?|months?|years?)\b", re.I)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|"
    "hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|half|several|first|second|third"
)
_NUMBER = re.compile(rf"\b\d[\d,.]*\b|\b({_NUMBER_WORDS})\b", re.I)
# "3.3 million tons a year" is a quantity, not an amount of money.
_MONEY = re.compile(
    r"[$€£¥₩]\s?\d|\b\d[\d,.]*\s*(dollars?|won|yen|yuan|euros?)\b|\b(billion|million|trillion)\b"
    r"(?!\s*(?:metric\s+)?(?:tons?|tonnes?|barrels?|people|persons|troops|soldiers|jobs|units|doses|users|students|"
    r"workers|residents|households|homes|visitors|tourists|barrels|liters|litres|gallons|acres|hectares|"
    r"square|cubic|kilomet|miles)\b)",
    re.I,
)
# The whole amount ("$3 billion", "2.5 trillion won"), to mask it where a count is asked; _MONEY only detects one.
_MONEY_SPAN = re.compile(
    rf"[$€£¥₩]\s?\d[\d,.]*(?:\s*(?:{_NUMBER_WORDS}))?|\b\d[\d,.]*\s*(?:(?:million|billion|trillion)\s*)?"
    r"(?:dollars?|won|yen|yuan|euros?)\b",
    re.I,
)
_PERCENT = re.compile(r"\d\s?%|\bpercent\b|\bper cent\b|\bpercentage\b", re.I)
# A share said in words: "well over half of its oil", "two-thirds of the budget" (not "the first half of 2025").
_FRACTION = re.compile(
    r"(?<!first )(?<!second )\b(?:half|majority|(?:one|two|a)[ -]thirds?|(?:a|one|three)[ -]quarters?)\s+of\b", re.I
)
_MEASURE = re.compile(
    r"\b\d[\d,.]*[\s-]*(cm|centimet\w+|met(re|er)s?|feet|foot|inches|kg|kilo\w*|pounds|miles?|km|kilomet\w+)\b", re.I
)
_AGE = re.compile(r"\b\d+[- ]years?[- ]old\b|\baged? \d+\b|\bborn\b", re.I)
_CAUSE = re.compile(
    r"\b(because|since|so that|in order to|due to|aims? to|aimed|goal|incentives?|reasons?|would allow|allow|signal|"
    r"reflects?|seeks?|in light of|as a result|thus|therefore|after|following|in response|in retaliation|betting|"
    r"to (stabilize|deter|"
    r"counter|contain|restart|reset|lower|avoid|secure|strengthen|refocus|ensure|address|achieve|show|signal))\b",
    re.I,
)

# Capitalised words that name no particular person or thing an answer could give: months and days, the
# countries and peoples the sources are about, and titles. "What was the submarine called?" is not
# answered by "a U.S. submarine visited the ROK in July"; "Who leads it?" not by "a U.S. general".
_MONTH_WORDS = frozenset(_MONTHS.split("|")) | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_TITLE_WORDS = frozenset(
    "president presidents vice secretary secretaries general minister prime premier chairman chair leader "
    "ambassador senator representative commander admiral governor mayor king queen emperor".split()
)
_NATION_WORDS = frozenset(
    "us usa america american americans united states korea korean koreans rok dprk japan japanese china chinese "
    "prc russia russian russians ukraine ukrainian ukrainians taiwan taiwanese washington seoul tokyo beijing "
    "pyongyang moscow allied allies western".split()
)
_MANY = re.compile(r"\bhow many\b|\bnumber of\b")
# Ordinals rank, they do not count: "the first visit" says nothing of how many.
_ORDINALS = frozenset("first second third".split())
# A rate: "each year", "per annum", "annually", "a month".
_PER_PERIOD = re.compile(
    r"\b(?:each|every|per|a|an)\s+(?:year|month|week|day|annum)\b|\b(?:annual|annually|yearly|monthly)\b"
    r"|/\s?(?:year|yr|month)\b",
    re.I,
)
_FREQUENCY = re.compile(
    r"\b(?:regularly|routinely|frequently|biennial(?:ly)?|twice|once|every\s+(?:\w+\s+)?(?:years?|months?|weeks?|days?))\b",
    re.I,
)
_TIMES = re.compile(r"\b(?:once|twice|thrice)\b", re.I)
_AMOUNT_TYPES = frozenset("money count measure percent size".split())
# "How much did Russia pay for each artillery shell?" asks for a price per item: a total is not it.
_PER_ITEM_ASKED = re.compile(
    r"\b(?:for|on)\s+each\b|\bper\s+(?!cent\b|year|month|week|day|annum|capita)[a-z]|\bapiece\b"
)
_PER_ITEM = re.compile(r"\b(?:each|per|apiece|a piece)\b|/\s?[a-z]", re.I)
# Places an event is held in: a sentence names one after "in", "at"... ("held in Lima").
_SITE_NOUNS = frozenset("city town village venue location site capital hotel resort port island".split())
_TIME_UNITS = frozenset("day days week weeks month months year years decade decades hour hours".split())
# A name given beside the thing it names: "a smaller party, Komeito", "a ship called the Wise Honest",
# "Komeito, a smaller party".
_NAMED_AFTER = re.compile(r"^[’']?\s*,?\s*(?:\(|called|named|known as|such as|including|like)?\s*(?:the\s+)?[A-Z]")
# Nouns for a body of people, any of which speaks of "defector organisations" as a kind.
_GROUP_NOUNS = frozenset("organisation organization group body outfit association".split())
_NAMED_BEFORE = re.compile(r"[A-Z][\w’'-]*\)?,\s*$")
# "a Comprehensive Strategic Partnership Treaty": capitalised words before the head make it a name.
_CAPITALISED_HEAD = re.compile(r"[A-Z][\w’'-]*\s+[A-Z][\w’'-]*$")
_SPAN = re.compile(r"\b([\w,.-]+)\s+(?:days?|weeks?|months?|years?|decades?|hours?)\b", re.I)
# A name spelled out before its acronym: "the Liberal Democratic Party (LDP)".
_ACRONYM_DEFINED = re.compile(r"((?:[A-Z][\w’'-]*\s+(?:(?:of|and|for|the)\s+)?){1,7})\(([A-Z][A-Za-z]{1,7})\)")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_LOCATIVE = re.compile(r"\b(?i:in|at|to|from|near|inside|outside|across|on)\s+(?:the\s+)?([A-Z][a-zA-Z’'-]+)")
# A number right after a capitalised word, not opening the sentence, labels or dates something rather than
# counting it: "H.R. 4687", "Resolution 2371", "Section 232", "August 25".
_LABEL_NUMBER = re.compile(r"(?<=\S\s)[A-Z][\w.]*\s+(\d[\d,]*)\b")
# "By when is the transfer to be completed?" asks for an end, which a date after "since" is not.
_DEADLINE = re.compile(
    r"\bby when\b|\bby (?:what|which) (?:year|date|month|time)\b|\buntil when\b"
    r"|\bwhen\b.*\b(?:be|is|are|was|were)\s+(?:\w+\s+)?(?:completed|finished|done|ended|over)\b",
    re.I,
)
_SINCE_DATE = re.compile(
    rf"\b(?:since|from)\s+(?:(?:early|mid|late)[- ])?(?:(?:{MONTHS_IN_TEXT})\s+)?(?:1[6-9]\d\d|20\d\d)\b", re.I
)
_QUANTITY_NOUNS = frozenset("hundreds thousands millions billions dozens tens scores units pairs percent".split())
# Kinds of things the sources count, each a family of words for one kind: "How many aircraft?" is not answered
# by "6,000 American jobs", nor "How many engines?" by "103 Boeing aircraft", but "How many soldiers?" is by
# "10,000 troops". A counted word outside every family says nothing either way.
_COUNTED_FAMILIES = tuple(
    frozenset(family.split())
    for family in (
        "troops soldiers personnel forces servicemembers servicemen marines volunteers regiments",
        "aircraft airplanes planes jets fighters bombers",
        "engines",
        "jobs positions workers employees",
        "countries nations states governments economies members allies partners sides",
        "ships vessels submarines boats",
        "weapons warheads bombs missiles rockets",
        "reactors plants",
        "leaders",
        "dogs",
        "embassies",
        "containers",
        "vehicles",
        "sanctions measures restrictions",
        "tariffs",
    )
)
# Words that count people: any of them answers a question counting people ("How many learners?": "40,000
# students"), which is lenient, but a count of people is never taken for one of aircraft.
_PEOPLE = frozenset(
    "people persons individuals citizens nationals civilians residents workers employees students doctors "
    "technicians scientists diplomats officials pilots members volunteers cadres operators ambassadors staff "
    "learners participants trainees attendees delegates "
    "troops soldiers personnel marines servicemembers servicemen victims casualties".split()
)
_JOBS = frozenset("jobs positions".split())

_COUNTED_WORDS = _PEOPLE.union(*_COUNTED_FAMILIES)


def _numbers_with_following_words(sentence: str) -> list[tuple[str, list[str]]]:
    """Each number of the sentence (lower-cased) with the up to four words after it, where what it counts is
    named ("over 6,000 American jobs")."""
    return [
        (m.group(0).lower(), [w.lower() for w in re.findall(r"[\w’'-]+", sentence[m.end() : m.end() + 60])[:4]])
        for m in _NUMBER.finditer(sentence)
    ]


# "the two countries", "these three leaders": a number after a definite word points back, it counts nothing new.
_DEFINITE_NUMBER = re.compile(rf"\b(?:the|these|those|both)\s+({_NUMBER_WORDS})\b", re.I)

# The first pattern that matches decides the answer type.
_TYPES = [
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("age", r"\bhow old\b|\bwhat age\b|\bwhen was .* born\b|\bdate of birth\b|\bbirthday\b"),
        (
            "percent",
            r"\bwhat (percentage|percent|share|proportion|fraction)\b|\bhow much of\b|\bpercent\b"
            r"|\b(?:what|which) (?:[\w-]+ ){0,3}?rates?\b",
        ),
        # "How big is that program?" is answered by "$5 billion", "How large is the force?" by "28,500 troops".
        # "What was the ceiling on the remittances?" asks for an amount: "less than in value" gives none.
        (
            "size",
            r"\bhow (big|large)\b|\bwhat (?:is|was|are|were) the (?:[\w-]+ )?(?:ceiling|cap|limit|threshold)s? on\b",
        ),
        (
            "measure",
            # "How far along is it?" asks how much of it is done, not a distance.
            r"\bhow (tall|high|far(?! along)|heavy|wide|deep)\b|\bwhat (is|was|are|were) (the|its|their) "
            r"(range|length|height|width|depth|distance|area|weight|size)\b|\bin (kilomet|km\b|miles|met(re|er)s)",
        ),
        (
            "money",
            r"\bhow much (money|did|does|do|is|was|will|would|has|have)\b.*\b(cost|pay|paid|spend|spent|earn|earned|"
            r"make|made|worth|invest|invested|salary|budget|fund|price|income|raise|raised|sell|sold|buy|bought)"
            r"|\bhow much money\b|\bsalary\b|\bnet worth\b|\bwhat (did|does) .* cost\b|\bhow much\b.*\$"
            r"|\bhow many (?:[\w.]+ )?(dollars|won|yen|yuan|euros)\b"
            # "What was the defense budget in U.S. dollars?" asks for an amount, not a share of GDP.
            r"|\bin (?:u\.s\. |us )?dollars\b|\bdollar (?:amount|figure|terms|value|cost)\b"
            r"|\bwhat (?:is|was|are|were) (?:[\w.’'-]+ ){0,4}?budget\b"
            # "What was the value of the goods ...?" asks for an amount: "US$1.2 million".
            r"|\bwhat (?:is|was|are|were) the (?:total |combined |estimated )?value\b",
        ),
        ("frequency", r"\bhow (?:often|frequently)\b|\bat what (?:interval|frequency)\b"),
        ("count", r"\bhow many\b|\bhow much\b|\bwhat (number|amount)\b|\bnumber of\b"),
        ("date", rf"{ASKED_WHEN}|\b(?:what|which) (?:exact )?(?:year|date|month|day)\b|\bhow long\b"),
        (
            "reason",
            r"\bwhy\b|\bwhat (is|was|are|were) the (reason|motive|purpose|goal)s?\b|\bfor what reason\b|\bwhat for\b",
        ),
        (
            "name",
            r"\bwhat (is|was|are|were) (the|its|his|her|their) names?\b|\bthe names? of\b"
            r"|\bwhat (is|was|are|were) (it|they|that|this|the [a-z -]+) (called|named)\b"
            r"|\b(?:what|which) (?:is|was|are|were) (?:the |that |this |its |their )?[a-z-]+['’]s names?\b",
        ),
        (
            "person",
            # "who" asks only where a question could open ("..., and who?", "— who is its partner?", "to
            # whom"); in "the soldiers who fought" it opens a relative clause.
            r"^(who|whom|whose)\b|(?:\b(?:and|or|to|by|from|with|for|of|about)\s+|[,—–-]\s*)(?:who|whom)\b"
            r"|\bwhich (leader|president|person|people|official|leaders|officials|minister|premier|general|man|woman)\b"
            # "Which scholar argues ...?", "which U.S. admiral": a noun only a person can be.
            r"|\b(?:which|what) (?:[a-z.-]+ ){0,2}?(scholars?|academics?|experts?|analysts?|professors?|diplomats?|"
            r"envoys?|ambassadors?|admirals?|commanders?|senators?|lawmakers?|spokes(?:man|woman|person)|journalists?|"
            r"researchers?|activists?|astronauts?|officers?|negotiators?|spies|spy|athletes?|politicians?|scientists?)\b",
        ),
        (
            "organisation",
            r"\bwhich (?:[a-z-]+ ){0,2}?(party|parties|university|universities|company|companies|organi[sz]ations?|"
            r"agency|agencies|institutions?|body|bodies|groups?|publishers?|newspapers?|church|banks?|firms?)\b"
            r"|\bwhat (party|university|company)\b",
        ),
        (
            "place",
            r"\bwhere\b|\bwhich (?:[a-z-]+ ){0,2}?(city|cities|place|sea|region|country|countries|province|town|"
            r"island|islands|port)\b|\bin what (?:[a-z-]+ )?(city|country|place)\b",
        ),
    )
]


@dataclass(frozen=True)
class Focus:
    """answer_type: age | percent | size | measure | frequency | money | count | date | reason | person | organisation
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
    # The noun asked for, category nouns included: "party" in "Which smaller party ...?", "seats" in
    # "How many seats ...?"; None when the question names none ("Who ...?", "Where ...?").
    head: str | None = None
    many: bool = False  # "how many" / "the number of": a count of things, not an amount of money
    # "How did North Korea respond to Lee's gestures?": the answer is the subject's own act, so a sentence
    # whose subject is someone else ("Lee's government has responded ...") is not it.
    responds: bool = False
    # "day" for "On what date ...?" (a day of a month answers), "month" for "In which month ...?": a year
    # alone ("In 2026") says neither, and a month alone ("in June 2025") does not say which day.
    fine_date: str = ""
    # The word before the noun asked for: "defector" in "Which defector organisations ...?".
    head_modifier: str | None = None
    # "How much does Japan put in each year?" asks for a rate: a total ("$550 billion") is not it.
    per_period: bool = False
    per_item: bool = False  # "for each shell", "per plane": a unit price or rate, not a total

    def _new(self, pattern: re.Pattern[str], sentence: str) -> bool:
        """A match of `pattern` in the sentence that is not made only of the question's own words."""
        return any(not set(words(m.group(0))) <= self.asked_words for m in pattern.finditer(sentence))

    def _own(self, sentence: str) -> frozenset[str]:
        """The question's words, plus a name the sentence spells out for an acronym the question uses (or
        the acronym of a name it spells out): "the Liberal Democratic Party (LDP)" is the question's LDP."""
        own = set(self.asked_words)
        for found in _ACRONYM_DEFINED.finditer(sentence):
            spelled, acronym = set(words(found.group(1))) - STOPWORDS, found.group(2).lower()
            if acronym in own or (spelled and spelled <= own):
                own |= spelled | {acronym}
        return frozenset(own)

    def _new_names(self, sentence: str, not_names: frozenset[str]) -> list[re.Match[str]]:
        """Capitalised words of the sentence that are neither the question's own nor in `not_names`."""
        own = self._own(sentence)
        return [m for m in PROPER_WORD.finditer(sentence) if set(words(m.group(0))) - own - not_names]

    def holds_new_name(self, sentence: str) -> bool:
        """The sentence names someone or something the question does not (a month or a title is no name)."""
        return bool(self._new_names(sentence, _MONTH_WORDS | _TITLE_WORDS))

    def _counts_of_other_things(self, sentence: str) -> set[str]:
        """Numbers that count another noun "of" the one asked for: "six tests of nuclear weapons" (but
        "thousands of weapons" and "two weapons of mass destruction" count weapons)."""
        head = re.escape(self.head or "")
        of_head = re.compile(rf"(?P<n>{_NUMBER.pattern})\s+(?P<noun>[a-z-]+)\s+of\s+(?:[\w-]+\s+){{0,2}}{head}", re.I)
        return {
            m.group("n").lower()
            for m in of_head.finditer(sentence)
            if m.group("noun").lower() not in _QUANTITY_NOUNS and not m.group("noun").lower().startswith(head[:4])
        }

    def _counts_of_other_kinds(self, sentence: str) -> set[str]:
        """Numbers that count a kind of thing other than the one asked for: "How many aircraft?" and "over
        6,000 American jobs" (up to three words may stand between the number and what it counts)."""
        head = self.head or ""
        if head not in _COUNTED_WORDS:  # only a known kind is known to differ: "warships" may be "vessels"
            return set()
        asked = frozenset({head}).union(*(family for family in _COUNTED_FAMILIES if head in family))
        if head in _PEOPLE:  # "How many workers?": "3,000 jobs", "3,000 people" (only lenient paraphrase)
            asked |= _PEOPLE | _JOBS

        def is_asked(word: str) -> bool:
            return word.rstrip("s") == head.rstrip("s") or word in asked

        other: set[str] = set()
        for number, following in _numbers_with_following_words(sentence):
            noun = next((w for w in following if is_asked(w) or w in _COUNTED_WORDS), "")
            if noun and not is_asked(noun):
                other.add(number)
        return other

    @staticmethod
    def _counts_of_countables(sentence: str) -> set[str]:
        """Numbers of things counted one by one ("3,000 jobs", "103 aircraft"): "how much" asks for an amount."""
        return {n for n, following in _numbers_with_following_words(sentence) if _COUNTED_WORDS & set(following)}

    def names_head_indefinitely(self, sentence: str) -> bool:
        """The sentence says there is one of what is asked without naming it: "in coalition with a smaller
        party" does not say which party."""
        if not self.head or self.answer_type not in ("person", "organisation", "place", "name", "any"):
            return False
        # "Which ten countries ...?": "10 countries formed the team" counts them without naming them.
        counted = _SMALL_NUMBERS.get(self.head_modifier or "", self.head_modifier or "")
        numbers = rf"|{counted}|{self.head_modifier}" if counted.isdigit() else ""
        pattern = re.compile(
            rf"\b(?:a|an|another|one|some{numbers})\s+(?:[\w.-]+\s+){{0,4}}?{re.escape(self.head)}s?\b", re.I
        )
        found = list(pattern.finditer(sentence))
        # "Which defector organisations ...?": "requested an end to defector groups' launch of leaflets" speaks
        # of them as a kind, the question's own modifier before the noun asked for or a word for a group.
        if self.head_modifier and self.head.rstrip("s") in _GROUP_NOUNS:
            kinds = "|".join(sorted(_GROUP_NOUNS))
            found += re.finditer(rf"\b{re.escape(self.head_modifier)}\s+(?:{kinds})s?\b", sentence)
        return any(
            not _NAMED_AFTER.match(sentence[m.end() :])
            and not _NAMED_BEFORE.search(sentence[: m.start()])
            # "a Comprehensive Strategic Partnership Treaty" is a name, article or not
            and not _CAPITALISED_HEAD.search(m.group(0))
            for m in found
        )

    def type_match(self, sentence: str, question_numbers: set[str]) -> float:
        """1.0 when the sentence holds a value of the type asked for, 0.0 when it clearly does not,
        0.5 when the type does not constrain the answer."""
        kind = self.answer_type
        new = self._new
        if self.per_item and kind in _AMOUNT_TYPES and not _PER_ITEM.search(sentence):
            return 0.0
        if self.per_period and kind in _AMOUNT_TYPES and not _PER_PERIOD.search(sentence):
            return 0.0
        if kind == "age":
            return 1.0 if new(_AGE, sentence) else 0.0
        if kind == "percent":  # "How much of it is set aside for shipbuilding?" is a share or an amount
            share_or_amount = new(_MONEY, sentence) and {"much", "of"} <= self.asked_words
            return 1.0 if new(_PERCENT, sentence) or _FRACTION.search(sentence) or share_or_amount else 0.0
        if kind == "measure":
            return 1.0 if new(_MEASURE, sentence) else 0.0
        if kind == "frequency":  # "How often will they meet?": "at least annually", not "meet those challenges"
            return 1.0 if _PER_PERIOD.search(sentence) or _FREQUENCY.search(sentence) else 0.0
        if kind == "size":
            found = {m.group(0).lower() for m in _NUMBER.finditer(sentence)} - question_numbers - self.asked_words
            if not self.mentions_year:  # "In 2016, Japan imposed sanctions" gives no ceiling
                found = {n for n in found if not _YEAR.match(n)}
            return 1.0 if new(_MEASURE, sentence) or new(_MONEY, sentence) or found - _ORDINALS else 0.0
        if kind == "money":  # "how much will it spend?" is also answered by a share ("3.5% of GDP"), unless
            share = new(_PERCENT, sentence) and not {"dollars", "dollar"} & self.asked_words  # asked in dollars
            return 1.0 if new(_MONEY, sentence) or share else 0.0
        if kind == "count":
            if "times" in self.asked_words and _TIMES.search(sentence):  # "How many times?": "twice"
                return 1.0
            if self.many:  # "$5 billion" and "15%" count no workers
                sentence = _PERCENT.sub(" ", _MONEY_SPAN.sub(" ", sentence))
            found = {m.group(0).lower() for m in _NUMBER.finditer(sentence)} - question_numbers - self.asked_words
            if not self.mentions_year:  # a count is not a year: "in 2025" does not say how many
                found = {n for n in found if not _YEAR.match(n)}
            found -= _ORDINALS
            found -= {m.group(1) for m in _LABEL_NUMBER.finditer(sentence)}
            found -= {m.group(1).lower() for m in _DEFINITE_NUMBER.finditer(sentence)}
            found -= {n.lower() for m in _DAY.finditer(sentence) for n in re.findall(r"\d+", m.group(0))}
            if self.head:  # "six tests of nuclear weapons" counts tests, not weapons
                found -= self._counts_of_other_things(sentence)
            if self.head and self.head not in _TIME_UNITS:  # "How many aircraft?": "6,000 jobs" counts none
                found -= self._counts_of_other_kinds(sentence)
            if self.head not in _TIME_UNITS:  # "four months after" counts no seats
                found -= {m.group(1).lower() for m in _SPAN.finditer(sentence)}
            if "much" in self.asked_words and not self.many:  # "By how much will capacity grow?": an amount,
                found -= self._counts_of_countables(sentence)  # which "creating 3,000 jobs" is not
            return 1.0 if found else 0.0
        if kind == "date" and self.fine_date == "deadline":  # "since 2006" says when it began, not by when
            sentence = _SINCE_DATE.sub(" ", sentence)
        if kind == "date" and self.fine_date in ("day", "month"):
            return 1.0 if new(_DAY if self.fine_date == "day" else _MONTH, sentence) else 0.0
        if kind == "date" and "year" in self.asked_words:  # "By what year?": "by two years" names none
            return 1.0 if new(_DATE, sentence) else 0.0
        if kind == "date":
            # "How long is the term?" is a duration ("five-year"), rarely a length ("250 km"): both count.
            return 1.0 if new(_DATE, sentence) or new(_DURATION, sentence) or new(_MEASURE, sentence) else 0.0
        if kind == "reason":
            return 1.0 if _CAUSE.search(sentence) else 0.3
        if self.names_head_indefinitely(sentence):
            return 0.0
        if kind == "name":
            return 1.0 if self._new_names(sentence, _MONTH_WORDS | _TITLE_WORDS | _NATION_WORDS) else 0.0
        if kind == "person":
            return 1.0 if self._new_names(sentence, _MONTH_WORDS | _TITLE_WORDS | _NATION_WORDS) else 0.2
        # "Where ...?" and "In which city ...?" are answered "in Lima", "at Camp David", not by any name
        if kind == "place" and ((self.head is None and "where" in self.asked_words) or self.head in _SITE_NOUNS):
            own = self._own(sentence)
            unquoted = _QUOTED.sub(" ", sentence)  # a "Commitment to Consult" is signed, not a place
            return 1.0 if any(m.group(1).lower() not in own for m in _LOCATIVE.finditer(unquoted)) else 0.2
        if kind == "organisation":  # "the U.S. and ROK" name no body, group or company
            return 1.0 if self._new_names(sentence, _MONTH_WORDS | _TITLE_WORDS | _NATION_WORDS) else 0.2
        if kind == "place":
            return 1.0 if self._new_names(sentence, _MONTH_WORDS | _TITLE_WORDS) else 0.2
        return 0.5


_AUX = r"(?:did|does|do|is|was|are|were|has|have|had|will|would|can|could|should|might)"
# The noun a question asks for: "which hotel did", "what gift did", "how many hours", "who is the
# ambassador", "where is the headquarters". Category words (country, leader, party...) are left out:
# an answer names an instance ("Russia") without the category.
_IRREGULAR_PAST = (
    r"made|took|gave|got|held|met|said|sent|built|won|led|went|came|put|set|told|left|brought|sought|bought|paid|"
    r"ran|saw|became|began|chose|drew|flew|grew|knew|lost|rose|sold|spent|stood|struck|wrote|broke|hit|cut|shut"
)
# An adverb between the noun asked for and its verb: "Which country first held the ship?" asks for a country.
_ADVERB = r"(?:first|last|later|also|then|still|once|ever|recently|initially|originally|eventually|finally|actually)"
_HEADS = [
    # "what did Biden promise would happen" asks what was promised, not for a promise: no auxiliary after "what".
    re.compile(
        rf"\b(?:which|what)\s+(?!{_AUX}\b)(?:[a-z.-]+\s+){{0,3}}?([a-z-]+)\s+(?:{_ADVERB}\s+)?"
        rf"(?:{_AUX}|[a-z]+ed|{_IRREGULAR_PAST})\b"
    ),
    re.compile(rf"\bhow many\s+(?:[a-z-]+\s+){{0,3}}?([a-z-]+)\s+(?:{_AUX}|[a-z]+ed)\b"),
    re.compile(r"\bhow many\s+([a-z-]+)\b"),
    re.compile(
        r"^(?:who|where|what)\s+(?:is|was|are|were)\s+the\s+(?:[a-z]+\.[a-z.]*\s+)?([a-z-]+)\s+(?:of|to|in|for)\b"
    ),
]
_CATEGORY = frozenset(
    "city place sea region country countries province town island islands state states nation nations leader "
    "leaders president presidents person people official officials minister premier general man woman men women "
    "party parties organisation organization agency institution body group grouping company companies side sides "
    "name purpose goal reason reasons motive role aim effect result outcome issue issues step steps event events "
    "part point points measure measures kind type sort way ways thing things number amount share percentage "
    "year years date month day time times value "
    # nouns answered by naming or quoting an instance: a role ("Fellow"), a title, cities, a message
    "position positions role roles post office job title titles word words phrase term terms message "
    "messages signal development developments capital capitals city cities".split()
)


def _is_category(noun: str) -> bool:
    """A category noun, plural too ("organizations", "places", "agencies"); an adverb ("which newly
    created ...") names no noun at all."""
    singular = {noun, noun[:-1] if noun.endswith("s") else noun, noun[:-3] + "y" if noun.endswith("ies") else noun}
    return bool(singular & _CATEGORY) or noun.endswith("ly")


_KIND_OF = re.compile(r"\b(?:what|which)\s+(?:kinds?|sorts?|types?)\s+of\b")


def asked_head(question: str) -> str | None:
    """The noun the question asks for, when it names one that is not a mere category: "Which hotel did
    Trump stay in?" asks for a hotel, and a sentence that names none cannot answer it."""
    q = main_clause(question)
    if _KIND_OF.search(q):  # "What kind of vessel ...?" is answered by a kind ("a submarine"), rarely the word
        return None
    names = question_names(question)
    for i, pattern in enumerate(_HEADS):
        found = pattern.search(q)
        if found:
            head = found.group(1)
            # A count keeps its noun: "how many jobs" is answered by a number of jobs, not of anything.
            category = head in _CATEGORY if i in (1, 2) else _is_category(head)
            # "Which admiral ...?" is answered by a name with its title capitalised ("Admiral Paparo"); "Who is
            # the ambassador to ...?" by a sentence that says "ambassador".
            titled = i == 0 and (head in _TITLE_WORDS or head.rstrip("s") in _TITLE_WORDS)
            if head in STOPWORDS or category or titled or head in _HOLLOW or head in names or re.match(_AUX, head):
                return None
            return head
    return None


# "What was the name of the U.S. ballistic missile submarine whose visit ...?" asks to name a submarine.
_NAME_OF = re.compile(
    r"\bnames? of (?:the |a |an |this |that |its |his |her |their )?(?:[a-z.-]+\s+){0,4}?([a-z-]+)"
    r"(?=\s+(?:whose|that|which|who|where|when|in|on|at|of|for|to|from|[a-z]+ed)\b|\s*[?,]|\s*\.?$)"
)


# "What is the Korean satellite that Artemis II will carry called?" asks to name a satellite.
_CALLED = re.compile(
    r"^(?:what|which)\s+(?:is|was|are|were)\s+the\s+(?:[a-z.-]+\s+){0,3}?([a-z-]+)\s+(?:that|which|who)\b"
    r".*\b(?:called|named)\s*\??$"
)


def asked_noun(question: str) -> str | None:
    """The noun a "which/what X", "how many X" or "the name of X" question asks for, category nouns
    included ("party" in "Which smaller party is the LDP in coalition with?"): what a sentence must
    name, or count."""
    q = main_clause(question)
    for pattern in (*_HEADS[:3], _NAME_OF, _CALLED):
        found = pattern.search(q)
        if found and found.group(1) not in STOPWORDS and not re.match(_AUX, found.group(1)):
            return found.group(1)
    return None


# Verbs whose object is the answer: "What did Lee and Xi agree on?" is answered by what they agreed, and a
# sentence that says only that they met does not say it. Each verb with the words that also state it.
_ACT_FAMILIES = (
    "agree agreement accord deal consensus concur approve approval",
    "discuss discussion talk talks conversation raise exchange",
    "tell inform assure say",
    "promise pledge commit commitment vow undertake",
    "propose proposal offer suggest",
    "ask request urge call demand press",
    "decide decision resolve",
    "announce announcement unveil declare launch",
    "sign",
    "prohibit prohibition ban forbid outlaw restrict restriction",
    "establish establishment create creation form found",
)
ACT_WORDS: dict[str, frozenset[str]] = {}
for _family in _ACT_FAMILIES:
    for _verb in _family.split():
        ACT_WORDS[stem(_verb)] = ACT_WORDS.get(stem(_verb), frozenset()) | frozenset(map(stem, _family.split()))
# "say" states many things ("stressed", "noted", "warned"): it is heard, never required.
del ACT_WORDS[stem("say")]
_ASKED_ACT = re.compile(r"^what (?:did|does|do|will|would|can|could|should|might) ((?:[\w.’'-]+ ?){1,8})")
_CLAUSE_BREAK = frozenset("to that which whose who when where while after before because".split())


def asked_act(question: str) -> str | None:
    """The verb whose object a "What did X agree on / discuss / promise?" question asks for.

    A capitalised word is part of a name, not the verb: "What did the Washington Declaration set up?"
    asks what was set up, not what was declared."""
    found = _ASKED_ACT.search(main_clause(question))
    in_names = set(words(" ".join(re.findall(r"\b[A-Z][\w’'-]*", question))))
    for word in words(found.group(1)) if found else []:
        if word in _CLAUSE_BREAK:
            break
        if stem(word) in ACT_WORDS and word not in in_names:
            return word
    return None


# "What did Kim say when he visited the embassy?" asks for words he said: a sentence reporting only the visit
# does not answer it. A sentence answers with a verb of speech or a quotation.
_ASKED_SPEECH = re.compile(
    r"^what (?:did|does|do|has|have|had|will|would) (?:[\w.’'-]+ ){1,5}?(?:say|tell|write|remark|said|told|written)"
    r"(?:\s+[\w.’'-]+){0,2}?\s*(?:\?|$|\b(?:when|while|after|before|during|at|in|on)\b)"
)
SPEECH = re.compile(
    # "the United States", "a state visit" and "member states" state nothing
    r"[“”\"]|\b(?:say|says|said|saying|tell|tells|told|stated|(?:state|states) that|comments?|commented|"
    r"note|notes|noted|stress|stressed|"
    r"emphasi[sz]ed|warn|warns|warned|called|describe|described|remark|remarked|declare|declared|"
    r"argue|argued|add|added|express|expressed|affirm|affirmed|reaffirmed|reiterated|announce|announced|urge|urged|"
    r"praise|praised|condemn|condemned|welcome|welcomed|write|wrote|written|assert|asserted|claim|claimed|"
    r"vow|vowed|pledge|pledged|promise|promised|thank|thanked|congratulated|insisted|accused|hailed)\b",
    re.I,
)


# "What did Putin say about the troops?": who spoke, when the question names one person or body by name.
_SPEAKER = re.compile(
    r"^What (?:did|does|do|has|have|had|will|would) ((?:[A-Z][\w.’'-]*\s+){1,3})"
    r"(?:say|tell|write|remark|said|told|written|remarked)\b"
)


def asked_speaker(question: str) -> tuple[str, frozenset[str]]:
    """The name whose words the question asks for, and the words that name it ("What did Vladimir Putin
    say ...?" -> "Vladimir Putin", {vladimir, putin}); empty when it names none."""
    found = _SPEAKER.search(question.strip())
    if not found:
        return "", frozenset()
    name = found.group(1).strip()
    return name, frozenset(w for w in words(name) if len(w) > 2 and w not in STOPWORDS)


def asked_speech(question: str) -> bool:
    """The question asks for what someone said and for nothing else ("What did Kim say when he visited
    the Cuban embassy?"): its only focus is the saying."""
    return bool(_ASKED_SPEECH.search(main_clause(question)))


_EXCLUDED_LEAD = re.compile(r"^(apart from|aside from|besides|other than|except for)\b[^,?]*,\s*", re.I)
# What a response question responds to is given, not asked: "Lee's gestures" is no part of its focus.
# The verbs of a response question; conversation.py uses them too ("How did China hit back?" follows up).
RESPONSE_VERB = (
    r"(?:(?:respond|react|reply|retaliate)(?:s|ed|ing)?|hit back|push back|reciprocate[sd]?|follow(?:s|ed)? suit"
    r"|do (?:the same|anything|something) in (?:return|kind))"
)
_STIMULUS = re.compile(rf"\b({RESPONSE_VERB})\s+to\b[^?,]*", re.I)
_RESPONDS = re.compile(rf"\b{RESPONSE_VERB}\b", re.I)
# A trailing "when ..." clause sets the scene of what is asked ("What did Biden commend South Korea for
# when he phoned its acting leader?"): its words are given, not asked; a sentence saying only that the call
# happened is not the answer. "..., and when?" or "By when?" asks for the date instead (ASKED_WHEN).
_SCENE = re.compile(
    r"(?<!\band)(?<!\bor)(?<!\bby)(?<!\bsince)(?<!\buntil)(?<!\btill)(?<!\bfrom)(?<=[\w’'])\s+(?:when|while)\s+\w[^?,;]*",
    re.I,
)
# "..., according to the CRS?": the name of who says it, not of what it is about.
_ACCORDING_TO = re.compile(r"\b(?:according to|per)\s+(?:the\s+)?([^,?;]+)", re.I)


def source_words(question: str) -> frozenset[str]:
    """The words of the phrase naming where the answer is said ("according to the CRS")."""
    return frozenset(w for m in _ACCORDING_TO.finditer(question) for w in words(m.group(1)))


# Where the question says the answer is found ("In the Lima statement, ...", "according to the CRS report",
# "under the Trump-Lee fact sheet"): the source, not what is asked of it.
_SOURCE = re.compile(
    r"\b(?:in|under|according to|per)\s+(?:the|their|its|his|her|this|that|a)?\s*(?:[\w.’'–-]+\s+){0,5}?"
    r"(?:statement|report|declaration|fact sheet|readout|article|analysis|piece|announcement|communiqu[eé])\b"
    r"(?:\s+(?:on|about)\s+(?:[\w.’'–-]+(?:\s+|(?=\?)|$)){1,4}(?=\?|$))?",
    re.I,
)
# "take place" is "happen", already hollow: its "place" asks for no place.
_TAKE_PLACE = re.compile(r"\b(take|takes|took|taken|taking)\s+place\b", re.I)
_SECOND_ASK = re.compile(r",?\s+and\s+(what|which|who|whom|where|when|how|why)\b", re.I)
# A phrasal verb asks for what its one-word sense states: "What did the declaration set up?" is answered by
# "announced the establishment of a new Nuclear Consultative Group", and "up" alone says nothing.
_PHRASAL = tuple(
    (re.compile(rf"\b(?:{forms})\s+{particle}\b", re.I), verb)
    for forms, particle, verb in (
        ("set|sets|setting", "up", "establish"),
        ("put|puts|putting", "in place", "establish"),
        ("carry|carries|carried|carrying", "out", "conduct"),
        ("pull|pulls|pulled|pulling", "out", "withdraw"),
        ("step|steps|stepped|stepping", "down", "resign"),
        ("give|gives|gave|given|giving", "up", "abandon"),
        ("break|breaks|broke|broken|breaking", "off", "sever"),
        ("shut|shuts|shutting", "down", "close"),
    )
)


def _one_word_verbs(question: str) -> str:
    """The question with its phrasal verbs put as the one word a source would use."""
    for pattern, verb in _PHRASAL:
        question = pattern.sub(verb, question)
    return question


_LEAD_CLAUSE = re.compile(
    r"^(when|after|before|while|if|at|in|during)\b[^,?]*,\s*(?=(what|which|who|whom|how|why|where|when)\b)"
)


# "How many soldiers were wounded?": what happened to the counted is part of what is asked. Not a verb that
# only hedges ("supposed", "expected") or says where it is counted ("listed", "reported").
_COUNTED_PREDICATE = re.compile(
    r"\bhow many\b[^?]*?\b(?:were|was|are|is|have been|has been|had been|will be|would be|got|get)\s+"
    r"(?!(?:supposed|expected|estimated|reported|said|thought|believed|planned|scheduled|listed|named|due)\b)"
    r"([a-z]+(?:ed|en))\b"
)


def counted_predicate(question: str) -> str | None:
    """The participle saying what happened to what is counted ("wounded" in "How many were wounded?")."""
    found = _COUNTED_PREDICATE.search(main_clause(question))
    return found.group(1) if found else None


# "Why had North Korea detained the tourist?", "When did Mongolia first recognise Pyongyang?": the act a why- or
# when-question asks about, when a name is its subject; "after the death of the tourist" gives a cause of
# something else, a testimony's year is not when a command was taken. Not after "the ..." (a noun phrase may
# run on: "Why did the Lima statement call ...").
_EVENT_PREDICATE = re.compile(
    rf"^(?:[Aa]nd\s+)?(?:[Ww]hy|[Ww]hen)\s+(?:did|does|do|had|has|have)\s+(?:[A-Z][\w.’'-]*\s+|and\s+(?=[A-Z]))+"
    rf"(?:{_ADVERB}\s+)?([a-z]+)\b"
    # "Who founded Mansudae Overseas Projects?", "Who signed the agreement?": who did that act, so the answer
    # states it ("built by", "signed"); a sentence about the company or the treaty alone names no one for it.
    # Not publishing: "(Anthem Press, 2025)" says who published a book without the verb.
    rf"|^(?:[Aa]nd\s+)?[Ww]ho\s+(?:{_ADVERB}\s+|formally\s+)?"
    rf"((?!was\b|were\b|had\b|did\b|used\b|need\b|published\b|released\b|issued\b|authored\b|wrote\b|put\b)"
    rf"(?:[a-z]+ed|{_IRREGULAR_PAST}))\b"
)


def event_predicate(question: str) -> str | None:
    """The verb of a why- or when-question whose subject is a name ("detained" in "Why had North Korea
    detained ...?", "take" in "When did General Brunson take command?"), or of a who-question in the past
    ("founded" in "Who founded ...?"): the answer must state that act, not another one of the same subject.
    Phrasal verbs are put as one word ("break off" -> "sever")."""
    found = _EVENT_PREDICATE.search(_one_word_verbs(question.strip()))
    verb = (found.group(1) or found.group(2)) if found else None
    return verb if verb and verb not in STOPWORDS else None


_SMALL_NUMBERS = {
    w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split()) if i
}
_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+((?:[\w-]+\s+)?[\w-]+)", re.I
)


def _ordinal_pairs(text: str) -> list[tuple[str, set[str]]]:
    """Each ordinal of the text with the stems of the one or two words it numbers ("third", {nuclear, test})."""
    return [
        (m.group(1).lower(), {stem(w) for w in words(m.group(2)) if w not in STOPWORDS})
        for m in _ORDINAL.finditer(text)
    ]


# "the 2018 inter-Korean summit": an instance named by its year.
_YEAR_INSTANCE = re.compile(r"\b(?:the|a|its|their)\s+(?P<year>(?:1[89]|20)\d\d)\s+(?P<noun>(?:[\w-]+\s+){0,2}[\w-]+)")


def names_another_instance(question: str, sentence: str) -> bool:
    """ "Which resolution followed the third nuclear test?" is not answered by a sentence about "the fourth
    nuclear test": the sentence gives another ordinal to what the question numbers, and never the asked one."""
    asked = _ordinal_pairs(question)
    if not asked:
        return False
    found = _ordinal_pairs(sentence)
    # "the 2018 inter-Korean summit" is one summit, named by its year: not the first, unless said so.
    by_year = [
        {stem(w) for w in words(m.group("noun")) if w not in STOPWORDS}
        for m in _YEAR_INSTANCE.finditer(sentence)
        if m.group("year") not in question
    ]
    for ordinal, nouns in asked:
        if any(o == ordinal and n & nouns for o, n in found):
            return False
        if any(o != ordinal and n & nouns for o, n in found):
            return True
        if any(n & nouns for n in by_year):
            return True
    return False


_NAME_PHRASE = r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*"
# Two names that act together, as the subject of the question's verb or the two sides of "between".
_PAIR = re.compile(
    rf"\b(?:did|do|does|have|has|had|were|was|are|is|will|would|between)\s+(?:the\s+)?({_NAME_PHRASE})\s+and\s+"
    rf"(?:the\s+)?({_NAME_PHRASE})"
)


def names_another_partner(question: str, sentence: str) -> bool:
    """ "When did Singapore and North Korea establish relations?" is not answered by "Ghana and North Korea
    established diplomatic relations in 1964": the sentence pairs the question's North Korea with another
    name, and never names Singapore."""
    said = sentence.lower()
    for found in _PAIR.finditer(question):
        for asked, partner in ((found.group(1), found.group(2)), (found.group(2), found.group(1))):
            if asked.lower() in said or partner.lower() not in said:
                continue
            other = re.search(
                rf"(?<![\w’'-])({_NAME_PHRASE})\)?\s+and\s+{re.escape(partner)}\b|\b{re.escape(partner)}\s+and\s+({_NAME_PHRASE})",
                sentence,
            )
            named = (other.group(1) or other.group(2)) if other else ""
            # "Putin and Kim" is the question's Kim Jong-un, "Japan and South Korea" its "Japanese"; an acronym
            # may be another name for it ("Japanese and ROK counterparts" for South Korean ones).
            if other and not named.isupper() and not {w[:4] for w in words(named)} & {w[:4] for w in words(asked)}:
                return True
    return False


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


# After a non-copular auxiliary, a title names who acts, not what is asked: "What did the three Camp David
# leaders voice backing for?" asks for a policy goal; a sentence that only names "the leaders" is not it.
_ACTING_AUX = re.compile(r"\b(?:did|does|do|will|would|can|could|should|might|has|have|had)\b")
_ACTOR_TITLES = "|".join(sorted(_TITLE_WORDS | {"leaders", "ministers"}))
_ACTOR_TITLE = re.compile(rf"\b(?:(?:{_NUMBER_WORDS}|both)\s+)?(?:[a-z-]+\s+){{0,2}}?({_ACTOR_TITLES})\b")


def actor_words(question: str) -> frozenset[str]:
    """The title words (and a number before them) that name the question's actor after its auxiliary."""
    q = main_clause(question)
    aux = _ACTING_AUX.search(q)
    if not aux:
        return frozenset()
    found: set[str] = set()
    for m in _ACTOR_TITLE.finditer(q, aux.end()):
        found |= {w for w in words(m.group(0)) if w == m.group(1) or re.fullmatch(_NUMBER_WORDS + "|both", w)}
    return frozenset(found)


# "How did North Korea feel about Lee's predecessor Yoon?": a common noun between a possessive and a name
# says who the name is; it is no part of what is asked (a sentence about Lee's predecessor's China policy
# states "predecessor" and says nothing of North Korea's feelings).
_APPOSITIVE = re.compile(r"[’']s\s+([a-z-]+)\s+(?=[A-Z][a-z])")


def appositive_words(question: str) -> frozenset[str]:
    """The lower-case words that describe a name they stand before ("predecessor" in "Lee's predecessor Yoon")."""
    return frozenset(w for m in _APPOSITIVE.finditer(question) for w in words(m.group(1)))


def _fine_date(question: str) -> str:
    found = _FINE_DATE.search(main_clause(question))
    if not found:
        return "deadline" if _DEADLINE.search(question) else ""
    return "month" if (found.group(1) or found.group(2)) == "month" else "day"


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
    asked = _one_word_verbs(_EXCLUDED_LEAD.sub("", question.strip()))
    asked = _TAKE_PLACE.sub("happen", _STIMULUS.sub(r"\1", asked))
    asked = _SOURCE.sub("", _SCENE.sub("", asked))
    actors = actor_words(asked) | appositive_words(asked)
    for word in words(asked):
        if word in STOPWORDS or word in frame_words or word in _HOLLOW or word in names or word in actors:
            continue
        if word.isdigit():
            continue
        if (kind == "date" and word in _DATE_WORDS) or (kind == "money" and word in _MONEY_WORDS):
            continue
        term = stem(word)
        focus[term] = idf(term) if known(term) else 3.0
        surface.setdefault(term, word)
    years = any(_YEAR.match(w) for w in words(question)) or bool(re.search(r"\byears?\b", question, re.I))
    head, many = asked_noun(question), bool(_MANY.search(main_clause(question)))
    modifier = re.search(rf"\b([a-z][\w-]+)\s+{re.escape(head)}\b", main_clause(question)) if head else None
    if not focus and earlier:
        inherited = find_focus(earlier, idf, known, frame_words)
        return Focus(
            kind if kind != "any" else inherited.answer_type,
            inherited.focus,
            inherited.surface,
            years,
            inherited=True,
            asked_words=frozenset(words(question)) | inherited.asked_words,
            head=head or inherited.head,
            many=many or inherited.many,
        )
    return Focus(
        kind,
        focus,
        surface,
        years,
        single=not _SECOND_ASK.search(question),
        asked_words=frozenset(words(question)),
        head=head,
        many=many,
        responds=bool(_RESPONDS.search(main_clause(question))),
        fine_date=_fine_date(question) if kind == "date" else "",
        head_modifier=modifier.group(1) if modifier and modifier.group(1) not in STOPWORDS | _HOLLOW else None,
        per_period=bool(_PER_PERIOD.search(question)),
        per_item=bool(_PER_ITEM_ASKED.search(main_clause(question))),
    )
