"""Sentence-aware chunking with overlap: chunks are runs of whole sentences, with char offsets.

Lines are segmented separately, so headings and bylines never glue onto the next sentence.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pysbd
from pysbd.abbreviation_replacer import AbbreviationReplacer
from pysbd.utils import TextSpan

REGEX_CACHE = 50_000  # compiled patterns kept for pysbd; it uses ~2k distinct ones on the shipped corpus


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    first_sentence: int
    last_sentence: int  # exclusive


_PATTERNS: dict[tuple[Any, int], re.Pattern[Any]] = {}


def _pattern(pattern: Any, flags: int) -> re.Pattern[Any]:
    """`pattern` compiled, from a cache of up to REGEX_CACHE patterns (emptied when full)."""
    try:
        return _PATTERNS[pattern, flags]
    except KeyError:
        if len(_PATTERNS) >= REGEX_CACHE:
            _PATTERNS.clear()
        compiled = _PATTERNS[pattern, flags] = re.compile(pattern, flags)
        return compiled


_REGEX_SYNTAX = frozenset("\\.^$*+?{}[]|()")
_LITERALS: dict[str, bool] = {}


def _is_literal(pattern: str) -> bool:
    """Whether `pattern` (no flags) matches only itself. pysbd swaps its placeholders back ("∯" -> ".")
    with ~20 such substitutions per sentence, which need no regex scan when the placeholder is absent."""
    try:
        return _LITERALS[pattern]
    except KeyError:
        if len(_LITERALS) >= REGEX_CACHE:
            _LITERALS.clear()
        literal = _LITERALS[pattern] = not (_REGEX_SYNTAX & set(pattern))
        return literal


class _CachingRe:
    """The `re` module as pysbd sees it, with a compiled-pattern cache large enough for pysbd.

    pysbd formats a pattern per abbreviation it meets (~2k distinct ones), and `re`'s own cache holds 512:
    past that, every call recompiled its pattern, which was half of the sentence splitting time. The same
    patterns run with the same arguments, so the sentences are exactly the ones `re` would give.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        return _pattern(pattern, flags)

    def sub(self, pattern: Any, repl: Any, string: str, count: int = 0, flags: int = 0) -> str:
        if not flags and isinstance(pattern, str) and pattern not in string and _is_literal(pattern):
            return str(string)  # what re.sub gives when nothing matches (a str, also for pysbd's str subclass)
        return _pattern(pattern, flags).sub(repl, string, count)

    def subn(self, pattern: Any, repl: Any, string: str, count: int = 0, flags: int = 0) -> tuple[str, int]:
        return _pattern(pattern, flags).subn(repl, string, count)

    def search(self, pattern: Any, string: str, flags: int = 0) -> Any:
        return _pattern(pattern, flags).search(string)

    def match(self, pattern: Any, string: str, flags: int = 0) -> Any:
        return _pattern(pattern, flags).match(string)

    def fullmatch(self, pattern: Any, string: str, flags: int = 0) -> Any:
        return _pattern(pattern, flags).fullmatch(string)

    def findall(self, pattern: Any, string: str, flags: int = 0) -> list[Any]:
        return _pattern(pattern, flags).findall(string)

    def finditer(self, pattern: Any, string: str, flags: int = 0) -> Any:
        return _pattern(pattern, flags).finditer(string)

    def split(self, pattern: Any, string: str, maxsplit: int = 0, flags: int = 0) -> list[Any]:
        return _pattern(pattern, flags).split(string, maxsplit)


_WORD_START = r"(?:^|\s|\r|\n)"  # pysbd's "an abbreviation starts a word here"
# The only non-ASCII letters IGNORECASE matches to ASCII ones (re docs); texts with them take the regex.
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


def _word_start_matches(text: str, lowered: str | None, word: str) -> list[str]:
    """What `re.findall(_WORD_START + word, text, re.IGNORECASE)` gives, found with `str.find`.

    pysbd scans the text with that regex once per abbreviation that occurs anywhere in it (most do, as
    parts of words), a third of the sentence splitting time. For a word of ASCII letters the regex is a
    literal: each match is an occurrence (case-insensitive) at the start of the text or after one
    whitespace character (`\\s` is `str.isspace`), that character included. Matches cannot overlap, since
    the word holds no whitespace. `lowered` is `text.lower()`, or None when the text holds a letter that
    IGNORECASE folds to ASCII (then the regex runs).
    """
    if lowered is None or not (word.isascii() and word.isalpha() and word.islower()):
        return _RE.findall(_WORD_START + word, text, flags=re.IGNORECASE)
    found, n = [], len(word)
    start = lowered.find(word)
    while start >= 0:
        if start == 0:
            found.append(text[:n])
        elif text[start - 1].isspace():
            found.append(text[start - 1 : start + n])
        start = lowered.find(word, start + 1)
    return found


_RE = _CachingRe()


def _install_regex_cache() -> None:
    """Point every loaded pysbd module's `re` at the caching stand-in (idempotent)."""
    for name, module in list(sys.modules.items()):
        if (name == "pysbd" or name.startswith("pysbd.")) and getattr(module, "re", None) is re:
            module.re = _RE  # type: ignore[attr-defined]


