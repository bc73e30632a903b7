"""Fit the extractive answerer's sentence ranker and answerability model from labelled test sets.

    python -m assistant.answerers.fit_scorer corpus/testsets/core.jsonl corpus/testsets/honesty.jsonl

Every test turn is played through the real retrieval (earlier turns of a conversation are given their
reference answers as history). Each candidate sentence is labelled by whether it is one of the turn's
reference contexts; each turn by whether it is answerable and whether the answer built from the ranked
sentences holds all the reference facts. Logistic regressions are fitted: the ranker over candidates,
the answerability model over turns (P(answerable): it decides whether to decline), and a one-feature
calibration from that to P(the answer given is right), which is the confidence users see. Their quality is measured by
cross-validation grouped by test case (no conversation is split across folds), with the ranker's
scores out of fold too, and the decline threshold is chosen on those out-of-fold confidences to
maximise an honesty-weighted utility: +1 for a right answer or a right refusal, -1 for a wrong answer,
-0.5 for declining an answerable question. Writes `scorer_weights.json` beside this file and prints the
held-out report (also stored in the file under "cv").

Needs scikit-learn (`pip install -e ".[fit]"`); the answerer itself only needs the JSON file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answerers.extractive import Analysis, Candidate, ExtractiveAnswerer
from assistant.answerers.scorer import WEIGHTS_FILE, LogisticModel, Scorer, rank
from assistant.evaluation.metrics import expected_calibration_error, facts_present, normalise
from assistant.evaluation.testset import load_testset
from assistant.settings import Settings

RANKER_FEATURES = (
    "dense",
    "dense_ctx",
    "dense_gap",
    "coverage",
    "window",
    "premise",
    "rank",
    "type",
    "focus_type",
    "focus",
    "focus_ctx",
    "names",
    "subject",
    "primary",
    "given",
    "near_given",
    "followup",
)
RANKER_KINDS = ("hand", "learned", "pairwise")
PLACEHOLDER = LogisticModel((), (), (), (), 0.0)
TURN_FEATURES = (
    "best",
    "support",
    "focus",
    "focus_ctx",
    "focus_type",
    "typed",
    "dense",
    "dense_ctx",
    "coverage",
    "names",
    "oov",
    "followup",
    "n_focus",
    "focus_any",
    "focus_ctx_any",
    "focus_typed_any",
    "head_unstated",
)


@dataclass
class TurnData:
    case_id: str
    question: str
    answerable: bool
    facts: list
    contexts: list[str]
    analysis: Analysis
    passages: list
    generation: Any
    labels: list[int] = field(default_factory=list)


def is_reference(cand: Candidate, contexts: list[str]) -> bool:
    text = normalise(cand.text)
    return any(text in normalise(c) or normalise(c) in text for c in contexts)


def collect(testsets: list[Path], settings: Settings) -> tuple[list[TurnData], ExtractiveAnswerer]:
    """Every turn of every test set through real retrieval and the answerer's feature extraction."""
    from assistant.service import Assistant
    from assistant.stages import ChainInput

    assistant = Assistant(settings.with_overrides(scorer="hand", llm="extractive"))
    answerer = assistant.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    turns: list[TurnData] = []
    for path in testsets:
        for case in load_testset(path):
            history: list[tuple[str, str]] = []
            for turn in case.turns:
                state = assistant.chain.prepare.invoke(ChainInput(turn.user_input, list(history)))
                analysis = answerer.analyse(turn.user_input, state.passages, state.generation, state.conversation)
                data = TurnData(
                    case.id,
                    turn.user_input,
                    turn.answerable,
                    list(turn.reference_facts),
                    list(turn.reference_contexts),
                    analysis,
                    state.passages,
                    state.generation,
                )
                data.labels = [int(is_reference(c, data.contexts)) for c in analysis.cands]
                turns.append(data)
                history.append((turn.user_input, turn.reference))
    return turns, answerer


def fit_logistic(x: np.ndarray, y: np.ndarray, names: tuple[str, ...], c: float = 1.0) -> LogisticModel:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    return LogisticModel(
        names,
        tuple(map(float, mean)),
        tuple(map(float, scale)),
        tuple(map(float, model.coef_[0])),
        float(model.intercept_[0]),
        tuple(map(float, x.min(axis=0))),
        tuple(map(float, x.max(axis=0))),
    )


