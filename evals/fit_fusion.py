"""Fit the learned fusion of hybrid retrieval (``rag/retrieval/data/fusion.json``).

    python evals/fit_fusion.py [--corpus-limit 1200|all] [--work-dir .dossier-evals/retr]
                               [--sets realtimeqa,sample,bbc] [--depth 80] [--out FILE]
                               [--model pairwise|pointwise] [--records DIR] [--as-asked]

The committed file: the undated weights from ``--corpus-limit 1200``, the dated ones from
``--corpus-limit all --as-asked`` (each run keeps the other set).

For every question of the **fit** halves (evals/halves.py) of the sets, the retriever's candidate
articles are collected with their features (``Retriever.candidates`` — the very code that ranks
at query time) and labelled gold or not. A logistic regression (scikit-learn) is fitted over
them: by default pairwise — on the differences between a gold article's features and each other
candidate's of the same question, a linear RankNet — or pointwise; features standardised, the
regularisation chosen by question-grouped cross-validation on the fit half. Its weights, folded
back to raw feature units, are written with the feature list's hash: with ``--as-asked`` (each
RealTime QA question over the articles published by its date) as the weights for a scope with an
end date (``dated``), else as the undated ones; the other set in the file is kept. The validation
halves are then ranked with the new weights and with passage-level RRF (an article where its best
passage ranks) and the metrics printed (they are measured properly by ``dossier eval``).

The corpora and indexes are the eval's own (``dossier eval --work-dir``): RealTime QA's written
from ../shared/bench (all gold articles plus the first others by doc id), the sample folder, the
BBC gold set's corpus. Deterministic: rerunning over the same indexes gives the same file.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evals import cli as eval_cli  # noqa: E402
from evals.halves import select  # noqa: E402
from evals.runner import as_asked_filters  # noqa: E402
from rag import FUSION_FEATURES, Dossier, Settings, write_fusion_weights  # noqa: E402

OUT = ROOT / "rag" / "retrieval" / "data" / "fusion.json"
C_GRID = (0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)


def _err(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def collect(
    set_name: str, work_dir: str, corpus_limit: int | None, depth: int, as_asked: bool = False
) -> list[dict[str, Any]]:
    """One record per question of the set (both halves): its half, and its candidates'
    feature vectors and labels. With ``as_asked`` a dated question's candidates are those
    published by its date (``dossier eval --as-asked``)."""
    args = argparse.Namespace(
        set=set_name,
        corpus_limit=corpus_limit if set_name == "realtimeqa" else None,
        limit=None,
        work_dir=work_dir,
    )
    with ExitStack() as stack:
        questions, corpus, data_dir, _peer, _info = eval_cli._prepare(args, stack)
        dossier = Dossier(Settings(data_dir=data_dir))
        report = dossier.ingest(corpus)
        _err(f"{set_name}: {len(questions)} questions, {len(report.unchanged)} unchanged articles")
        retriever = dossier.retriever()
        fit_ids = {q.id for q in select(questions, "fit")}
        out: list[dict[str, Any]] = []
        for q in questions:
            if not q.gold_files:
                continue
            scope = as_asked_filters(q, as_asked)
            cands = retriever.candidates(q.question, scope, depth, "signals")
            gold = set(q.gold_files)
            out.append(
                {
                    "set": set_name,
                    "id": q.id,
                    "half": "fit" if q.id in fit_ids else "validation",
                    "x": np.array(
                        [[c.features[f] for f in FUSION_FEATURES] for c in cands], dtype=float
                    ).reshape(-1, len(FUSION_FEATURES)),
                    "y": np.array([c.file in gold for c in cands], dtype=int),
                    "rrf": np.array([c.score for c in cands], dtype=float),
                    # today's fusion: an article ranks where its best passage's RRF puts it
                    "passage_rrf": np.array(
                        [max(h.rrf(60) for h in c.hits) for c in cands], dtype=float
                    ),
                    "n_gold": len(gold),
                }
            )
        return out


def metrics(records: Sequence[dict[str, Any]], scores: Sequence[np.ndarray]) -> dict[str, float]:
    """Article-level hit@1, hit@5, hit@10, MRR@10 of ranking each record's candidates."""
    h1 = h5 = h10 = mrr = 0.0
    for rec, s in zip(records, scores, strict=True):
        order = np.argsort(-s, kind="stable")
        ys = rec["y"][order]
        hits = np.flatnonzero(ys)
        rank = int(hits[0]) + 1 if hits.size else None
        h1 += rank == 1
        h5 += rank is not None and rank <= 5
        h10 += rank is not None and rank <= 10
        mrr += 1.0 / rank if rank is not None and rank <= 10 else 0.0
    n = max(1, len(records))
    return {"hit@1": h1 / n, "hit@5": h5 / n, "hit@10": h10 / n, "mrr@10": mrr / n, "n": n}


def _fmt(m: dict[str, float]) -> str:
    return " ".join(f"{k} {v:.3f}" if k != "n" else f"n {v:.0f}" for k, v in m.items())