def _search_for_abbreviations_in_string(self: AbbreviationReplacer, text: str) -> str:
    """pysbd's own loop over its abbreviations, minus the work that cannot change the text.

    pysbd rewrites the text once per word that merely starts like an abbreviation ("north" for "no"), a
    whole-text `re.sub` each, 40% of the sentence splitting time. Every one of those substitutions turns a
    "." right after the matched word into a placeholder, so where the matched word (letters only, so the
    patterns hold it literally) is never followed by "." the substitution finds nothing and is skipped.
    Its next-word lookup is a regex of the literal "{abbr} ": with no "{" in the text it finds nothing.
    The remaining calls, in the same order, give the same text.
    """
    initial = text.lower()  # pysbd tests "abbreviation occurs" against the text as it came
    folds = bool(_FOLDS_TO_ASCII & set(text))  # its substitutions only ever write "∯"
    lowered = None if folds else initial
    for abbr in self.lang.Abbreviation.ABBREVIATIONS:
        stripped = abbr.strip()
        if stripped not in initial:
            continue
        matches = _word_start_matches(text, lowered, stripped)
        if not matches:
            continue
        next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
        char_array = _RE.findall(next_word_start, text) if "{" in text else []
        for ind, match in enumerate(matches):
            word = match.strip()
            if word.isalpha() and word + "." not in text:
                continue
            text = self.scan_for_replacements(text, match, ind, char_array)
            lowered = None if folds else text.lower()
    return text


_PLAIN_SEARCH = AbbreviationReplacer.search_for_abbreviations_in_string  # pysbd's own, for the tests


class _Segmenter(pysbd.Segmenter):
    """pysbd, locating its sentences in the text by plain string search.

    pysbd finds every sentence in the original text with a regex made of that sentence (`escape(sent)\\s*`,
    even with char_span=False): one compilation per distinct sentence. This does the same search with
    `str.find`, with the same rules (leftmost non-overlapping occurrence ending past the previous sentence,
    trailing whitespace included; a sentence not in the text is dropped).
    """

    def sentences_with_char_spans(self, sentences: list[str]) -> list[Any]:
        if any(not sent for sent in sentences):  # an empty pattern matches everywhere: leave it to pysbd
            return super().sentences_with_char_spans(sentences)
        text: str = self.original_text
        spans, prior_end = [], 0
        for sent in sentences:
            pos = 0
            while (start := text.find(sent, pos)) >= 0:
                end = start + len(sent)
                while end < len(text) and text[end].isspace():  # `\s*`: str patterns match str.isspace()
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[start:end], start, end))
                    prior_end = end
                    break
                pos = end  # finditer resumes after the match: occurrences never overlap
        return spans


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # char_span=False: we find each piece in the line ourselves.
    segmenter = _Segmenter(language="en", clean=False, char_span=False)
    _install_regex_cache()
    AbbreviationReplacer.search_for_abbreviations_in_string = _search_for_abbreviations_in_string
    return segmenter


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans (start, end) into `text`, trimmed of surrounding whitespace."""
    spans: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            cursor = 0
            for piece in _segmenter().segment(line):
                stripped = piece.strip()
                if not stripped:
                    continue
                found = line.find(stripped, cursor)
                if found < 0:  # pysbd changed the text (it should not with clean=False): keep the rest whole
                    rest = line[cursor:]
                    found, stripped = cursor + len(rest) - len(rest.lstrip()), rest.strip()
                    if not stripped:
                        break
                spans.append(Sentence(offset + found, offset + found + len(stripped)))
                cursor = found + len(stripped)
        offset += len(line) + 1
    return spans


def chunk_id(doc_id: str, text: str, occurrence: int) -> str:
    """Stable id: the same text in the same document gets the same id on every build."""
    digest = hashlib.sha256(f"{doc_id}\x1f{occurrence}\x1f{text}".encode()).hexdigest()
    return digest[:20]


def chunk_document(doc_id: str, text: str, sentences: list[Sentence], size: int, overlap: int) -> list[Chunk]:
    """Group whole sentences into chunks of at most `size` chars (a longer sentence stands alone),
    each chunk starting with the trailing sentences of the previous one, up to `overlap` chars."""
    if overlap >= size:
        raise ValueError(f"chunk_overlap ({overlap}) must be smaller than chunk_size ({size})")
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    i = 0
    n = len(sentences)
    while i < n:
        j = i + 1
        while j < n and sentences[j].end - sentences[i].start <= size:
            j += 1
        start, end = sentences[i].start, sentences[j - 1].end
        body = text[start:end]
        occurrence = seen.get(body, 0)
        seen[body] = occurrence + 1
        chunks.append(Chunk(chunk_id(doc_id, body, occurrence), doc_id, body, start, end, i, j))
        if j >= n:
            break
        # Step back over whole sentences that fit in the overlap, but always move forward.
        k = j
        while k - 1 > i and sentences[j - 1].end - sentences[k - 1].start <= overlap:
            k -= 1
        i = k
    return chunks
