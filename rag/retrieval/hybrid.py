"""Hybrid retrieval: Chroma vectors and BM25 over the same chunks, fused by reciprocal rank.

BM25 is bm25s (the engine under llama-index's BM25Retriever) over the chunk texts read back from
Chroma, stemmed with PyStemmer, cached in memory and on disk by the index's generation so it is
rebuilt only after an ingest changed something. Filters (dates, outlets, files) go to Chroma as a
``where`` clause and to BM25 as a weight mask, so both retrievers see the same candidates.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import Embedder
from index.store import Store, published_ts
from rag.config import RetrievalSettings
from rag.records import Filters, Passage
from rag.text.terms import stemmer


def tokenize(texts: Sequence[str]) -> Any:
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer(), show_progress=False)


@dataclass
class _Bm25:
    generation: int
    model: Any
    ids: list[str]
    metas: list[dict[str, Any]]
    texts: list[str]


def _bound_ts(value: str, end: bool) -> int:
    """A date bound as an epoch second; an ``until`` date includes its whole day."""
    d = datetime.fromisoformat(value)
    if end and len(value) <= 10:
        d = datetime.combine(
            date.fromisoformat(value[:10]) + timedelta(days=1), datetime.min.time()
        )
        return int(d.timestamp()) - 1
    return int(d.timestamp())


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.since:
        clauses.append({"published_ts": {"$gte": _bound_ts(filters.since, end=False)}})
    if filters.until:
        clauses.append({"published_ts": {"$lte": _bound_ts(filters.until, end=True)}})
    if filters.outlets:
        clauses.append({"outlet": {"$in": list(filters.outlets)}})
    if filters.files:
        clauses.append({"file": {"$in": list(filters.files)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _matches(meta: dict[str, Any], filters: Filters) -> bool:
    ts = meta.get("published_ts")
    if filters.since and (ts is None or ts < _bound_ts(filters.since, end=False)):
        return False
    if filters.until and (ts is None or ts > _bound_ts(filters.until, end=True)):
        return False
    if filters.outlets and meta.get("outlet") not in filters.outlets:
        return False
    return not (filters.files and meta.get("file") not in filters.files)


class Retriever:
    def __init__(
        self, store: Store, embedder: Embedder, settings: RetrievalSettings, cache_dir: Path | None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.cache_dir = cache_dir
        self._bm25: _Bm25 | None = None
        self._lock = threading.Lock()

    # ---- BM25 ------------------------------------------------------------------------------
    def _current_generation(self) -> int:
        coll = self.store.client.get_collection(self.store.chunks.name)
        return int((coll.metadata or {}).get("generation", 0))

    def bm25(self) -> _Bm25:
        gen = self._current_generation()
        with self._lock:
            if self._bm25 is None or self._bm25.generation != gen:
                self._bm25 = self._load_bm25(gen) or self._build_bm25(gen)
            return self._bm25

    def _cache_path(self, gen: int) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"bm25-{self.store.name}-{gen}"

    def _load_bm25(self, gen: int) -> _Bm25 | None:
        path = self._cache_path(gen)
        if path is None or not (path / "chunks.json").exists():
            return None
        import bm25s

        try:
            model = bm25s.BM25.load(str(path), show_progress=False)
            data = json.loads((path / "chunks.json").read_text())
        except (OSError, ValueError):
            return None
        return _Bm25(gen, model, data["ids"], data["metas"], data["texts"])

    def _build_bm25(self, gen: int) -> _Bm25:
        import bm25s

        ids: list[str] = []
        metas: list[dict[str, Any]] = []
        texts: list[str] = []
        for i, text, meta in self.store.iter_chunks():
            ids.append(i)
            metas.append(meta)
            texts.append(text)
        model = bm25s.BM25()
        if texts:
            # Later chunks of an article get its title too: the headline names the subject that
            # the body refers to by pronoun ("he", "the visit").
            model.index(
                tokenize(
                    [
                        f"{m.get('title', '')}\n{t}" if m.get("n") else t
                        for t, m in zip(texts, metas, strict=True)
                    ]
                ),
                show_progress=False,
            )
        built = _Bm25(gen, model, ids, metas, texts)
        path = self._cache_path(gen)
        if path is not None and texts:
            tmp = path.with_name(path.name + f".tmp{time.monotonic_ns()}")
            try:
                model.save(str(tmp), show_progress=False)
                (tmp / "chunks.json").write_text(
                    json.dumps({"ids": ids, "metas": metas, "texts": texts})
                )
                for old in path.parent.glob(f"bm25-{self.store.name}-*"):
                    shutil.rmtree(old, ignore_errors=True)
                tmp.rename(path)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
        return built

    def bm25_search(self, query: str, n: int, filters: Filters) -> list[tuple[int, float]]:
        """(row in the BM25 table, score) best first."""
        index = self.bm25()
        if not index.ids:
            return []
        mask = None
        if not filters.empty:
            mask = np.array([_matches(m, filters) for m in index.metas], dtype=np.float32)
            if not mask.any():
                return []
        q = tokenize([query])
        if not q.ids or not q.ids[0]:
            return []
        docs, scores = index.model.retrieve(
            q, k=min(n, len(index.ids)), show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

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
            index = self.bm25()
            for rank, (row, _score) in enumerate(self.bm25_search(query, n, filters), 1):
                meta = index.metas[row]
                cid = index.ids[row]
                entry = fused.setdefault(
                    cid, {"text": index.texts[row], "meta": meta, "score": 0.0}
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
                    outlet=meta.get("outlet"),  # type: ignore[arg-type]
                    published=meta.get("published"),  # type: ignore[arg-type]
                    vector_rank=e.get("vector_rank"),
                    bm25_rank=e.get("bm25_rank"),
                    similarity=e.get("similarity"),
                )
            )
            if len(out) >= k:
                break
        return out


__all__ = ["Retriever", "chroma_where", "published_ts", "tokenize"]
