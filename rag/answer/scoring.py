"""The learned scorer: two logistic regressions (does this sentence answer the question? is this
candidate the short answer?) and the calibrated thresholds, read from a small committed data file
(``rag/answer/data/answerer.json``) that ``evals/fit_answerer.py`` writes.

The weights are in the features' own units (the fitting script folds its standardisation into
them), so scoring is a dot product and a sigmoid.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

WEIGHTS_FILE = "answerer.json"


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float

    def prob(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(
            c * values.get(f, 0.0) for f, c in zip(self.features, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "coef": [round(c, 6) for c in self.coef],
            "intercept": round(self.intercept, 6),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Logistic:
        return cls(
            tuple(str(f) for f in data["features"]),
            tuple(float(c) for c in data["coef"]),
            float(data["intercept"]),
        )


@dataclass(frozen=True)
class Scorer:
    sentence: Logistic
    candidate: Logistic
    refuse_below: float  # answer confidence below which the question is refused
    short_below: float  # candidate probability below which no short answer is shown
    meta: Mapping[str, Any]
    refusal: Logistic | None = None  # P(the articles answer it) from the answer's features

    def to_json(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence.to_json(),
            "candidate": self.candidate.to_json(),
            "refuse_below": round(self.refuse_below, 4),
            "short_below": round(self.short_below, 4),
            **({"refusal": self.refusal.to_json()} if self.refusal else {}),
            **dict(self.meta),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scorer:
        meta = {
            k: v
            for k, v in data.items()
            if k not in ("sentence", "candidate", "refuse_below", "short_below", "refusal")
        }
        return cls(
            Logistic.from_json(data["sentence"]),
            Logistic.from_json(data["candidate"]),
            float(data["refuse_below"]),
            float(data["short_below"]),
            meta,
            Logistic.from_json(data["refusal"]) if "refusal" in data else None,
        )


def weights_path() -> Path:
    return Path(str(resources.files("rag.answer") / "data" / WEIGHTS_FILE))


@lru_cache(maxsize=4)
def load_scorer(path: str | None = None) -> Scorer:
    """The committed scorer (or the one at ``path``)."""
    p = Path(path) if path else weights_path()
    return Scorer.from_json(json.loads(p.read_text(encoding="utf-8")))


def untrained(sentence: Sequence[str], candidate: Sequence[str]) -> Scorer:
    """A scorer with zero weights (every probability 0.5), for collecting features to fit."""
    return Scorer(
        Logistic(tuple(sentence), (0.0,) * len(sentence), 0.0),
        Logistic(tuple(candidate), (0.0,) * len(candidate), 0.0),
        0.0,
        0.0,
        {},
    )
