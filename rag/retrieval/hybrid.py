"""Hybrid retrieval: Chroma vectors and BM25 over the same chunks, fused per article.

Filters (dates, outlets, files) go to BM25 as a weight mask and to the vectors as a cut of a
deeper unfiltered list by the same mask, or, for a narrow scope, as Chroma's ``where`` clause
(``rag.retrieval.filters``), so both retrievers see the same candidates.

``fusion`` (a setting) says how the two lists become one:

- ``rrf``: reciprocal-rank fusion of the passages (k=60), at most ``max_per_article`` passages of
  one article — the fusion Dossier had first, kept for comparison.
- ``learned``: passages are grouped into candidate articles (plus articles whose *title* matches
  the query best), each article is scored from all its passages and from what it is — title
  match, the question's names and noun phrases found as phrases, date fit to the question's time —
  by the fitted weights of ``rag.retrieval.fusion``, and articles are returned best first with
  their best passages (at most ``max_per_article``; an article's second passage comes after the
  next articles' first).

``mode`` may name a fusion variant after the retriever (``hybrid:rrf``, ``hybrid:article``,
``hybrid:title``, ``hybrid:phrase``, ``hybrid:time``, ``hybrid:signals``, ``hybrid:rm3``,
``hybrid:learned``):
the eval compares them in one run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import Embedder
from index.store import Store
from index.store_reads import ChunkHit
from rag.config import RetrievalSettings
from rag.records import Filters, Passage
from rag.retrieval.articles import ArticleTable, build_articles, chunk_file
from rag.retrieval.bm25 import Bm25Index
from rag.retrieval.features import Candidate, Hit, QueryContext, compute_features
from rag.retrieval.filters import chroma_where
from rag.retrieval.fusion import (
    LEARNED_SIGNALS,
    VARIANTS,
    learned_scores,
    load_weights,
    rrf_scores,
)
from rag.retrieval.phrases import QuestionPhrases, question_phrases
from rag.retrieval.prf import expand
from rag.retrieval.timefit import TimeCue, time_cue

FUSIONS = ("rrf", "learned", *VARIANTS)
PRF_DOCS = 10  # BM25 passages the rm3 variant's expansion terms come from
SECOND_PASSAGE_GAP = 4  # an article's next passage comes after this many more articles' first
WHOLE_TEXT_CANDIDATES = 25  # candidates whose whole text is searched for the question's phrases
# A scoped vector search reads a deeper unfiltered list and keeps the rows in scope while the scope
# holds at least this share of the index and the list need be no deeper than this.
SCOPE_SHARE_MIN = 0.05
SCOPE_DEPTH_MAX = 4000


class Retriever:
    def __init__(
        self, store: Store, embedder: Embedder, settings: RetrievalSettings, cache_dir: Path | None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.cache_dir = cache_dir
        self.bm25 = Bm25Index(store, cache_dir)
        self._articles: tuple[tuple[int, Any, int], ArticleTable] | None = None
        self._rows: tuple[tuple[int, Any, int], dict[str, int]] | None = None

    def articles(self) -> ArticleTable:
        """The article table of the current BM25 table (rebuilt when the table changes)."""
        table = self.bm25.table()
        key = (id(table), getattr(table, "generation", None), len(table.ids))
        if self._articles is None or self._articles[0] != key:
            previous = self._articles[1] if self._articles is not None else None
            self._articles = (key, build_articles(table, previous))  # reuses title segments
        return self._articles[1]

    # ---- retrieval -------------------------------------------------------------------------
    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
    ) -> list[Passage]:
        k = k or self.settings.k
        filters = filters or Filters()
        base, _, fusion = (mode or self.settings.mode).partition(":")
        fusion = fusion or self.settings.fusion
        if fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {fusion!r}: choose from {', '.join(FUSIONS)}")
        if base == "hybrid" and fusion != "rrf":
            cands = self.candidates(query, filters, max(self.settings.candidates, k), fusion)
            return self._passages(cands, k)
        return self._rrf(query, k, filters, base)

    def _vector_hits(self, query: str, n: int, filters: Filters, from_table: bool) -> list[Hit]:
        """The ``n`` nearest chunks; with ``from_table`` (a hybrid search, which has the BM25
        table in memory anyway) their text and metadata are the table's, not a second read of
        the store (~14 ms of a ~70 ms query at 40k chunks)."""
        vec = self.embedder.embed([query])[0]
        if not filters.empty:
            got = self._scoped_nearest(vec, n, filters)
        elif from_table:
            got = self._from_table(self.bm25.table(), self.store.nearest(vec, n))
        else:
            got = self.store.query(vec, n)
        return [
            Hit(h.id, h.text, h.meta, vector_rank=rank, similarity=1.0 - h.distance)
            for rank, h in enumerate(got, 1)
        ]

    def _scoped_nearest(self, vec: Sequence[float], n: int, filters: Filters) -> list[ChunkHit]:
        """The ``n`` nearest chunks inside ``filters``' scope. Chroma's filtered search reads
        every chunk's metadata first (~170 ms at 40k chunks); while the scope holds a good share
        of the index, a deeper unfiltered list cut to the rows the scope keeps (the BM25 table's
        mask: the same test as the ``where`` clause) gives the same chunks in a few ms. A narrow
        scope, or a deep list that still holds too few, goes to Chroma's filter."""
        table = self.bm25.table()
        mask = self.bm25.mask(table, filters)
        in_scope = int(mask.sum())
        if in_scope == 0:
            return []
        share = in_scope / max(1, table.n_live)
        total = table.n_live
        depth = min(total, max(4 * n, math.ceil(2 * n / share)))
        if share >= SCOPE_SHARE_MIN and depth <= SCOPE_DEPTH_MAX:
            rows = self._live_rows(table)
            near = [
                (cid, d)
                for cid, d in self.store.nearest(vec, depth)
                if (row := rows.get(cid)) is not None and mask[row]
            ]
            if len(near) >= min(n, in_scope) or depth >= total:
                return self._from_table(table, near[:n])
        return self.store.query(vec, n, chroma_where(filters))

    def _from_table(self, table: Any, near: Sequence[tuple[str, float]]) -> list[ChunkHit]:
        """The chunks of ``near`` (id, distance) pairs, in that order, as the BM25 table holds
        them (in step with the store: the same text and metadata); a chunk the table does not
        hold as live (one of an article not recorded yet) is left out, as the store's read by
        id leaves it out."""
        rows = self._live_rows(table)
        return [
            ChunkHit(cid, table.texts[row], table.metas[row], d)
            for cid, d in near
            if (row := rows.get(cid)) is not None
        ]

    def _live_rows(self, table: Any) -> dict[str, int]:
        """Chunk id → its live row in the BM25 table (kept for the table's lifetime)."""
        key = (id(table), getattr(table, "generation", None), len(table.ids))
        if self._rows is None or self._rows[0] != key:
            ids = table.ids
            self._rows = (key, {ids[int(r)]: int(r) for r in np.flatnonzero(table.live)})
        return self._rows[1]

    def _bm25_hits(self, query: str, n: int, filters: Filters) -> list[Hit]:
        table = self.bm25.table()
        return [
            Hit(table.ids[row], table.texts[row], table.metas[row], bm25_rank=rank, bm25_score=s)
            for rank, (row, s) in enumerate(self.bm25.search(query, n, filters), 1)
        ]

    def _rrf(self, query: str, k: int, filters: Filters, base: str) -> list[Passage]:
        """Passage-level RRF (or one retriever alone), at most ``max_per_article`` each."""
        n = max(self.settings.candidates, k)
        hits: dict[str, Hit] = {}
        if base in ("hybrid", "vector"):
            for h in self._vector_hits(query, n, filters, from_table=base == "hybrid"):
                hits[h.cid] = h
        if base in ("hybrid", "bm25"):
            for h in self._bm25_hits(query, n, filters):
                got = hits.setdefault(h.cid, h)
                got.bm25_rank, got.bm25_score = h.bm25_rank, h.bm25_score
        rrf = self.settings.rrf_k
        ranked = sorted(hits.values(), key=lambda h: -h.rrf(rrf))
        out: list[Passage] = []
        per_article: dict[str, int] = {}
        for h in ranked:
            file = chunk_file(h.cid, h.meta)
            if per_article.get(file, 0) >= self.settings.max_per_article:
                continue
            per_article[file] = per_article.get(file, 0) + 1
            out.append(_passage(h, file, h.rrf(rrf)))
            if len(out) >= k:
                break
        return out

    def candidates(
        self, query: str, filters: Filters | None, n: int, fusion: str = "learned"
    ) -> list[Candidate]:
        """The candidate articles of ``query``, features computed and scored by ``fusion``
        (a variant of ``FUSIONS`` other than ``rrf``), best first."""
        filters = filters or Filters()
        signals = LEARNED_SIGNALS if fusion == "learned" else VARIANTS[fusion]
        by_file: dict[str, Candidate] = {}
        by_cid: dict[str, Hit] = {}

        def add(h: Hit) -> Hit:
            got = by_cid.get(h.cid)
            if got is None:
                by_cid[h.cid] = h
                file = chunk_file(h.cid, h.meta)
                by_file.setdefault(file, Candidate(file)).hits.append(h)
                return h
            return got

        vec = self._vector_hits(query, n, filters, from_table=True)
        for h in vec:
            add(h)
        bm = self._bm25_hits(query, n, filters)
        if "rm3" in signals and bm:
            top = bm[:PRF_DOCS]
            expanded = expand(query, [h.text for h in top], [h.bm25_score or 0.0 for h in top])
            bm = self._bm25_hits(expanded, n, filters)
        for h in bm:
            got = add(h)
            got.bm25_rank, got.bm25_score = h.bm25_rank, h.bm25_score
        articles = self.articles()
        table = self.bm25.table()
        titles = articles.search_titles(query, n, filters) if "title" in signals else []
        for rank, (file, score) in enumerate(titles, 1):
            cand = by_file.get(file)
            if cand is None:
                rows = articles.rows.get(file)
                if not rows:
                    continue
                r = rows[0]
                add(Hit(table.ids[r], table.texts[r], table.metas[r]))
                cand = by_file[file]
            cand.title_rank, cand.title_score = rank, score
        ctx = QueryContext(
            phrases=question_phrases(query) if "phrase" in signals else QuestionPhrases((), ()),
            cue=time_cue(query) if "time" in signals else TimeCue(),
            newest=articles.newest_in(filters) if "time" in signals else None,
            depth=n,
            top_similarity=vec[0].similarity if vec else None,
            top_bm25=bm[0].bm25_score if bm else None,
            top_title=titles[0][1] if titles else None,
        )
        cands = list(by_file.values())
        # The whole article is read for phrases only for the best candidates by passage RRF.
        rrf = self.settings.rrf_k
        cands.sort(key=lambda c: -max(h.rrf(rrf) for h in c.hits))
        for i, c in enumerate(cands):
            c.features = compute_features(c, ctx, articles, table, i < WHOLE_TEXT_CANDIDATES)
        if fusion == "learned":
            learned_scores(cands, load_weights(), bool(filters.until))
        else:
            rrf_scores(cands, self.settings.rrf_k, signals)
        cands.sort(key=lambda c: -c.score)
        return cands

    def _passages(self, cands: Sequence[Candidate], k: int) -> list[Passage]:
        """Articles best first, each with its best passages: the j-th passage of the article at
        rank r is placed as if at rank r + j * SECOND_PASSAGE_GAP."""
        rrf = self.settings.rrf_k
        slots: list[tuple[int, int, Passage]] = []
        for r, c in enumerate(cands[:k]):
            hits = sorted(c.hits, key=lambda h: -h.rrf(rrf))[: self.settings.max_per_article]
            for j, h in enumerate(hits):
                slots.append((r + j * SECOND_PASSAGE_GAP, r, _passage(h, c.file, c.score)))
        slots.sort(key=lambda s: (s[0], s[1]))
        return [p for _, _, p in slots[:k]]


def _passage(h: Hit, file: str, score: float) -> Passage:
    meta = h.meta
    return Passage(
        id=h.cid,
        file=file,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        text=h.text,
        score=score,
        title=str(meta.get("title", "")),
        outlet=meta.get("outlet"),
        published=meta.get("published"),
        vector_rank=h.vector_rank,
        bm25_rank=h.bm25_rank,
        similarity=h.similarity,
    )
