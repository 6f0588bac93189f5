"""The extractive answerer's sentence score: hand-set weights, or weights fitted on the gold sets.

Every candidate sentence of the retrieved passages gets the features of ``FEATURES``: its
embedding similarity to the question, the IDF-weighted share of the question's terms it holds,
whether it holds the kind of value the question wants (or lacks it, when one is wanted), the
share of the question's words no retrieved sentence uses, whether it reads like a headline, and
where retrieval put it — its passage's rank and its article's rank among the retrieved articles,
the share of the retrieved passages from its article, and how far its article's retrieval score
(the learned fusion's log-odds) is below the best one's. (The passages of a two-part question
are its parts' retrievals interleaved: their ranks are divided by the number of parts.)

The hand-set score (``hand_score``) weighs the first five; the fitted one is a logistic
regression over all of them (``evals/fit_sentences.py``, on the fit halves: label "the sentence
holds a gold answer"), its linear score mapped onto the hand-set score's scale (so the refusal
floor, ``refuse_below``, and the "strong sentence" ratios keep their meaning). The weights live
in ``rag/answer/data/sentences.json`` with a hash of the feature list: a file fitted for other
features is refused (``SentenceWeightsError``) rather than misread.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.errors import ConfigError

WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "sentences.json"
FEATURES = (
    "similarity",
    "overlap",
    "typed",  # holds the wanted kind of value (0 when no kind is wanted)
    "untyped",  # a kind is wanted and the sentence lacks it
    "unseen",  # share of the question's words that no retrieved sentence uses
    "headline",  # a short fragment without sentence-ending punctuation
    "passage_rank",  # 1 / the rank of the sentence's passage among the retrieved
    "article_rank",  # 1 / the rank of its article among the retrieved articles
    "article_share",  # share of the retrieved passages that are from its article
    "score_gap",  # how far its article's retrieval score is below the best one's (at most 10)
    "words",  # its length in words / 40, at most 1
)


class SentenceWeightsError(ConfigError):
    """The fitted sentence weights are missing or were fitted for other features."""


def feature_hash(features: Sequence[str] = FEATURES) -> str:
    return hashlib.sha256(",".join(features).encode()).hexdigest()[:16]


def read_fitted(
    path: Path, features: Sequence[str], error: type[ConfigError], what: str, script: str
) -> dict[str, Any]:
    """The JSON of a file of fitted weights, checked: ``error`` when it is missing or was fitted
    for other ``features`` than these (``what`` names them, ``script`` refits them)."""
    refit = f"refit them with `python -m {script}`."
    if not path.exists():
        raise error(f"no fitted {what} weights at {path}: {refit}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("feature_hash") != feature_hash(features) or list(data.get("features", [])) != list(
        features
    ):
        raise error(f"{path} was fitted for other {what} features: {refit}")
    return data


def sentence_features(
    similarity: float,
    overlap: float,
    wanted: bool,
    typed: bool,
    unseen: float,
    headline: bool,
    passage_rank: int,
    article_rank: int,
    article_share: float,
    score_gap: float,
    words: int,
) -> dict[str, float]:
    """The features of one candidate sentence (ranks are 1-based)."""
    return {
        "similarity": similarity,
        "overlap": overlap,
        "typed": float(wanted and typed),
        "untyped": float(wanted and not typed),
        "unseen": unseen,
        "headline": float(headline),
        "passage_rank": 1.0 / max(1, passage_rank),
        "article_rank": 1.0 / max(1, article_rank),
        "article_share": article_share,
        "score_gap": min(10.0, max(0.0, score_gap)),
        "words": min(1.0, words / 40),
    }


def hand_score(f: Mapping[str, float]) -> float:
    """The hand-set score: similarity and overlap, less the unseen words' penalty, the wanted
    kind of value rewarded (or its lack penalised), a headline-like fragment marked down."""
    return (
        0.55 * f["similarity"]
        + 0.45 * f["overlap"]
        - 0.4 * f["unseen"]
        + 0.08 * f["typed"]
        - 0.12 * f["untyped"]
        - 0.05 * f["headline"]
    )


@dataclass(frozen=True)
class SentenceWeights:
    weights: Mapping[str, float]
    bias: float
    scale: float  # the linear score, times scale, plus offset: on the hand-set score's scale
    offset: float

    def score(self, f: Mapping[str, float]) -> float:
        z = self.bias + sum(w * f[name] for name, w in self.weights.items())
        return self.scale * z + self.offset


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_PATH) -> SentenceWeights:
    """The fitted weights; ``SentenceWeightsError`` when the file is missing or stale."""
    data = read_fitted(path, FEATURES, SentenceWeightsError, "sentence", "evals.fit_sentences")
    weights = {f: float(data["weights"][f]) for f in FEATURES}
    return SentenceWeights(
        weights, float(data["bias"]), float(data["scale"]), float(data["offset"])
    )


def write_weights(
    path: Path,
    weights: Mapping[str, float],
    bias: float,
    scale: float,
    offset: float,
    info: Mapping[str, object],
) -> None:
    """Write fitted weights with the feature list and its hash (``load_weights`` reads them)."""
    data = {
        "about": "rag/answer/sentences.py: the extractive answerer's sentence score, a logistic "
        "regression of 'the sentence holds a gold answer', its linear score times scale plus "
        "offset. Written by evals/fit_sentences.py.",
        "features": list(FEATURES),
        "feature_hash": feature_hash(),
        "weights": {f: round(float(weights[f]), 6) for f in FEATURES},
        "bias": round(float(bias), 6),
        "scale": round(float(scale), 6),
        "offset": round(float(offset), 6),
        "info": dict(info),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    load_weights.cache_clear()
