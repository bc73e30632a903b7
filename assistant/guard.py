"""The faithfulness guard for generated answers.

A generated sentence is kept only when a retrieved passage supports it. Support mixes lexical evidence
(share of the sentence's content terms found in the passage) with embedding evidence (best cosine
between the sentence and one of the passage's sentences); numbers and names in the sentence must also
appear in the passage, because a paraphrase can look close while changing a date, a count or who did what.

Attribution comes before judgement (see `assistant.citations`): a paragraph's closing citation covers
its uncited sentences, and a sentence its cited passage does not support, but another retrieved passage
supports clearly, has its citation repaired to that passage. Models misnumber true sentences often;
throwing those away taught users nothing, while an invented sentence has no passage to be repaired to.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.answer import Passage
from assistant.citations import CitedSentence, split_cited
from assistant.names import name_runs
from index.chunking import split_sentences
from index.embedder import Embedder
from index.text import STOPWORDS, terms, words

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE = re.compile(r"\s+")
# Capitalised words that are not names: sentence openers and function words.
_NOT_NAMES = frozenset(w.capitalize() for w in STOPWORDS) | {"However", "Also", "According", "Both", "Yes", "No"}
# Words that stand before a name without being one: "President Putin" is not "President Trump".
TITLES = frozenset(
    "president prime minister secretary chairman chairwoman leader premier chancellor general mr mrs ms dr "
    "king queen emperor ambassador foreign vice deputy".split()
)
# A citation is moved to another passage only when that passage supports the sentence clearly: word for
# word, or this far above the threshold. A borderline match elsewhere is no evidence the model misnumbered.
REPAIR_MARGIN = 0.2
VERBATIM_MIN_WORDS = 5


def _name_in(run: list[str], passage_words: set[str]) -> bool:
    names = [n for n in run if n.casefold() not in TITLES] or run
    return any(set(words(n)) <= passage_words for n in names)


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.replace(",", "")).casefold()


class Guard:
    """Checks each generated sentence against the passages it cites."""

    def __init__(self, threshold: float, embedder: Embedder) -> None:
        self.threshold = threshold
        # Sentences compared with the generated one: the query encoder; best a cached one (they recur).
        self.embedder = embedder.query_side()

    def support(self, sentence: str, passage: Passage, vector: np.ndarray) -> tuple[float, tuple[str, int, int], str]:
        """(support 0-1, best quote with document offsets, reason it fails or "")."""
        spans = split_sentences(passage.text) or []
        texts = [passage.text[s.start : s.end] for s in spans] or [passage.text]
        sims = self.embedder.embed_documents(texts) @ vector
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
        # capitalised words passes when any of its words is in the passage; "Putin" for "Trump" does not, nor
        # "President Putin" for "President Trump" (a title alone is not the name).
        missing = [
            run for run in name_runs(sentence, lambda word, _: word in _NOT_NAMES) if not _name_in(run, passage_words)
        ]
        if missing:
            return score, quote, f"name {' '.join(missing[0])} is not in passage"
        return score, quote, ""

    def check(self, text: str, passages: list[Passage]) -> list[CitedSentence]:
        """Every sentence of `text` with its verdict; passages are numbered from 1 as in the prompt."""
        sentences = split_cited(text)
        if not sentences:
            return []
        vectors = self.embedder.embed_documents([s.text for s in sentences])
        for sentence, vector in zip(sentences, vectors):
            if not sentence.cited:
                sentence.reason = "no citation"
                continue
            valid = [n for n in sentence.cited if 1 <= n <= len(passages)]
            reasons = [] if valid else [f"cites passage {sentence.cited[0]}, which was not retrieved"]
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
            if sentence.supporting:
                continue
            repair = self.repair(sentence.text, vector, passages, skip=set(valid))
            if repair:
                n, score, quote = repair
                sentence.repaired_from, sentence.repair_reason = list(sentence.cited), "; ".join(reasons)
                sentence.supporting, sentence.quotes[n], sentence.support = [n], quote, round(score, 3)
            elif valid:
                sentence.reason = "unsupported (" + "; ".join(reasons) + ")"
            else:
                sentence.reason = reasons[0]
        return sentences

    def repair(
        self, sentence: str, vector: np.ndarray, passages: list[Passage], skip: set[int]
    ) -> tuple[int, float, tuple[str, int, int]] | None:
        """The passage (n, support, quote) that clearly supports a sentence its citation got wrong, or None.

        Clearly: every name and number is in the passage, support reaches the threshold, and the sentence
        is in it word for word or its support clears the threshold by REPAIR_MARGIN."""
        best: tuple[int, float, tuple[str, int, int]] | None = None
        for n, passage in enumerate(passages, start=1):
            if n in skip:
                continue
            score, quote, why = self.support(sentence, passage, vector)
            clear = score >= self.threshold + REPAIR_MARGIN or (score >= self.threshold and verbatim(sentence, passage))
            if not why and clear and (best is None or score > best[1]):
                best = (n, score, quote)
        return best


def verbatim(sentence: str, passage: Passage) -> bool:
    """The sentence's words appear in the passage in the same order, punctuation and case aside."""
    said = words(sentence)
    return len(said) >= VERBATIM_MIN_WORDS and f" {' '.join(said)} " in f" {' '.join(words(passage.text))} "
