"""Whether an LLM's rewrite of a follow-up question can be used, or the rule-based one must be.

The rewrite is what retrieval searches for and what the answering model is shown, so a rewrite that
answers instead of asking poisons both: asked "And who did he call after that?", a model wrote "Lee
called President Obama after calling Trump first." -- an invented name, found in no passage, and the
user was told the sources do not answer. A rewrite may only restate: every name, number and date in it
must come from the question or the conversation, and it must still read as a question.
"""

from __future__ import annotations

import re

from assistant.conversation import Conversation
from assistant.guard import TITLES
from assistant.names import name_runs
from index.text import STOPWORDS, terms, words

# Words a question or a request opens with; a rewrite opening otherwise (and without "?") is a statement.
_OPENERS = frozenset(
    "who whom whose what which when where why how whether did do does is are was were can could will would should "
    "has have had may might must shall am tell describe explain list give show summarize summarise compare name "
    "outline identify".split()
)
_LEADS = frozenset("and but so then also now ok okay".split())
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"“(]\s*)$")


def standalone(reply: str, question: str, conversation: Conversation) -> tuple[str | None, str]:
    """The standalone question in a model's reply to the condense prompt, or (None, why it is not used)."""
    line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
    line = line.removeprefix("Rewritten question:").strip().strip('"“”').strip()
    if not line:
        return None, "the reply is empty"
    if len(line) > max(300, 4 * len(question)):
        return None, "the reply is too long to be the question"
    problem = rewrite_problem(line, question, conversation)
    return (None, problem) if problem else (line, "")


def rewrite_problem(rewrite: str, question: str, conversation: Conversation) -> str:
    """Why the rewrite must not be used, in a few words for the log; "" when it may."""
    own = set(terms(question))
    if own and len(own & set(terms(rewrite))) < 0.5 * len(own):
        return "it drops the question's own terms"
    known = " ".join([question] + [f"{t.question} {t.answer}" for t in conversation.turns])
    new = invented(rewrite, known)
    if new:
        return f"it brings in {', '.join(new)}, in neither the question nor the conversation"
    if reads_as_answer(rewrite):
        return "it reads as an answer, not a question"
    return ""


def invented(rewrite: str, known: str) -> list[str]:
    """Names, numbers and dates in `rewrite` that `known` does not have (case, possessives aside).

    A name may be written more fully than the conversation had it ("Lee Jae-myung" for "Lee"), so a run
    of capitalised words passes when one of its words is known. A capitalised word opening a sentence
    is not taken for a name unless it recurs: "Following his call, ..." is not, "Obama" in "Obama was"
    is caught when it recurs or stands mid-sentence, which is where an invented answer puts it."""
    vocabulary = set(words(known))
    numbers = {n.replace(",", "") for n in _NUMBER.findall(known)}
    found: list[str] = []
    for run in _names(rewrite):
        tokens = [(text, (words(text) or [""])[0]) for text in run]
        if any(token in vocabulary for _, token in tokens if token not in TITLES):
            continue
        found += [text for text, token in tokens if token and token not in vocabulary and token not in TITLES]
    found += [n for n in _NUMBER.findall(rewrite) if n.replace(",", "") not in numbers]
    return list(dict.fromkeys(found))


def _names(text: str) -> list[list[str]]:
    """Name runs ("President Obama", "Lee Jae-myung", "DMZ"), leaving out function words, question
    openers and a sentence's first word when it does not recur."""

    def skip(word: str, start: int) -> bool:
        token = (words(word) or [""])[0]
        opening = _SENTENCE_START.search(text[:start]) and text.count(word) == 1 and not word.isupper()
        return not token or token in STOPWORDS or token in _OPENERS or bool(opening)

    return name_runs(text, skip, acronyms=True)


def reads_as_answer(rewrite: str) -> bool:
    """A statement rather than a question: no closing "?" and no question or request opener, or more
    text after the question mark ("Who did he call? He called Ishiba.")."""
    text = rewrite.strip()
    if "?" in text:
        return bool(re.search(r"\w", text[text.rindex("?") + 1 :]))
    tokens = [w for w in words(text) if w not in _LEADS]
    return not tokens or tokens[0] not in _OPENERS