# The direction each answerability feature may push, from what it means: more of the question stated in
# the answer can never make an answer less likely right (+1); words the corpus never uses and an asked noun
# the answer does not name can never make it more likely (-1); 0 leaves the sign to the data. Unconstrained,
# the fit gave "support", "focus" and "coverage" negative weights (they overlap, and 239 turns cannot tell
# them apart), so an answer stating more of the question could score lower.
TURN_SIGNS: dict[str, int] = {
    "best": 1,
    "support": 1,
    "focus": 1,
    "focus_ctx": 1,
    "focus_type": 1,
    "typed": 0,
    "dense": 1,
    "dense_ctx": 1,
    "coverage": 1,
    "names": 1,
    "oov": -1,
    "followup": 0,
    "n_focus": 0,
    "focus_any": 1,
    "focus_ctx_any": 1,
    "focus_typed_any": 1,
    "head_unstated": -1,
}
ANSWERABILITY_C = 1.0  # inverse L2 strength, as scikit-learn's default


def fit_monotone_logistic(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...], signs: dict[str, int], c: float = ANSWERABILITY_C
) -> LogisticModel:
    """L2-regularised logistic regression whose weights keep the signs in `signs` (bounded L-BFGS on
    standardised features): the same loss as scikit-learn's, with each weight confined to its side."""
    from scipy.optimize import minimize

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    target = y.astype(float)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        margin = z @ w + b
        p = 1.0 / (1.0 + np.exp(-margin))
        value = np.sum(np.logaddexp(0.0, margin) - target * margin) + 0.5 / c * float(w @ w)
        residual = p - target
        return value, np.append(z.T @ residual + w / c, residual.sum())

    bounds = [
        (0.0, None) if signs.get(n, 0) > 0 else (None, 0.0) if signs.get(n, 0) < 0 else (None, None) for n in names
    ]
    fitted = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)])
    return LogisticModel(
        names,
        tuple(map(float, mean)),
        tuple(map(float, scale)),
        tuple(float(w) for w in fitted.x[:-1]),
        float(fitted.x[-1]),
        tuple(map(float, x.min(axis=0))),
        tuple(map(float, x.max(axis=0))),
    )


def fit_pairwise(turns: list[TurnData], c: float = 0.1) -> LogisticModel:
    """A ranker fitted on pairs within one turn (a reference sentence against another candidate of the
    same question), so what differs between questions (how close any sentence can get to a vague
    question) does not blur what makes one sentence a better answer than its neighbours. The pair
    model's score is then mapped to P(reference) by a one-feature logistic fit over all candidates,
    so its scale means the same as a pointwise ranker's (the joining rules compare probabilities)."""
    from sklearn.linear_model import LogisticRegression

    x_all, y_all = ranker_matrix(turns)
    mean = x_all.mean(axis=0)
    scale = x_all.std(axis=0)
    scale[scale == 0] = 1.0
    diffs: list[np.ndarray] = []
    for turn in turns:
        if not turn.answerable or not turn.analysis.cands:
            continue
        x = (np.array([[c.features.get(n, 0.0) for n in RANKER_FEATURES] for c in turn.analysis.cands]) - mean) / scale
        y = np.array(turn.labels)
        for positive in x[y == 1]:
            for negative in x[y == 0]:
                diffs.append(positive - negative)
    d = np.array(diffs)
    pairs = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(
        np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))]
    )
    w = pairs.coef_[0]
    s = ((x_all - mean) / scale) @ w
    link = LogisticRegression(max_iter=2000).fit(s.reshape(-1, 1), y_all)
    a, b = float(link.coef_[0][0]), float(link.intercept_[0])
    return LogisticModel(
        RANKER_FEATURES,
        tuple(map(float, mean)),
        tuple(map(float, scale)),
        tuple(float(a * v) for v in w),
        b,
        tuple(map(float, x_all.min(axis=0))),
        tuple(map(float, x_all.max(axis=0))),
    )


def fit_ranker(turns: list[TurnData], kind: str) -> LogisticModel | None:
    """None for the hand-set weights; else a pointwise ("learned") or within-question ("pairwise") fit."""
    if kind == "hand":
        return None
    if kind == "pairwise":
        return fit_pairwise(turns)
    return fit_logistic(*ranker_matrix(turns), RANKER_FEATURES)


def ranker_matrix(turns: list[TurnData]) -> tuple[np.ndarray, np.ndarray]:
    rows = [[c.features.get(n, 0.0) for n in RANKER_FEATURES] for t in turns if t.answerable for c in t.analysis.cands]
    labels = [y for t in turns if t.answerable for y in t.labels]
    return np.array(rows, dtype=float), np.array(labels, dtype=int)


