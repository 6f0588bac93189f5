"""The eval runner: ask a gold question set of an indexed corpus and score every answer.

Per question it measures retrieval (article-level hit@1, hit@5 and MRR@10 over
``dedupe_files`` of the ``k`` chunks ``Dossier.search`` returns, in each retrieval mode, with each
search call timed; passage recall of the gold sentences in those chunk texts), the same for a peer
retriever when one is given, and the answer (``Dossier.ask``): correctness, refusal, ALCE
citation recall/precision, cited-gold rate and invalid-citation rate.

Citation support (ALCE's NLI step) is judged by ``rag.Verifier`` — the project's offline
verifier, with the index's embedder and ``answer.min_support`` — over the **full text of each cited
chunk** (found in ``answer.passages`` by the citation's chunk id; the citation's quote stands in
when the chunk is missing), as ALCE hands the whole cited passage to its NLI model. The offline
verifier is used whatever the generator, so runs are comparable.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from evals import metrics as M
from evals.floors import FLOOR_METRICS, check_floors, load_floors
from evals.goals import reachable
from evals.gold import GoldQuestion, load_gold
from rag import Answer, Filters, Verifier

MODES = ("hybrid", "vector", "bm25")
# Fusion variants of hybrid retrieval, compared side by side (``--modes``; rag/retrieval/hybrid.py).
VARIANTS = tuple(
    f"hybrid:{v}"
    for v in ("rrf", "article", "title", "phrase", "time", "signals", "rm3", "learned")
)


class Peer(Protocol):
    """A retriever to compare against: ranked (file, chunk text) pairs for a query."""

    name: str

    def retrieve(self, query: str, k: int) -> list[tuple[str, str]]: ...

    def describe(self) -> dict[str, Any]: ...


class Searcher(Protocol):
    """What the runner needs of ``rag.service.Dossier``."""

    @property
    def settings(self) -> Any: ...

    @property
    def embedder(self) -> Any: ...

    def search(
        self, query: str, k: int | None = None, filters: Any = None, mode: str | None = None
    ) -> list[Any]: ...

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: Any = None,
        on_text: Any = None,
        generator: str | None = None,
    ) -> Answer: ...

    def article(self, file: str) -> tuple[str, dict[str, Any]] | None: ...


# How deep the peer is read when its results are cut to the articles published by a question's
# date (``as_asked``): LlamaIndex's default index holds no dates to filter on, so its ranking is
# read this far and the later articles dropped — the top k of what is left.
PEER_DEPTH = 200


def as_asked_filters(q: GoldQuestion, as_asked: bool) -> Filters | None:
    """The retrieval scope of a question asked on its own date: only articles published by then
    (``Filters.until``; undated articles drop out, as with any date bound). None otherwise."""
    return Filters(until=q.asked_on) if as_asked and q.asked_on else None


# --------------------------------------------------------------------------- per question


def score_ranking(
    files: Sequence[str], texts: Sequence[str], q: GoldQuestion, k: int
) -> dict[str, Any]:
    """Article-level retrieval metrics for one ranked list of chunk files (and their texts)."""
    ranked = M.dedupe_files(files)
    row: dict[str, Any] = {"files": ranked[:k]}
    if not q.gold_files:
        return row
    gold = set(q.gold_files)
    row["hit@1"] = M.hit_at_k(ranked, gold, 1)
    row["hit@5"] = M.hit_at_k(ranked, gold, 5)
    row["hit@10"] = M.hit_at_k(ranked, gold, 10)
    row["mrr@10"] = M.mrr_at_k(ranked, gold, 10)
    row["gold_rank"] = next((i for i, f in enumerate(ranked, 1) if f in gold), None)
    if q.gold_passages:
        row["passage_recall"] = M.passage_recall(texts, q.gold_passages)
    return row


def score_answer(answer: Answer, q: GoldQuestion, verifier: Verifier) -> dict[str, Any]:
    """Correctness, refusal and citation metrics of one answer."""
    chunks = {p.id: p.text for p in answer.passages}
    evidence: dict[int, str] = {c.id: chunks.get(c.chunk_id) or c.quote for c in answer.citations}

    def supports(claim: str, ids: Sequence[int]) -> bool:
        return verifier.supports(claim, [evidence[i] for i in ids if i in evidence])

    claims = [M.Claim(c.text, tuple(x.id for x in c.citations)) for c in answer.claims]
    n_valid = sum(len(c.citations) for c in answer.claims)
    n_invalid = len(answer.invalid_citations)
    row: dict[str, Any] = {
        "answer": answer.text,
        "short_answer": answer.short_answer,
        "short_correct": None,
        "mc_correct": None,
        "refused": answer.refused,
        "should_refuse": q.should_refuse,
        "refusal_ok": answer.refused == q.should_refuse,
        "correct": None,
        "n_claims": len(claims),
        "n_citations": n_valid,
        "n_invalid": n_invalid,
        "invalid_citation_rate": M.invalid_citation_rate(n_invalid, n_valid + n_invalid),
        "citation_recall": None,
        "citation_precision": None,
        "cited_gold_rate": None,
        "cited_gold_file_rate": None,
        "claims": [],
    }
    if q.answers:
        row["correct"] = (not answer.refused) and M.answer_correct(
            answer.text, q.answers, q.answers_any
        )
        short = answer.short_answer
        row["short_correct"] = (
            not answer.refused
            and short is not None
            and M.short_answer_correct(short, q.short_answers or q.answers, q.answers_any)
        )
    if q.choices and q.correct_choices:
        row["mc_correct"] = (not answer.refused) and M.choice_read(
            answer.text, q.choices, q.correct_choices
        )
    if answer.refused:
        return row
    scores = M.citation_scores(claims, supports)
    row["citation_recall"] = scores.recall
    row["citation_precision"] = scores.precision
    cites = [x for c in answer.claims for x in c.citations]
    if q.gold_passages:
        row["cited_gold_rate"] = M.cited_gold_rate([evidence[x.id] for x in cites], q.gold_passages)
    if q.gold_files and cites:
        row["cited_gold_file_rate"] = sum(x.file in q.gold_files for x in cites) / len(cites)
    row["claims"] = [
        {
            "text": c.text,
            "supported": ok,
            "citations": [
                {"id": x.id, "file": x.file, "start": x.start, "end": x.end, "quote": x.quote}
                for x in c.citations
            ],
        }
        for c, ok in zip(answer.claims, scores.supported, strict=True)
    ]
    return row


def unasked_row(q: GoldQuestion) -> dict[str, Any]:
    """The answer part of a row when answers are not run (``--retrieval-only``)."""
    return {
        "answer": None,
        "short_answer": None,
        "short_correct": None,
        "mc_correct": None,
        "refused": None,
        "should_refuse": q.should_refuse,
        "refusal_ok": None,
        "correct": None,
        "n_claims": 0,
        "n_citations": 0,
        "n_invalid": 0,
        "invalid_citation_rate": None,
        "citation_recall": None,
        "citation_precision": None,
        "cited_gold_rate": None,
        "cited_gold_file_rate": None,
        "claims": [],
        "ask_ms": None,
    }


def failure_reasons(row: dict[str, Any]) -> list[str]:
    reasons: list[str] = []
    if row["refused"] is None:
        return reasons
    if row["should_refuse"] and not row["refused"]:
        reasons.append("answered an unanswerable question")
    elif not row["should_refuse"] and row["refused"]:
        reasons.append("refused an answerable question")
    elif row["correct"] is False:
        reasons.append("wrong answer")
    unsupported = sum(1 for c in row["claims"] if not c["supported"])
    if unsupported:
        reasons.append(f"{unsupported} unsupported claim(s)")
    return reasons


# --------------------------------------------------------------------------- the run


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0


def _latency(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    arr = np.asarray(values, dtype=float)
    return {
        "p50": round(float(np.percentile(arr, 50)), 2),
        "p95": round(float(np.percentile(arr, 95)), 2),
        "mean": round(float(arr.mean()), 2),
        "n": len(values),
    }


def run_eval(
    dossier: Searcher,
    questions: Sequence[GoldQuestion],
    *,
    set_name: str,
    generator: str = "extractive",
    k: int = 10,
    modes: Sequence[str] = MODES,
    peer: Peer | None = None,
    progress: bool = False,
    answers: bool = True,
    as_asked: bool = False,
) -> dict[str, Any]:
    """Run every question; return the report (summary plus per-question rows). With
    ``answers=False`` only retrieval is measured (no ``ask``). With ``as_asked`` a question that
    has a date (``asked_on``) is searched and answered over the articles published by then, as
    when it was asked (for the peer: its ranking without the later articles).

    The work runs in passes — each retrieval mode over all questions, then the peer, then the
    answers — so every timed search is a new query after a search of another query, whatever
    its mode (interleaving modes per question would let a later mode find the query's
    tokenisation and caches warm, and put the first mode after the peer's large allocations)."""
    from tqdm import tqdm

    if not questions:
        raise ValueError("no questions to evaluate")
    default_mode = str(dossier.settings.retrieval.mode)
    modes = list(dict.fromkeys([default_mode, *modes]))
    verifier = Verifier(dossier.embedder, dossier.settings.answer.min_support)
    rows: list[dict[str, Any]] = [
        {
            "id": q.id,
            "question": q.question,
            "type": q.type,
            "wanted": q.wanted,
            "gold_files": list(q.gold_files),
            "answers": list(q.answers),
            "retrieval": {},
            "peer": None,
        }
        for q in questions
    ]
    passes = len(modes) + (peer is not None) + answers
    bar = tqdm(
        total=passes * len(questions),
        desc=f"eval {set_name}",
        unit="q",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    t_start = time.perf_counter()
    for mode in modes:
        bar.set_postfix_str(mode)
        dossier.search(questions[0].question, k=k, mode=mode)  # warm-up: model load, BM25
        for q, row in zip(questions, rows, strict=True):
            t0 = time.perf_counter()
            hits = dossier.search(q.question, k=k, filters=as_asked_filters(q, as_asked), mode=mode)
            ms = _ms(t0)
            row["retrieval"][mode] = score_ranking(
                [h.file for h in hits], [h.text for h in hits], q, k
            )
            row["retrieval"][mode]["latency_ms"] = round(ms, 2)
            bar.update()
    if peer is not None:
        bar.set_postfix_str("peer")
        peer.retrieve(questions[0].question, k)
        published = _published_lookup(dossier)
        for q, row in zip(questions, rows, strict=True):
            until = q.asked_on if as_asked else None
            t0 = time.perf_counter()
            found = peer.retrieve(q.question, PEER_DEPTH if until else k)
            if until:
                found = [(f, t) for f, t in found if (published(f) or "9999")[:10] <= until][:k]
            ms = _ms(t0)
            row["peer"] = score_ranking([f for f, _ in found], [t for _, t in found], q, k)
            row["peer"]["latency_ms"] = round(ms, 2)
            bar.update()
    bar.set_postfix_str("answers")
    for q, row in zip(questions, rows, strict=True):
        if answers:
            t0 = time.perf_counter()
            answer = dossier.ask(
                q.question, filters=as_asked_filters(q, as_asked), generator=generator
            )
            row["ask_ms"] = round(_ms(t0), 1)
            row.update(score_answer(answer, q, verifier), reachable=reachable(q, dossier.article))
            bar.update()
        else:
            row.update(unasked_row(q))
        row["reasons"] = failure_reasons(row)
        row["failure"] = bool(row["reasons"])
    bar.close()
    report = summarize(
        rows,
        set_name=set_name,
        generator=generator if answers else "none",
        k=k,
        default_mode=default_mode,
        modes=modes,
        peer=peer,
    )
    report["timing"] = {
        "questions_s": round(time.perf_counter() - t_start, 1),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    report["settings"] = dossier.settings.describe()
    report["embedder"] = getattr(dossier.embedder, "name", "?")
    report["questions"] = sorted(rows, key=lambda r: not r["failure"])
    return report


def _published_lookup(dossier: Searcher) -> Callable[[str], str | None]:
    """A file's publication date as Dossier read it (cached per file)."""
    cache: dict[str, str | None] = {}

    def published(file: str) -> str | None:
        if file not in cache:
            got = dossier.article(file)
            cache[file] = str(got[1].get("published") or "") or None if got else None
        return cache[file]

    return published


# --------------------------------------------------------------------------- aggregation


def _retrieval_summary(rows: Sequence[dict[str, Any] | None]) -> dict[str, Any]:
    kept = [r for r in rows if r is not None]
    out: dict[str, Any] = {
        m: M.mean(r.get(m) for r in kept)
        for m in ("hit@1", "hit@5", "hit@10", "mrr@10", "passage_recall")
    }
    out["n"] = sum(1 for r in kept if "hit@1" in r)
    out["latency_ms"] = _latency([r["latency_ms"] for r in kept if "latency_ms" in r])
    return out


def _ci(values: Sequence[float | bool | None], binary: bool) -> list[float] | None:
    kept = [float(v) for v in values if v is not None]
    if not kept:
        return None
    if binary:
        lo, hi = M.wilson_interval(int(sum(kept)), len(kept))
    else:
        lo, hi = M.bootstrap_ci(kept)
    return [round(lo, 4), round(hi, 4)]


def summarize(
    rows: Sequence[dict[str, Any]],
    *,
    set_name: str,
    generator: str,
    k: int,
    default_mode: str,
    modes: Sequence[str],
    peer: Peer | None,
) -> dict[str, Any]:
    asked = [r for r in rows if r["refused"] is not None]
    answered = [r for r in asked if not r["refused"]]
    refusal = (
        M.refusal_scores([(r["should_refuse"], r["refused"]) for r in asked]) if asked else None
    )
    n_inv = sum(r["n_invalid"] for r in rows)
    n_all = n_inv + sum(r["n_citations"] for r in rows)
    per_q: dict[str, list[Any]] = {
        "answer_correct": [r["correct"] for r in rows],
        "short_answer_correct": [r["short_correct"] for r in rows],
        "mc_reading": [r["mc_correct"] for r in rows],
        "answer_reachable": [r.get("reachable") for r in rows],
        "refusal_accuracy": [r["refusal_ok"] for r in rows],
        "citation_recall": [r["citation_recall"] for r in answered],
        "citation_precision": [r["citation_precision"] for r in answered],
        "cited_gold_rate": [r["cited_gold_rate"] for r in answered],
        "cited_gold_file_rate": [r["cited_gold_file_rate"] for r in answered],
    }
    for m in ("hit@1", "hit@5", "hit@10", "mrr@10", "passage_recall"):
        per_q[m] = [r["retrieval"][default_mode].get(m) for r in rows]
    metrics: dict[str, Any] = {name: M.mean(v) for name, v in per_q.items()}
    metrics["refusal_precision"] = refusal.precision if refusal else None
    metrics["refusal_recall"] = refusal.recall if refusal else None
    metrics["invalid_citation_rate"] = M.invalid_citation_rate(n_inv, n_all) if asked else None
    binary = {
        "answer_correct",
        "short_answer_correct",
        "mc_reading",
        "answer_reachable",
        "refusal_accuracy",
        "hit@1",
        "hit@5",
        "hit@10",
    }
    ci = {name: _ci(v, name in binary) for name, v in per_q.items()}
    by_type: dict[str, dict[str, Any]] = {}
    for t in dict.fromkeys(r["type"] for r in rows):
        group = [r for r in rows if r["type"] == t]
        by_type[t] = {
            "n": len(group),
            "answer_correct": M.mean(r["correct"] for r in group),
            "short_answer_correct": M.mean(r["short_correct"] for r in group),
            "refusal_accuracy": M.mean(r["refusal_ok"] for r in group),
            "hit@5": M.mean(r["retrieval"][default_mode].get("hit@5") for r in group),
            "failures": sum(r["failure"] for r in group),
        }
    return {
        "set": set_name,
        "generator": generator,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "k": k,
        "retrieval_mode": default_mode,
        "n_questions": len(rows),
        "n_answerable": sum(not r["should_refuse"] for r in rows),
        "n_answered": len(answered),
        "metrics": metrics,
        "ci95": ci,
        "refusal": {
            "true_refusals": refusal.true_refusals,
            "false_refusals": refusal.false_refusals,
            "missed_refusals": refusal.missed_refusals,
            "true_answers": refusal.true_answers,
            "f1": refusal.f1,
        }
        if refusal
        else None,
        "retrieval": {
            "ours": {m: _retrieval_summary([r["retrieval"][m] for r in rows]) for m in modes},
            "peer": _retrieval_summary([r["peer"] for r in rows]) if peer is not None else None,
            "peer_info": peer.describe() if peer is not None else None,
        },
        "ask_latency_ms": _latency([r["ask_ms"] for r in asked]),
        "by_type": by_type,
        "failures": [r["id"] for r in rows if r["failure"]],
    }


def summary_only(report: dict[str, Any]) -> dict[str, Any]:
    """The report without its per-question rows (what ``--json`` prints)."""
    out = {k: v for k, v in report.items() if k != "questions"}
    if "withheld" in out:
        out["withheld"] = {k: v for k, v in out["withheld"].items() if k != "rows"}
    return out


__all__ = [
    "FLOOR_METRICS",
    "MODES",
    "VARIANTS",
    "GoldQuestion",
    "Peer",
    "check_floors",
    "failure_reasons",
    "load_floors",
    "load_gold",
    "run_eval",
    "score_answer",
    "score_ranking",
    "summarize",
    "summary_only",
    "unasked_row",
]
