"""Who is a person: the names the corpus itself writes the way people are named.

"Who were the foreign and defense ministers that Trump and Ishiba told to meet?" is not answered by a
sentence that names only the meeting ("a Security Consultative Committee"): a question that asks for a
minister, a justice or an ambassador wants a person's name. No named-entity model installs with its
weights here, so the corpus is read for the patterns English uses to name people: a title before a name
("Treasury Secretary Steven Mnuchin", "Admiral Samuel Paparo"), a role after one ("Adrian Hong Chang,
founder of ..."), and the Korean given name written with a hyphen ("Kim Jong-un", "Sung-Yoon Lee").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assistant.names import name_runs
from index.text import STOPWORDS, words

_NAME_WORD = r"[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?"
_NAME = rf"{_NAME_WORD}(?:[ ]+(?:[A-Z]\.[ ]+)?{_NAME_WORD}){{0,2}}"
_TITLES = (
    r"President|Vice President|Prime Minister|Premier|Chairman|Chairwoman|Chancellor|General|Gen\.|Admiral|"
    r"Secretary|Minister|[Ll]eader|Mr\.|Ms\.|Mrs\.|Dr\.|Professor|[Aa]mbassador|Senator|Sen\.|Representative|Rep\.|"
    r"King|Queen|Emperor|[Dd]ictator|[Ss]cholar|[Aa]cademic|Commander|[Ee]nvoy|Speaker|Governor|Mayor|Pope|"
    r"[Jj]udge|[Jj]ustice"
)
_ROLES = (
    r"founder|co-founder|professor|head|director|chief|leader|member|spokesman|spokeswoman|spokesperson|"
    r"chairman|president|son|daughter|wife|husband|brother|sister|father|mother|ambassador|minister|envoy"
)
_TITLE_BEFORE = re.compile(rf"\b(?:{_TITLES})\s+(?:[A-Z]\.\s+)?({_NAME})")
_ROLE_AFTER = re.compile(rf"\b({_NAME}),\s+(?:a |an |the |his |her |its )?(?:[a-z-]+\s+)?(?:{_ROLES})\b")
_HYPHENATED_GIVEN = re.compile(r"\b([A-Z][a-z]+ [A-Z][a-z]+-[a-z]+)\b")
_INITIAL = re.compile(r"\b[A-Z]\.\s+(?=[A-Z][a-z])")
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z]+(?![\w’'-])")
_CAPITALISED_WORD = re.compile(r"(?<![\w’'-])[A-Z][a-z]+(?![\w-])")
# Words that make a run of capitalised words a body, a place or a document, whatever else it holds:
# "the Biden Administration", "U.S. Supreme Court", "Security Consultative Committee".
_NOT_A_PERSON = frozenset(
    "administration agency army assembly association bank command commission committee company congress corps "
    "corporation council court declaration department dialogue embassy force forces foundation framework fund "
    "government group guard house industries initiative institute marines ministry nations navy network office "
    "organisation organization parliament party program programme project projects school secretariat senate "
    "statement summit treaty union university zone act agreement airlines air peninsula sea island islands "
    "river strait province city state states republic kingdom".split()
)
_TITLE_WORDS = frozenset(
    "president vice prime minister premier chairman chairwoman chancellor general admiral secretary leader mr ms "
    "mrs dr professor ambassador senator representative king queen emperor dictator scholar academic commander "
    "envoy speaker governor mayor pope judge justice".split()
)


def person_words(texts: Iterable[str]) -> frozenset[str]:
    """The lower-cased words the texts use in people's names (surnames and given names alike). A word the
    texts also write in lower case ("aims" in the headline "President Lee Aims ...") is no name."""
    found: set[str] = set()
    lower: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for text in texts:
        for pattern in (_TITLE_BEFORE, _ROLE_AFTER, _HYPHENATED_GIVEN):
            for match in pattern.finditer(text):
                found.update(words(match.group(1)))
        lower.update(_LOWER_WORD.findall(text))
        capitalised.update(w.lower() for w in _CAPITALISED_WORD.findall(text))
    common = {w for w in found if lower[w] and lower[w] >= capitalised[w]}
    return frozenset(found - common - STOPWORDS - _TITLE_WORDS - _NOT_A_PERSON)


def names_person(sentence: str, people: frozenset[str], own: frozenset[str]) -> bool:
    """The sentence names a person the question does not: a run of capitalised words holding a word of a
    person's name, no word of the question's own (`own`) and no word that makes it a body or a place ("the
    Biden Administration" is no person)."""
    for run in name_runs(_INITIAL.sub("", sentence)):  # "Donald J. Trump" is one name
        # A title starts a new name: "U.S. Forces Korea Commander General Xavier Brunson" holds a body
        # ("Forces Korea") and a person ("Xavier Brunson").
        segments: list[set[str]] = [set()]
        for word in words(" ".join(run)):
            if word in _TITLE_WORDS:
                segments.append(set())
            else:
                segments[-1].add(word)
        # "Prime Minister Ishiba Shigeru" is the question's Ishiba, not someone new.
        if any(segment & people and not segment & (_NOT_A_PERSON | own) for segment in segments):
            return True
    return False


# Nouns only a person can be: a question asking for one wants a name ("Which Supreme Court justices ...?",
# "What was the name of the ambassador ...?"), not the body or the meeting the sentence names instead.
_PERSON_NOUNS = (
    r"ministers?|justices?|judges?|ambassadors?|envoys?|commanders?|officers?|officials?|spokes(?:man|woman|person)|"
    r"chairman|chairwoman|founders?|leaders?|presidents?|premiers?|secretar(?:y|ies)|senators?|lawmakers?|"
    r"diplomats?|generals?|admirals?|scholars?|professors?|kings?|queens?|emperors?|governors?|mayors?|"
    r"negotiators?|ringleaders?|deputy|deputies"
)
# Up to three words before the noun, none of them a verb: "Which Supreme Court justices", not "which city
# were NATO leaders".
_MODIFIERS = r"(?:(?!(?:is|was|are|were|did|do|does|has|have|had|will|would|can|could|should)\b)[\w.’'-]+\s+){0,3}?"
_ASKS_PERSON = re.compile(
    rf"^(?:and\s+)?(?:who|whom)\s+(?:is|was|are|were|will be|would be)\s+(?:the|his|her|its|their|[a-z.-]+['’]s)\s+"
    rf"{_MODIFIERS}(?:{_PERSON_NOUNS})\b"
    rf"|\bwhich\s+{_MODIFIERS}(?:{_PERSON_NOUNS})\b"
    # "Who has been picked to command the new headquarters?": an appointment is of a person.
    r"|^(?:and\s+)?who\s+(?:has|have|had|was|were|is|are|will be|would be)\s+(?:been\s+)?"
    r"(?:picked|chosen|named|appointed|selected|nominated|tapped|designated)\s+(?:to|as)\b"
    rf"|\bnames?\s+of\s+(?:the\s+|a\s+|an\s+|its\s+|his\s+|her\s+|their\s+)?{_MODIFIERS}(?:{_PERSON_NOUNS})\b",
    re.I,
)


def asks_for_person(question: str) -> bool:
    """The question asks for someone by a noun only a person can be."""
    return bool(_ASKS_PERSON.search(question.strip()))