def play(
    turn: TurnData, answerer: ExtractiveAnswerer, ranker: LogisticModel | None
) -> tuple[dict[str, float], bool, bool, int]:
    """Rank the turn's candidates with `ranker` (None: the hand-set weights), build the answer as the
    answerer would: its turn features, whether it is right, whether a hard rule declines it, and
    whether the top sentence is a reference."""
    answerer.scorer = Scorer(ranker, ranker or PLACEHOLDER, 0.5, "fitting") if ranker else None
    for cand in turn.analysis.cands:
        cand.score = rank(answerer.scorer, cand.features)
    order = sorted(range(len(turn.analysis.cands)), key=lambda i: -turn.analysis.cands[i].score)
    turn.analysis.cands[:] = [turn.analysis.cands[i] for i in order]
    turn.labels[:] = [turn.labels[i] for i in order]
    chosen = answerer._select(turn.analysis.cands, turn.generation, turn.analysis.q, turn.passages)
    support, problems = answerer._support(turn.analysis.q, chosen, turn.generation)
    problems += answerer.rule_problems(turn.analysis, chosen)
    features = answerer.turn_features(turn.analysis, chosen, support)
    text = " ".join(c.text for c in chosen)
    right = turn.answerable and facts_present(text, turn.facts) == 1.0
    return features, right, bool(problems), turn.labels[0] if turn.labels else 0


MISSED_ANSWER_COST = 0.5  # a needless refusal costs half of what a wrong answer does
UTILITY_TIE = 1.0  # smoothed utilities closer than this to the best count as a tie


def utility(
    confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray, hard: np.ndarray, threshold: float
) -> float:
    """+1 per right answer or right refusal, -1 per wrong answer, -MISSED_ANSWER_COST per needless refusal."""
    answered = (confidence >= threshold) & ~hard
    return float(np.sum(np.where(answered, np.where(right, 1, -1), np.where(answerable, -MISSED_ANSWER_COST, 1))))


