"""Follow-up handling without an LLM: decide whether a question leans on earlier turns, and if so
search with the earlier question beside it and remember which sentences were already given."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.citations import between_marks, strip_citations
from assistant.focus import RESPONSE_VERB
from index.text import STOPWORDS, words

DECLINED_PREFIX = "The sources I have do not say"  # how every declined answer starts
_LEADS = re.compile(r"^\s*(and|but|so|then|also|what about|how about|what else|anything else)\b", re.I)
_PRONOUNS = frozenset("he she they him her them his hers their theirs it its".split())
_PERSONAL = _PRONOUNS - {"it", "its"}
_POINTERS = frozenset("that this those these there such same".split())
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]+")
# "the second of those countries", "the first one", "the latter": one item of a list just answered.
_ORDINAL = re.compile(
    r"\bthe (?:(?P<nth>first|second|third|last)(?: one| of (?:them|those|these)(?: [a-z]+)?\b)"
    r"|(?P<end>latter|former))\b",
    re.I,
)
_PROPER = r"[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*"
# "Japan’s Ishiba and China’s Xi Jinping", "Seoul, Tokyo and Beijing": names joined by "and".
_NAME_LIST = re.compile(rf"{_PROPER}(?:,\s+{_PROPER})*,?\s+and\s+{_PROPER}")
_POSITION = {"first": 0, "former": 0, "second": 1, "third": 2, "last": -1, "latter": -1}
# "How did China hit back?": a response with nothing named to respond to answers something said before.
_RESPONSE_ALONE = re.compile(rf"\b{RESPONSE_VERB}\s*[?.!]*\s*$", re.I)
THREAD_TURNS = 3  # a chain of follow-ups is searched with at most this many earlier questions
_POINTER_ALONE = re.compile(r"\b(that|this|those|these|it)\s*[?.!]*\s*$", re.I)
# "Who was Japan's leader at that meeting?": a thing pointed back at by a demonstrative after a
# preposition or a verb (not the relative "that" of "ships that had been"), whatever else the question
# names; "this article" points at the source, not at an earlier turn.
_POINTED_THING = re.compile(
    r"\b(?:(?:at|in|on|of|from|for|during|after|before|since|by|with|about|to|under|over|against|"
    r"is|was|are|were|did|does|do)\s+(?:that|this)|those|these)\s+(?:same\s+)?"
    r"(?!article|piece|text|author|report|document|source|year|week|month)[a-z]{3,}\b",
    re.I,
)
# "For how long did it bar ships from US ports?": a pronoun as the subject asked about is someone or
# something said before, whatever the question names besides.
_PRONOUN_SUBJECT = re.compile(
    r"\b(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could|should)\s+(?:it|they|he|she|its|their|his|her)\b",
    re.I,
)


# "Does Pyongyang still owe it money?": a pronoun after a verb or preposition is not the subject the
# question names (that would be "itself"), so it is something said before.
_OBJECT_PRONOUN = re.compile(r"\b[a-z]{2,}\s+(?:it|him|them)\b")


def _owner_unnamed(question: str) -> bool:
    """ "What does its Article 3 commit each side to?": the pronoun comes before any name, so what it
    points at is in the thread; in "And Samsung Heavy — who is its US partner?" it is the name before it."""
    found = _PRONOUN_SUBJECT.search(question.strip())
    return found is not None and not _NAME.findall(question.strip()[: found.start()])


def _names(found: re.Match[str]) -> bool:
    """A list of names, not of titles: "the Chair and Japan" (from "with the ROK as the Chair and Japan as
    the Vice Chair") starts with a capitalised common noun after "the"."""
    before = found.string[: found.start()]
    first = re.split(r",|\s+and\s+", found.group(0))[0].strip()
    return not (re.search(r"\bthe\s+$", before) and " " not in first and not first.isupper())


@dataclass
class Turn:
    question: str
    answer: str = ""


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)

    @classmethod
    def from_history(cls, history: Iterable[Any] | None) -> Conversation:
        """Accepts OpenAI/Gradio messages ({"role", "content"}), (question, answer) pairs, or Turns."""
        turns: list[Turn] = []
        for item in history or []:
            if isinstance(item, Turn):
                turns.append(item)
            elif isinstance(item, dict):
                content = item.get("content", "")
                if isinstance(content, list):  # Gradio may send content parts
                    content = " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
                if item.get("role") == "user":
                    turns.append(Turn(str(content)))
                elif item.get("role") == "assistant" and turns:
                    turns[-1].answer = (turns[-1].answer + " " + str(content)).strip()
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                turns.append(Turn(str(item[0] or ""), str(item[1] or "")))
        return cls([t for t in turns if t.question.strip()])

    def is_followup(self, question: str) -> bool:
        if not self.turns:
            return False
        tokens = set(words(question))
        content = [w for w in tokens if w not in STOPWORDS]
        names = _NAME.findall(question.strip())
        if _LEADS.match(question) or len(content) <= 2:
            return True
        # "react to that?", "what about this?": a pointer standing alone refers back, whatever else is named.
        if (
            _POINTER_ALONE.search(question)
            or _RESPONSE_ALONE.search(question)
            or _POINTED_THING.search(question)
            or _PRONOUN_SUBJECT.search(question)
            or _OBJECT_PRONOUN.search(question)
        ):
            return True
        # "he", "they", "that call" lean on an earlier turn, unless the question names its own subject.
        return bool((tokens & _PRONOUNS or tokens & _POINTERS) and not names)

    @staticmethod
    def points_back(question: str) -> bool:
        """The question holds a pronoun or pointer ("it", "they", "that plant", "there")."""
        return bool(set(words(question)) & (_PRONOUNS | _POINTERS))

    def thread(self) -> list[str]:
        """The earlier questions the next follow-up leans on: the last one, and before it each one it
        followed up, back to the question that stood alone ("Did he agree to a return trip?" after "What
        did they say they wanted there?" is about the Trump-Ishiba meeting asked of two turns ago)."""
        questions: list[str] = []
        for i in range(len(self.turns) - 1, -1, -1):
            questions.insert(0, self.turns[i].question)
            if len(questions) >= THREAD_TURNS or not Conversation(self.turns[:i]).is_followup(self.turns[i].question):
                break
        return questions

    def search_query(self, question: str) -> str:
        """The query used for retrieval: a follow-up is searched together with the questions it leans on."""
        if not self.is_followup(question):
            return question
        # "And Samsung Heavy - who is its US partner?" names what it asks about: only the last question
        # is context. "How did he characterize it?" names nobody it could mean: the whole thread is.
        # "What does its Article 3 commit each side to?": a pronoun owning the subject is the thread's too.
        leans = (
            not _NAME.findall(question.strip()) or bool(set(words(question)) & _PERSONAL) or _owner_unnamed(question)
        )
        earlier = self.thread() if leans else [self.turns[-1].question]
        return " ".join([*earlier, question])

    def context(self, question: str) -> str:
        """What a follow-up leans on: the previous question and what was answered to it."""
        if not self.is_followup(question):
            return ""
        last = self.turns[-1]
        answer = strip_citations(last.answer)
        if answer.startswith(DECLINED_PREFIX):  # a declined answer only repeats the question
            return last.question
        return f"{last.question} {answer}"

    def earlier_question(self, question: str) -> str:
        """The question a follow-up leans on ("" when it stands alone)."""
        return self.turns[-1].question if self.is_followup(question) else ""

    def answer_context(self, question: str) -> str | None:
        """The last answer (without citation marks) with the question, when the question is a follow-up
        and the last turn was answered: what "that" or "she" points at is usually in the answer."""
        if not self.is_followup(question) or not self.turns:
            return None
        answer = strip_citations(self.turns[-1].answer)
        if not answer or answer.startswith(DECLINED_PREFIX):
            return None
        return f"{answer} {question}"

    def ordinal_referent(self, question: str) -> str | None:
        """ "How does the author expect relations with the second of those countries to go?" after an
        answer naming "Japan’s Ishiba and China’s Xi Jinping": the question with the ordinal replaced by
        the item it points at (the last list of names the answer gives), or None."""
        found = _ORDINAL.search(question)
        if found is None or not self.turns:
            return None
        answer = strip_citations(self.turns[-1].answer)
        lists = [] if answer.startswith(DECLINED_PREFIX) else [m for m in _NAME_LIST.finditer(answer) if _names(m)]
        if not lists:
            return None
        items = [i.strip() for i in re.split(r",\s+|,?\s+and\s+", lists[-1].group(0)) if i.strip()]
        position = _POSITION[(found.group("nth") or found.group("end")).lower()]
        if position >= len(items):
            return None
        item = items[position]
        # "the second of those countries" after "China’s Xi Jinping" means China, not its leader.
        owner = re.match(r"^(.+?)[’']s\s", item)
        if owner and re.search(r"\b(countries|nations|states)\b", found.group(0), re.I):
            item = owner.group(1)
        return question[: found.start()] + item + question[found.end() :]

    def given_sentences(self) -> set[str]:
        """Sentences already said in earlier answers (citation marks removed)."""
        given: set[str] = set()
        for turn in self.turns:
            given.update(between_marks(turn.answer))
        return given
