"""What counts as a name in running text: capitalised words, and runs of them.

The guard (a generated sentence may name no one its passage does not), the rewrite check (a condensed
question may bring in no new name) and the question profile (which words of a question name what it
asks about) all need the same notion; it lives here so they cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.text import STOPWORDS, words

# A capitalised word with a lower-case letter in it: Trump, Jae-myung, McDonald ("U.S." is not one).
_CAPITALISED = r"(?<![\w’'])[A-Z][\w’'-]*[a-z][\w’'-]*"
_WORD = re.compile(_CAPITALISED)
_WORD_OR_ACRONYM = re.compile(rf"{_CAPITALISED}|(?<![\w’'])[A-Z]{{2,}}s?(?![\w’'])")  # also DMZ, ICBMs
# A capitalised word that does not open a sentence: in an answer sentence, most likely a name.
PROPER_WORD = re.compile(r"(?<!^)(?<!^- )(?<![.!?]\s)\b[A-Z][a-zA-Z’'-]+")  # a list item's "- This" is no name
# Inside a question: capitalised, not its first word and not the first word of a later sentence.
_IN_QUESTION = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")


def name_runs(
    text: str, skip: Callable[[str, int], bool] = lambda word, start: False, acronyms: bool = False
) -> list[list[str]]:
    """Runs of adjacent capitalised words ("Donald Trump", "U.S. President Lee"), in order.

    `skip(word, start)` leaves a word out (sentence openers, function words) and ends the run it would
    have continued; `acronyms` counts all-capital words (DMZ) as names too."""
    pattern = _WORD_OR_ACRONYM if acronyms else _WORD
    runs: list[list[str]] = []
    last_end = -1
    for match in pattern.finditer(text):
        word = match.group()
        if skip(word, match.start()):
            last_end = -1
            continue
        if runs and last_end >= 0 and text[last_end : match.start()].strip(" .") == "":
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = match.end()
    return runs


def question_names(question: str) -> set[str]:
    """Lower-cased words written with a capital inside the question (Lee, Kim, Gyeongju), not its first
    word; function words ("I", "The") are not names."""
    found: set[str] = set()
    for run in _IN_QUESTION.findall(question.strip()):
        found.update(w for w in words(run) if w not in STOPWORDS)
    return found


# Other names for a country the sources call by another: "Britain" is the sources' "United Kingdom" and
# "British". A question using one is about something the corpus does mention.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "britain": ("kingdom", "british", "uk"),
    "england": ("kingdom", "british", "uk"),
    "burma": ("myanmar",),
    "holland": ("netherlands", "dutch"),
    "persia": ("iran",),
}
