"""Header dates in the forms the corpus writes them, reduced to something that can be ordered.

Headers say "2023-04-26", "Updated October 1, 2026", "2025-06 (approximate: ...)" or "revision current
as of the 20 July 2019 English Wikipedia dump". Ordering sources by recency needs one comparable value;
an undated source sorts as the oldest, so it never outranks a dated one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    name: i
    for i, name in enumerate(
        "january february march april may june july august september october november december".split(), start=1
    )
}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december)"
_PATTERNS = [  # (regex, which groups are year / month / day)
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), ("mn", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})\s+{_MONTH},?\s+(\d{{4}})\b", re.I), ("d", "mn", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})\b"), ("y", "m")),
    (re.compile(rf"\b{_MONTH},?\s+(\d{{4}})\b", re.I), ("mn", "y")),
    (re.compile(r"\b(19\d\d|20\d\d)\b"), ("y",)),
]
_APPROXIMATE = re.compile(r"\b(approximate|approx\.?|circa|about|around)\b", re.I)


@dataclass(frozen=True)
class HeaderDate:
    """A parsed header date: `iso` is as precise as the header ("2025-06"), `sort_key` fills the gaps."""

    iso: str
    sort_key: date
    approximate: bool = False

    def label(self) -> str:
        """What a reader is shown: the ISO date, marked when the header calls it approximate."""
        return f"{self.iso} (approximate)" if self.approximate else self.iso


def parse_header_date(value: str | None) -> HeaderDate | None:
    """The first date written in a header value, or None when it holds none."""
    if not value:
        return None
    for pattern, parts in _PATTERNS:
        match = pattern.search(value)
        if not match:
            continue
        got: dict[str, int] = {}
        for key, text in zip(parts, match.groups()):
            got["m" if key == "mn" else key] = _MONTHS[text.lower()] if key == "mn" else int(text)
        year, month, day = got["y"], got.get("m"), got.get("d")
        try:
            sort_key = date(year, month or 1, day or 1)
        except ValueError:
            continue
        iso = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
        return HeaderDate(iso, sort_key, bool(_APPROXIMATE.search(value)))
    return None


UNDATED = date.min


def recency_key(value: str | None) -> date:
    """For sorting newest first (reverse=True): undated sources count as the oldest."""
    parsed = parse_header_date(value)
    return parsed.sort_key if parsed else UNDATED


def date_label(value: str | None) -> str:
    """ "2026-10-01", "2025-06 (approximate)" or "undated": the date every citation shows."""
    parsed = parse_header_date(value)
    return parsed.label() if parsed else "undated"
