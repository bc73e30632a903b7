"""Documents as sources: summaries, header facts with header citations, dates on every citation, latest
first with the disagreement said, and questions about the collection. Real index, model and Gradio."""

from __future__ import annotations

import json
from datetime import date

import pytest
from gradio_client import Client
from typer.testing import CliRunner

from assistant.cli import app
from assistant.dates import date_label, parse_header_date, recency_key
from assistant.recency import asked_office, holders
from assistant.sources import catalogue, clean_value, display_title
from tests.conftest import SHARED_CORPUS
from tests.test_web import running
from ui.app import build_app
from ui.render import sources_panel
from ui.settings import UISettings

needs_shared = pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="needs ../shared/corpus")
PRIMARY = "motin_2025_lee_north_korea_diplomacy.txt"


# -- header values ---------------------------------------------------------------------------------------


@pytest.mark.fast
@pytest.mark.parametrize(
    "value, iso, approximate",
    [
        ("2023-04-26", "2023-04-26", False),
        ("Updated October 1, 2026", "2026-10-01", False),
        ("2025-06 (approximate: written in President Lee's first weeks in office)", "2025-06", True),
        ("revision current as of the 20 July 2019 English Wikipedia dump", "2019-07-20", False),
        ("March 2024", "2024-03", False),
    ],
)
def test_header_dates_in_the_corpus_forms_are_parsed(value, iso, approximate):
    parsed = parse_header_date(value)
    assert parsed is not None and parsed.iso == iso and parsed.approximate is approximate


@pytest.mark.fast
def test_undated_sources_sort_as_oldest_and_say_undated():
    assert date_label(None) == date_label("no date given") == "undated"
    assert recency_key("not known") < recency_key("1999-01-01") < recency_key("Updated October 1, 2026")
    assert recency_key("2025-06 (approximate)") == date(2025, 6, 1)


@pytest.mark.fast
def test_provenance_notes_are_shown_as_missing_and_kept_out_of_titles():
    assert clean_value("not stated in the supplied text (news-analysis article)") is None
    assert clean_value("not supplied") is None
    assert clean_value("The White House") == "The White House"
    assert display_title(
        "South Korea’s new President Lee is signaling openness to diplomacy with North Korea "
        "(standfirst; the headline is not part of the supplied text)"
    ) == ("South Korea’s new President Lee is signaling openness to diplomacy with North Korea")
    assert display_title("U.S.-Japan Relations (CRS In Focus IF10199, version 49)") == "U.S.-Japan Relations"


# -- the five examples of the issue ----------------------------------------------------------------------


def _sentences_in_doc_order(assistant, answer) -> list[int]:
    doc = assistant.retriever.generation.documents[PRIMARY]
    return [doc.text.index(c.quote) for c in answer.citations]


def test_summarize_the_article_gives_cited_sentences_in_order_and_tell_me_more_continues(assistant):
    first = assistant.ask("Summarize the article.")
    assert not first.abstained and 3 <= len(first.citations) <= 6
    assert {c.passage.doc_id for c in first.citations} == {PRIMARY}
    offsets = _sentences_in_doc_order(assistant, first)
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    assert all(c.quote in c.passage.text and c.passage.kind == "text" for c in first.citations)
    assert "?”" not in first.text and "Yoon" in first.text
    more = assistant.ask("tell me more", [("Summarize the article.", first.text)])
    assert not more.abstained and more.citations
    assert not {c.quote for c in more.citations} & {c.quote for c in first.citations}


def test_what_is_this_article_about_is_a_summary_not_the_authors_books(assistant):
    answer = assistant.ask("What is this article about?")
    assert not answer.abstained and len(answer.citations) >= 3
    assert "Routledge" not in answer.text and "diplomacy" in answer.text


def test_who_wrote_the_article_names_the_author_and_cites_the_header(assistant):
    answer = assistant.ask("Who wrote the article?")
    assert "Dylan Motin" in answer.text and not answer.abstained
    citation = answer.citations[0]
    assert citation.passage.kind == "header" and citation.quote == "Author: Dylan Motin"
    assert answer.citations[1].quote.startswith("Dylan Motin is a Visiting Scholar")  # who the author is
    assert citation.passage.chunk_id in {p.chunk_id for p in answer.retrieved}
    panel = sources_panel(answer)
    assert "document header" in panel and "Author: Dylan Motin" in panel


