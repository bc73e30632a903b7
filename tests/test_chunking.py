import pytest

from index.chunking import chunk_document, split_sentences

pytestmark = pytest.mark.fast

TEXT = (
    "Approximately 28,500 U.S. troops are stationed in South Korea. Lee’s first call went to Trump.\n"
    "A Heading Without Punctuation\n"
    "His following calls went to Japan’s Ishiba and China’s Xi Jinping, in that order. "
    "Relations with China will stay frosty. Both leaders aim to stabilize the peninsula. "
    "Reconciliation is still far away, but quieter days along the DMZ could be ahead.\n"
)


def test_sentences_keep_abbreviations_and_lines_apart():
    spans = [TEXT[s.start : s.end] for s in split_sentences(TEXT)]
    assert spans[0] == "Approximately 28,500 U.S. troops are stationed in South Korea."
    assert "A Heading Without Punctuation" in spans  # a line never glues onto the next sentence
    assert all(s == s.strip() for s in spans)


def test_chunks_have_exact_offsets_bounded_size_and_overlap():
    spans = split_sentences(TEXT)
    chunks = chunk_document("d.txt", TEXT, spans, size=160, overlap=60)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert TEXT[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 160 or chunk.last_sentence - chunk.first_sentence == 1
    for prev, nxt in zip(chunks, chunks[1:]):
        assert nxt.first_sentence > prev.first_sentence  # always moves forward
        if spans[prev.last_sentence - 1].end - spans[prev.last_sentence - 1].start <= 60:
            assert nxt.first_sentence < prev.last_sentence  # a short last sentence is repeated
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.first_sentence, chunk.last_sentence))
    assert covered == set(range(len(spans)))


def test_chunk_ids_are_stable_and_depend_on_text():
    spans = split_sentences(TEXT)
    first = [c.chunk_id for c in chunk_document("d.txt", TEXT, spans, 160, 60)]
    again = [c.chunk_id for c in chunk_document("d.txt", TEXT, spans, 160, 60)]
    assert first == again
    edited = TEXT.replace("frosty", "cold")
    changed = [c.chunk_id for c in chunk_document("d.txt", edited, split_sentences(edited), 160, 60)]
    assert changed != first
    assert changed[0] == first[0]  # chunks before the edit keep their ids
    assert len(set(first)) == len(first)


TRICKY = [
    "Dr. Kim met Gen. Park at 9 a.m. on Jan. 5 vs. the Corp. board, i.e. Mr. Moon's team et al.",
    "Mr. Smith went to Washington. Mr. Smith went to Washington.  Mr. Smith went to Washington.",
    'He said "Stop." Then left.  Then  left. A.\tB.',
    "x. x. x. x.",
    "U.S.A. is big. 1. First item. 2. Second item. (See p. 5.) Next one.",
    "Hello!!! What?? Yes... no.   \u00a0Nbsp here.\u2003Em space. Done",
    # abbreviations at word starts, in any case, after odd whitespace, and letters IGNORECASE folds to ASCII
    "We met at 9 a.m. sharp. NO. 5 was late.\u2003Co. Ltd. paid. Approx. 40 came. Dr. Lee spoke. Mr. i. e. here.",
    "\u017ft. Paul and \u212aM. road. \u0130. Kim left. Ave. Q is long. jr. and sr. too. U.S. aid rose.",
    # the next-word lookup pysbd writes as a regex of a literal "{abbr} ", and abbreviations holding periods
    "See {no} Items and {fig} 3. Fig. 4 shows e.g. the u.s. and the U.S. rates. No. 9 won. no. 10 lost.",
    " no. no. No. nO. north. Nov. 3 Mr.Kim and mr. lee. Ph.D. work, i.e. more.",
    # pysbd's own placeholder characters already in the text, and the punctuation they stand for
    "Odd ∯ marks ☉ and ƪƪƪ here. Then more?! Yes!! Why?? Wait... . . . And (a) or (b). ‘Quoted.’ Done",
]


