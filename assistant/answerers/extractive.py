"""The default answerer: answers with the corpus's own sentences, each followed by its citation.

A sentence is chosen by combining evidence, because no single signal is reliable on this corpus:
dense similarity to the question, the share of the question's (rarity-weighted) terms it covers,
the rank of the passage it sits in, and whether it holds the kind of answer asked for (a date, a
number, a name, a reason). It abstains when the question's most specific terms are missing from
the best evidence, which separated unanswerable questions better than any similarity score.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.answer import Answer, Citation, Passage, refusal_text
from assistant.answerers.scorer import Scorer, load_scorer, rank
from assistant.answerers.weights import (
    CONTINUATION_RATIO,
    FOCUS_ABSENT,
    GIVEN_NEW_FOCUS,
    INDEFINITE_FOCUS,
    JOIN_OTHER_DOC,
    JOIN_SAME_DOC,
    REFERENT_NAMED,
    RELATED_SHOWN,
    RESTATED_MAX_NEW,
    RUNNER_UP_OTHER_DOC,
    RUNNER_UP_SAME_DOC,
    SOFT_CREDIT,
    SOFT_MATCH_CAP,
    STATED_CREDIT,
    STRICT_CREDIT,
    THREAD_ANCHOR,
)
from assistant.conversation import Conversation
from assistant.focus import (
    ACT_WORDS,
    SPEECH,
    answer_type,
    asked_act,
    asked_head,
    asked_speaker,
    asked_speech,
    counted_predicate,
    event_predicate,
    names_another_instance,
    names_another_partner,
    source_words,
)
from assistant.names import COUNTRY_ALIASES
from assistant.people import asks_for_person, names_person, person_words
from assistant.question import FRAME_WORDS, QuestionProfile, answer_type_match, profile
from assistant.settings import Settings
from assistant.sources import is_primary, primary_names
from index.embedder import CachedEmbedder, Embedder
from index.generation import Generation
from index.text import STOPWORDS, stem, words

_PROSE_END = re.compile(r"[.!?:;”\"')\]]$")
_ANAPHOR = re.compile(r"^(Both|They|These|This|That|Those|Such|It|Its|He|She|His|Her|Their|The two|Each|Neither)\b")
_VALUE_TYPES = frozenset({"count", "date", "money", "percent", "size", "measure", "age"})
# The answer types whose value the focus type check finds (the coarse question kind is not asked again).
_TYPED_VALUES = _VALUE_TYPES | {"name", "frequency"}
_PERSONAL = re.compile(r"^(He|She|His|Her)\b")
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_DECADE = re.compile(r"\b(1[89]\d|20\d)0s\b")
# Words inside a sentence that point at a place or time the sentence before names.
_POINTS_BACK = re.compile(r"\b(there|then|that year|the same year|that day|that month|at the time)\b", re.I)
_CONTINUES = re.compile(r"[:]$")
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z][\w’'-]*")

# Facts about a person (or an occasion) that a source states outright or not at all (as stems).
PERSONAL_FACTS = frozenset(
    stem(w)
    for w in (
        "nationality citizenship citizen height tall weight birthplace birthday born age children child kids sons "
        "daughters wife husband spouse married marriage religion religious faith hobby hobbies salary wage income "
        "wealth fortune degree doctorate phd graduate graduated university college studied education school "
        "eat ate food meal menu dish drink drank recipe cook cooking weather hometown siblings brother sister parents "
        "father mother"
    ).split()
)


@dataclass
class Candidate:
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    passage: Passage
    terms: set[str]
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


@dataclass
class Analysis:
    """A question worked through: its profile and the scored candidate sentences, best first."""

    q: QuestionProfile
    cands: list[Candidate]
    followup: bool


@lru_cache(maxsize=100_000)
def content_words(sentence: str) -> tuple[str, ...]:
    """A sentence's words without stopwords, kept: the same sentences are read again for every question near them."""
    return tuple(w for w in words(sentence) if w not in STOPWORDS)


@lru_cache(maxsize=100_000)
def sentence_terms(sentence: str) -> frozenset[str]:
    """A sentence's content stems (kept, like its words)."""
    return frozenset(stem(w) for w in content_words(sentence))


def below_threshold_note(probability: float, threshold: float) -> str:
    """Why a question was declined by the model, with enough digits that the two numbers differ: "0.82 <
    0.82" reads as a bug; "0.818 < 0.82" does not."""
    digits = 2 if round(probability, 2) < round(threshold, 2) else 3
    return f"probability {probability:.{digits}f} < {threshold:.2f} that the sources answer this question"


def _reports_speech_of(speaker: frozenset[str], text: str) -> bool:
    """The sentence names the speaker and reports speech: "Kim has said he will 'never' denuclearize"."""
    return bool(speaker & set(words(text))) and bool(SPEECH.search(text))


def _close_runner_up(cands: list[Candidate], holds: Callable[[Candidate], bool]) -> Candidate | None:
    """The best runner-up scoring nearly as well as the best sentence that holds what the answer lacks."""
    near = RUNNER_UP_SAME_DOC.near * cands[0].score
    return next((c for c in cands[1:] if c.score >= near and holds(c)), None)


def _focus_bearers(chosen: list[Candidate]) -> list[Candidate]:
    """The chosen sentences that state the most of the question's focus: the ones that answer it, not
    the neighbours joined around them."""
    top = max((c.features.get("focus", 0.0) for c in chosen), default=0.0)
    return [c for c in chosen if c.features.get("focus", 0.0) >= top - 1e-9 or c.features.get("points_here")]