def test_who_wrote_it_and_what_it_argues_gets_both_halves(assistant):
    """A header question with a second ask is answered in full: the author, then the article's own summary
    sentences, not the author's affiliations (which answer neither half)."""
    answer = assistant.ask("Who wrote the article on Lee's North Korea policy, and what does it argue?")
    assert not answer.abstained and "Dylan Motin" in answer.text, answer.text
    assert answer.citations[0].quote == "Author: Dylan Motin"
    assert len(answer.citations) >= 3 and "diplomacy" in answer.text, answer.text
    assert "Visiting Scholar" not in answer.text, answer.text


@pytest.mark.fast
def test_a_second_ask_after_a_header_question_is_detected():
    from assistant.conversation import Conversation
    from assistant.intents import detect
    from assistant.sources import SourceDocument

    doc = SourceDocument(PRIMARY, {"title": "Lee and North Korea", "author": "Dylan Motin"}, chunks=3, primary=True)
    for question, both in [
        ("Who wrote the article, and what does it argue?", True),
        ("Who is the author of this piece and what are its main points?", True),
        ("Who wrote the article?", False),
        ("When was the article published and by whom?", False),
    ]:
        intent = detect(question, Conversation([]), [doc])
        assert intent is not None and intent.kind == "field", question
        assert intent.with_summary is both, question


@pytest.mark.fast
def test_a_verb_that_looks_like_a_header_word_asks_no_header_field():
    """ "link to" as a verb asks for no URL, and a term that "runs out" or "On what date did X do Y?" asks for
    no publication date: each once came back as a header fact at confidence 1.0."""
    from assistant.conversation import Conversation
    from assistant.intents import detect
    from assistant.sources import SourceDocument

    doc = SourceDocument(PRIMARY, {"title": "Lee and North Korea", "author": "Dylan Motin"}, chunks=3, primary=True)
    for question in (
        "Which body of water does Motin link to Beijing's recent provocations?",
        "When is Lee Jae Myung's presidency due to run out?",
        # asks when Lee did something the article is about, not the article's date
        "On what date did Lee take office, according to the article?",
    ):
        intent = detect(question, Conversation([]), [doc])
        assert intent is None or intent.kind != "field", question
    for question, field in (
        ("Is there a link to the article?", "url"),
        ("When was the article out?", "date"),
        ("What date is the article on Lee and North Korea from?", "date"),
        ("What is the date of the article?", "date"),
    ):
        intent = detect(question, Conversation([]), [doc])
        assert intent is not None and intent.field == field, question


@pytest.mark.fast
def test_what_is_asked_of_the_author_is_no_question_for_the_header():
    """ "Who is the author of this piece?" is answered from the header; "Which consultancy does the
    author of the article work with?" asks what the article says about him."""
    from assistant.conversation import Conversation
    from assistant.intents import detect
    from assistant.sources import SourceDocument

    doc = SourceDocument(PRIMARY, {"title": "Lee and North Korea", "author": "Dylan Motin"}, chunks=3, primary=True)
    for question in ("Who is the author of this piece?", "Author of the article?", "Who wrote this analysis?"):
        intent = detect(question, Conversation([]), [doc])
        assert intent is not None and intent.field == "author", question
    for question in (
        "Which consultancy does the author of the Lee article work with?",
        "Where does the author of this piece teach?",
    ):
        intent = detect(question, Conversation([]), [doc])
        assert intent is None or intent.field != "author", question


@needs_shared
def test_who_wrote_a_statement_without_an_author_names_its_publisher(assistant):
    answer = assistant.ask("Who wrote the Lima trilateral statement?")
    assert "no author" in answer.text and "The White House" in answer.text, answer.text
    assert answer.citations[0].passage.kind == "header" and answer.citations[0].quote.startswith("Publisher: The White")


def test_when_was_the_article_published_gives_the_header_date(assistant):
    answer = assistant.ask("When was the article published?")
    assert "2025-06" in answer.text and "Routledge" not in answer.text
    assert answer.citations[0].passage.kind == "header" and answer.citations[0].quote.startswith("Date: 2025-06")


