"""The one tokenizer: lowering the whole text at once must give the tokens lowering each token gives."""

import re

import pytest

from index import text

pytestmark = pytest.mark.fast


def tokens_one_by_one(line: str) -> list[str]:
    """The tokenizer's definition: each token lowered, possessive dropped, curly apostrophe and commas
    normalised."""
    out = []
    for token in text._TOKEN.findall(line):
        token = re.sub(r"['’]s$", "", token.lower()).replace("’", "'")
        out.append(token.replace(",", ""))
    return out


@pytest.mark.parametrize(
    "line",
    [
        "Lee’s first call went to Trump's team; 28,500 U.S. troops and 1,000.5 tons.",
        "O'Neil’s DON’T Won't rock'n'roll ’s 's",
        "İSTANBUL and İzmir",  # lowers to two characters
        "ΟΔΟΣ ΣΑΣ Σ σ ΟΔΟΣ. ΟΔΟΣ.Α",  # a final sigma lowers by context
        "ǅemal Ⅻ Ⓐ ß ẞ x,y 3,4,5",
        "",
    ],
)
def test_words_lowered_at_once_match_words_lowered_one_by_one(line):
    assert text.words(line) == tokens_one_by_one(line)
