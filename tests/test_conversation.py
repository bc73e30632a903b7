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


def test_an_ordinal_points_at_an_item_of_the_list_just_answered():
    """ "the second of them" after "... went to Japan’s Ishiba and China’s Xi Jinping" is Xi Jinping; "the
    second of those countries" is China; an ordinal that counts no list ("the second phase") is left alone."""
    answer = "His following calls went to Japan’s Ishiba and China’s Xi Jinping, in that order. [1]"
    talk = Conversation.from_history([("Which leaders did Lee call after Trump?", answer)])
    assert talk.ordinal_referent("What did he discuss with the second of them?") == (
        "What did he discuss with China’s Xi Jinping?"
    )
    assert talk.ordinal_referent("How are relations with the second of those countries?") == (
        "How are relations with China?"
    )
    assert talk.ordinal_referent("And the first one?") == "And Japan’s Ishiba?"
    assert talk.ordinal_referent("What about the latter?") == "What about China’s Xi Jinping?"
    assert talk.ordinal_referent("When did the second phase start?") is None
    assert talk.ordinal_referent("And the third one?") is None  # the list has two items
    declined = Conversation.from_history([("Which leaders?", "The sources I have do not say. …")])
    assert declined.ordinal_referent("And the first one?") is None


def test_a_title_after_the_is_no_item_of_a_list_of_names():
    """ "with the ROK as the Chair and Japan as the Vice Chair" lists no names "Chair and Japan": "the first
    one" is not rewritten to "Chair"."""
    answer = "The Crisis Response Network, with the ROK as the Chair and Japan as the Vice Chair, keeps supplies. [1]"
    talk = Conversation.from_history([("And the vice chair?", answer)])
    assert talk.ordinal_referent("What other grouping did they welcome the first one chairing?") is None
    listed = Conversation.from_history([("Who met?", "The leaders of the United States and Japan met. [1]")])
    assert listed.ordinal_referent("What did the first one say?") == "What did United States say?"


def test_a_thing_pointed_back_at_makes_a_follow_up_whatever_else_is_named():
    """ "at that meeting" and "in that same section" point at the last turn even though the questions name
    Japan or Southeast Asia; the relative "that" of "ships that had been" and "this article" do not."""
    talk = Conversation.from_history([("Where did the three leaders hold their 2023 summit?", "At Camp David. [1]")])
    assert talk.is_followup("Who was Japan's leader at that meeting?")
    assert talk.is_followup("Which Southeast Asian grouping did they back in that same section?")
    assert talk.is_followup("Which Japanese command is it supposed to work opposite?")
    assert talk.is_followup("For how long did it bar ships from US ports?")
    assert not talk.is_followup("Which sanctions target North Korean ships that carry coal to China?")
    assert not talk.is_followup("What does Motin say in this article about Japan?")


def test_a_pronoun_after_the_verb_is_someone_said_before_even_when_a_name_is_the_subject():
    """ "Does Pyongyang still owe it money?": "it" cannot be Pyongyang (that would be "itself"), so it is
    Finland, named the turn before; a question naming its subject and no such pronoun stands alone."""
    talk = Conversation.from_history([("When did Finland recognise North Korea?", "On 13 April 1973. [1]")])
    assert talk.is_followup("Does Pyongyang still owe it money?")
    assert talk.is_followup("Did Seoul ever thank him?")
    assert talk.is_followup("When did Tokyo recognise them?")
    assert talk.search_query("Does Pyongyang still owe it money?").startswith("When did Finland recognise")
    assert not talk.is_followup("Does Pyongyang still owe Sweden money?")
    assert not talk.is_followup("When did Japan recognise South Korea?")


def test_following_suit_or_doing_something_in_return_is_a_follow_up():
    """ "Did the North follow suit?" names the North, yet what it would follow was said the turn before."""
    talk = Conversation.from_history([("What did Lee do about the loudspeakers on the DMZ?", "He halted them.")])
    assert talk.is_followup("Did the North follow suit?")
    assert talk.is_followup("Did the North do anything in return?")
    assert talk.is_followup("Did Pyongyang reciprocate?")
    assert not talk.is_followup("Did the North test a missile in 2017?")


def test_a_pronoun_owning_the_subject_leans_on_the_thread_unless_a_name_comes_first():
    """ "What does its Article 3 commit each side to?" names Article 3 of something said before; in "And
    Samsung Heavy - who is its US partner?" "its" is Samsung Heavy."""
    first = "What agreement did Putin and Kim sign at their 2024 summit?"
    second = "Where was it signed?"
    talk = Conversation.from_history([(first, "A partnership treaty."), (second, "In Pyongyang.")])
    question = "What does its Article 3 commit each side to?"
    assert talk.is_followup(question)
    assert talk.search_query(question) == f"{first} {second} {question}"
    named = "And Samsung Heavy - who is its US partner?"
    assert talk.search_query(named) == f"{second} {named}"
