"""Every hand-set weight and cut-off of the extractive answerer, in one place.

The answerability model and its decline threshold are fitted (`fit_scorer.py` writes
`scorer_weights.json`); what is here is what the fit builds on: how word similarity earns credit, how
candidate sentences are ordered (the fitted rankers did not beat these weights out of fold, see the
`cv_compared` block of the weights file) and when a runner-up sentence may join an answer. Change a
number here, then re-run `python -m assistant.answerers.fit_scorer` and `make eval` to measure it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credit:
    """Credit for a word of similar meaning: none below `floor` cosine, rising to full at floor + span."""

    floor: float
    span: float

    def __call__(self, similarity: float) -> float:
        return min(1.0, max(0.0, (similarity - self.floor) / self.span))


# Ranking: loose associations help (ask ~ requested).
SOFT_CREDIT = Credit(0.45, 0.30)
# Deciding to answer at all: only close synonyms count (troops ~ soldiers 0.89, budget ~ spending
# 0.74), not associations (population ~ people 0.53).
STRICT_CREDIT = Credit(0.55, 0.25)
# A question word matched only by a similar word earns at most this share of an exact match.
SOFT_MATCH_CAP = 0.8
# A personal fact counts as stated when a word of the evidence earns at least this strict credit.
STATED_CREDIT = 0.5

# Sentence order with no fitted ranker: a weighted sum of the candidate's features (extractive._score).
# `focus` (the question's focus stated in the sentence) and `focus_type` (a value of the type asked for
# beside it) were added in session 9: the reference sentence came first for 0.590 -> 0.677 of the tuning
# sets' answerable turns and 0.653 -> 0.694 of heldout + heldout_b; after refitting the answerability
# model, padding fell from 27% to 20% of answer sentences over all six sets, 5 fewer wrong answers.
HAND_RANKER: dict[str, float] = {
    "dense": 0.40,
    "dense_ctx": 0.20,
    "coverage": 0.25,
    "premise": 0.20,
    "rank": 0.20,
    "type": 0.10,
    "focus": 0.20,
    "focus_type": 0.10,
    "subject": 0.05,
    # A response question's subject opens the sentence ("North Korea has also stopped blasting ...").
    "actor": 0.20,
    "primary": 0.25,
    "near_given": 0.10,
    "given": -0.15,
    "given_doc": 0.10,
    # A follow-up's sentence that names what its "it" or "they" points at (the earlier question's terms).
    "anchor": 0.2,
}

# The sentence after the best one joins when it continues it and scores at least this share of it.
CONTINUATION_RATIO = 0.6
# A question (not a follow-up) is declined when no retrieved sentence states this much of its focus.
# Session 9, six sets: declines 3 wrong answers and 1 unanswerable question that were answered, and
# loses "How does the author expect Seoul-Tokyo ties to fare?" (its answer says "relations").
FOCUS_ABSENT = 0.2
# A follow-up asking for a value about "it" needs the sentence holding the value (or the one before it)
# to name this much of what the earlier question asked about, weighted by rarity: "build" alone (0.15)
# does not make a sentence about LS Greenlink's factory.
REFERENT_NAMED = 0.3
# A sentence said before is news again when it states at least this share of a follow-up's own focus (one
# the earlier question did not ask about) with a value of the type asked. Session 16: +1 right (honesty5),
# no change on the ten other read sets.
GIVEN_NEW_FOCUS = 0.5
# What a follow-up points back at is named by the last question, and at this weight by the older questions
# of its thread. Session 16, ten read sets: follow-ups 0.714 -> 0.748, utility 432 -> 436 (1.0: 434, one
# right answer lost).
THREAD_ANCHOR = 0.5
# An answer with at most this many content words the question does not have only restates it. Session 12:
# 1 declines "Why did Portugal sever ties ... in 2017?" (answered "In 2017, Portugal cut diplomatic ties")
# and changes nothing else on nine sets; 2 also declines "In October 2024, North Korea deployed over
# 10,000 troops" for "How many troops did North Korea commit ...?" (the number is the answer).
RESTATED_MAX_NEW = 1
# A sentence stating this much of the question's focus while naming the asked noun only indefinitely ("a
# smaller party") shows the sources do not name it.
INDEFINITE_FOCUS = 0.8


@dataclass(frozen=True)
class RunnerUp:
    """When a runner-up joins a hand-ranked answer: it scores at least `close` x the best's, or at
    least `near` x and adds `near_gain` of the focus the answer lacks, and it states at least
    `focus` of the question's focus (never required of follow-ups, whose own words carry little)."""

    close: float
    near: float
    near_gain: float
    focus: float


# Measured on core + honesty (answerable turns): focus 0.1 cut padding sentences from 30% to 22% for
# 2 points of right answers, but it dropped the answer to "How did North Korea respond to Lee's
# gestures?" (whose answer shares no word with its focus) and two follow-ups: left at 0.
# Another document's sentence joins only when it speaks to the focus itself (0.3 of it): on core +
# honesty padding 28.3% -> 26.6% of answer sentences, right answers 103 -> 104 of 136 (0.5: no better;
# 0.1 asked of same-document runner-ups too: padding 23.8% but 3 right answers fewer).
RUNNER_UP_SAME_DOC = RunnerUp(0.93, 0.85, 0.2, 0.0)
RUNNER_UP_OTHER_DOC = RunnerUp(0.93, 0.85, 0.2, 0.3)


@dataclass(frozen=True)
class Join:
    """When a runner-up joins a fitted-ranker answer: its probability of answering is at least
    max(floor, ratio x the best's) and it states at least `focus` of the question's focus."""

    floor: float
    ratio: float
    focus: float = 0.5


JOIN_SAME_DOC = Join(0.3, 0.5)
JOIN_OTHER_DOC = Join(0.5, 0.8)

# Passages shown as related (not as an answer) when the answerer declines.
RELATED_SHOWN = 3