def fit(records: Sequence[dict[str, Any]], c: float) -> tuple[np.ndarray, float]:
    """Logistic regression on standardised features; weights and bias in raw feature units."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.vstack([r["x"] for r in records])
    y = np.concatenate([r["y"] for r in records])
    # Each question weighs the same, whatever its number of candidates.
    w = np.concatenate([np.full(len(r["y"]), 1.0 / max(1, len(r["y"]))) for r in records])
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit((x - scaler.mean_) / scale, y, sample_weight=w * len(records))
    coef = model.coef_[0] / scale
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scale))
    return coef, bias


def fit_pairwise(records: Sequence[dict[str, Any]], c: float) -> tuple[np.ndarray, float]:
    """Logistic regression on differences gold − other within each question (RankNet's pairs,
    linear): weights in raw feature units, no bias (a ranking needs none)."""
    from sklearn.linear_model import LogisticRegression

    diffs, labels, weights = [], [], []
    for r in records:
        gold, other = r["x"][r["y"] == 1], r["x"][r["y"] == 0]
        if not len(gold) or not len(other):
            continue
        d = (gold[:, None, :] - other[None, :, :]).reshape(-1, r["x"].shape[1])
        diffs += [d, -d]
        labels += [np.ones(len(d)), np.zeros(len(d))]
        weights += [np.full(2 * len(d), 1.0 / (2 * len(d)))]
    x = np.vstack(diffs)
    scale = x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    model.fit(
        x / scale, np.concatenate(labels), sample_weight=np.concatenate(weights) * len(records)
    )
    return model.coef_[0] / scale, 0.0


FITTERS = {"pairwise": fit_pairwise, "pointwise": fit}


def choose_c(records: Sequence[dict[str, Any]], model: str, folds: int = 5) -> float:
    """The C with the best mean MRR@10 over question-grouped folds of the fit records."""
    best, best_c = -1.0, C_GRID[0]
    for c in C_GRID:
        total = 0.0
        for f in range(folds):
            train = [r for i, r in enumerate(records) if i % folds != f]
            test = [r for i, r in enumerate(records) if i % folds == f]
            coef, bias = FITTERS[model](train, c)
            total += metrics(test, [r["x"] @ coef + bias for r in test])["mrr@10"]
        _err(f"  C={c}: cross-validated MRR@10 {total / folds:.4f}")
        if total / folds > best + 1e-9:
            best, best_c = total / folds, c
    return best_c


def _corpus_limit(value: str) -> int | None:
    """``--corpus-limit``: a positive number of articles, or ``all`` (None: the whole corpus)."""
    if value.strip().lower() == "all":
        return None
    n = int(value)
    if n <= 0:
        raise argparse.ArgumentTypeError("a positive number of articles, or 'all'")
    return n


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sets", default="realtimeqa,sample,bbc")
    p.add_argument("--work-dir", default=".dossier-evals/retr")
    p.add_argument(
        "--corpus-limit",
        type=_corpus_limit,
        default=1200,
        help="RealTime QA articles indexed: all gold ones plus the first others by doc id up to "
        "N, or 'all' for the whole corpus (default 1200)",
    )
    p.add_argument(
        "--depth",
        type=int,
        default=80,
        help="candidates from each retriever (retrieval.candidates)",
    )
    p.add_argument(
        "--as-asked",
        action="store_true",
        help="each dated question (RealTime QA) over the articles published by its date, as "
        "`dossier eval --as-asked` measures it",
    )
    p.add_argument("--model", choices=sorted(FITTERS), default="pairwise")
    p.add_argument(
        "--records",
        help="a folder where each set's collected candidates are kept (<set>.pkl) and reused "
        "on the next run: refit without re-querying",
    )
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    records: list[dict[str, Any]] = []
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        kept = Path(args.records) / f"{name}.pkl" if args.records else None
        if kept is not None and kept.is_file():
            with kept.open("rb") as fh:
                records += pickle.load(fh)
            continue
        got = collect(name, args.work_dir, args.corpus_limit, args.depth, args.as_asked)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            with kept.open("wb") as fh:
                pickle.dump(got, fh)
        records += got
    fit_recs = [r for r in records if r["half"] == "fit"]
    val_recs = [r for r in records if r["half"] == "validation"]
    _err(f"{len(fit_recs)} fit questions, {len(val_recs)} validation questions")
    c = choose_c(fit_recs, args.model)
    coef, bias = FITTERS[args.model](fit_recs, c)
    info: dict[str, Any] = {
        "fitted_on": {
            s: sum(r["set"] == s for r in fit_recs)
            for s in dict.fromkeys(r["set"] for r in records)
        },
        "corpus_limit": args.corpus_limit,
        "depth": args.depth,
        "as_asked": args.as_asked,
        "C": c,
        "model": f"logistic regression, {args.model}, questions weighted equally",
    }
    for s in dict.fromkeys(r["set"] for r in records):
        val = [r for r in val_recs if r["set"] == s]
        learned = metrics(val, [r["x"] @ coef + bias for r in val])
        rrf = metrics(val, [r["passage_rrf"] for r in val])
        _err(f"{s} validation: learned {_fmt(learned)}; passage RRF {_fmt(rrf)}")
        info[f"validation_{s}"] = {k: round(v, 4) for k, v in learned.items()}
    write_fusion_weights(Path(args.out), coef.tolist(), bias, info, dated=args.as_asked)
    _err(f"wrote {args.out} in {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
