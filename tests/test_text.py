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


def test_british_and_american_spellings_share_a_stem():
    """The corpus mixes Wikipedia's British spelling with U.S. government American spelling: a question
    asking about "defence" or "recognised" must match "defense" and "recognized", in BM25 and in the
    answerer's checks alike. The rewrite never merges two different words ("four" is not "for")."""
    pairs = [
        ("recognised", "recognized"),
        ("organisation", "organization"),
        ("analysed", "analyzed"),
        ("defence", "defense"),
        ("labour", "labor"),
        ("honoured", "honored"),
        ("centre", "center"),
        ("metres", "meters"),
        ("programme", "program"),
    ]
    for british, american in pairs:
        assert text.stem(british) == text.stem(american), (british, american)
    assert text.stem("four") != text.stem("for") and text.stem("hour") != text.stem("hor")
    assert text.terms("Japan's defence spending") == text.terms("Japan's defense spending")


def test_bm25_finds_the_american_spelling_for_a_british_query():
    from index.lexical import LexicalIndex

    built = LexicalIndex.build(["Japan raised its defense budget.", "Seoul hosted a summit.", "Tokyo rain"])
    assert [p for p, _ in built.search("defence", k=3)] == [0]