def is_prose(sentence: str) -> bool:
    """Headlines, bylines and captions (no end punctuation, few words) make poor answers."""
    return bool(_PROSE_END.search(sentence)) and len(sentence.split()) >= 5


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        # Sentence and word vectors, compared with the question's: its encoder (warm questions skip the model).
        self.vectors = CachedEmbedder(embedder.query_side())
        self.scorer: Scorer | None = load_scorer() if settings.scorer == "learned" else None
        self._people_of: tuple[str, frozenset[str]] = ("", frozenset())

    # -- candidates -------------------------------------------------------------------------------
    def _candidates(self, passages: list[Passage], generation: Generation) -> list[Candidate]:
        seen: dict[tuple[str, int], Candidate] = {}
        for passage in passages:
            chunk = generation.chunks[generation.chunk_position[passage.chunk_id]]
            doc = generation.documents[chunk.doc_id]
            for i in range(chunk.first_sentence, chunk.last_sentence):
                key = (chunk.doc_id, i)
                if key in seen:
                    continue
                start, end = doc.sentences[i]
                text = doc.text[start:end]
                if not is_prose(text):
                    continue
                seen[key] = Candidate(chunk.doc_id, i, text, start, end, passage, set(sentence_terms(text)))
        return list(seen.values())

    def _neighbour(self, generation: Generation, cand: Candidate, step: int) -> tuple[int, str] | None:
        doc = generation.documents[cand.doc_id]
        i = cand.index + step
        if 0 <= i < len(doc.sentences):
            start, end = doc.sentences[i]
            # Only within the same paragraph: a newline between means another block of text.
            lo, hi = (end, cand.start) if step < 0 else (cand.end, start)
            if "\n" not in doc.text[lo:hi]:
                return i, doc.text[start:end]
        return None

    # -- term matching ----------------------------------------------------------------------------
    def _people(self, generation: Generation) -> frozenset[str]:
        """The words of people's names in this index generation's documents (read once per generation)."""
        if self._people_of[0] != generation.name:
            texts = (doc.text for doc in generation.documents.values())
            self._people_of = (generation.name, person_words(texts))
        return self._people_of[1]

    def _soft_coverage(
        self, q: QuestionProfile, terms: dict[str, float], evidence_terms: set[str], evidence_words: list[str]
    ) -> tuple[float, list[str]]:
        """Weighted share of `terms` found in the evidence; a missing term may be matched by a word
        of similar meaning (embedding similarity), which covers synonyms such as phone ~ call."""
        total = sum(terms.values())
        if total == 0:
            return 1.0, []
        got = 0.0
        missing_terms = [t for t in terms if t not in evidence_terms]
        got = sum(w for t, w in terms.items() if t in evidence_terms)
        unmatched = []
        if missing_terms and evidence_words:
            query_words = [q.surface.get(t, t) for t in missing_terms]
            vocab = sorted(set(evidence_words))
            sims = self.vectors.get(query_words) @ self.vectors.get(vocab).T
            for t, row in zip(missing_terms, sims):
                credit = STRICT_CREDIT(float(row.max()) if row.size else 0.0)
                got += credit * terms[t]
                if credit < 0.5:
                    unmatched.append(q.surface.get(t, t))
        else:
            unmatched = [q.surface.get(t, t) for t in missing_terms]
        return got / total, unmatched

    # -- scoring ----------------------------------------------------------------------------------
    def _soft_matches(self, q: QuestionProfile, cands: list[Candidate]) -> list[dict[str, float]]:
        """Per candidate, how well each question term is matched: 1 for the same stem, otherwise
        partial credit from the closest word of the sentence by embedding (ask ~ requested)."""
        terms = list(q.terms)
        cand_words = [content_words(c.text) for c in cands]
        vocab = sorted({w for ws in cand_words for w in ws})
        result: list[dict[str, float]] = []
        if not terms or not vocab:
            return [{t: 1.0 for t in terms if t in c.terms} for c in cands]
        position = {w: i for i, w in enumerate(vocab)}
        sims = self.vectors.get([q.surface.get(t, t) for t in terms]) @ self.vectors.get(vocab).T
        for cand, ws in zip(cands, cand_words):
            closest = sims[:, [position[w] for w in ws]].max(axis=1) if ws else None
            credit: dict[str, float] = {}
            for row, t in enumerate(terms):
                if t in cand.terms:
                    credit[t] = 1.0
                elif closest is not None:
                    credit[t] = SOFT_MATCH_CAP * SOFT_CREDIT(float(closest[row]))
            result.append(credit)
        return result

    def _focus_credit(self, q: QuestionProfile, texts: list[str]) -> list[float]:
        """Per text, the rarity-weighted share of the question's focus it states: the same stem, or a
        close synonym by word embedding (strict credit: troops ~ forces, not population ~ people)."""
        focus = q.focus.focus if q.focus else {}
        surface = q.focus.surface if q.focus else {}
        total = sum(focus.values())
        if not focus or total == 0:
            return [1.0 for _ in texts]
        text_words = [content_words(t) for t in texts]
        vocab = sorted({w for ws in text_words for w in ws})
        if not vocab:
            return [0.0 for _ in texts]
        position = {w: i for i, w in enumerate(vocab)}
        terms = list(focus)
        sims = self.vectors.get([surface.get(t, t) for t in terms]) @ self.vectors.get(vocab).T
        result = []
        for text, ws in zip(texts, text_words):
            stems = sentence_terms(text)
            closest = sims[:, [position[w] for w in ws]].max(axis=1) if ws else None
            got = 0.0
            for row, t in enumerate(terms):
                if t in stems:
                    got += focus[t]
                elif closest is not None:
                    got += focus[t] * STRICT_CREDIT(float(closest[row]))
            result.append(got / total)
        return result

    def _unstated_personal_facts(self, q: QuestionProfile, evidence: str) -> list[str]:
        """Personal facts asked for (nationality, height, children, a meal...) that the evidence never
        states, not even by a close synonym: such facts are said outright or not at all, so the
        question's names being present is no reason to answer."""
        surface = q.focus.surface if q.focus else {}
        return self._unstated(
            {t: surface.get(t, t) for t in (q.focus.focus if q.focus else {}) if t in PERSONAL_FACTS}, evidence
        )

    def _unstated(self, asked: dict[str, str], evidence: str, names_count: bool = False) -> list[str]:
        """The words asked for (stem -> surface) that the evidence states neither as such nor by a close synonym.
        Lower-case words only, unless `names_count`: "Seoul National University" does not state a
        nationality, but "Resolution 2397" does state which resolution."""
        if not asked:
            return []
        stated = evidence if names_count else " ".join(_LOWER_WORD.findall(evidence))
        vocab = sorted({w for w in words(stated) if w not in STOPWORDS})
        stems = {stem(w) for w in vocab}
        missing = [t for t in asked if t not in stems]
        if not missing or not vocab:
            return [asked[t] for t in missing]
        sims = self.vectors.get([asked[t] for t in missing]) @ self.vectors.get(vocab).T
        return [asked[t] for t, row in zip(missing, sims) if STRICT_CREDIT(float(row.max())) < STATED_CREDIT]

    def _anchor_terms(self, q: QuestionProfile, conversation: Conversation, generation: Generation) -> dict[str, float]:
        """The earlier question's own terms (what "it" or "they" in a follow-up points at), by rarity; a
        number names the thing outright ("Resolution 2371") and counts three times."""
        lexical = generation.lexical
        earlier = conversation.earlier_question(q.text)
        # The thread's older questions count too, at a lower weight: "When is the last phase of that
        # overhaul expected to be done?" after "Which Japanese command is it supposed to work opposite?"
        # points back past it to the overhaul of U.S. Forces Japan asked about first.
        thread = [(q_, THREAD_ANCHOR) for q_ in conversation.thread()[:-1]] if earlier else []
        found: dict[str, float] = {}
        for text, weight in [(earlier, 1.0), *thread]:
            for t in {stem(w) for w in words(text) if w not in STOPWORDS and w not in FRAME_WORDS}:
                if t not in q.terms and t in lexical.doc_freq and t not in found:
                    found[t] = weight * lexical.idf(t) * (3.0 if t.isdigit() else 1.0)
        return found

    def _holds_new_value(self, q: QuestionProfile, text: str, conversation: Conversation) -> bool:
        """The sentence holds a value of the asked type besides the words of the earlier question
        ("Russia" answers no "Where?" after a question about Russia's war), and the earlier question asked
        for another type: "Trump" answered "Who did Lee call first?", so "Who did he call after that?"
        wants someone else."""
        earlier_question = conversation.earlier_question(q.text)
        if (
            not q.focus
            or q.focus.answer_type in ("any", "reason")
            or answer_type(earlier_question) == q.focus.answer_type
        ):
            return False
        earlier = {w.lower() for w in words(earlier_question)}
        masked = " ".join(w for w in text.split() if re.sub(r"[’']s\b|[^\w-]", "", w).lower() not in earlier)
        return q.focus.type_match(masked, q.numbers) == 1.0

    @staticmethod
    def _states_new_focus(q: QuestionProfile, features: dict[str, float], earlier_stems: set[str]) -> bool:
        """The sentence states the follow-up's own focus, which the earlier question did not ask about,
        with a value of the type asked: it answers something new, though it was said before."""
        focus = q.focus
        return bool(
            focus
            and not focus.inherited
            and not set(focus.focus) & earlier_stems
            and features["focus"] >= GIVEN_NEW_FOCUS
            and features["focus_type"] == 1.0
        )

    def _window_terms(
        self, generation: Generation, cand: Candidate, reach: int = 2, after: int | None = None
    ) -> set[str]:
        """Terms of the sentences around a candidate: a sentence is often about what its neighbours name."""
        doc = generation.documents[cand.doc_id]
        found: set[str] = set()
        last = cand.index + (reach if after is None else after)
        for i in range(max(0, cand.index - reach), min(len(doc.sentences), last + 1)):
            if i != cand.index:
                start, end = doc.sentences[i]
                found.update(sentence_terms(doc.text[start:end]))
        return found

    def _score(
        self,
        q: QuestionProfile,
        cands: list[Candidate],
        qvec: np.ndarray,
        generation: Generation,
        conversation: Conversation,
        followup: bool,
    ) -> None:
        """Every candidate's features, then its score: the fitted ranker's probability that it answers
        the question (or the hand-set weighted sum when no fitted weights are in use)."""
        sims = self.vectors.get([c.text for c in cands]) @ qvec
        in_context = []
        for c in cands:
            prev = self._neighbour(generation, c, -1)
            nxt = self._neighbour(generation, c, +1)
            in_context.append(" ".join(x for x in ((prev[1] if prev else ""), c.text, (nxt[1] if nxt else "")) if x))
        ctx_sims = self.vectors.get(in_context) @ qvec
        focus_sent = self._focus_credit(q, [c.text for c in cands])
        focus_ctx = self._focus_credit(q, in_context)
        top_score = max((c.passage.score for c in cands), default=1.0) or 1.0
        top_sim = float(max(sims)) if len(cands) else 0.0
        all_terms = {**q.context_terms, **q.terms}
        total = sum(all_terms.values()) or 1.0
        q_total = sum(q.terms.values()) or 1.0
        given = conversation.given_sentences()
        given_at = {(c.doc_id, c.index) for c in cands if c.text in given}
        given_docs = {doc for doc, _ in given_at}
        soft = self._soft_matches(q, cands)
        subject = [stem(w) for w in words(q.subject) if w not in STOPWORDS]
        anchor = self._anchor_terms(q, conversation, generation) if followup else {}
        anchor_total = sum(anchor.values()) or 1.0
        earlier_stems = {stem(w) for w in words(conversation.earlier_question(q.text))}
        names = {stem(n) for n in q.names - source_words(q.text)}
        for cand, sim, ctx_sim, credit, f_sent, f_ctx in zip(cands, sims, ctx_sims, soft, focus_sent, focus_ctx):
            f = cand.features
            opening = {stem(w) for w in words(" ".join(cand.text.split()[:4]))}
            f["subject"] = 1.0 if subject and all(t in opening for t in subject) else 0.0
            f["actor"] = f["subject"] if q.focus and q.focus.responds else 0.0
            f["dense_ctx"] = float(ctx_sim)
            window = self._window_terms(generation, cand) | cand.terms
            f["dense"] = float(sim)
            f["dense_gap"] = float(sim) - top_sim
            f["coverage"] = sum(w * credit.get(t, 0.0) for t, w in q.terms.items()) / q_total
            f["window"] = sum(w for t, w in all_terms.items() if t in window) / total
            # News prose states a premise, then what followed: question terms the sentence lacks
            # but the sentences just before it hold ("Lee's gestures" ... "North Korea has stopped").
            before = self._window_terms(generation, cand, reach=3, after=0) - cand.terms
            f["premise"] = sum(w for t, w in q.terms.items() if t in before) / q_total
            f["rank"] = cand.passage.score / top_score
            f["type"] = answer_type_match(q.kind, cand.text, q)
            f["focus_type"] = q.focus.type_match(cand.text, q.numbers) if q.focus else 0.5
            f["focus"] = f_sent
            f["focus_ctx"] = f_ctx
            f["names"] = (sum(1 for n in names if n in window) / len(names)) if names else 1.0
            # Saying a sentence again is no news, unless an elliptical follow-up asks for a detail it holds
            # ("By what year?" after an answer that gave the year).
            detail = bool(q.focus and q.focus.inherited and q.focus.answer_type not in ("any", "reason"))
            f["anchor"] = sum(w for t, w in anchor.items() if t in cand.terms) / anchor_total
            if anchor:  # the thing pointed at, named in the sentence or the one before it
                near = cand.terms | self._window_terms(generation, cand, reach=1, after=0)
                f["anchor_near"] = sum(w for t, w in anchor.items() if t in near) / anchor_total
            f["said"] = 1.0 if cand.text in given else 0.0
            if cand.text in given and detail:
                f["given"] = 0.0 if f["focus_type"] == 1.0 else 1.0
            elif cand.text in given and anchor and f["anchor"] >= 0.5:
                # A typed follow-up ("When was it passed?") is often answered by the sentence just given
                # about the thing it points at, when it holds a value the earlier question did not name.
                f["given"] = 0.0 if self._holds_new_value(q, cand.text, conversation) else 1.0
            elif cand.text in given and anchor and self._states_new_focus(q, f, earlier_stems):
                # "How many American jobs is that supposed to support?" after the sentence that gave the
                # Boeing order: the same sentence states the jobs too, a focus the earlier question lacked.
                f["given"] = 0.0
            else:
                f["given"] = 1.0 if cand.text in given else 0.0
            # A follow-up is about what was just answered: its document is the first place to look.
            f["given_doc"] = 1.0 if followup and cand.doc_id in given_docs else 0.0
            f["near_given"] = (
                1.0 if followup and any(d == cand.doc_id and 0 < abs(i - cand.index) <= 3 for d, i in given_at) else 0.0
            )
            f["primary"] = 1.0 if q.about_article and is_primary(generation.documents[cand.doc_id].metadata) else 0.0
            f["followup"] = 1.0 if followup else 0.0
            cand.score = rank(self.scorer, f)

    # -- answer -----------------------------------------------------------------------------------
    def condense(self, question: str, conversation: Conversation) -> str | None:
        return None  # rules only (conversation.search_query)

    def stream(
        self,
        question: str,
        passages: list[Passage],
        generation: Generation,
        conversation: Conversation,
        standalone: str | None = None,
    ) -> Iterator[str | Answer]:
        yield self.answer(question, passages, generation, conversation, standalone)

    def analyse(
        self, question: str, passages: list[Passage], generation: Generation, conversation: Conversation
    ) -> Analysis:
        """The question's profile and its candidate sentences with features and scores, best first."""
        lexical = generation.lexical
        q = profile(
            question,
            lexical.idf,
            conversation.context(question),
            known=lambda t: t in lexical.doc_freq,
            primary_names=primary_names(generation),
            earlier=conversation.earlier_question(question),
        )
        followup = conversation.is_followup(question)
        cands = [
            c
            for c in self._candidates(passages, generation)
            if not names_another_instance(question, c.text) and not names_another_partner(question, c.text)
        ]
        if cands:
            qvec = self.vectors.get([conversation.search_query(question)])[0]
            self._score(q, cands, qvec, generation, conversation, followup)
            cands.sort(key=lambda c: -c.score)
        return Analysis(q, cands, followup)

    def answer(
        self,
        question: str,
        passages: list[Passage],
        generation: Generation,
        conversation: Conversation,
        standalone: str | None = None,
    ) -> Answer:
        started = time.perf_counter()
        analysis = self.analyse(question, passages, generation, conversation)
        if not analysis.cands:
            return self._abstain(question, passages, started, "no usable sentences")
        chosen, confidence, problems = self.decide(analysis, generation, passages)
        if problems:
            return self._abstain(question, passages, started, "; ".join(problems), confidence)
        return self._compose(question, chosen, passages, started, confidence)

    def decide(
        self, analysis: Analysis, generation: Generation, passages: list[Passage]
    ) -> tuple[list[Candidate], float, list[str]]:
        """The sentences to answer with, the confidence that they answer the question, and the reasons
        to decline instead (empty when the answer stands)."""
        q, cands = analysis.q, analysis.cands
        chosen = self._select(cands, generation, q, passages)
        support, problems = self._support(q, chosen, generation)
        problems += self.rule_problems(analysis, chosen)
        if self.scorer is None:
            return chosen, round(support, 3), problems
        if problems:  # a hard rule found what the question asks for missing: no answer could be right
            return chosen, 0.0, problems
        features = self.turn_features(analysis, chosen, support)
        answerable, confidence = self.scorer.judge(features)
        threshold = (
            self.settings.answerable_threshold
            if self.settings.answerable_threshold is not None
            else self.scorer.threshold
        )
        if answerable < threshold:
            problems.append(below_threshold_note(answerable, threshold))
        return chosen, round(confidence, 3), problems

    def rule_problems(self, analysis: Analysis, chosen: list[Candidate]) -> list[str]:
        """The hard rules that read the whole analysis, beyond the answer's own support: what is asked is
        stated nowhere in what was retrieved, a follow-up's value is about something else, the answer
        only restates the question, what someone said is not reported, or where is asked and no place given."""
        return (
            self._focus_absent(analysis)
            + self._referent_absent(analysis, chosen)
            + self._restated(analysis, chosen)
            + self._speech_absent(analysis, chosen)
            + self._place_absent(analysis, chosen)
        )

    @staticmethod
    def _place_absent(analysis: Analysis, chosen: list[Candidate]) -> list[str]:
        """ "Where is the memorial North Korea built for its soldiers?" is not answered by the sentence that
        the memorial lists 2,000 names: a question that stands alone and asks where needs a place the question
        does not name, in a sentence about what is asked or the one the answer points back at. A follow-up
        ("Where did they end up fighting?") is left to the fitted model: its place is often a plain noun."""
        q = analysis.q
        focus = q.focus
        if analysis.followup or focus is None or not focus.single or focus.answer_type != "place" or focus.head:
            return []  # a place asked for by its noun ("In which city ...?") is judged in `_support`
        if any(focus.type_match(c.text, q.numbers) >= 1.0 for c in _focus_bearers(chosen)):
            return []
        if any(c.features.get("points_here") for c in chosen):  # "He spent a year there": Malta, just before
            return []
        return ["no place named in the evidence"]

    @staticmethod
    def _speech_absent(analysis: Analysis, chosen: list[Candidate]) -> list[str]:
        """ "What did Kim say when he visited the Cuban embassy?" is not answered by "Kim visited the Cuban
        embassy to pay his respects": a question asking only what someone said needs a sentence that
        reports speech (a verb of saying or a quotation). "What did Putin say about the troops?" is not
        answered by what an intelligence assessment says: the answer must name who was asked about."""
        q = analysis.q
        speaker, speaker_words = asked_speaker(q.text)
        if (
            speaker_words
            and not analysis.followup
            and not any(_reports_speech_of(speaker_words, c.text) for c in chosen)
        ):
            return [f"the evidence does not report what {speaker} said"]
        if (q.focus and q.focus.focus) or not asked_speech(q.text):
            return []
        if any(SPEECH.search(c.text) for c in chosen):
            return []
        return ["the evidence does not report what was said"]

    def _restated(self, analysis: Analysis, chosen: list[Candidate]) -> list[str]:
        """An answer that only says back what the question says ("Why did Portugal sever ties with North
        Korea in 2017?" -> "In 2017, Portugal cut diplomatic ties with North Korea.") answers nothing: at
        most one of its content words (by stem) is new to the question."""
        q = analysis.q
        if analysis.followup or q.kind == "yes-no":  # "Did Portugal cut ties in 2017?" is answered by saying so
            return []
        asked = {stem(w) for w in words(q.text)}
        new = {stem(w) for c in chosen for w in content_words(c.text)} - asked
        if len(new) > RESTATED_MAX_NEW:
            return []
        return ["the sentences found only restate the question"]

    def _focus_absent(self, analysis: Analysis) -> list[str]:
        """A question whose focus no retrieved sentence states is not answered by any of them, however
        well its names match ("Who did Lee appoint as his unification minister?" finds Lee, never an
        appointment). Follow-ups are exempt: their few words lean on the earlier turn."""
        q = analysis.q
        if analysis.followup or not q.focus or not q.focus.focus or q.focus.inherited:
            return []
        if max((c.features.get("focus", 0.0) for c in analysis.cands), default=0.0) >= FOCUS_ABSENT:
            return []
        asked = ", ".join(sorted(q.focus.surface[t] for t in q.focus.focus))
        return [f"no retrieved sentence states what is asked ({asked})"]

    def _referent_absent(self, analysis: Analysis, chosen: list[Candidate]) -> list[str]:
        """A follow-up asking for a value or a place about "it" ("How many people will it employ?" after LS
        Greenlink's factory) is not answered by a value about something else: some chosen sentence must
        name what "it" points at (the earlier turn's terms), or follow the sentence that does."""
        q = analysis.q
        # A place too ("Where was that meeting held?"); not a person or a party: a follow-up's answer
        # rarely names again what "she" or "that policy" is (five right answers lost when it had to).
        valued = bool(q.focus and q.focus.answer_type in _VALUE_TYPES | {"place"})
        if not (analysis.followup and valued and Conversation.points_back(q.text)):
            return []
        if not any("anchor_near" in c.features for c in analysis.cands):  # nothing to point at
            return []
        # The sentences holding a value of the asked type are the answer: one of them must be about "it".
        holders = [c for c in chosen if c.features.get("focus_type", 0.0) >= 1.0] or chosen
        if max((c.features.get("anchor_near", 1.0) for c in holders), default=1.0) >= REFERENT_NAMED:
            return []
        return ["the sentences found are about something other than what the question points back at"]

    def turn_features(self, analysis: Analysis, chosen: list[Candidate], support: float) -> dict[str, float]:
        """What the answerability model sees: the best sentence's features, how much of the question's
        vocabulary and focus the answer covers, and the question itself."""
        best = analysis.cands[0]
        q = analysis.q
        terms_total = sum(q.terms.values()) or 1.0
        oov = sum(w for t, w in q.terms.items() if w == 3.0) / terms_total
        kind = q.focus.answer_type if q.focus else "any"
        # The noun asked for ("which hotel", "how many hours"): does the answer name it, or a close synonym?
        head = asked_head(q.text)
        head_unstated = head is not None and bool(
            self._unstated({stem(head): head}, " ".join(c.text for c in chosen), names_count=True)
        )
        return {
            "best": best.score,
            "support": support,
            "focus": max(c.features.get("focus", 0.0) for c in chosen),
            "focus_ctx": max(c.features.get("focus_ctx", 0.0) for c in chosen),
            "focus_type": max(c.features.get("focus_type", 0.5) for c in chosen),
            "typed": 0.0 if kind in ("any", "reason") else 1.0,
            "dense": best.features.get("dense", 0.0),
            "dense_ctx": best.features.get("dense_ctx", 0.0),
            "coverage": best.features.get("coverage", 0.0),
            "names": best.features.get("names", 1.0),
            "oov": oov,
            "followup": 1.0 if analysis.followup else 0.0,
            "n_focus": float(len(q.focus.focus)) if q.focus else 0.0,
            "head_unstated": 1.0 if head_unstated else 0.0,
            # Is the focus stated anywhere in what was retrieved, and with a value of the type asked for?
            "focus_any": max(c.features.get("focus", 0.0) for c in analysis.cands),
            "focus_ctx_any": max(c.features.get("focus_ctx", 0.0) for c in analysis.cands),
            "focus_typed_any": max(
                min(c.features.get("focus", 0.0), c.features.get("focus_type", 0.5)) for c in analysis.cands
            ),
        }

    def _select(
        self, cands: list[Candidate], generation: Generation, q: QuestionProfile, passages: list[Passage]
    ) -> list[Candidate]:
        """The best sentence, the neighbour it leans on or that continues it, and, up to the limit,
        another sentence only when it answers the same focus too (no padding): from the same
        document when it scores close to the best, from another document only when it answers on its own."""
        best = cands[0]
        by_key = {(c.doc_id, c.index): c for c in cands}
        chosen = [best]
        limit = self.settings.max_answer_sentences
        prev = self._neighbour(generation, best, -1)
        if prev and is_prose(prev[1]):
            holds_value = self._value_before(q, best, prev[1])
            if (_ANAPHOR.match(best.text) and not _PERSONAL.match(best.text)) or holds_value:
                joined = by_key.get((best.doc_id, prev[0])) or self._stub(best, prev, generation, passages)
                if joined:
                    if holds_value:  # the value the best sentence points back at: it answers with it
                        joined.features["points_here"] = 1.0
                    chosen.insert(0, joined)
        nxt = self._neighbour(generation, best, +1)
        # A single typed question ("Where did they meet?") whose best sentence holds a value of its type is
        # answered: what the sentence after it adds ("It was also the first time ...") is not asked, unless
        # it holds more of that type.
        answered = bool(
            q.focus
            and q.focus.single
            and q.focus.answer_type not in ("any", "reason")
            and best.features.get("focus_type", 0.5) == 1.0
        )
        if (
            nxt
            and len(chosen) < limit
            and is_prose(nxt[1])
            and (
                _CONTINUES.search(best.text)
                or (_ANAPHOR.match(nxt[1]) and (not answered or self._holds_asked_type(q, nxt[1])))
            )
        ):
            neighbour = by_key.get((best.doc_id, nxt[0]))
            if neighbour is None or neighbour.score >= CONTINUATION_RATIO * best.score:
                joined = neighbour or self._stub(best, nxt, generation, passages)
                if joined:
                    chosen.append(joined)
        covered = set().union(*(c.terms for c in chosen))
        # A follow-up asking for a name, date or count wants a new one: a sentence already said, holding
        # no new value of that type, does not join again ("Who did he call after that?" after "Trump").
        typed = bool(q.focus and q.focus.answer_type not in ("any", "reason"))
        answer_kind = q.focus.answer_type if q.focus else "any"
        # What a runner-up must add is more of what is asked (the focus), not the subject's name again.
        wanted = (q.focus.focus if q.focus and q.focus.focus else None) or q.terms
        wanted_total = sum(wanted.values()) or 1
        for cand in cands[1:]:
            if len(chosen) >= limit:
                break
            if any(c.doc_id == cand.doc_id and c.index == cand.index for c in chosen):
                continue
            if typed and cand.features.get("given", 0.0) >= 1.0:
                continue
            if answered and cand.features.get("focus_type", 0.5) < 1.0:  # holds no more of what is asked
                continue
            # "How did North Korea respond?": another party's response ("Lee's government has responded")
            # is not part of the answer, however well it matches "respond".
            if q.focus and q.focus.responds and not cand.features.get("actor", 0.0):
                continue
            gain = sum(w for t, w in wanted.items() if t in cand.terms and t not in covered) / wanted_total
            if self.scorer is None or self.scorer.ranker is None:
                # A close runner-up often holds the half of the answer the best sentence lacks, but it
                # joins only when it speaks to the question's focus too (no padding), and one from
                # another document only when it is nearly as good as the best on its own.
                rule = RUNNER_UP_SAME_DOC if cand.doc_id == best.doc_id else RUNNER_UP_OTHER_DOC
                joins = (
                    cand.score >= rule.close * best.score
                    or (
                        cand.score >= rule.near * best.score
                        and (gain >= rule.near_gain or self._holds_missing_value(answer_kind, best, cand))
                    )
                ) and (cand.features.get("followup", 0.0) > 0 or cand.features.get("focus", 0.0) >= rule.focus)
            else:
                join = JOIN_SAME_DOC if cand.doc_id == best.doc_id else JOIN_OTHER_DOC
                joins = (
                    cand.score >= max(join.floor, join.ratio * best.score)
                    and gain > 0
                    and cand.features.get("focus", 0.0) >= join.focus
                )
            if joins:
                if self._holds_missing_value(answer_kind, best, cand):  # it holds the answer's value
                    cand.features["points_here"] = 1.0
                antecedent = self._antecedent(cand, chosen, generation, passages, by_key)
                if antecedent is not None and len(chosen) + 2 <= limit:
                    chosen.append(antecedent)
                chosen.append(cand)
                covered |= cand.terms
        stater = (
            self._act_stater(q, cands, chosen) or self._speaker_stater(q, cands, chosen)
            if len(chosen) < limit
            else None
        )
        if stater is not None:
            chosen.append(stater)
        chosen.sort(key=lambda c: (c.doc_id != best.doc_id, c.doc_id, c.index))
        return chosen

    def _other_years(self, q: QuestionProfile, chosen: list[Candidate], generation: Generation) -> list[str]:
        """ "What happened in Hanoi in 2019?" is not answered by a sentence about 1967: the years the
        answer's sentences name, when the question names a year that neither they nor the sentences
        around them name (empty when they do, or name no year at all)."""
        asked = {y for y in q.numbers if _YEAR.fullmatch(y)}
        if not asked or q.kind == "when":
            return []
        decades = {m.group(1) for m in _DECADE.finditer(q.text)}  # "in the 1980s" is answered by 1983

        def in_asked(years: set[str]) -> bool:
            return bool(years & asked) or any(y[:3] in decades for y in years)

        named = {y for c in chosen for y in _YEAR.findall(c.text)}
        if not named or in_asked(named):
            return []
        around = set()
        for c in chosen:
            around |= self._window_terms(generation, c, reach=1)
        return [] if in_asked(around) else sorted(named)

    def _antecedent(
        self,
        cand: Candidate,
        chosen: list[Candidate],
        generation: Generation,
        passages: list[Passage],
        by_key: dict[tuple[str, int], Candidate],
    ) -> Candidate | None:
        """ "It banned the export of gold ..." joins an answer with the sentence naming what "It" is
        ("Resolution 2270, passed in March 2016, ..."): the sentence before a runner-up that opens with a
        pointer, when the answer does not already hold it."""
        if not _ANAPHOR.match(cand.text) or _PERSONAL.match(cand.text):
            return None
        prev = self._neighbour(generation, cand, -1)
        if not prev or not is_prose(prev[1]) or any(c.doc_id == cand.doc_id and c.index == prev[0] for c in chosen):
            return None
        return by_key.get((cand.doc_id, prev[0])) or self._stub(cand, prev, generation, passages)

    @staticmethod
    def _act_stater(q: QuestionProfile, cands: list[Candidate], chosen: list[Candidate]) -> Candidate | None:
        """ "What did Lee and Trump agree on submarines?": when no chosen sentence states the act asked
        about, the sentence that does ("has given approval for the ROK to build ...") joins, if it scores
        nearly as well as the best one (a list of what Lee gained support for)."""
        act = asked_act(q.text)
        if not act or not cands or ACT_WORDS[stem(act)] & set().union(*(c.terms for c in chosen)):
            return None
        return _close_runner_up(cands, lambda c: bool(ACT_WORDS[stem(act)] & c.terms))

    @staticmethod
    def _speaker_stater(q: QuestionProfile, cands: list[Candidate], chosen: list[Candidate]) -> Candidate | None:
        """ "What has Kim Jong-un said about giving up his nuclear weapons?": when no chosen sentence names
        the speaker asked about, the sentence that reports what he said ("Kim has said he will 'never'
        denuclearize") joins, if it scores nearly as well as the best one."""
        _, speaker = asked_speaker(q.text)
        if not speaker or not cands or any(_reports_speech_of(speaker, c.text) for c in chosen):
            return None
        return _close_runner_up(cands, lambda c: _reports_speech_of(speaker, c.text))

    @staticmethod
    def _holds_asked_type(q: QuestionProfile, text: str) -> bool:
        """ "He is also an Expert at Terner Consulting": a sentence holding more of the type asked for."""
        return bool(q.focus and q.focus.type_match(text, q.numbers) == 1.0)

    @staticmethod
    def _holds_missing_value(kind: str, best: Candidate, cand: Candidate) -> bool:
        """ "Which leaders did Lee call next?": the best sentence names only Trump, already in the
        question; a close runner-up that states as much of the focus and names someone new ("Japan's
        Ishiba and China's Xi Jinping") holds what the best one lacks. Names, and a place only in the
        sentence beside the best: a date or place found this way anywhere answered two unanswerable
        questions ("On which exact day ...?")."""
        typed = best.features.get("focus_type", 0.5)
        if typed >= 0.5 or cand.features.get("focus_type", 0.5) < 1.0:
            return False
        # "Which country first held the ship the U.S. seized?": the next sentence says "first detained by
        # Indonesia". Only a place, and only beside the best sentence: names found this way anywhere
        # answered unanswerable questions ("in coalition with a smaller party" + another party's name).
        if kind == "place" and cand.doc_id == best.doc_id and abs(cand.index - best.index) == 1:
            return True
        return kind in ("person", "organisation", "name") and cand.features.get("focus", 0.0) >= best.features.get(
            "focus", 0.0
        )

    @staticmethod
    def _value_before(q: QuestionProfile, best: Candidate, previous: str) -> bool:
        """ "Where did Kim Jong-il learn English?": "He spent a year there learning English." holds no
        place; its "there" is the sentence before's Malta, which joins it (as "her party" is the one named
        just before it)."""
        if not q.focus or q.focus.answer_type in ("any", "reason"):
            return False
        # "she led her party": the party asked for is the one the sentence before names.
        owned = bool(q.focus.head) and re.search(
            rf"\b(?:his|her|its|their)\s+{re.escape(q.focus.head or '')}\b", best.text
        )
        if not (_POINTS_BACK.search(best.text) or owned):
            return False
        if q.focus.type_match(best.text, q.numbers) == 1.0:
            return False
        # A place "there" points back at is named, if not always after "in" ("Malta had good relations").
        return q.focus.type_match(previous, q.numbers) == 1.0 or (
            q.focus.answer_type == "place" and q.focus.holds_new_name(previous)
        )

    def _stub(
        self, near: Candidate, neighbour: tuple[int, str], generation: Generation, passages: list[Passage]
    ) -> Candidate | None:
        """A neighbouring sentence to join to the answer, cited to a retrieved passage that holds it
        (None when no retrieved passage does: a citation must point at what was retrieved)."""
        index, text = neighbour
        start, end = generation.documents[near.doc_id].sentences[index]
        holder = next((p for p in passages if p.doc_id == near.doc_id and p.start <= start and end <= p.end), None)
        if holder is None:
            return None
        return Candidate(near.doc_id, index, text, start, end, holder, set(sentence_terms(text)), {"dense": 0.0}, 0.0)

    def _support(self, q: QuestionProfile, chosen: list[Candidate], generation: Generation) -> tuple[float, list[str]]:
        """How much of the question's vocabulary the answer (with its neighbours) covers, and the hard
        reasons not to answer: a number or name of the question absent from the evidence, or no
        value of the type the question asks for (a date, a count that is not a year, an age...)."""
        window: list[str] = [c.text for c in chosen]
        for c in chosen:
            for step in (-1, 1):
                n = self._neighbour(generation, c, step)
                if n:
                    window.append(n[1])
        text = " ".join(window)
        ws = [w for w in words(text) if w not in STOPWORDS]
        meta = generation.documents[chosen[0].doc_id].metadata
        ws += [
            w for w in words(" ".join(meta.get(k, "") for k in ("title", "author", "publisher"))) if w not in STOPWORDS
        ]
        terms = {stem(w) for w in ws}
        support, unmatched = self._soft_coverage(q, q.terms, terms, ws)
        if q.context_terms:  # a follow-up ("Where does he work?") is also judged with what it refers to
            support = max(support, self._soft_coverage(q, {**q.context_terms, **q.terms}, terms, ws)[0])
        problems = []
        # Numbers and names of the question must appear in the answering document (or its header).
        doc = generation.documents[chosen[0].doc_id]
        doc_words = set(words(doc.text + " " + " ".join(doc.metadata.values())))
        missing = [n for n in sorted(q.numbers) if n not in doc_words]
        # A name the whole corpus never uses (KCNA, FIFA) means the question is about something else.
        missing += [
            n
            for n in sorted(q.names)
            if len(n) > 2
            and n not in STOPWORDS
            and stem(n) not in generation.lexical.doc_freq
            and not any(stem(a) in generation.lexical.doc_freq for a in COUNTRY_ALIASES.get(n, ()))
        ]
        if missing:
            problems.append("the source does not mention " + ", ".join(missing))
        elif other_years := self._other_years(q, chosen, generation):
            problems.append(
                "the sentences found are about "
                + ", ".join(other_years)
                + ", not "
                + ", ".join(sorted(y for y in q.numbers if _YEAR.fullmatch(y)))
            )
        unstated = self._unstated_personal_facts(q, text)
        act = asked_act(q.text)
        # The chosen sentences themselves must say it ("agreed", "requested"), not just a neighbour.
        if act and not ACT_WORDS[stem(act)] & set().union(*(c.terms for c in chosen)):
            unstated.append(act)
        counted = counted_predicate(q.text)
        if counted and self._unstated({stem(counted): counted}, " ".join(c.text for c in chosen)):
            unstated.append(counted)  # "How many soldiers were wounded?": "10,000 troops deployed" is not it
        caused = event_predicate(q.text)
        if caused and self._unstated({stem(caused): caused}, " ".join(c.text for c in chosen)):
            unstated.append(caused)  # "Why had North Korea detained him?": "after his death" is no cause of that;
            # "When did Brunson take command?": the year of his testimony is not when he took it
        if unstated:
            problems.append("the evidence does not state " + ", ".join(unstated))
        kind = q.focus.answer_type if q.focus else "any"
        focus = q.focus
        if (
            focus is not None
            and focus.single  # a question asking two things may be answered by a list without the count
            and kind in _TYPED_VALUES
            and not any(focus.type_match(c.text, q.numbers) > 0 for c in chosen)
        ):
            problems.append(f"no {kind} in the evidence")
        elif (
            focus is not None
            and focus.single
            and kind in ("person", "organisation", "place")
            and any(
                focus.names_head_indefinitely(c.text) and c.features.get("focus", 0.0) >= INDEFINITE_FOCUS
                for c in chosen
            )
        ):
            # The sentence about just what is asked says there is one without naming it ("in coalition with
            # a smaller party"): the sources do not say which, whatever other names the answer holds.
            problems.append(f"the evidence mentions a {focus.head} without naming it")
        elif (
            focus is not None
            and focus.single
            and asks_for_person(q.text)
            and not any(
                names_person(c.text, self._people(generation), focus.asked_words | frozenset(words(q.text)))
                for c in chosen
            )
        ):
            # "Which Supreme Court justices dissented?": the sentence about the ruling names the court, and
            # "the foreign and defense ministers" are named only by their office: no one is named.
            problems.append("no person named in the evidence")
        elif (
            focus is not None
            and focus.single
            and kind in ("person", "organisation", "place")
            and (kind != "place" or focus.head is not None)
            and not any(focus.type_match(c.text, q.numbers) >= 1.0 for c in _focus_bearers(chosen))
        ):
            # "Who is the U.S. Commerce Secretary chairing the committee ...?": the sentence about the
            # committee names only the title, so the sources do not say who, whatever names the other
            # sentences hold. ("Where ...?" is left to the fitted model: a place is often a plain noun.)
            problems.append(f"no {kind} named in the evidence")
        elif (
            focus is not None
            and focus.single
            and kind == "reason"
            and not any(focus.type_match(c.text, q.numbers) >= 1.0 for c in chosen)
        ):
            # "Why did Egypt suspend its military ties?" is not answered by "Egypt announced it was suspending
            # military ties": no chosen sentence gives a cause, a purpose or a motive.
            problems.append("no reason in the evidence")
        elif (
            # the coarse kind only where the focus typed no value: "How long is the border?" is a length,
            # which its type check found, though no date
            (focus is None or (focus.single and kind not in _TYPED_VALUES))
            and q.kind in ("when", "how-many", "age")
            and not any(answer_type_match(q.kind, c.text, q) > 0 for c in chosen)
        ):
            problems.append(f"no {'date' if q.kind == 'when' else 'number'} in the evidence")
        # A typed follow-up that leans on the conversation ("How many were there?", "When will it open?")
        # is answered by a sentence about what was just talked about, not by any value elsewhere.
        if (
            kind not in ("any", "reason")
            and (Conversation.points_back(q.text) or (focus is not None and focus.inherited))
            and any(c.features.get("followup", 0.0) > 0 for c in chosen)
            and not any(
                c.features.get("anchor", 0.0) > 0
                or c.features.get("near_given", 0.0) > 0
                or c.features.get("said", 0.0) > 0
                for c in chosen
            )
        ):
            problems.append("nothing in the evidence is about what the follow-up points back to")
        if self.scorer is None and support < self.settings.abstain_threshold:
            problems.append(f"support {support:.2f}; not covered: " + ", ".join(unmatched))
        return support, problems

    def _compose(
        self, question: str, chosen: list[Candidate], passages: list[Passage], started: float, confidence: float
    ) -> Answer:
        numbers: dict[str, int] = {}
        citations: list[Citation] = []
        parts = []
        for cand in chosen:
            cid = cand.passage.chunk_id
            if cid not in numbers:
                numbers[cid] = len(numbers) + 1
            n = numbers[cid]
            parts.append(f"{cand.text} [{n}]")
            citations.append(
                Citation(
                    n=n,
                    passage=cand.passage,
                    quote=cand.text,
                    quote_start=cand.start,
                    quote_end=cand.end,
                    score=round(max(0.0, min(1.0, cand.score)), 3),
                )
            )
        return Answer(
            question=question,
            text=" ".join(parts),
            citations=citations,
            retrieved=passages,
            backend=self.name,
            confidence=confidence,
            timings_ms={"answer": (time.perf_counter() - started) * 1000},
        )

    def _abstain(
        self, question: str, passages: list[Passage], started: float, why: str, confidence: float = 0.0
    ) -> Answer:
        return Answer(
            question=question,
            text=refusal_text(question),
            abstained=True,
            related=passages[:RELATED_SHOWN],
            retrieved=passages,
            backend=self.name,
            confidence=confidence,
            timings_ms={"answer": (time.perf_counter() - started) * 1000},
            notes=[why],
        )
