"""Hybrid retrieval: Chroma vectors and BM25 over the same chunks, fused by reciprocal rank.

Filters (dates, outlets, files) go to Chroma as a ``where`` clause and to BM25 as a weight mask
(``rag.retrieval.filters``), so both retrievers see the same candidates. At most
``max_per_article`` passages of one article are returned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index.embed import Embedder
from index.store import Store
from rag.config import RetrievalSettings
from rag.records import Filters, Passage
from rag.retrieval.bm25 import Bm25Index
from rag.retrieval.filters import chroma_where


class Retriever:
    def __init__(
        self, store: Store, embedder: Embedder, settings: RetrievalSettings, cache_dir: Path | None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.cache_dir = cache_dir
        self.bm25 = Bm25Index(store, cache_dir)

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
        mode = mode or self.settings.mode
        n = max(self.settings.candidates, k)
        fused: dict[str, dict[str, Any]] = {}
        rrf = self.settings.rrf_k
        if mode in ("hybrid", "vector"):
            vec = self.embedder.embed([query])[0]
            for rank, hit in enumerate(self.store.query(vec, n, chroma_where(filters)), 1):
                entry = fused.setdefault(hit.id, {"text": hit.text, "meta": hit.meta, "score": 0.0})
                entry["score"] += 1.0 / (rrf + rank)
                entry["vector_rank"] = rank
                entry["similarity"] = 1.0 - hit.distance
        if mode in ("hybrid", "bm25"):
            table = self.bm25.table()
            for rank, (row, _score) in enumerate(self.bm25.search(query, n, filters), 1):
                meta = table.metas[row]
                cid = table.ids[row]
                entry = fused.setdefault(
                    cid, {"text": table.texts[row], "meta": meta, "score": 0.0}
                )
                entry["score"] += 1.0 / (rrf + rank)
                entry["bm25_rank"] = rank
        ranked = sorted(fused.items(), key=lambda kv: -kv[1]["score"])
        out: list[Passage] = []
        per_article: dict[str, int] = {}
        for cid, e in ranked:
            meta = e["meta"]
            file = str(meta.get("file", cid.rsplit("#", 1)[0]))
            if per_article.get(file, 0) >= self.settings.max_per_article:
                continue
            per_article[file] = per_article.get(file, 0) + 1
            out.append(
                Passage(
                    id=cid,
                    file=file,
                    start=int(meta.get("start", 0)),
                    end=int(meta.get("end", 0)),
                    text=e["text"],
                    score=e["score"],
                    title=str(meta.get("title", "")),
                    outlet=meta.get("outlet"),
                    published=meta.get("published"),
                    vector_rank=e.get("vector_rank"),
                    bm25_rank=e.get("bm25_rank"),
                    similarity=e.get("similarity"),
                )
            )
            if len(out) >= k:
                break
        return out
