"""The short answer's candidate score: features of each candidate, weights fitted on the gold sets.

Each candidate phrase of the quoted sentences (``rag/answer/short.py``) gets the features of
``FEATURES``: how well its entity label fits the wanted kind, whether it stands in the
question's gap (and names the focus noun there), its closeness to the question's words, how well
a date has the parts asked for (day, month, year), the rank of its sentence among the quoted
ones, whether it is the name a description of the focus stands for or an unresolved description,
how many of the other quoted and strong sentences state it, its length and its share of proper
nouns. The score is linear in them. The first six are the logarithms of the factors of the
earlier hand-set product (label weight × (1 + 0.3 × alignment + 0.3 if it names the focus) ×
(0.6 + 0.4 × closeness) × granularity ÷ (1 + 0.5 × sentence index)), so ``HAND`` (weight 1 on
each) ranks as that product did. The fitted weights (``evals/fit_short.py``: pairwise logistic
regression on the fit halves, label "the candidate is a right short answer", pulled toward
``HAND`` and kept at it unless the held-aside gain is beyond noise) live in
``rag/answer/data/short.json`` with the hash of the feature list: a file fitted for other
features raises ``ShortWeightsError``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.answer.sentences import feature_hash, read_fitted
from rag.errors import ConfigError

WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "short.json"
FEATURES = (
    "label",  # log of the label's fit: 0 for a wanted label, log 0.5 for one that may answer
    "aligned",  # log(1 + 0.3 × the gap alignment's strength) (0: not in the question's gap)
    "aligned_focus",  # in the gap and naming the focus noun: the log of the further 0.3
    "near",  # log(0.6 + 0.4 / (1 + tokens to the nearest question word / 4))
    "granularity",  # log of how well a date has the asked day/month/year (0 otherwise)
    "rank",  # -log(1 + 0.5 × the index of its sentence among the quoted ones)
    "referent",  # the name a description of the focus in the best sentence stands for
    "description",  # a description of the focus ("the park") no name was found for
    "repeats",  # share of the other quoted sentences that state it too
    "strong",  # further strong sentences stating it (at most 3) / 3
    "words",  # its length in words / 8
    "proper",  # its share of proper-noun tokens
)


class ShortWeightsError(ConfigError):
    """The fitted short-answer weights are missing or were fitted for other features."""


@dataclass(frozen=True)
class ShortWeights:
    weights: Mapping[str, float]

    def score(self, f: Mapping[str, float]) -> float:
        return sum(w * f.get(name, 0.0) for name, w in self.weights.items())


# The earlier hand-set product, as weights on its logarithms (the reference the fit starts from).
HAND = ShortWeights(
    {
        **{f: 0.0 for f in FEATURES},
        "label": 1.0,
        "aligned": 1.0,
        "aligned_focus": 1.0,
        "near": 1.0,
        "granularity": 1.0,
        "rank": 1.0,
    }
)


def candidate_features(
    label_weight: float,
    aligned: float,
    aligned_focus: bool,
    distance: int | None,
    granularity: float,
    sentence: int,
    referent: bool = False,
    description: bool = False,
    words: int = 1,
    proper: float = 0.0,
) -> dict[str, float]:
    """The features of one candidate (``distance``: tokens to the nearest question word, None for
    a name found beside the quoted sentences); ``repeats`` and ``strong`` are set once every
    candidate is known (``short.candidates``)."""
    near = 1.0 if distance is None else 1.0 / (1.0 + distance / 4.0)
    return {
        "label": math.log(max(label_weight, 1e-3)),
        "aligned": math.log(1.0 + 0.3 * aligned),
        "aligned_focus": math.log(1.0 + 0.3 / (1.0 + 0.3 * aligned)) if aligned_focus else 0.0,
        "near": math.log(0.6 + 0.4 * near),
        "granularity": math.log(max(granularity, 1e-3)),
        "rank": -math.log(1.0 + 0.5 * sentence),
        "referent": float(referent),
        "description": float(description),
        "repeats": 0.0,
        "strong": 0.0,
        "words": min(1.0, words / 8),
        "proper": proper,
    }


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_PATH) -> ShortWeights:
    """The fitted weights; ``ShortWeightsError`` when the file is missing or stale."""
    data = read_fitted(path, FEATURES, ShortWeightsError, "short-answer", "evals.fit_short")
    return ShortWeights({f: float(data["weights"][f]) for f in FEATURES})


def write_weights(path: Path, weights: Mapping[str, float], info: Mapping[str, object]) -> None:
    """Write fitted weights with the feature list and its hash (``load_weights`` reads them)."""
    data = {
        "about": "rag/answer/short_score.py: the short answer's candidate score, a pairwise "
        "logistic regression of 'the candidate is a right short answer'. Written by "
        "evals/fit_short.py.",
        "features": list(FEATURES),
        "feature_hash": feature_hash(FEATURES),
        "weights": {f: round(float(weights[f]), 6) for f in FEATURES},
        "info": dict(info),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    load_weights.cache_clear()
