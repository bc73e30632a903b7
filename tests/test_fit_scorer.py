"""The refitting script's rankers, on turns whose right sentence is known (no model needed)."""

from __future__ import annotations

import numpy as np

from assistant.answerers.extractive import Analysis, Candidate
from assistant.answerers.fit_scorer import RANKER_FEATURES, TurnData, fit_ranker


def _turn(case: str, rng: np.random.Generator, offset: float) -> TurnData:
    """Five candidates; the reference is the one with the highest `focus`, while `dense` is shifted by a
    per-question offset (some questions are vaguer than others) and says nothing within a question."""
    cands = []
    for i in range(5):
        features = {name: 0.0 for name in RANKER_FEATURES}
        features["focus"] = 0.9 if i == 0 else float(rng.uniform(0.0, 0.5))
        features["dense"] = offset + float(rng.uniform(0.0, 0.1))
        cands.append(Candidate("d", i, f"sentence {i}.", 0, 1, None, set(), features))  # type: ignore[arg-type]
    analysis = Analysis(None, cands, False)  # type: ignore[arg-type]
    return TurnData(case, "q", True, [], [], analysis, [], None, labels=[1, 0, 0, 0, 0])


def test_fitted_rankers_put_the_reference_sentence_first() -> None:
    rng = np.random.default_rng(7)
    turns = [_turn(f"c{i}", rng, offset=float(rng.uniform(0.0, 1.0))) for i in range(40)]
    for kind in ("learned", "pairwise"):
        ranker = fit_ranker(turns, kind)
        assert ranker is not None
        fresh = _turn("new", rng, offset=0.5)
        scores = [ranker.probability(c.features) for c in fresh.analysis.cands]
        assert int(np.argmax(scores)) == 0, kind
        assert all(0.0 <= s <= 1.0 for s in scores)
    assert fit_ranker(turns, "hand") is None  # the hand-set weights order sentences


def test_the_answerability_fit_keeps_each_weight_on_its_side() -> None:
    """Unconstrained it is scikit-learn's logistic regression; a feature whose meaning says "more is
    never worse" gets a weight of zero, not a negative one, even when the data pull it below."""
    from assistant.answerers.fit_scorer import fit_logistic, fit_monotone_logistic

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    y = (x @ np.array([1.5, -1.0, 0.5]) + rng.normal(size=400) > 0).astype(int)
    names = ("helps", "hurts", "weak")
    free = fit_monotone_logistic(x, y, names, {})
    reference = fit_logistic(x, y, names)
    assert np.allclose(free.coef, reference.coef, atol=2e-3) and abs(free.intercept - reference.intercept) < 2e-3
    signed = fit_monotone_logistic(x, y, names, {"hurts": 1, "weak": -1})
    assert signed.coef[1] == 0.0 and signed.coef[2] == 0.0 and signed.coef[0] > 1.0
