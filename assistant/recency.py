"""Latest first, disagreement said: who holds an office changes with time, and the corpus spans 2019-2026.

Scope, on purpose narrow (a false "an earlier source says otherwise" is worse than none): questions of
the form "Who is <country>'s <office>?" / "Who is the <office> of <country>?". A source names a holder when
an office phrase is followed by a capitalised name ("Prime Minister Ishiba Shigeru", "current premier
Sanae Takaichi") and the country is attached to it: "Japanese ...", "Japan's ...", "... of Japan", or the
sentence speaks of that country alone among countries with such an office and names only one holder.
When dated sources name different holders, the answer is the newest source's sentence plus one sentence
saying what the most recent disagreeing older source said and when, both cited. Undated sources count
as the oldest. When every source names the same holder, the passage answerer's answer stands unchanged.
When no source names a holder at all, the question is declined: a sentence naming another country's
minister ("New Zealand's Foreign Affairs Minister Winston Peters") does not say who South Korea's is.
When sources name holders but the passage answer names none of them, the sentences that do are the
answer (at most two people), saying so when none is said to hold the office now.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from assistant.answer import Answer, Citation, Passage, refusal_text
from assistant.answerers.weights import RELATED_SHOWN
from assistant.sources import catalogue, chunk_passage
from index.generation import Generation

# office -> the phrases that name it in text
OFFICES = {
    "prime minister": ("prime minister", "premier"),
    "president": ("president",),
    "foreign minister": ("foreign minister",),
    "defense minister": ("defense minister", "defence minister"),
}
# country -> how text names it (adjective, noun, abbreviations), and which offices it has
COUNTRIES = {
    "Japan": (("japan", "japanese"), {"prime minister", "foreign minister", "defense minister"}),
    "South Korea": (("south korea", "south korean", "republic of korea", "rok"), set(OFFICES)),
    "North Korea": (("north korea", "north korean", "dprk"), {"foreign minister", "defense minister"}),
    "China": (("china", "chinese", "prc"), {"president", "prime minister", "foreign minister", "defense minister"}),
    "Russia": (("russia", "russian"), set(OFFICES)),
    "United States": (("united states", "u.s.", "america", "american", "US"), {"president"}),
}
_QUESTION = re.compile(
    r"^\s*who(?:'s|’s| is| are)\s+(?:the\s+)?(?:current\s+|present\s+|sitting\s+)?(?P<pre>.*?)\s*\??\s*$", re.I
)
_NAME = r"((?:[A-Z][\w’'-]+)(?:\s+(?:[A-Z][\w’'-]+|[A-Z]\.)){0,3})"
SCAN_ALL = 3000  # a corpus up to this many chunks is scanned whole (a few ms of regex)
SCANNED = 80  # larger corpora: chunks a keyword search for the office returns, scanned for holder statements
_NOT_A_NAME = frozenset("The Administration Office Government Minister Ministry And Of Trump’s".split())


@dataclass
class Mention:
    doc_id: str
    name: str
    sentence: str
    start: int
    end: int
    position: int  # chunk position that holds the sentence


def asked_office(question: str) -> tuple[str, str] | None:
    """(country, office) for "Who is Japan's prime minister?" / "Who is the president of South Korea?"."""
    match = _QUESTION.match(question)
    if not match:
        return None
    rest = match.group("pre").lower().replace("’", "'")
    for office, phrases in OFFICES.items():
        for phrase in phrases:
            if phrase not in rest:
                continue
            for country, (aliases, offices) in COUNTRIES.items():
                if office in offices and any(
                    re.search(rf"(?<![\w.]){re.escape(a.lower())}(?:'s)?(?!\w)", rest) for a in aliases
                ):
                    return country, office
    return None


def _mentions_country(text: str, country: str) -> bool:
    """Whether the text names the country; an all-capitals alias ("US") must match in capitals."""
    return any(
        re.search(rf"(?<![\w.]){re.escape(a)}(?![\w])", text, 0 if a.isupper() else re.I) for a in COUNTRIES[country][0]
    )


def _names_right_before(before: str, country: str) -> bool:
    """ "Japanese current premier", "Japan's prime minister", "South Korean President": the country right before."""
    return any(
        re.search(
            rf"(?<![\w.]){re.escape(a)}(?:['’]s)?\s+(?:(?:current|new|sitting|incoming)\s+)?$",
            before,
            0 if a.isupper() else re.I,
        )
        for a in COUNTRIES[country][0]
    )


def holders(sentence: str, country: str, office: str) -> tuple[list[str], list[str]]:
    """Names the sentence gives as holding `office` for `country` (see the module docstring), and names it
    gives as holding it for another country (never taken for this one, in any sentence)."""
    tight, loose = [], []
    for phrase in OFFICES[office]:
        pattern = rf"\b(?i:(?:(former|late|then|acting|vice|deputy)[\s-]+)?{phrase}),?\s+{_NAME}"
        for match in re.finditer(pattern, sentence):
            if match.group(1):
                continue
            name = " ".join(w for w in match.group(2).split() if w not in _NOT_A_NAME)
            # "President Trump's visit", "President Trump’s Asia travels": a possessive, not a holder statement
            if not name or not name[0].isupper() or re.search(r"['’]s\b", match.group(2)):
                continue
            before = sentence[max(0, match.start() - 30) : match.start()]
            after = sentence[match.end() : match.end() + 40]
            attached = re.search(r"^\s*,?\s*of\s+(the\s+)?(?P<c>[\w. ]+)", after)
            if attached:
                tight.append((country if _mentions_country(attached.group("c"), country) else "other", name))
            elif _names_right_before(before, country):
                tight.append((country, name))
            else:
                loose.append((None, name))
    names = [n for c, n in tight if c == country]
    if not names and not tight:
        rivals = [
            c
            for c, (_, offices) in COUNTRIES.items()
            if c != country and office in offices and _mentions_country(sentence, c)
        ]
        unattached = {n for c, n in loose if c is None}
        # An unattributed "President X" in these mostly American documents is most often the U.S. president:
        # offices the United States has are only taken when the country is attached to them.
        us_office = office in COUNTRIES["United States"][1] and country != "United States"
        if len(unattached) == 1 and _mentions_country(sentence, country) and not rivals and not us_office:
            names = list(unattached)
    return names, [n for c, n in tight if c != country]


def _names(text: str, name: str) -> bool:
    """Every word of the name stands in the text as a word of its own ("Yong" is not in "Kim Yong-nam")."""
    return all(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text) for w in name.split())


def _same_person(a: str, b: str) -> bool:
    return bool(set(a.lower().split()) & set(b.lower().split()))


def find_mentions(generation: Generation, country: str, office: str, extra: list[Passage]) -> list[Mention]:
    """Holder statements in the chunks a keyword search for the office and country finds, plus `extra`."""
    if len(generation.chunks) <= SCAN_ALL:
        positions = list(range(len(generation.chunks)))
    else:
        query = f"{office} {' '.join(OFFICES[office])} {country}"
        positions = [p for p, _ in generation.lexical.search(query, SCANNED)]
    positions += [generation.chunk_position[p.chunk_id] for p in extra if p.chunk_id in generation.chunk_position]
    found: dict[tuple[str, int], Mention] = {}
    elsewhere: set[str] = set()
    for position in dict.fromkeys(positions):
        chunk = generation.chunks[position]
        doc = generation.documents[chunk.doc_id]
        for i in range(chunk.first_sentence, chunk.last_sentence):
            a, b = doc.sentences[i]
            if (chunk.doc_id, i) in found:
                continue
            names, others = holders(doc.text[a:b], country, office)
            elsewhere.update(others)
            for name in names:
                found[(chunk.doc_id, i)] = Mention(chunk.doc_id, name, doc.text[a:b], a, b, position)
    return [m for m in found.values() if not any(_same_person(m.name, other) for other in elsewhere)]


def _nobody_named(answer: Answer, question: str, asked: str) -> Answer:
    """The refusal for an office no source names a holder of; what the answer quoted is shown as related."""
    quoted = [c.passage for c in answer.citations]
    seen = {p.chunk_id for p in quoted}
    related = quoted + [p for p in answer.retrieved if p.chunk_id not in seen]
    return answer.model_copy(
        update={
            "text": refusal_text(question),
            "citations": [],
            "abstained": True,
            "related": related[:RELATED_SHOWN],
            "confidence": 0.0,
            "notes": [*answer.notes, f"no source names {asked}"],
        }
    )


def _quoting(
    answer: Answer,
    generation: Generation,
    quoted: list[Mention],
    text: str,
    confidence: float,
    note: str,
    started: float,
) -> Answer:
    """`answer` replaced by `text`, which cites the sentences of `quoted` as [1], [2], ... in that order."""
    passages = [chunk_passage(generation, m.position) for m in quoted]
    citations = [
        Citation(n=n, passage=p, quote=m.sentence, quote_start=m.start, quote_end=m.end, score=1.0)
        for n, (p, m) in enumerate(zip(passages, quoted), 1)
    ]
    seen = {p.chunk_id for p in passages}
    return answer.model_copy(
        update={
            "text": text,
            "citations": citations,
            "abstained": False,
            "related": [],
            "confidence": confidence,
            "retrieved": passages + [p for p in answer.retrieved if p.chunk_id not in seen],
            "timings_ms": {**answer.timings_ms, "recency": (time.perf_counter() - started) * 1000},
            # The passage answer's own reason to decline no longer describes the answer shown.
            "notes": [*(f"passage answer declined: {n}" if answer.abstained else n for n in answer.notes), note],
        }
    )


def _holders_named(
    answer: Answer, mentions: list[Mention], docs: dict, generation: Generation, asked: str, started: float
) -> Answer:
    """`answer` when it names a holder the sources name; otherwise (it quotes another country's minister,
    or declined) the sentences that do name one, newest source first, one per person, at most two. When
    they name different people, the answer says that none of them is said to hold the office now."""
    quoted = " ".join(c.quote for c in answer.citations)
    if not answer.abstained and any(_names(quoted, m.name) for m in mentions):
        return answer
    chosen: list[Mention] = []  # per person, newest source first, the sentence giving the fullest name
    for m in sorted(mentions, key=lambda m: (docs[m.doc_id].recency, m.doc_id, -m.start), reverse=True):
        if len(chosen) < 2 and not any(_same_person(m.name, c.name) for c in chosen):
            chosen.append(max((x for x in mentions if _same_person(x.name, m.name)), key=lambda x: len(x.name)))
    text = " ".join(f"{m.sentence} [{n}]" for n, m in enumerate(chosen, 1))
    names = " and ".join(m.name for m in chosen)
    if len(chosen) > 1:
        text += f" The sources name {names} as {asked}; none says who holds the office now."
    confidence = 0.5 if len(chosen) > 1 else max(answer.confidence, 0.5)
    note = f"the sources name {names} as {asked}; the passage answer named none of them"
    return _quoting(answer, generation, chosen, text, confidence, note, started)


def revise(answer: Answer, question: str, generation: Generation) -> Answer:
    """The answer from the newest source plus one sentence on the older one, when dated sources name
    different holders of the office asked about; a refusal when no source names any holder; the sentences
    naming holders when `answer` names none of them; otherwise `answer` unchanged."""
    asked = asked_office(question)
    if asked is None:
        return answer
    started = time.perf_counter()
    country, office = asked
    mentions = find_mentions(generation, country, office, answer.retrieved)
    if not mentions:
        return answer if answer.abstained else _nobody_named(answer, question, f"{country}'s {office}")
    docs = {d.doc_id: d for d in catalogue(generation)}
    by_doc: dict[str, list[Mention]] = {}
    for m in mentions:
        by_doc.setdefault(m.doc_id, []).append(m)
    # A document naming two different holders (a predecessor, say) does not say who holds the office now.
    single = {d: ms for d, ms in by_doc.items() if all(_same_person(ms[0].name, m.name) for m in ms)}
    dated = sorted(single, key=lambda d: (docs[d].recency, d), reverse=True)
    if len(dated) < 2 or docs[dated[0]].date_label == "undated":
        return _holders_named(answer, mentions, docs, generation, f"{country}'s {office}", started)
    fullest = {d: max(ms, key=lambda m: len(m.name)) for d, ms in single.items()}  # "Ishiba Shigeru" over "Ishiba"
    newest = fullest[dated[0]]
    older = next((fullest[d] for d in dated[1:] if not _same_person(fullest[d].name, newest.name)), None)
    if older is None:
        return _holders_named(answer, mentions, docs, generation, f"{country}'s {office}", started)
    said = f"An earlier source ({docs[older.doc_id].date_label}) names {older.name} as {office}."
    note = (
        f"latest first: {docs[newest.doc_id].date_label} names {newest.name}; "
        f"{docs[older.doc_id].date_label} named {older.name}"
    )
    return _quoting(answer, generation, [newest, older], f"{newest.sentence} [1] {said} [2]", 1.0, note, started)
