"""BM25 over the articles' titles, kept in step with the chunks' BM25 table segment by segment.

Each segment of the chunks' table (``rag.retrieval.bm25_segments``) has one entry per article
whose chunks it holds; its **title segment** has one row per such entry, the title its chunks
share. Segments never change, so a title segment is built once per chunk segment and reused by
every later table (a change appends a segment of a few articles: only their titles are indexed
anew, not the tens of thousands of others). The title table is those title segments with one
live row per article — the entry of the article's first live chunk — so its scores equal bm25s's
over the articles' titles (same tokenisation, parameters and corpus statistics).

An article whose first live chunk's title is not its entry's shared one (a row whose metadata is
kept whole) gets a row of its own in a small extra segment, built with the table.

Title segments are also kept per process by their chunk segment's name (unique: the clock and the
process id), so a retriever made anew — an app that reopens the index after another process
wrote to it — reuses them too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np

from rag.retrieval.bm25_segments import Bm25Table, Segment, build_segment, tokenize

EXTRA = "titles-extra"
KEEP = 64  # title segments kept per process, the least recently used dropped

Key = tuple[str, int, int, int]
_built: OrderedDict[Key, Segment] = OrderedDict()
_built_lock = threading.Lock()


def _key(name: str, files: Sequence[str], titles: Sequence[str]) -> Key:
    """The chunk segment's name and what its title segment is made of."""
    return name, len(files), hash(tuple(files)), hash(tuple(titles))


def _kept(key: Key) -> Segment | None:
    with _built_lock:
        got = _built.get(key)
        if got is not None:
            _built.move_to_end(key)
        return got


def _keep(key: Key, seg: Segment) -> None:
    with _built_lock:
        _built[key] = seg
        _built.move_to_end(key)
        while len(_built) > KEEP:
            _built.popitem(last=False)


def title_of(meta: Mapping[str, object]) -> str:
    return str(meta.get("title") or "")


def title_segment(name: str, files: Sequence[str], titles: Sequence[str]) -> Segment:
    """One title row per (file, title), in order."""
    return build_segment(name, ((f, t, {}) for f, t in zip(files, titles, strict=True)))


class TitleIndex:
    """BM25 of the titles of ``files`` (article ``i`` has ``titles[i]``); ``segments``: the title
    segments by the name of their chunk segment, for the next table to reuse."""

    def __init__(self, table: Bm25Table, row_article: np.ndarray, n_articles: int) -> None:
        self.table = table
        self.row_article = row_article  # title row -> article index, -1 where not live
        self.n_articles = n_articles
        self.segments: dict[str, Segment] = {}

    def search(
        self, query: str, n: int, keep: np.ndarray | None = None, names: Sequence[str] = ()
    ) -> list[tuple[int, float]]:
        """(article index, BM25 score) of the best-matching titles, best first, of the articles
        ``keep`` (a bool per article) lets through; only positive scores. Equal scores go in the
        order of the articles' ``names`` (else their indices): the same whatever order the
        articles were indexed in."""
        terms = tokenize([query])[0]
        if not terms or not self.n_articles or n <= 0:
            return []
        scores = self.table.scores(terms)
        if keep is not None:
            live = self.row_article >= 0
            allowed = np.zeros(len(self.row_article), dtype=bool)
            allowed[live] = keep[self.row_article[live]]
            scores = np.where(allowed, scores, 0.0)
        k = min(n, int((scores > 0).sum()))
        if k <= 0:
            return []
        bar = np.partition(scores, len(scores) - k)[len(scores) - k]  # the k-th best score
        rows = np.flatnonzero((scores >= bar) & (scores > 0)).tolist()
        hits = [(int(self.row_article[r]), float(scores[r])) for r in rows]
        hits.sort(key=lambda h: (-h[1], names[h[0]] if names else "", h[0]))
        return hits[:k]


def plain_title_index(titles: Sequence[str]) -> TitleIndex:
    """The title index of articles that come with no segments: one segment of all the titles."""
    seg = title_segment(EXTRA, [str(i) for i in range(len(titles))], titles)
    table = Bm25Table(0, [seg] if seg.rows else [], None, {})
    return TitleIndex(table, np.arange(len(titles), dtype=np.int64), len(titles))


def segment_title_index(
    chunks: Bm25Table,
    files: Sequence[str],
    titles: Sequence[str],
    first_rows: Sequence[int],
    reuse: Mapping[str, Segment] | None = None,
) -> TitleIndex:
    """The title index of the chunks' table ``chunks`` whose articles are ``files`` with
    ``titles``, article ``i``'s first live chunk at row ``first_rows[i]``; title segments
    already built (``reuse``, by chunk segment name) are taken as they are."""
    reuse = reuse or {}
    segments: dict[str, Segment] = {}
    for seg in chunks.segments:
        got = reuse.get(seg.name)
        if got is None or got.rows != len(seg.files):
            titles_of = [title_of(m) for m in seg.shared]
            key = _key(seg.name, seg.files, titles_of)
            got = _kept(key)
            if got is None:
                got = title_segment(seg.name, seg.files, titles_of)
                _keep(key, got)
        segments[seg.name] = got
    ordered = [segments[s.name] for s in chunks.segments]
    n_entries = len(chunks.entries)
    row_article = np.full(n_entries, -1, dtype=np.int64)
    extra: list[int] = []
    entry_of = chunks.art
    for i, row in enumerate(first_rows):
        e = int(entry_of[row])
        si, local = chunks.entries[e]
        if row_article[e] < 0 and title_of(chunks.segments[si].shared[local]) == titles[i]:
            row_article[e] = i
        else:
            extra.append(i)
    if extra:
        ordered.append(title_segment(EXTRA, [files[i] for i in extra], [titles[i] for i in extra]))
        row_article = np.concatenate([row_article, np.asarray(extra, dtype=np.int64)])
    table = Bm25Table(0, ordered, row_article >= 0, {})
    index = TitleIndex(table, row_article, len(files))
    index.segments = segments
    return index
