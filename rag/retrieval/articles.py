"""The index's articles, as retrieval needs them: each article's chunk rows in the BM25 table, its
title and publication time, and a small BM25 over the titles alone.

Built once per BM25 table (that is, per index generation) from the table's ``ids``/``metas``/
``texts`` — no second read of Chroma. The title BM25 (``rag.retrieval.bm25_titles``) is kept per
segment of the BM25 table: after a change only the new segment's titles are indexed (indexing
33k titles anew took ~1.8 s of the first search after every change).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from index.runtime import cycles_unchecked
from rag.records import Filters
from rag.retrieval.bm25_segments import MISSING, ROW_KEYS, Bm25Table
from rag.retrieval.bm25_titles import TitleIndex, plain_title_index, segment_title_index
from rag.retrieval.filters import matches
from rag.retrieval.phrases import normalise

RowsOf = dict[str, list[int]]


class ChunkTable(Protocol):
    """What the BM25 table offers: chunk ids, metadata and texts by row."""

    @property
    def ids(self) -> Sequence[str]: ...

    @property
    def metas(self) -> Sequence[dict[str, Any]]: ...

    @property
    def texts(self) -> Sequence[str]: ...


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
    title_index: TitleIndex | None = None
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
        if self.title_index is None or not self.files:
            return []
        keep = None
        if not filters.empty:
            keep = np.array([matches(m, filters) for m in self.metas], dtype=bool)
            if not keep.any():
                return []
        hits = self.title_index.search(query, n, keep, self.files)
        return [(self.files[i], s) for i, s in hits]


def _rows_by_article(
    table: ChunkTable,
) -> tuple[list[str], list[dict[str, Any]], RowsOf, list[int]]:
    """Each article's file, its first live row's metadata and its live rows in chunk order, the
    articles in order of their first live row — by reading every row's metadata."""
    rows: dict[str, list[tuple[int, int]]] = {}
    first_meta: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    live = getattr(table, "live", None)  # rows of replaced chunks may stay, marked dead
    metas = table.metas
    for r, cid in enumerate(table.ids):
        if live is not None and not live[r]:
            continue
        meta = metas[r]
        f = chunk_file(cid, meta)
        rows.setdefault(f, []).append((int(meta.get("n", 0) or 0), r))
        first_meta.setdefault(f, meta)
        first_row.setdefault(f, r)
    files = list(rows)
    return (
        files,
        [first_meta[f] for f in files],
        {f: [r for _, r in sorted(rows[f])] for f in files},
        [first_row[f] for f in files],
    )


def _segment_rows_by_article(
    table: Bm25Table,
) -> tuple[list[str], list[dict[str, Any]], RowsOf, list[int]]:
    """As :func:`_rows_by_article`, from the segments' per-article entries and row integers:
    one metadata dict built per article rather than per chunk, the grouping done on arrays (at
    100k chunks the per-row reading was most of the first search after every index change)."""
    live = np.flatnonzero(table.live)
    if not live.size:
        return [], [], {}, []
    file_index: dict[str, int] = {}
    entry_file = np.asarray(
        [
            file_index.setdefault(table.segments[si].files[e], len(file_index))
            for si, e in table.entries
        ],
        dtype=np.int64,
    )
    n_all = np.concatenate([s.row_meta[:, ROW_KEYS.index("n")] for s in table.segments])
    for si, seg in enumerate(table.segments):  # rows whose metadata is kept whole
        for local, meta in seg.extra.items():
            n_all[int(table.starts[si]) + local] = int(meta.get("n", 0) or 0)
    n_all = np.where(n_all == MISSING, 0, n_all)
    fidx = entry_file[table.art[live]]
    present, first = np.unique(fidx, return_index=True)  # live rows ascend: each file's first
    by_first = np.argsort(live[first], kind="stable")  # articles in order of their first row
    rank = np.zeros(len(file_index), dtype=np.int64)
    rank[present[by_first]] = np.arange(len(present))
    frank = rank[fidx]
    order = np.lexsort((live, n_all[live], frank))
    cuts = np.flatnonzero(np.diff(frank[order])) + 1
    rows_sorted = live[order].tolist()
    bounds = [0, *cuts.tolist(), len(rows_sorted)]
    names = list(file_index)
    files = [names[f] for f in present[by_first].tolist()]
    groups = [rows_sorted[a:b] for a, b in itertools.pairwise(bounds)]
    rows = live[first[by_first]].tolist()
    return files, _metas_at(table, rows), dict(zip(files, groups, strict=True)), rows


def _metas_at(table: Bm25Table, rows: list[int]) -> list[dict[str, Any]]:
    """``table.metas[r]`` for each of ``rows``, the segments' arrays read once."""
    at = np.asarray(rows, dtype=np.int64)
    seg_of = np.searchsorted(table.starts, at, side="right") - 1
    ints = np.concatenate([np.asarray(s.row_meta) for s in table.segments])[at]
    columns = [
        (key, ints[:, k].tolist()) for k, key in enumerate(ROW_KEYS)
    ]  # flat: no list per row
    entries = table.entries
    out: list[dict[str, Any]] = []
    for i, (r, si, e) in enumerate(zip(rows, seg_of.tolist(), table.art[at].tolist(), strict=True)):
        seg = table.segments[si]
        extra = seg.extra.get(r - int(table.starts[si])) if seg.extra else None
        if extra is not None:
            out.append(dict(extra))
            continue
        meta = dict(seg.shared[entries[e][1]])
        for key, values in columns:
            if values[i] != MISSING:
                meta[key] = values[i]
        out.append(meta)
    return out


def build_articles(table: ChunkTable, previous: ArticleTable | None = None) -> ArticleTable:
    """The article table of a BM25 table, with its title index (reusing the title segments of
    ``previous``, the article table of an earlier table of the same index)."""
    with cycles_unchecked():
        return _build_articles(table, previous)


def _build_articles(table: ChunkTable, previous: ArticleTable | None) -> ArticleTable:
    if isinstance(table, Bm25Table):
        files, arts, ordered, first_rows = _segment_rows_by_article(table)
    else:
        files, arts, ordered, first_rows = _rows_by_article(table)
    titles = [str(m.get("title") or "") for m in arts]
    ts = np.array(
        [float(m["published_ts"]) if m.get("published_ts") is not None else np.nan for m in arts],
        dtype=float,
    )
    built = ArticleTable(files, titles, ts, arts, ordered, {f: i for i, f in enumerate(files)})
    if isinstance(table, Bm25Table):
        reuse = previous.title_index.segments if previous and previous.title_index else None
        built.title_index = segment_title_index(table, files, titles, first_rows, reuse)
    else:
        built.title_index = plain_title_index(titles)
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
