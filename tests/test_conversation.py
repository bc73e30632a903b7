"""Follow-up detection and the query a follow-up is searched with (rules only, no model)."""

import pytest

from assistant.conversation import Conversation

pytestmark = pytest.mark.fast


def test_a_response_with_nothing_named_to_respond_to_is_a_follow_up():
    """ "How did China hit back?" names China, yet what it hit back at was said in the turn before."""
    talk = Conversation.from_history([("What did Takaichi say that soured relations with Beijing?", "…")])
    assert talk.is_followup("How did China hit back?")
    assert talk.is_followup("How did the North respond?")
    assert not talk.is_followup("How did North Korea respond to the Camp David summit?")


def test_a_chain_of_follow_ups_is_searched_with_the_question_that_stood_alone():
    """The third turn's "he" is Trump from the first turn: the second names nobody, so both are searched."""
    first = "Where did Trump and Ishiba hold their first official meeting?"
    second = "What did they say they wanted to pursue there?"
    talk = Conversation.from_history([(first, "At the White House."), (second, "A new golden age.")])
    assert talk.thread() == [first, second]
    query = talk.search_query("Did he agree to a return trip?")
    assert query.startswith(first) and query.endswith("Did he agree to a return trip?")


def test_a_follow_up_naming_its_own_subject_leans_on_the_last_question_only():
    first = "Who is HD Hyundai partnering with to upgrade American shipyards?"
    second = "How big is that program?"
    talk = Conversation.from_history([(first, "Huntington Ingalls."), (second, "It does not say.")])
    query = talk.search_query("And Samsung Heavy - who is its US partner?")
    assert query == f"{second} And Samsung Heavy - who is its US partner?"


def test_a_thread_stops_at_the_question_that_stood_alone_and_at_three_questions():
    standalone = [("What is the Camp David statement?", "…"), ("Where did Kim and Xi meet in 2018?", "Beijing.")]
    talk = Conversation.from_history([*standalone, ("When was that?", "March.")])
    assert talk.thread() == ["Where did Kim and Xi meet in 2018?", "When was that?"]
    longer = Conversation.from_history([*standalone, ("When was that?", "March."), ("Why?", "…"), ("And then?", "…")])
    assert longer.thread() == ["When was that?", "Why?", "And then?"]
