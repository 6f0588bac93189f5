"""Article candidates and their features: what learned fusion (``rag.retrieval.fusion``) scores.

The vector and BM25 passage lists (and the title list) are grouped by article; each article gets
features from all its passages — its best vector rank and similarity, its best BM25 rank and
score, how many of its passages each retriever found — and from what it is: how well its title
matches, how many of the question's names and noun phrases it holds as phrases, how its date fits
the question's time (within weeks, and for "this week" on a log scale of years too). Every
feature is scaled to about [0, 1] (ranks as 1/rank and log rank, scores relative to the query's
best), so one weight file fits corpora of any size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from rag.retrieval.articles import ArticleTable, ChunkTable
from rag.retrieval.phrases import QuestionPhrases, fraction_found, normalise
from rag.retrieval.timefit import TimeCue, date_fit, recency

# The order of the weights in the fusion file; its hash is checked when the file is loaded.
FEATURES: tuple[str, ...] = (
    "vec_inv_rank",
    "vec_log_rank",
    "vec_sim",
    "vec_sim_gap",
    "vec_count",
    "bm25_inv_rank",
    "bm25_log_rank",
    "bm25_rel",
    "bm25_count",
    "both",
    "title_inv_rank",
    "title_rel",
    "phrase",
    "title_phrase",
    "entity",
    "date_fit",
    "recency",
)


@dataclass
class Hit:
    """One retrieved passage (chunk) with what each retriever said of it."""

    cid: str
    text: str
    meta: dict[str, Any]
    vector_rank: int | None = None
    similarity: float | None = None
    bm25_rank: int | None = None
    bm25_score: float | None = None

    def rrf(self, k: int) -> float:
        s = 0.0
        if self.vector_rank is not None:
            s += 1.0 / (k + self.vector_rank)
        if self.bm25_rank is not None:
            s += 1.0 / (k + self.bm25_rank)
        return s


@dataclass
class Candidate:
    """An article among the candidates: its passages (best first), its title-list rank and
    score, its features and, once fused, its score."""

    file: str
    hits: list[Hit] = field(default_factory=list)
    title_rank: int | None = None
    title_score: float | None = None
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


@dataclass(frozen=True)
class QueryContext:
    """What is known of the query when features are computed."""

    phrases: QuestionPhrases
    cue: TimeCue
    newest: float | None
    depth: int  # candidates asked of each retriever
    top_similarity: float | None
    top_bm25: float | None
    top_title: float | None


def _inv(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / rank


def _log_rank(rank: int | None, depth: int) -> float:
    """1 at rank 1 falling to 0 at the list's end (and for an absent article)."""
    if rank is None:
        return 0.0
    return max(0.0, 1.0 - math.log(rank) / math.log(depth + 1))


def compute_features(
    cand: Candidate,
    ctx: QueryContext,
    articles: ArticleTable,
    table: ChunkTable,
    whole_text: bool = True,
) -> dict[str, float]:
    """The feature vector of one article (a dict over ``FEATURES``). Phrases are looked for in
    the whole article when ``whole_text``, else in its title and retrieved passages only (the
    cheaper reading for candidates far down the lists)."""
    vec_ranks = [h.vector_rank for h in cand.hits if h.vector_rank is not None]
    sims = [h.similarity for h in cand.hits if h.similarity is not None]
    bm_ranks = [h.bm25_rank for h in cand.hits if h.bm25_rank is not None]
    bm_scores = [h.bm25_score for h in cand.hits if h.bm25_score is not None]
    vr = min(vec_ranks) if vec_ranks else None
    br = min(bm_ranks) if bm_ranks else None
    sim = max(sims) if sims else None
    top_sim = ctx.top_similarity
    i = articles.index_of.get(cand.file)
    title = articles.titles[i].lower() if i is not None else ""
    ts = float(articles.ts[i]) if i is not None else None
    if whole_text:
        text = articles.text(cand.file, table)
    else:
        text = normalise(" ".join([title, *(h.text for h in cand.hits)]))
    f = {
        "vec_inv_rank": _inv(vr),
        "vec_log_rank": _log_rank(vr, ctx.depth),
        "vec_sim": sim if sim is not None else 0.0,
        "vec_sim_gap": (sim - top_sim) if sim is not None and top_sim is not None else -0.5,
        "vec_count": math.log1p(len(vec_ranks)) / math.log(4.0),
        "bm25_inv_rank": _inv(br),
        "bm25_log_rank": _log_rank(br, ctx.depth),
        "bm25_rel": (max(bm_scores) / ctx.top_bm25) if bm_scores and ctx.top_bm25 else 0.0,
        "bm25_count": math.log1p(len(bm_ranks)) / math.log(4.0),
        "both": 1.0 if vr is not None and br is not None else 0.0,
        "title_inv_rank": _inv(cand.title_rank),
        "title_rel": (cand.title_score / ctx.top_title)
        if cand.title_score is not None and ctx.top_title
        else 0.0,
        "phrase": fraction_found(text, ctx.phrases.phrases),
        "title_phrase": fraction_found(title, ctx.phrases.phrases),
        "entity": fraction_found(text, ctx.phrases.entities),
        "date_fit": date_fit(ctx.cue, ts, ctx.newest),
        "recency": recency(ctx.cue, ts, ctx.newest),
    }
    return f


def vector_of(features: dict[str, float]) -> list[float]:
    return [float(features[name]) for name in FEATURES]
