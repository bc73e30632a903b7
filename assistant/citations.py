"""Reading citations out of generated text in the styles real models write, and attributing each
sentence to a passage before the guard judges it.

Models are told to write `[n]` after every sentence, but they also write `[1][2]`, `[1, 2]`, `(1)`,
`Source 2`, `(passage 2)` or "According to source 2, ...", and they often put one citation at the
end of a paragraph for all of it. All of these are read as citations; an uncited sentence takes the
citation that closes its run (the next cited sentence in the same paragraph), so the guard judges it
against a passage instead of dropping it for the way it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.chunking import split_sentences

_SEP = r"\s*(?:,|;|&|and|-|–)\s*"
_NUMS = rf"\d{{1,3}}(?:{_SEP}(?:(?:sources?|passages?|documents?)\s*)?\d{{1,3}})*"
_WORD = r"(?:(?:sources?|passages?|documents?)\s*:?\s*)+"  # "Source 2", "Source: passage 2", "Passages 1"
_OWN_L, _OWN_R = "\u27e6", "\u27e7"  # ⟦n⟧: a citation that belongs to the sentence it stands in

# Rewrites into the two canonical forms, in order: [n] (a closing mark) and ⟦n⟧ (this sentence's).
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"【\s*(\d{1,3})\s*】|\[\^(\d{1,3})\]"), r"[\1\2]"),  # 【2】, footnote-style [^2]
    # "Source 2: North Korea ..." at the head of a line or list item cites that sentence.
    (re.compile(rf"(?im)^(\s*(?:[-*•]\s+)?){_WORD}({_NUMS})\s*:\s*"), rf"\1{_OWN_L}\2{_OWN_R} "),
    # "According to source 2, ..." / "as stated in passage 1": wherever it stands, it cites that sentence.
    (
        re.compile(
            rf",?\s*\b(?:according to|as (?:stated|noted|reported|mentioned|said|described) in|per|in)\s+"
            rf"(?:the\s+)?{_WORD}\[?({_NUMS})\]?\s*,?",
            re.I,
        ),
        rf" {_OWN_L}\1{_OWN_R} ",
    ),
    (re.compile(rf"[\[(]\s*{_WORD}({_NUMS})\s*[\])]", re.I), r"[\1]"),  # [Source 2], (passages 1 and 3)
    (re.compile(r"\((\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\)"), r"[\1]"),  # (1), (1, 2); "(2025)" is left alone
    (re.compile(rf"\b{_WORD}({_NUMS})\b", re.I), r"[\1]"),  # a bare "Source 2"
]
_MARK = re.compile(rf"\[({_NUMS})\]")
# A citation mark in an answer's text: [2], [1, 2], [1-3]; "[1][2]" is two marks. Everything that reads
# marks out of answers (claims, grounding, metrics, follow-ups, feedback) uses this one pattern.
MARK = re.compile(rf"\[{_NUMS}\]")
_MARK_AND_SPACE = re.compile(rf"\s*{MARK.pattern}")
_SPACE_BEFORE_PUNCT = re.compile(r"[^\S\n]+([.,;:!?])")
_SPACES = re.compile(r"[^\S\n]+")
_OWN = re.compile(rf"{_OWN_L}([^{_OWN_R}]*){_OWN_R}")
_LEADING_MARKS = re.compile(rf"^\s*((?:\[{_NUMS}\]\s*)+)")
_SPACE = re.compile(r"\s+")
_LIST_ITEM = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")


@dataclass
class CitedSentence:
    """One generated sentence with the passage numbers it cites and the guard's verdict."""

    text: str
    cited: list[int]
    paragraph: int = 0
    inherited: bool = False  # cited by the mark that closes its run, not by a mark of its own
    support: float = 0.0
    supporting: list[int] = field(default_factory=list)  # passages that support it (and keep the citation)
    quotes: dict[int, tuple[str, int, int]] = field(default_factory=dict)  # n -> (sentence, doc start, doc end)
    reason: str = ""  # why it is removed; empty when kept
    repaired_from: list[int] = field(default_factory=list)  # the citation it had when another passage took over
    repair_reason: str = ""  # why the passage it cited did not do

    @property
    def kept(self) -> bool:
        return bool(self.supporting) and not self.reason

    @property
    def repaired(self) -> bool:
        return self.kept and bool(self.repaired_from)


