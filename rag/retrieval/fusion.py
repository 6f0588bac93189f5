"""Fusion of the candidate articles: plain reciprocal-rank fusion, or learned weights.

The learned fusion is a logistic regression over ``rag.retrieval.features.FEATURES`` fitted by
``evals/fit_fusion.py`` on the fit halves of RealTime QA, the sample set and the BBC set; its
weights live in ``rag/retrieval/data/fusion.json`` with a hash of the feature list, so a file
fitted for other features is refused (``FusionWeightsError``) rather than misread.

The file holds two sets of weights. ``weights`` rank a question with no end date to its scope;
``dated.weights`` one whose scope ends at a date (``Filters.until``: "as of" that day, as
``dossier eval --as-asked`` asks RealTime QA's questions on their own dates). With an end date,
"this week" and "recently" speak of the days before it and nothing later is in scope, so the
date fit is a signal to trust; without one, in a folder that runs on past the time a question
speaks of, it misleads, and the two are fitted apart (``evals/fit_fusion.py [--as-asked]``).

The RRF variants are kept for comparison (``dossier eval --modes``): ``article`` ranks articles
by RRF over each retriever's article ranks (an article's rank is its best passage's); ``title``,
``phrase`` and ``time`` add one more ranked list each (titles by BM25, articles by phrase match,
articles by date fit) and ``signals`` adds all three; ``rm3`` runs BM25 again with the query
expanded by pseudo-relevance feedback (``rag.retrieval.prf``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.retrieval.features import FEATURES, Candidate

WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "fusion.json"
# What each RRF variant adds to article-level RRF.
VARIANTS: dict[str, frozenset[str]] = {
    "article": frozenset(),
    "title": frozenset({"title"}),
    "phrase": frozenset({"phrase"}),
    "time": frozenset({"time"}),
    "signals": frozenset({"title", "phrase", "time"}),
    "rm3": frozenset({"rm3"}),
}
# What the learned fusion's candidates and features are made with.
LEARNED_SIGNALS = frozenset({"title", "phrase", "time"})
# In article RRF, what an article's other passages add (times their RRF). Measured on the
# validation halves: 0.5 → hit@1 0.32 (RealTime QA, 1,200 articles) and 0.47 (BBC), 0.05 → 0.40
# and 0.73, 0 → 0.62 and 0.91: summed, other passages favour long articles; how many match is
# left to the learned fusion, which weighs it (vec_count, bm25_count) against the rest.
OTHER_PASSAGES = 0.0


class FusionWeightsError(ConfigError):
    """The learned fusion's weights file is missing or was fitted for other features."""


