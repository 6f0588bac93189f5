"""The index's articles, as retrieval needs them: each article's chunk rows in the BM25 table, its
title and publication time, and a small BM25 over the titles alone.

Built once per BM25 table (that is, per index generation) from the table's ``ids``/``metas``/
``texts`` — no second read of Chroma. The title index is tiny (one short document per article)
and rebuilt in well under a second even on the full RealTime QA corpus.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from rag.records import Filters
from rag.retrieval.filters import matches
from rag.retrieval.phrases import normalise
from rag.text.terms import stemmer


class ChunkTable(Protocol):
    """What the BM25 table offers: chunk ids, metadata and texts by row."""

    @property
    def ids(self) -> Sequence[str]: ...

    @property
    def metas(self) -> Sequence[dict[str, Any]]: ...

    @property
    def texts(self) -> Sequence[str]: ...


def tokenize(texts: Sequence[str]) -> Any:
    """bm25s tokens: stopwords out, PyStemmer's English stems (as the chunks' BM25)."""
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer(), show_progress=False)


def chunk_file(cid: str, meta: dict[str, Any]) -> str:
    return str(meta.get("file", cid.rsplit("#", 1)[0]))


@dataclass
class ArticleTable:
    """Articles of one BM25 table: ``files[i]`` has ``titles[i]``, ``ts[i]`` (NaN: undated) and
    chunk rows ``rows[files[i]]`` in chunk order."""

    files: list[str]
    titles: list[str]
    ts: np.ndarray
    metas: list[dict[str, Any]]
    rows: dict[str, list[int]]
    index_of: dict[str, int]
    title_model: Any = None
    _texts: dict[str, str] = field(default_factory=dict)

    @property
    def newest_ts(self) -> float | None:
        dated = self.ts[~np.isnan(self.ts)]
        return float(dated.max()) if dated.size else None

    def newest_in(self, filters: Filters) -> float | None:
        """The newest publication time among the articles ``filters`` let through."""
        if filters.empty:
            return self.newest_ts
        best: float | None = None
        for i, meta in enumerate(self.metas):
            t = self.ts[i]
            if not math.isnan(t) and (best is None or t > best) and matches(meta, filters):
                best = float(t)
        return best

    def text(self, file: str, table: ChunkTable) -> str:
        """The article's title and chunks as ``phrases.normalise`` words (cached): what
        phrases are matched in."""
        got = self._texts.get(file)
        if got is None:
            i = self.index_of.get(file)
            title = self.titles[i] if i is not None else ""
            body = "\n".join(table.texts[r] for r in self.rows.get(file, ()))
            got = normalise(f"{title}\n{body}")
            if len(self._texts) > 20_000:
                self._texts.clear()
            self._texts[file] = got
        return got

    def search_titles(self, query: str, n: int, filters: Filters) -> list[tuple[str, float]]:
        """(file, BM25 score) of the best-matching titles, best first."""
        if self.title_model is None or not self.files:
            return []
        mask = None
        if not filters.empty:
            mask = np.array([matches(m, filters) for m in self.metas], dtype=np.float32)
            if not mask.any():
                return []
        q = tokenize([query])
        if not q.ids or not q.ids[0]:
            return []
        docs, scores = self.title_model.retrieve(
            q, k=min(n, len(self.files)), show_progress=False, weight_mask=mask, n_threads=1
        )
        return [
            (self.files[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]


def build_articles(table: ChunkTable) -> ArticleTable:
    """The article table of a BM25 table, with its title index."""
    rows: dict[str, list[tuple[int, int]]] = {}
    first_meta: dict[str, dict[str, Any]] = {}
    live = getattr(table, "live", None)  # rows of replaced chunks may stay, marked dead
    metas = table.metas
    for r, cid in enumerate(table.ids):
        if live is not None and not live[r]:
            continue
        meta = metas[r]
        f = chunk_file(cid, meta)
        rows.setdefault(f, []).append((int(meta.get("n", 0) or 0), r))
        first_meta.setdefault(f, meta)
    files = list(rows)
    arts = [first_meta[f] for f in files]
    titles = [str(m.get("title") or "") for m in arts]
    ts = np.array(
        [float(m["published_ts"]) if m.get("published_ts") is not None else np.nan for m in arts],
        dtype=float,
    )
    ordered = {f: [r for _, r in sorted(rs)] for f, rs in rows.items()}
    built = ArticleTable(files, titles, ts, arts, ordered, {f: i for i, f in enumerate(files)})
    if files and any(titles):
        import bm25s

        model = bm25s.BM25()
        model.index(tokenize(titles), show_progress=False)
        built.title_model = model
    return built


def lead_row(articles: ArticleTable, file: str) -> int | None:
    rs = articles.rows.get(file)
    return rs[0] if rs else None


def ranks(items: Sequence[str]) -> dict[str, int]:
    """1-based rank of each item (first occurrence)."""
    out: dict[str, int] = {}
    for i, item in enumerate(items, 1):
        out.setdefault(item, i)
    return out