def test_faster_pysbd_splits_exactly_as_plain_pysbd(monkeypatch):
    """pysbd formats a regex per abbreviation it meets, far more than `re`'s 512-pattern cache holds, and
    one per sentence to find it in the text; the chunker hands pysbd a larger cache and finds sentences
    with str.find. The sentences must be exactly what plain pysbd gives."""
    import re

    import pysbd
    import pysbd.abbreviation_replacer

    from index import chunking

    text = TEXT + "\n".join(TRICKY) + "\n"
    cached = split_sentences(text)
    assert pysbd.abbreviation_replacer.re is not re, "pysbd still compiles through re's small cache"
    assert chunking._PATTERNS
    assert isinstance(chunking._segmenter(), chunking._Segmenter), "sentences are located by a regex each"

    # The same text through an unpatched pysbd (every pysbd module back on the real `re`).
    for name, module in list(__import__("sys").modules.items()):
        if name.startswith("pysbd") and isinstance(getattr(module, "re", None), chunking._CachingRe):
            monkeypatch.setattr(module, "re", re)
    replacer = pysbd.abbreviation_replacer.AbbreviationReplacer
    assert replacer.search_for_abbreviations_in_string is not chunking._PLAIN_SEARCH
    monkeypatch.setattr(replacer, "search_for_abbreviations_in_string", chunking._PLAIN_SEARCH)
    plain = pysbd.Segmenter(language="en", clean=False, char_span=False)
    monkeypatch.setattr(chunking, "_segmenter", lambda: plain)
    assert split_sentences(text) == cached
    for line in TRICKY:  # pysbd's own pieces, including where it finds them, trailing whitespace and all
        ours = chunking._Segmenter(language="en", clean=False, char_span=False)
        assert ours.segment(line) == plain.segment(line), line


def test_abbreviation_shortcuts_change_no_sentence_of_the_corpus(monkeypatch):
    """pysbd rewrites each line once per word that starts like an abbreviation; the chunker skips the
    rewrites that cannot change it. Sentences are the same as with pysbd's own loop, on the shipped corpus
    and the tricky lines, and fewer rewrites run."""
    from pathlib import Path

    from pysbd.abbreviation_replacer import AbbreviationReplacer

    from index import chunking
    from index.loaders import load_file

    folder = Path(__file__).resolve().parent.parent / "corpus" / "documents"
    texts = [TEXT, *TRICKY] + [load_file(p).text for p in sorted(folder.iterdir()) if p.is_file()]
    rewrites = {"fast": 0, "plain": 0}
    real_scan = AbbreviationReplacer.scan_for_replacements
    mode = "fast"

    def counting_scan(self, *args):
        rewrites[mode] += 1
        return real_scan(self, *args)

    monkeypatch.setattr(AbbreviationReplacer, "scan_for_replacements", counting_scan)
    chunking._segmenter()  # installs the shortcut
    fast = [split_sentences(t) for t in texts]
    mode = "plain"
    monkeypatch.setattr(AbbreviationReplacer, "search_for_abbreviations_in_string", chunking._PLAIN_SEARCH)
    assert [split_sentences(t) for t in texts] == fast
    assert 0 < rewrites["fast"] < rewrites["plain"] / 5


@pytest.mark.parametrize(
    "text",
    [
        "no north No. NORTH nov",
        " no at the start, tab\tno and nbsp\u00a0no and em\u2003no",
        "nono no-no (no) no",
        "",
        "\u017fo \u212ao KO ko",  # letters IGNORECASE folds to ASCII: the regex decides
    ],
)
def test_word_start_matches_are_the_regex_matches(text):
    import re

    from index import chunking

    for word in ["no", "ko", "so", "nov"]:
        expected = re.findall(chunking._WORD_START + word, text, flags=re.IGNORECASE)
        lowered = None if chunking._FOLDS_TO_ASCII & set(text) else text.lower()
        assert chunking._word_start_matches(text, lowered, word) == expected, (text, word)