def feature_hash(features: Sequence[str] = FEATURES) -> str:
    return hashlib.sha256(",".join(features).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FusionWeights:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    info: dict[str, Any]
    dated: FusionWeights | None = None  # for a scope with an end date; None: these serve both

    def score(self, features: dict[str, float]) -> float:
        return self.bias + sum(
            w * features[name] for name, w in zip(self.features, self.weights, strict=True)
        )

    def for_scope(self, has_end_date: bool) -> FusionWeights:
        """The weights that rank a question whose scope has (or has no) end date."""
        return self.dated if has_end_date and self.dated is not None else self


_REFIT = "refit them with `python evals/fit_fusion.py`, or set DOSSIER_RETRIEVAL__FUSION=rrf."


def _weights(path: Path, data: dict[str, Any], features: tuple[str, ...]) -> FusionWeights:
    try:
        weights = tuple(float(w) for w in data["weights"])
        bias = float(data.get("bias", 0.0))
    except (KeyError, TypeError, ValueError) as exc:
        raise FusionWeightsError(
            f"Learned fusion weights {path} are malformed ({exc}): {_REFIT}"
        ) from exc
    if len(weights) != len(features):
        raise FusionWeightsError(f"Learned fusion weights {path}: one weight per feature needed")
    return FusionWeights(features, weights, bias, dict(data.get("info", {})))


def read_weights(path: Path) -> FusionWeights:
    """The weights in ``path``; raises ``FusionWeightsError`` if missing or stale."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FusionWeightsError(
            f"Learned fusion weights {path} are unreadable ({exc}): {_REFIT}"
        ) from exc
    features = tuple(data.get("features", ()))
    if features != FEATURES or data.get("feature_hash") != feature_hash():
        raise FusionWeightsError(
            f"Learned fusion weights {path} were fitted for other features: {_REFIT}"
        )
    undated = _weights(path, data, features)
    if not isinstance(data.get("dated"), dict):
        return undated
    return FusionWeights(
        features,
        undated.weights,
        undated.bias,
        undated.info,
        dated=_weights(path, data["dated"], features),
    )


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_PATH) -> FusionWeights:
    return read_weights(path)


def write_weights(
    path: Path,
    weights: Sequence[float],
    bias: float,
    info: dict[str, Any],
    dated: bool = False,
) -> None:
    """Write one set of weights into ``path``: the undated ones, or (``dated``) those for a
    scope with an end date. The other set already there is kept when it was fitted for the
    same features (a file for other features is replaced whole)."""
    fitted = {
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(float(bias), 6),
        "info": info,
    }
    payload: dict[str, Any] = {"features": list(FEATURES), "feature_hash": feature_hash()}
    try:
        old = read_weights(path)
    except FusionWeightsError:
        old = None
    if dated:
        if old is not None:
            payload.update(weights=list(old.weights), bias=old.bias, info=old.info)
        payload["dated"] = fitted
    else:
        payload.update(fitted)
        if old is not None and old.dated is not None:
            d = old.dated
            payload["dated"] = {"weights": list(d.weights), "bias": d.bias, "info": d.info}
    if "weights" not in payload:
        raise FusionWeightsError(
            f"{path} has no undated weights to keep beside the dated ones: fit those first "
            "(`python evals/fit_fusion.py` without --as-asked)"
        )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def _rank_by(cands: Sequence[Candidate], key: dict[str, float]) -> dict[str, int]:
    """1-based ranks of the candidates with a positive ``key``, highest first."""
    ordered = sorted((c for c in cands if key.get(c.file, 0.0) > 0), key=lambda c: -key[c.file])
    return {c.file: i for i, c in enumerate(ordered, 1)}


def rrf_scores(cands: Sequence[Candidate], rrf_k: int, signals: frozenset[str]) -> None:
    """Article-level RRF (``article`` variant) plus the lists ``signals`` names; sets
    ``Candidate.score``. Needs ``features`` computed when phrase or time are asked for."""
    vec = _rank_by(cands, {c.file: c.features.get("vec_inv_rank", 0.0) for c in cands})
    bm = _rank_by(cands, {c.file: c.features.get("bm25_inv_rank", 0.0) for c in cands})
    lists = [vec, bm]
    if "title" in signals:
        lists.append({c.file: c.title_rank for c in cands if c.title_rank is not None})
    if "phrase" in signals:
        lists.append(_rank_by(cands, {c.file: c.features.get("phrase", 0.0) for c in cands}))
    if "time" in signals:
        lists.append(
            _rank_by(cands, {c.file: c.features.get("date_fit", 0.0) + 0.5 for c in cands})
            if any(c.features.get("date_fit", 0.0) for c in cands)
            else {}
        )
    for c in cands:
        s = sum(1.0 / (rrf_k + ranks[c.file]) for ranks in lists if c.file in ranks)
        others = sorted((h.rrf(rrf_k) for h in c.hits), reverse=True)[1:]
        c.score = s + OTHER_PASSAGES * sum(others)


def learned_scores(
    cands: Sequence[Candidate], weights: FusionWeights, has_end_date: bool = False
) -> None:
    """Score the candidates with the weights for their scope (with or without an end date)."""
    weights = weights.for_scope(has_end_date)
    for c in cands:
        c.score = weights.score(c.features)