def numbers(cited: str) -> list[int]:
    """Passage numbers in a mark's inside: "1, 2", "1 and 3", "source 1; source 2", ranges "1-3"."""
    out: list[int] = []
    for lo, hi in re.findall(r"(\d+)(?:\s*[-–]\s*(\d+))?", cited):
        first, last = int(lo), int(hi or lo)
        out += range(first, last + 1) if 0 < last - first < 10 else [first]
    return list(dict.fromkeys(out))


def cited_numbers(text: str) -> list[int]:
    """Passage numbers the marks in `text` cite, in order, each once: "a [1, 2]. b [2][3]" -> [1, 2, 3]."""
    return list(dict.fromkeys(n for mark in _MARK.findall(text) for n in numbers(mark)))


def strip_citations(text: str) -> str:
    """The text without its marks, for reading it as prose (references, prompts, similarity): spaces
    the marks leave are tidied, line breaks kept."""
    text = _SPACES.sub(" ", _MARK_AND_SPACE.sub("", text))
    return "\n".join(line.strip() for line in _SPACE_BEFORE_PUNCT.sub(r"\1", text).split("\n")).strip()


def between_marks(text: str) -> list[str]:
    """The pieces of text the marks separate, stripped, empty ones left out (the sentences of an answer)."""
    return [piece.strip() for piece in _MARK_AND_SPACE.split(text) if piece.strip()]


def canonical(text: str) -> str:
    """The text with every citation style rewritten to `[n]` or the sentence-owned `⟦n⟧`."""
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def _bare(piece: str) -> str:
    text = _SPACE.sub(" ", _MARK.sub(" ", _OWN.sub(" ", piece))).strip()
    text = _LIST_ITEM.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return text[:1].upper() + text[1:]


def split_cited(text: str) -> list[CitedSentence]:
    """Sentences of a generated answer with the passages they cite.

    A mark written after the full stop, or at the start of the next sentence, belongs to the sentence
    before it; an uncited sentence is covered by the next citation in its paragraph (see `attribute`)."""
    text = canonical(text)
    out: list[CitedSentence] = []
    paragraph, last_end = 0, 0
    for span in split_sentences(text):
        if "\n" in text[last_end : span.start]:
            paragraph += 1
        last_end = span.end
        piece = text[span.start : span.end]
        own = [n for m in _OWN.findall(piece) for n in numbers(m)]
        lead = _LEADING_MARKS.match(piece)
        if lead and out and not out[-1].cited and out[-1].paragraph == paragraph:
            out[-1].cited += numbers(lead.group(1))
            piece = piece[lead.end() :]
        cited = own + [n for m in _MARK.findall(piece) for n in numbers(m)]
        bare = _bare(piece)
        if not re.search(r"\w", bare):  # only marks and punctuation: they cite for the sentence before
            if out:
                out[-1].cited += [n for n in cited if n not in out[-1].cited]
            continue
        out.append(CitedSentence(bare, list(dict.fromkeys(cited)), paragraph))
    attribute(out)
    return out


def attribute(sentences: list[CitedSentence]) -> None:
    """A citation that closes a paragraph or a run of sentences covers the uncited sentences before it
    in that paragraph. Sentences after a paragraph's last citation stay uncited."""
    closing: list[int] = []
    paragraph = None
    for sentence in reversed(sentences):
        if sentence.paragraph != paragraph:
            closing, paragraph = [], sentence.paragraph
        if sentence.cited:
            closing = sentence.cited
        elif closing:
            sentence.cited, sentence.inherited = list(closing), True
