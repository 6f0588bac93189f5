"""Fit the offline answerer's refusal on the fit halves of the gold sets and write its weights.

    python -m evals.fit_answerer [--sets sample,bbc,realtimeqa] [--work-dir .dossier-evals]
                                 [--out FILE] [--rows CACHE.json]

For every fit-half question (``evals/halves.py``: split by article) it retrieves passages as
``dossier ask`` does and drafts an extractive answer with the fitted refusal switched off; each
part of the question the similarity floor lets through gives one row of refusal features
(``rag.answer.refusal.FEATURES``). The model learns to tell the answers that are right (the
draft holds the gold answer: label 1) from the unanswerable ones (label 0): the near misses of
sample and BBC, and RealTime QA's questions asked again with their gold articles withheld
(``evals/withheld.py``: a question about news no article covers; one that another article still
answers right is dropped), so that both the article-worded and the paraphrased quiz questions
teach it what an answer looks like and what a miss does;
answerable questions answered wrongly are left out of the fit (refusing them costs no right
answer). A logistic regression (scikit-learn, balanced classes, standardised features folded
back into the weights) is fitted on those rows. The threshold is calibrated on questions held
aside from fitting: five folds grouped by article, each fold's rows scored by a model fitted
without them; the threshold is the highest that still lets through ``--keep`` of the right
answers (default 1.0: just below the least confident right answer held aside; 0.976, the
issue's 41 of 42, refused right answers on the BBC validation half). Writes
``rag/answer/data/refusal.json`` (or ``--out``) with the held-aside figures (AUC, right answers
kept, near misses refused, wrong answers refused).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from evals.gold import GoldQuestion
from evals.halves import FIT, select
from evals.metrics import answer_correct
from evals.withheld import withheld_filters
from rag import Dossier, IndexMismatchError, Settings, answer_refusal

FEATURES = answer_refusal.FEATURES
MODEL_FILE = answer_refusal.MODEL_FILE

RTQA_CORPUS_LIMIT = 400  # the RealTime QA subset the evals report on (--corpus-limit 400)


@dataclass
class Row:
    set: str
    id: str
    group: str  # the article the question is about (folds are grouped by it)
    answerable: bool
    features: dict[str, float]
    correct: bool = False  # answerable, and the draft holds the gold answer


def _questions(set_name: str, root: Path) -> tuple[list[GoldQuestion], Path]:
    from evals.cli import SAMPLE_CORPUS, SAMPLE_GOLD
    from evals.gold import load_gold

    if set_name == "sample":
        return load_gold(SAMPLE_GOLD), SAMPLE_CORPUS
    if set_name == "bbc":
        from evals import bbc

        bench = bbc.find_bench()
        articles = root / "bbc" / "articles"
        bbc.write_articles(bench, articles)
        return bbc.load_questions(bench), articles
    if set_name == "realtimeqa":  # answerable only: what right answers look like on live news
        from evals import realtimeqa as rtqa

        bench = rtqa.find_bench()
        articles = root / "realtimeqa" / "articles"
        only = rtqa.select_ids(bench, RTQA_CORPUS_LIMIT, rtqa.gold_doc_ids(bench))
        rtqa.write_articles(bench, articles, only)
        return rtqa.load_questions(bench), articles
    raise SystemExit(f"unknown set {set_name!r}: choose sample, bbc or realtimeqa")


def collect(set_name: str, root: Path) -> list[Row]:
    questions, corpus = _questions(set_name, root)
    fit = select(questions, FIT)
    dossier = Dossier(Settings(data_dir=root / set_name / "data"))
    try:
        dossier.ingest(corpus)
    except IndexMismatchError:  # built with other settings: the eval's index, rebuilt
        dossier.ingest(corpus, rebuild=True)
    pipeline = dossier.pipeline("extractive")
    generator: Any = pipeline.generator
    generator.refusal = None  # the features as the model would see them, nothing refused by it
    rows: list[Row] = []
    indexed = set(dossier.store().article_states())
    for q in fit:
        files = q.gold_files or q.near_files or (q.id,)
        group = f"{set_name}:{files[0]}"
        asks = [(pipeline.retriever.retrieve(q.question), not q.should_refuse)]
        if set_name == "realtimeqa" and q.gold_files:
            # The question about news no article covers: asked with its gold articles withheld.
            asks.append(
                (
                    pipeline.retriever.retrieve(
                        q.question, filters=withheld_filters(q, indexed, False)
                    ),
                    False,
                )
            )
        for passages, answerable in asks:
            draft = generator.draft(q.question, passages)
            text = " ".join([draft.short_answer or "", *(c.text for c in draft.claims)])
            correct = bool(q.answers) and answer_correct(text, q.answers, q.answers_any)
            if not answerable and correct:
                continue  # another article states the answer: not a question about uncovered news
            for feats in draft.features:
                rows.append(Row(set_name, q.id, group, answerable, feats, correct and answerable))
    print(f"{set_name}: {len(fit)} fit questions, {len(rows)} rows", file=sys.stderr)
    return rows


def _matrix(rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray([[r.features[f] for f in FEATURES] for r in rows], dtype=float)
    y = np.asarray([int(r.correct) for r in rows], dtype=int)
    return x.reshape(-1, len(FEATURES)), y


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """(weights, intercept) in the raw features' units."""
    from sklearn.linear_model import LogisticRegression

    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    model.fit((x - mu) / sd, y)
    coef = model.coef_[0] / sd
    return coef, float(model.intercept_[0] - np.sum(model.coef_[0] * mu / sd))


