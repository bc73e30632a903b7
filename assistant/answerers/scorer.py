"""The fitted models behind the extractive answerer's two judgements, read from a versioned file.

- `ranker`: P(this sentence answers the question), over a candidate's features; it orders sentences
  (absent when, measured out of fold, it did not beat the hand-set weights: then those order them).
- `answerability`: P(the sources answer this question), over the best sentence's features and the
  question's; the answerer declines below `threshold`.
- `calibration`: maps that to P(the answer given is right), the confidence shown to users (Platt
  scaling fitted on the answers given out of fold, so that "80%" means right about 8 times in 10).

Both are logistic regressions fitted by `python -m assistant.answerers.fit_scorer` with cross-validation
grouped by test case (see that module). Only numpy is needed to apply them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.answerers.weights import HAND_RANKER

WEIGHTS_FILE = Path(__file__).with_name("scorer_weights.json")


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    # The range each feature had in training: values outside it are clipped, because a linear model
    # extrapolates without limit (a margin of 0.7 on a four-document corpus, never seen in training,
    # must not decide on its own).
    low: tuple[float, ...] = ()
    high: tuple[float, ...] = ()

    def logit(self, values: dict[str, float]) -> float:
        total = self.intercept
        low = self.low or (float("-inf"),) * len(self.features)
        high = self.high or (float("inf"),) * len(self.features)
        for name, mu, sd, w, lo, hi in zip(self.features, self.mean, self.scale, self.coef, low, high):
            total += w * (min(max(values.get(name, 0.0), lo), hi) - mu) / sd
        return total

    def probability(self, values: dict[str, float]) -> float:
        z = max(-30.0, min(30.0, self.logit(values)))
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "low": list(self.low),
            "high": list(self.high),
        }

    @classmethod
    def from_json(cls, data: dict) -> LogisticModel:
        return cls(
            tuple(data["features"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["coef"]),
            float(data["intercept"]),
            tuple(data.get("low", ())),
            tuple(data.get("high", ())),
        )


@dataclass(frozen=True)
class Scorer:
    """ranker None: sentences are ordered by the hand-set weights (the fitted ranker did not beat them)."""

    ranker: LogisticModel | None
    answerability: LogisticModel
    threshold: float
    version: str
    calibration: LogisticModel | None = None

    def judge(self, features: dict[str, float]) -> tuple[float, float]:
        """(P(answerable), confidence that the answer is right)."""
        p = self.answerability.probability(features)
        if self.calibration is None:
            return p, p
        logit = math.log(max(p, 1e-6) / max(1 - p, 1e-6))
        return p, self.calibration.probability({"logit": logit})


@lru_cache(maxsize=4)
def load_scorer(path: Path = WEIGHTS_FILE) -> Scorer | None:
    """The fitted scorer, or None when the file does not exist (the hand-set weights are used)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    ranker = LogisticModel.from_json(data["ranker"]) if data.get("ranker") else None
    calibration = LogisticModel.from_json(data["calibration"]) if data.get("calibration") else None
    return Scorer(
        ranker,
        LogisticModel.from_json(data["answerability"]),
        float(data["threshold"]),
        str(data.get("version", "?")),
        calibration,
    )


def hand_rank(features: dict[str, float]) -> float:
    return sum(weight * features.get(name, 0.0) for name, weight in HAND_RANKER.items())


def rank(scorer: Scorer | None, features: dict[str, float]) -> float:
    """A candidate's score: the fitted ranker's probability when there is one, else the hand-set sum."""
    return scorer.ranker.probability(features) if scorer and scorer.ranker else hand_rank(features)