@needs_shared
def test_japans_prime_minister_is_answered_from_the_newest_source_and_the_older_one_is_said(assistant):
    answer = assistant.ask("Who is Japan's prime minister?")
    assert answer.text.index("Takaichi") < answer.text.index("Ishiba")
    assert "An earlier source (2025-02-07) names Ishiba Shigeru as prime minister. [2]" in answer.text
    dates = [c.passage.date_label for c in answer.citations]
    assert dates == ["2026-10-01", "2025-02-07"]
    assert all(c.quote in c.passage.text for c in answer.citations)


@needs_shared
@pytest.mark.parametrize(
    "question, office",
    [
        ("Who is South Korea's foreign minister?", "South Korea's foreign minister"),
        ("Who is Japan's defense minister?", "Japan's defense minister"),
    ],
)
def test_an_office_no_source_names_a_holder_of_is_declined(assistant, question, office):
    """No source names either; "New Zealand's Foreign Affairs Minister Winston Peters" is not an answer."""
    answer = assistant.ask(question)
    assert answer.abstained and answer.citations == [], answer.text
    assert f"no source names {office}" in answer.notes and answer.related


@needs_shared
def test_an_office_whose_holders_the_answer_never_names_is_answered_with_the_sentences_that_do(assistant):
    """The passage answer quoted New Zealand's foreign minister; one 2019 source names two North Korean
    ones (2007, 2017), neither said to hold the office now."""
    answer = assistant.ask("Who is North Korea's foreign minister?")
    assert not answer.abstained and "New Zealand" not in answer.text, answer.text
    assert [c.quote for c in answer.citations if "Pak Ui Chun" in c.quote or "Ri Yong Ho" in c.quote] == [
        c.quote for c in answer.citations
    ]
    assert len(answer.citations) == 2 and all(c.quote in c.passage.text for c in answer.citations)
    assert "none says who holds the office now" in answer.text
    assert any("named none of them" in note for note in answer.notes)


@needs_shared
@pytest.mark.parametrize(
    "question", ["Who is the president of the United States?", "Who is the current U.S. president?"]
)
def test_the_us_president_is_answered_latest_first_and_a_possessive_names_no_holder(assistant, question):
    """ "President Trump’s Asia travels" once made "Asia" a president; "U.S." once went unrecognised."""
    answer = assistant.ask(question)
    assert answer.text.index("Donald J. Trump") < answer.text.index("Biden"), answer.text
    assert "Asia as president" not in answer.text
    assert not any(note.startswith("probability") for note in answer.notes), answer.notes


@pytest.mark.fast
def test_holder_statements_take_an_appositive_name_and_skip_a_possessive():
    assert holders(
        "The same day, the DPRK's foreign minister, Ri Yong Ho, sent a message.", "North Korea", "foreign minister"
    )[0] == ["Ri Yong Ho"]
    assert holders(
        "This capstone stop on President Trump’s Asia travels underscored it.", "United States", "president"
    ) == ([], [])
    assert asked_office("Who is the current U.S. president?") == ("United States", "president")
    assert asked_office("Who is the US president?") == ("United States", "president")


@needs_shared
def test_agreeing_sources_get_no_disagreement_sentence(assistant):
    answer = assistant.ask("Who is South Korea's prime minister?")
    assert "An earlier source" not in answer.text


# -- header facts of other documents, the collection ----------------------------------------------------


@needs_shared
@pytest.mark.parametrize(
    "question, expected",
    [
        ("Who published the Washington Declaration?", "The White House"),
        ("When was the Camp David statement issued?", "2023-08-18"),
        ("What licence is the sanctions article under?", "CC BY-SA 3.0"),
        ("Who published the article?", "no publisher"),
    ],
)
def test_header_facts_of_named_documents(assistant, question, expected):
    answer = assistant.ask(question)
    assert expected in answer.text and answer.citations[0].passage.kind == "header"


@needs_shared
def test_collection_questions_list_documents_newest_first(assistant):
    generation = assistant.retriever.generation
    listing = assistant.ask("What documents do you have?")
    assert len(listing.citations) == len(generation.documents) == len(catalogue(generation))
    shown = [c.passage.date_label for c in listing.citations]
    assert shown == sorted(shown, reverse=True)
    crs = assistant.ask("Which sources are from the CRS?")
    assert [c.passage.doc_id[:4] for c in crs.citations] == ["crs_"] * 3
    by_source = assistant.ask("What do the sources say about U.S. troops in South Korea, by source?")
    docs = [c.passage.doc_id for c in by_source.citations]
    assert "28,500" in by_source.text and len(docs) == len(set(docs))


