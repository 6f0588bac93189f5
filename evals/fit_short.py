"""Fit the short answer's candidate score on the fit halves of the gold sets and write its weights.

    python -m evals.fit_short [--sets sample,bbc,realtimeqa] [--work-dir .dossier-evals]
                              [--rows CACHE.pkl] [--out FILE]

For every answerable fit-half question (``evals/halves.py``: split by article) the passages are
retrieved and the extractive answer drafted as ``dossier ask`` does (RealTime QA: the
400-article subset the evals report on, ``--corpus-limit 400``); each short answer the draft
picks from gives one record: the features of its candidates (``rag/answer/short_score.py``),
each labelled 1 when it is a right short answer (``evals.metrics.short_answer_correct`` against
any of the gold answers). A pairwise logistic regression (right candidate − wrong candidate
within a record, each record weighing the same) is fitted with its penalty pulling the weights
toward the hand-set product (``short_score.HAND``), not toward zero: the records are few (about
a hundred, a third of them with both a right and a wrong candidate), so the data moves the
weights only as far as it is sure. The penalty's strength is chosen by five article-grouped
folds on how often the best candidate is right; the hand-set weights themselves (an infinite
pull) stay unless another pull beats them there by more than a sign test calls noise
(``choose_pull``). Writes ``rag/answer/data/short.json`` (or ``--out``)
with the fit-half and held-aside figures.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from evals import cli as eval_cli
from evals.halves import FIT, select
from evals.metrics import short_answer_correct
from rag import Dossier, IndexMismatchError, Settings, answer_short, answer_short_score

# The penalty's strengths tried, strongest first (inf: the hand-set weights as they are).
PULL_GRID = (math.inf, 10.0, 1.0, 0.1, 0.01, 0.001)
RTQA_CORPUS_LIMIT = 400
NAMES = answer_short_score.FEATURES


def _err(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def collect(set_name: str, work_dir: str) -> list[dict[str, Any]]:
    """One record per short answer drafted for an answerable fit-half question."""
    limit = RTQA_CORPUS_LIMIT if set_name == "realtimeqa" else None
    root = Path(work_dir) / ("r400" if set_name == "realtimeqa" else set_name)
    args = argparse.Namespace(set=set_name, corpus_limit=limit, limit=None, work_dir=str(root))
    out: list[dict[str, Any]] = []
    with ExitStack() as stack:
        questions, corpus, data_dir, _peer, _info = eval_cli._prepare(args, stack)
        dossier = Dossier(Settings(data_dir=data_dir))
        try:
            dossier.ingest(corpus)
        except IndexMismatchError:  # built with other settings: the eval's index, rebuilt
            dossier.ingest(corpus, rebuild=True)
        pipeline: Any = dossier.pipeline("extractive")
        generator: Any = pipeline.generator
        fit_questions = [q for q in select(questions, FIT) if q.answers]
        for q in fit_questions:
            generator.short_inputs = []
            generator.draft(q.question, pipeline.retriever.retrieve(q.question))
            group = f"{set_name}:{(q.gold_files or (q.id,))[0]}"
            for inputs in generator.short_inputs:
                found = answer_short.considered(
                    inputs.info, inputs.quoted, inputs.strong, inputs.around,
                    answer_short_score.HAND,
                )  # fmt: skip
                if not found:
                    continue
                right = [any(short_answer_correct(c.text, [a]) for a in q.answers) for c in found]
                out.append(
                    {
                        "set": set_name,
                        "id": q.id,
                        "group": group,
                        "texts": [c.text for c in found],
                        "x": np.array([[c.features[f] for f in NAMES] for c in found], dtype=float),
                        "y": np.array(right, dtype=int),
                    }
                )
        generator.short_inputs = None
        _err(f"{set_name}: {len(fit_questions)} answerable fit questions, {len(out)} records")
    return out


def fit_toward(records: Sequence[dict[str, Any]], prior: np.ndarray, pull: float) -> np.ndarray:
    """Weights minimising the pairwise logistic loss (each record's pairs weighing one record)
    plus ``pull`` × the squared distance from ``prior``, each feature in units of its pairwise
    spread; ``pull`` = inf returns ``prior``."""
    if math.isinf(pull):
        return prior.copy()
    from scipy.optimize import minimize
    from scipy.special import expit

    diffs: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for r in records:
        pos, neg = r["x"][r["y"] == 1], r["x"][r["y"] == 0]
        if len(pos) and len(neg):
            d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, r["x"].shape[1])
            diffs.append(d)
            weights.append(np.full(len(d), 1.0 / len(d)))
    if not diffs:
        return prior.copy()
    d = np.vstack(diffs)
    pair_w = np.concatenate(weights)
    spread = d.std(axis=0)
    scale = np.where(spread > 0, spread, 1.0) ** 2

    def loss(v: np.ndarray) -> tuple[float, np.ndarray]:
        margin = d @ v
        value = float(np.sum(pair_w * np.logaddexp(0.0, -margin)))
        value += pull * float(np.sum(scale * (v - prior) ** 2))
        grad = -(d.T @ (pair_w * expit(-margin))) + 2.0 * pull * scale * (v - prior)
        return value, grad

    return np.asarray(minimize(loss, prior, jac=True, method="L-BFGS-B").x, dtype=float)


def top1(records: Sequence[dict[str, Any]], w: np.ndarray) -> float:
    """The share of records whose best-scored candidate is a right short answer."""
    hits = sum(int(r["y"][int(np.argmax(r["x"] @ w))]) for r in records)
    return hits / max(1, len(records))


def held_aside(records: Sequence[dict[str, Any]], prior: np.ndarray, pull: float) -> np.ndarray:
    """Per record, 1 when its best candidate is right as scored by weights fitted without its
    article's fold."""
    from sklearn.model_selection import GroupKFold

    hits = np.zeros(len(records), dtype=int)
    groups = [r["group"] for r in records]
    for train, test in GroupKFold(n_splits=5).split(records, groups=groups):
        w = fit_toward([records[i] for i in train], prior, pull)
        for i in test:
            hits[i] = int(records[i]["y"][int(np.argmax(records[i]["x"] @ w))])
    return hits


def won_lost(hits: Mapping[float, np.ndarray]) -> dict[float, tuple[int, int]]:
    """Per pull, the records its held-aside best candidate gets right and the hand-set weights'
    wrong, and the reverse."""
    hand = hits[math.inf]
    return {
        p: (int(np.sum((h == 1) & (hand == 0))), int(np.sum((h == 0) & (hand == 1))))
        for p, h in hits.items()
    }


def choose_pull(won_lost: Mapping[float, tuple[int, int]]) -> float:
    """The pull whose held-aside hits beat the hand-set weights' by the most (``won_lost``: per
    pull, records won and lost against them), counting only a gain a sign test would call real:
    won minus lost at least twice the square root of the records that differ (about 95%).
    Otherwise inf, the hand-set weights: with few records a gain of one or two is noise."""
    best, best_gain = math.inf, 0
    for pull, (won, lost) in won_lost.items():
        gain = won - lost
        if gain > best_gain and gain >= 2.0 * math.sqrt(won + lost):
            best, best_gain = pull, gain
    return best


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="sample,bbc,realtimeqa")
    ap.add_argument("--work-dir", default=".dossier-evals")
    ap.add_argument(
        "--rows", help="a pickle of the collected records: read if present, else written"
    )
    ap.add_argument("--out", help="the weights file (default rag/answer/data/short.json)")
    args = ap.parse_args(argv)
    cache = Path(args.rows) if args.rows else None
    if cache is not None and cache.exists():
        records = pickle.loads(cache.read_bytes())
    else:
        records = [r for s in args.sets.split(",") for r in collect(s.strip(), args.work_dir)]
        if cache is not None:
            cache.write_bytes(pickle.dumps(records))
    hand = np.array([answer_short_score.HAND.weights[f] for f in NAMES])
    # Records with both a right and a wrong candidate are what the pairwise fit learns from; the
    # others rank the same whatever the weights (all right or all wrong).
    informative = [r for r in records if 0 < r["y"].sum() < len(r["y"])]
    hits = {p: held_aside(informative, hand, p) for p in PULL_GRID}
    by_pull = {str(p): round(float(h.mean()), 4) for p, h in hits.items()}
    pull = choose_pull(won_lost(hits))
    w = fit_toward(informative, hand, pull)
    per_set = {
        s: {
            "records": len(rs),
            "hand": round(top1(rs, hand), 4),
            "fitted": round(top1(rs, w), 4),
        }
        for s in sorted({r["set"] for r in records})
        for rs in [[r for r in records if r["set"] == s]]
    }
    info = {
        "sets": args.sets,
        "model": "pairwise logistic regression, each record weighing the same, pulled toward "
        "the hand-set weights",
        "pull": str(pull),
        "records": len(records),
        "informative_records": len(informative),
        "candidates": int(sum(len(r["y"]) for r in records)),
        "held_aside_top1_by_pull": by_pull,
        "held_aside_won_lost_by_pull": {str(p): list(wl) for p, wl in won_lost(hits).items()},
        "fit_top1": {"hand": round(top1(records, hand), 4), "fitted": round(top1(records, w), 4)},
        "fit_top1_by_set": per_set,
    }
    _err(info)
    weights = dict(zip(NAMES, (float(v) for v in w), strict=True))
    out = Path(args.out) if args.out else answer_short_score.WEIGHTS_PATH
    answer_short_score.write_weights(out, weights, info)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
