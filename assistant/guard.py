"""The faithfulness guard for generated answers.

A generated sentence is kept only when it cites a retrieved passage that supports it. Support mixes
lexical evidence (share of the sentence's content terms found in the passage) with embedding evidence
(best cosine between the sentence and one of the passage's sentences); numbers and names in the
sentence must also appear in the passage, because a paraphrase can look close while changing a date,
a count or who did what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from assistant.answer import Passage
from index import embeddings
from index.chunking import split_sentences
from index.text import STOPWORDS, terms, words

_MARK = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_LEADING_MARKS = re.compile(r"^\s*((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![\w’'])[A-Z][\w’'-]*[a-z][\w’'-]*")  # Capitalised words: Trump, Jae-myung, Ishiba
_SPACE = re.compile(r"\s+")
# Capitalised words that are not names: sentence openers and function words.
_NOT_NAMES = frozenset(w.capitalize() for w in STOPWORDS) | {"However", "Also", "According", "Both", "Yes", "No"}


@dataclass
class CitedSentence:
    """One generated sentence with the passage numbers it cites and the guard's verdict."""

    text: str
    cited: list[int]
    support: float = 0.0
    supporting: list[int] = field(default_factory=list)  # cited passages that support it
    quotes: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # n -> (sentence, doc start, doc end)
    reason: str = ""

    @property
    def kept(self) -> bool:
        return bool(self.supporting) and not self.reason


def _numbers(cited: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", cited)]


def split_cited(text: str) -> list[CitedSentence]:
    """Sentences of a generated answer with their `[n]` marks. A mark written after the full stop, or
    at the start of the next sentence, belongs to the sentence before it."""
    out: list[CitedSentence] = []
    for span in split_sentences(text):
        piece = text[span.start : span.end]
        lead = _LEADING_MARKS.match(piece)
        if lead and out and not out[-1].cited:
            out[-1].cited += _numbers(lead.group(1))
            piece = piece[lead.end() :]
        cited = [n for m in _MARK.findall(piece) for n in _numbers(m)]
        bare = _SPACE.sub(" ", _MARK.sub(" ", piece)).strip()
        bare = re.sub(r"\s+([.,;:!?])", r"\1", bare)
        if not re.search(r"\w", bare):  # only marks and punctuation: they cite for the sentence before
            if out:
                out[-1].cited += [n for n in cited if n not in out[-1].cited]
            continue
        out.append(CitedSentence(bare, list(dict.fromkeys(cited))))
    return out


def _name_runs(sentence: str) -> list[list[str]]:
    """Runs of adjacent capitalised words (names), without sentence openers and function words."""
    runs: list[list[str]] = []
    last_end = -2
    for match in _NAME.finditer(sentence):
        word = match.group()
        if word in _NOT_NAMES:
            last_end = -2
            continue
        if runs and sentence[last_end:match.start()].strip(" .") == "":  # adjacent: "Donald Trump", "U.S. President Lee"
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = match.end()
    return runs


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.replace(",", "")).casefold()


class Guard:
    """Checks each generated sentence against the passages it cites."""

    def __init__(self, threshold: float, embed: Callable[[list[str]], np.ndarray] = embeddings.embed) -> None:
        self.threshold = threshold
        self.embed = embed  # the answerer's cached embedder: passage sentences recur across questions

    def support(self, sentence: str, passage: Passage, vector: np.ndarray) -> tuple[float, tuple[str, int, int], str]:
        """(support 0-1, best quote with document offsets, reason it fails or "")."""
        spans = split_sentences(passage.text) or []
        texts = [passage.text[s.start : s.end] for s in spans] or [passage.text]
        sims = self.embed(texts) @ vector
        best = int(np.argmax(sims))
        start = passage.start + (spans[best].start if spans else 0)
        quote = (texts[best], start, start + len(texts[best]))
        sentence_terms = set(terms(sentence))
        evidence = set(terms(passage.text)) | set(terms(passage.title))
        lexical = len(sentence_terms & evidence) / len(sentence_terms) if sentence_terms else 0.0
        score = 0.5 * lexical + 0.5 * max(0.0, float(sims[best]))
        haystack = _norm(f"{passage.title} {passage.text}")
        missing_numbers = [n for n in _NUMBER.findall(sentence) if _norm(n) not in haystack]
        if missing_numbers:
            return score, quote, f"number {missing_numbers[0]} is not in passage"
        passage_words = set(words(haystack))
        # A name may be written more fully than the passage has it ("Donald Trump" for "Trump"): a run of
        # capitalised words passes when any of its words is in the passage; "Putin" for "Trump" does not.
        missing = [run for run in _name_runs(sentence) if not any(set(words(n)) <= passage_words for n in run)]
        if missing:
            return score, quote, f"name {' '.join(missing[0])} is not in passage"
        return score, quote, ""

    def check(self, text: str, passages: list[Passage]) -> list[CitedSentence]:
        """Every sentence of `text` with its verdict; passages are numbered from 1 as in the prompt."""
        sentences = split_cited(text)
        if not sentences:
            return []
        vectors = self.embed([s.text for s in sentences])
        for sentence, vector in zip(sentences, vectors):
            valid = [n for n in sentence.cited if 1 <= n <= len(passages)]
            if not sentence.cited:
                sentence.reason = "no citation"
                continue
            if not valid:
                sentence.reason = f"cites passage {sentence.cited[0]}, which was not retrieved"
                continue
            reasons = []
            for n in valid:
                score, quote, why = self.support(sentence.text, passages[n - 1], vector)
                sentence.support = max(sentence.support, round(score, 3))
                if why:
                    reasons.append(f"[{n}]: {why}")
                elif score >= self.threshold:
                    sentence.supporting.append(n)
                    sentence.quotes[n] = quote
                else:
                    reasons.append(f"[{n}]: support {score:.2f} < {self.threshold:.2f}")
            if not sentence.supporting:
                sentence.reason = "unsupported (" + "; ".join(reasons) + ")"
        return sentences
