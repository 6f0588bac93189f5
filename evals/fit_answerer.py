"""Fit the offline answerer's scorer on the fit halves of the gold sets and write its weights.

    python -m evals.fit_answerer [--sets sample,bbc] [--work-dir .dossier-evals] [--out FILE]

For every fit-half question (``evals/halves.py``: split by article) it retrieves passages as
``dossier ask`` does, computes the features of each retrieved sentence and each candidate short
answer (``rag.answer_training``), and labels them against the gold answers (a sentence holds a
gold answer string; a candidate is one). Two logistic regressions (scikit-learn) are fitted on
standardised features, the standardisation folded back into the weights. Refusal is learned
on questions held aside from fitting: five folds grouped by article, each fold's questions
answered by models fitted without them; a third logistic regression (is the question answerable,
from its answer's score and its sentence's overlap with the question; with 116 questions more
features fitted worse held aside) is fitted on those held-aside answers, its
own held-aside confidences (again by folds) calibrate the threshold: the highest that still
answers 90% of the answerable questions (the issue's bar), refusing as many unanswerable ones as
that allows. The short-answer threshold (noun-phrase answers only; a typed
one is always shown) maximises the share of short answers shown that are right plus those
withheld that would have been wrong. Writes ``rag/answer/data/answerer.json`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from evals.halves import FIT, select
from evals.runner import GoldQuestion
from rag import Dossier, Settings, answer_training

PACKAGE = Path(__file__).resolve().parent


@dataclass
class Row:
    """One fit question: its parts' labelled evidence."""

    set: str
    question: GoldQuestion
    group: str  # the article it is about (folds are grouped by it)
    parts: list[Any]  # answer_training.Labelled


def _questions(set_name: str, root: Path) -> tuple[list[GoldQuestion], Path]:
    from evals.cli import SAMPLE_CORPUS, SAMPLE_GOLD
    from evals.runner import load_gold

    if set_name == "sample":
        return load_gold(SAMPLE_GOLD), SAMPLE_CORPUS
    if set_name == "bbc":
        from evals import bbc

        bench = bbc.find_bench()
        articles = root / "bbc" / "articles"
        bbc.write_articles(bench, articles)
        return bbc.load_questions(bench), articles
    raise SystemExit(f"unknown set {set_name!r}: choose sample or bbc")


def collect(set_name: str, root: Path) -> tuple[list[Row], Any]:
    questions, corpus = _questions(set_name, root)
    fit = select(questions, FIT)
    dossier = Dossier(Settings(data_dir=root / set_name / "data"))
    dossier.ingest(corpus)
    retriever = dossier.retriever()
    embedder = dossier.query_embedder
    rows: list[Row] = []
    for q in fit:
        passages = retriever.retrieve(q.question)
        parts = [
            answer_training.label_evidence(ev, q.answers)
            for ev in answer_training.question_evidence(q.question, passages, embedder)
        ]
        files = q.gold_files or q.near_files or (q.id,)
        rows.append(Row(set_name, q, f"{set_name}:{files[0]}", parts))
    print(f"{set_name}: {len(rows)} fit questions of {len(questions)}", file=sys.stderr)
    return rows, embedder