def cross_validate(turns: list[TurnData], answerer: ExtractiveAnswerer, folds: int, ranker_kind: str) -> dict[str, Any]:
    """Out-of-fold ranker scores, then out-of-fold answerability, both grouped by case."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([t.case_id for t in turns])
    splitter = GroupKFold(n_splits=folds)
    turn_x: list[list[float]] = [[] for _ in turns]
    right = np.zeros(len(turns), bool)
    hard = np.zeros(len(turns), bool)
    top_ok = np.zeros(len(turns), bool)
    index = np.arange(len(turns))
    for train, test in splitter.split(index, groups=groups):
        ranker = fit_ranker([turns[i] for i in train], ranker_kind)
        for i in test:
            if not turns[i].analysis.cands:
                hard[i] = True
                turn_x[i] = [0.0] * len(TURN_FEATURES)
                continue
            features, right[i], hard[i], top_ok[i] = play(turns[i], answerer, ranker)
            turn_x[i] = [features.get(n, 0.0) for n in TURN_FEATURES]
    x_turn = np.array(turn_x, dtype=float)
    answerable = np.array([t.answerable for t in turns])
    p_answerable = np.zeros(len(turns))
    for train, test in splitter.split(index, groups=groups):
        keep = train[~hard[train]]
        model = fit_monotone_logistic(x_turn[keep], answerable[keep].astype(int), TURN_FEATURES, TURN_SIGNS)
        p_answerable[test] = [model.probability(dict(zip(TURN_FEATURES, row))) for row in x_turn[test]]
    thresholds = np.round(np.arange(0.05, 0.96, 0.01), 2)
    # The utility curve is flat and noisy over a wide range: take the threshold whose neighbourhood
    # (+-0.05) does best on average, so a lone spike does not decide.
    utilities = {th: utility(p_answerable, right, answerable, hard, th) for th in thresholds}
    smoothed = {
        th: float(np.mean([u for t, u in utilities.items() if abs(t - th) <= 0.05 + 1e-9])) for th in thresholds
    }
    # Where thresholds are within one turn's worth of utility of the best, prefer the highest: when the
    # numbers cannot tell them apart, declining is the honest side to err on.
    top = max(smoothed.values())
    best = max(th for th in thresholds if smoothed[th] >= top - UTILITY_TIE)
    answered = (p_answerable >= best) & ~hard
    # Confidence shown = P(right), a monotone function of P(answerable) calibrated on the other folds.
    confidence = np.zeros(len(turns))
    for train, test in splitter.split(index, groups=groups):
        keep = train[~hard[train]]
        calibration = fit_calibration(p_answerable[keep], right[keep])
        confidence[test] = [calibrated(calibration, p) for p in p_answerable[test]]
    n_answerable, n_un = int(answerable.sum()), int((~answerable).sum())
    curve = []
    for th in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85):
        ok = (p_answerable >= th) & ~hard
        curve.append(
            {
                "threshold": th,
                "utility": utility(p_answerable, right, answerable, hard, th),
                "answer_correct": round(float((ok & right)[answerable].sum() / max(1, n_answerable)), 3),
                "abstention_recall": round(float((~ok)[~answerable].sum() / max(1, n_un)), 3),
            }
        )
    support_rule = (x_turn[:, TURN_FEATURES.index("support")] >= 0.4) & ~hard
    declined = ~answered
    return {
        "ranker": ranker_kind,
        "folds": folds,
        "turns": len(turns),
        "answerable_turns": n_answerable,
        "unanswerable_turns": n_un,
        "threshold": float(best),
        "ranker_top1_reference": round(float(top_ok[answerable].mean()), 4),
        "answer_correct": round(float((answered & right)[answerable].sum() / max(1, n_answerable)), 4),
        "right_if_answered_all": round(float(right[answerable].mean()), 4),
        "abstention_recall": round(float(declined[~answerable].sum() / max(1, n_un)), 4),
        "abstention_precision": round(float(declined[~answerable].sum() / max(1, declined.sum())), 4),
        "ece_answered": round(expected_calibration_error(list(confidence[answered]), list(right[answered])) or 0.0, 4),
        "utility": utility(p_answerable, right, answerable, hard, best),
        "curve": curve,
        "hand_rule": {
            "answer_correct": round(float((support_rule & right)[answerable].sum() / max(1, n_answerable)), 4),
            "abstention_recall": round(float((~support_rule)[~answerable].sum() / max(1, n_un)), 4),
            "utility": utility(support_rule.astype(float), right, answerable, hard, 0.5),
        },
    }


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def fit_calibration(p_answerable: np.ndarray, right: np.ndarray) -> LogisticModel:
    """Platt scaling: P(right) as a logistic function of the answerability logit."""
    x = np.array([[logit(p)] for p in p_answerable])
    constant = LogisticModel(("logit",), (0.0,), (1.0,), (0.0,), logit(float(right.mean()) if len(right) else 0.5))
    if len(set(right.tolist())) < 2:  # degenerate fold: every answer right (or wrong)
        return constant
    model = fit_logistic(x, right.astype(int), ("logit",))
    return model if model.coef[0] > 0 else constant  # never let more evidence mean less confidence


def calibrated(calibration: LogisticModel, p_answerable: float) -> float:
    return calibration.probability({"logit": logit(p_answerable)})


def fit_final(turns: list[TurnData], answerer: ExtractiveAnswerer, threshold: float, ranker_kind: str) -> Scorer:
    ranker = fit_ranker(turns, ranker_kind)
    rows, labels, rights = [], [], []
    for turn in turns:
        if not turn.analysis.cands:
            continue
        features, right, hard, _ = play(turn, answerer, ranker)
        if not hard:
            rows.append([features.get(n, 0.0) for n in TURN_FEATURES])
            labels.append(int(turn.answerable))
            rights.append(right)
    x = np.array(rows)
    answerability = fit_monotone_logistic(x, np.array(labels), TURN_FEATURES, TURN_SIGNS)
    p = np.array([answerability.probability(dict(zip(TURN_FEATURES, row))) for row in x])
    calibration = fit_calibration(p, np.array(rights))
    return Scorer(ranker, answerability, threshold, datetime.now(UTC).strftime("%Y-%m-%d"), calibration)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("testsets", nargs="+", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    parser.add_argument("--cv-only", action="store_true", help="report held-out folds, write nothing")
    parser.add_argument(
        "--ranker",
        choices=RANKER_KINDS + ("best",),
        default="best",
        help="order sentences by the hand-set weights, a pointwise or a within-question (pairwise) "
        "fitted ranker, or whichever scores best out of fold",
    )
    args = parser.parse_args(argv)
    turns, answerer = collect(args.testsets, Settings())
    choices = RANKER_KINDS if args.ranker == "best" else (args.ranker,)
    reports = [cross_validate(turns, answerer, args.folds, kind) for kind in choices]
    for report in reports:
        print(json.dumps(report, indent=2))
    report = max(reports, key=lambda r: r["utility"])
    print(f"chosen ranker: {report['ranker']}", file=sys.stderr)
    if args.cv_only:
        return 0
    scorer = fit_final(turns, answerer, report["threshold"], report["ranker"])
    payload = {
        "version": scorer.version,
        "trained_on": [str(p) for p in args.testsets],
        "cv": report,
        "cv_compared": reports,
        "threshold": scorer.threshold,
        "ranker": scorer.ranker.to_json() if scorer.ranker else None,
        "calibration": scorer.calibration.to_json() if scorer.calibration else None,
        "answerability": scorer.answerability.to_json(),
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