def _prob(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-(x @ w + b))))


def held_aside(rows: Sequence[Row], c: float, folds: int = 5) -> np.ndarray:
    """Each row's probability from a model fitted without its fold (grouped by article)."""
    from sklearn.model_selection import GroupKFold

    x, y = _matrix(rows)
    groups = [r.group for r in rows]
    out = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
        w, b = fit_logistic(x[train], y[train], c)
        out[test] = _prob(x[test], w, b)
    return out


def calibrate(p: np.ndarray, y: np.ndarray, keep: float) -> float:
    """The highest threshold that lets through ``keep`` of the right answers (label 1)."""
    answerable = np.sort(p[y == 1])
    if not len(answerable):
        return 0.0
    i = int(np.floor((1.0 - keep) * len(answerable)))
    return float(answerable[min(i, len(answerable) - 1)] - 1e-6)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="sample,bbc,realtimeqa")
    ap.add_argument("--work-dir", default=".dossier-evals")
    ap.add_argument("--out", default=str(MODEL_FILE))
    ap.add_argument(
        "--rows", help="a JSON file of collected rows: read when it exists, else written"
    )
    ap.add_argument(
        "--keep", type=float, default=1.0, help="share of held-aside right answers let through"
    )
    ap.add_argument("-C", type=float, default=0.1, help="inverse regularisation strength")
    args = ap.parse_args(argv)
    from sklearn.metrics import roc_auc_score

    root = Path(args.work_dir)
    cache = Path(args.rows) if args.rows else None
    if cache is not None and cache.exists():
        every = [Row(**r) for r in json.loads(cache.read_text(encoding="utf-8"))]
    else:
        every = [r for s in args.sets.split(",") for r in collect(s.strip(), root)]
        if cache is not None:
            cache.write_text(json.dumps([asdict(r) for r in every]), encoding="utf-8")
    # Right answers (label 1) against unanswerables (near misses; RealTime QA's questions with
    # their gold articles withheld); answerable questions answered wrongly are left out.
    rows = [r for r in every if r.correct or not r.answerable]
    wrong = [r for r in every if r.answerable and not r.correct]
    x, y = _matrix(rows)
    w, b = fit_logistic(x, y, args.C)
    p = held_aside(rows, args.C)
    threshold = calibrate(p, y, args.keep)
    refused = p < threshold
    p_wrong = _prob(_matrix(wrong)[0], w, b) if wrong else np.zeros(0)
    figures: dict[str, Any] = {
        "rows": len(rows),
        "right_answer_rows": int(y.sum()),
        "unanswerable_rows": int(len(y) - y.sum()),
        "wrong_answer_rows_left_out": len(wrong),
        "held_aside_auc": round(float(roc_auc_score(y, p)), 3),
        "held_aside_right_kept": round(float(np.mean(~refused[y == 1])), 3),
        "held_aside_unanswerables_refused": round(float(np.mean(refused[y == 0])), 3),
        "wrong_answers_refused": round(float(np.mean(p_wrong < threshold)), 3) if wrong else None,
    }
    for name in sorted({r.set for r in rows}):
        mask = np.asarray([r.set == name for r in rows])
        right, unans = mask & (y == 1), mask & (y == 0)
        figures[name] = {
            "right_kept": round(float(np.mean(~refused[right])), 3) if right.any() else None,
            "unanswerables_refused": round(float(np.mean(refused[unans])), 3)
            if unans.any()
            else None,
        }
    out = {
        "about": "rag/answer/refusal.py: logistic regression of 'the best sentence answers the "
        "question right' on these features; refused below threshold. "
        "Written by evals/fit_answerer.py.",
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
        "sets": args.sets,
        "C": args.C,
        "keep": args.keep,
        "weights": {f: round(float(v), 6) for f, v in zip(FEATURES, w, strict=True)},
        "intercept": round(b, 6),
        "threshold": round(threshold, 6),
        "held_aside": figures,
    }
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