def _matrix(
    rows: Sequence[Row], kind: str, features: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    xs: list[list[float]] = []
    ys: list[int] = []
    for r in rows:
        for part in r.parts:
            ev = part.evidence
            feats = ev.sentence_features if kind == "sentence" else ev.candidate_features
            labels = part.sentence_labels if kind == "sentence" else part.candidate_labels
            for f, y in zip(feats, labels, strict=True):
                xs.append([f[name] for name in features])
                ys.append(y)
    return np.asarray(xs, dtype=float).reshape(-1, len(features)), np.asarray(ys, dtype=int)


def fit_logistic(x: np.ndarray, y: np.ndarray, features: Sequence[str], c: float = 1.0) -> Any:
    """A logistic regression on standardised features, returned in the raw features' units."""
    from sklearn.linear_model import LogisticRegression

    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit((x - mu) / sd, y)
    coef = model.coef_[0] / sd
    intercept = float(model.intercept_[0] - np.sum(model.coef_[0] * mu / sd))
    return answer_training.Logistic(tuple(features), tuple(float(c) for c in coef), intercept)


def fit_scorer(rows: Sequence[Row]) -> Any:
    sf, cf = answer_training.SENTENCE_FEATURES, answer_training.CANDIDATE_FEATURES
    xs, ys = _matrix(rows, "sentence", sf)
    xc, yc = _matrix(rows, "candidate", cf)
    return answer_training.Scorer(fit_logistic(xs, ys, sf), fit_logistic(xc, yc, cf), 0.0, 0.0, {})


def _decisions(rows: Sequence[Row], scorer: Any, embedder: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in rows:
        ds = [answer_training.decide(p.evidence, scorer, embedder) for p in r.parts]
        scores = [d.score for d in ds if d.score is not None]
        shorts = [d for d in ds if d.short is not None]
        out.append(
            {
                "id": r.question.id,
                "question": r.question.question,
                "answers": list(r.question.answers),
                "shorts": [d.short for d in shorts],
                "features": [d.features for d in ds if d.features],
                "answerable": not r.question.should_refuse,
                "score": max(scores) if scores else 0.0,
                "short_ok": [  # noun-phrase answers only: a typed one is always shown
                    (d.short_prob, answer_training.matches(d.short or "", r.question.answers))
                    for d in shorts
                    if not d.typed
                ]
                if r.question.answers
                else [],
            }
        )
    return out


def held_aside(rows: Sequence[Row], embedder: Any, folds: int) -> list[dict[str, Any]]:
    """Each question decided by a scorer fitted on the other folds (grouped by article)."""
    from sklearn.model_selection import GroupKFold

    groups = [r.group for r in rows]
    n = min(folds, len(set(groups)))
    out: list[dict[str, Any]] = [{} for _ in rows]
    for train, test in GroupKFold(n_splits=n).split(np.zeros(len(rows)), groups=groups):
        scorer = fit_scorer([rows[i] for i in train])
        for i, d in zip(test, _decisions([rows[i] for i in test], scorer, embedder), strict=True):
            out[i] = d
    return out


ANSWERED_AT_LEAST = 0.90  # the share of answerable questions the threshold must keep answering


def fit_refusal(
    decisions: Sequence[dict[str, Any]], groups: Sequence[str], folds: int
) -> tuple[Any, list[float]]:
    """The refusal model (is the question answerable, from its answer's features) fitted on the
    held-aside decisions, and each question's confidence from a model fitted without its fold."""
    from sklearn.model_selection import GroupKFold

    names = answer_training.QUESTION_FEATURES
    xs: list[list[float]] = []
    ys: list[int] = []
    owner: list[int] = []
    for qi, d in enumerate(decisions):
        for f in d["features"]:
            xs.append([float(f[n]) for n in names])
            ys.append(int(d["answerable"]))
            owner.append(qi)
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=int)
    final = fit_logistic(x, y, names, c=0.3)
    confidence = [0.0] * len(decisions)
    row_groups = [groups[q] for q in owner]
    n = min(folds, len(set(row_groups)))
    for train, test in GroupKFold(n_splits=n).split(x, groups=row_groups):
        model = fit_logistic(x[train], y[train], names, c=0.3)
        for i in test:
            p = model.prob(dict(zip(names, xs[i], strict=True)))
            confidence[owner[i]] = max(confidence[owner[i]], p)
    return final, confidence


def refusal_threshold(decisions: Sequence[dict[str, Any]]) -> tuple[float, dict[str, float]]:
    """The highest threshold that still answers ``ANSWERED_AT_LEAST`` of the held-aside
    answerable questions (so refusing as many unanswerable ones as it can without refusing
    answerable ones), or the one maximising balanced accuracy when none does."""
    scores = sorted({round(d["score"], 4) for d in decisions} | {0.0})
    pos = [d for d in decisions if d["answerable"]]
    neg = [d for d in decisions if not d["answerable"]]

    def at(t: float) -> dict[str, float]:
        answered = sum(d["score"] >= t for d in pos) / (len(pos) or 1)
        refused = sum(d["score"] < t for d in neg) / (len(neg) or 1)
        return {
            "answered": answered,
            "refused": refused,
            "balanced_accuracy": (answered + refused) / 2,
        }

    keeping = [t for t in scores if at(t)["answered"] >= ANSWERED_AT_LEAST]
    if keeping:
        t = max(keeping)
        return t, {**at(t), "rule": f"answered >= {ANSWERED_AT_LEAST}"}  # type: ignore[dict-item]
    t = max(scores, key=lambda x: (at(x)["balanced_accuracy"], -x))
    return t, {**at(t), "rule": "balanced accuracy"}  # type: ignore[dict-item]


def short_threshold(decisions: Sequence[dict[str, Any]]) -> float:
    pairs = [p for d in decisions if d["answerable"] for p in d["short_ok"]]
    if not pairs:
        return 0.0
    best_t, best = 0.0, -1.0
    for t in sorted({round(p, 4) for p, _ in pairs} | {0.0}):
        value = sum((p >= t) == ok for p, ok in pairs) / len(pairs)
        if value > best + 1e-9:
            best_t, best = t, value
    return best_t


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="sample,bbc")
    ap.add_argument("--work-dir", default=".dossier-evals")
    ap.add_argument("--out", default=str(answer_training.weights_path()))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--dump", help="write each fit question's held-aside decision here (JSON)")
    args = ap.parse_args(argv)
    root = Path(args.work_dir) / "fit"
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rows: list[Row] = []
    embedder: Any = None
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        found, embedder = collect(name, root)
        rows += found
    scorer = fit_scorer(rows)
    decisions = held_aside(rows, embedder, args.folds)
    refusal, confidence = fit_refusal(decisions, [r.group for r in rows], args.folds)
    for d, c in zip(decisions, confidence, strict=True):
        d["answer_score"], d["score"] = d["score"], c
    refuse, stats = refusal_threshold(decisions)
    if args.dump:
        Path(args.dump).write_text(json.dumps(decisions, indent=1, default=str), encoding="utf-8")
    short = short_threshold(decisions)
    n_pos = sum(not r.question.should_refuse for r in rows)
    result = answer_training.Scorer(
        scorer.sentence,
        scorer.candidate,
        refuse,
        short,
        {
            "fitted_on": {
                "sets": sorted({r.set for r in rows}),
                "half": FIT,
                "questions": len(rows),
                "answerable": n_pos,
                "unanswerable": len(rows) - n_pos,
            },
            "held_aside": {"folds": args.folds, "grouped_by": "article", **stats},
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _commit(),
            "command": "python -m evals.fit_answerer --sets " + args.sets,
        },
        refusal,
    )
    Path(args.out).write_text(json.dumps(result.to_json(), indent=1) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out}: refuse_below {refuse:.3f} ({stats}), short_below {short:.3f}, "
        f"{len(rows)} questions, {time.perf_counter() - t0:.0f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