@needs_shared
def test_by_source_lists_only_sources_whose_sentence_names_the_topic(assistant):
    """Only the Washington Declaration and the Trump-Lee fact sheet name the Nuclear Consultative Group; a
    sentence about "working groups" is no word on it."""
    answer = assistant.ask("What do the sources say about the Nuclear Consultative Group, by source?")
    docs = {c.passage.doc_id for c in answer.citations}
    assert {d.removesuffix(".txt") for d in docs} == {
        "wh_2023-04-26_washington_declaration",
        "wh_2025-11-13_trump_lee_joint_fact_sheet",
    }
    assert all("Nuclear Consultative Group" in c.quote for c in answer.citations)


def test_every_citation_carries_its_date(assistant):
    answer = assistant.ask("Who did Lee call first after taking office?")
    assert answer.citations and all(c.passage.date_label != "undated" for c in answer.citations)
    assert all(p.date_label for p in answer.retrieved)


# -- CLI and /chat --------------------------------------------------------------------------------------


def test_cli_json_marks_header_citations_and_dates(corpus_settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIRS", ":".join(str(d) for d in corpus_settings.corpus_dirs))
    result = CliRunner().invoke(app, ["ask", "Who wrote the article?", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    citation = data["citations"][0]
    assert "Dylan Motin" in data["answer"]
    assert citation["kind"] == "header" and citation["date"] == "2025-06 (approximate)"
    assert citation["date_header"].startswith("2025-06") and citation["quote"] == "Author: Dylan Motin"


def test_chat_api_carries_dates_and_header_kind_in_the_same_json_as_the_cli(corpus_settings, assistant, monkeypatch):
    with running(build_app(assistant, UISettings(auth=None, uploads=False))) as url:
        result = Client(url, verbose=False).predict(question="Who wrote the article?", history=[], api_name="/chat")
    assert "Dylan Motin" in result["answer"]
    assert result["citations"][0]["kind"] == "header" and result["citations"][0]["date"] == "2025-06 (approximate)"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIRS", ":".join(str(d) for d in corpus_settings.corpus_dirs))
    cli = json.loads(
        CliRunner().invoke(app, ["ask", "Who wrote the article?", "--json"]).stdout.strip().splitlines()[-1]
    )
    assert set(cli) == set(result) and cli["citations"] == result["citations"]  # one answer contract


def test_a_pronoun_after_the_author_answer_means_the_author(assistant):
    first = assistant.ask("Who is the author of this piece?")
    second = assistant.ask("Where does he work?", [("Who is the author of this piece?", first.text)])
    assert second.question == "Where does he work?" and "Dylan Motin" in second.search_query
    # The search finds his affiliations (whether the fitted answerability model then answers or
    # declines "work" is its own decision: it declines at P=0.50 today, see README "Honest answers").
    assert any("Terner Consulting" in p.text for p in second.retrieved[:3])
    assert ("Terner Consulting" in second.text) != second.abstained


def test_a_question_about_the_author_of_the_article_asks_about_that_person(assistant):
    """ "Where does the author of this piece work?" asks for his affiliations, not who he is: it is
    searched with his name, and answered from his biography rather than by the header answer."""
    answer = assistant.ask("Where does the author of this piece work?")
    assert "Dylan Motin" in answer.search_query and answer.question == "Where does the author of this piece work?"
    assert "was written by" not in answer.text, answer.text
    assert any("Visiting Scholar" in p.text for p in answer.retrieved[:3])
    assert not answer.abstained and "Pacific Forum" in answer.text, answer.text


def test_summarize_it_after_a_question_about_a_named_document_summarises_that_document(assistant):
    first = assistant.ask("Who wrote the Washington Declaration?")
    summary = assistant.ask("Summarize it.", [("Who wrote the Washington Declaration?", first.text)])
    assert not summary.abstained and summary.citations
    assert all("Washington Declaration" in c.passage.title for c in summary.citations), summary.text[:200]
    alone = assistant.ask("Summarize it.")  # with nothing before it, "it" is the project's own article
    assert alone.citations and all("Washington Declaration" not in c.passage.title for c in alone.citations)
