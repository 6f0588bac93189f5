"""The parts of Dossier's BM25 index: immutable segments of chunks and the table over them.

A :class:`Segment` holds some chunks: a term-frequency matrix in compressed-column form (one
column per term of the segment's own vocabulary), each chunk's length in terms, its id, its
metadata (what its article's chunks share kept once per article, the span per chunk) and its
text (one UTF-8 blob and offsets, memory-mapped from the segment's files when saved). A
:class:`Bm25Table` is a list of segments and a mask of the rows still live: a change appends a
segment of the changed articles' chunks and marks their old rows dead, nothing else is touched.

Scores are BM25 as bm25s computes them (its default "lucene" variant, k1 1.5, b 0.75), with the
corpus statistics — number of chunks, average length, document frequencies — taken from the live
rows at query time, so a table of segments scores exactly as bm25s over the same live chunks.
"""

from __future__ import annotations

import math
import mmap
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.text.terms import stemmer

K1 = 1.5
B = 0.75
ROW_KEYS = ("n", "start", "end", "tokens")
MISSING = -1
TF_MAX = np.iinfo(np.uint16).max


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Terms of each text as bm25s tokenises them: lower case, English stopwords out, PyStemmer
    stems."""
    import bm25s

    out = bm25s.tokenize(
        list(texts), stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False
    )
    return [list(t) for t in out]


def index_text(text: str, meta: Mapping[str, Any]) -> str:
    """What BM25 indexes of a chunk: later chunks of an article get its title in front (the
    headline names the subject the body refers to by pronoun)."""
    return f"{meta.get('title', '')}\n{text}" if meta.get("n") else text


class Texts:
    """Chunk texts as one UTF-8 blob (bytes, or a memory map of a segment's file) and offsets."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> str:
        a, b = int(self.offsets[row]), int(self.offsets[row + 1])
        return bytes(self.blob[a:b]).decode("utf-8")

    def raw(self, row: int) -> bytes:
        a, b = int(self.offsets[row]), int(self.offsets[row + 1])
        return bytes(self.blob[a:b])


@dataclass
class Segment:
    """Some chunks, indexed (see the module's docstring). ``art[row]`` is the row's article
    entry: ``files[e]`` its file, ``shared[e]`` the metadata its chunks share; ``row_meta`` the
    per-chunk integers (``ROW_KEYS``, ``MISSING`` where absent); ``extra`` the whole metadata of
    the rare row that fits neither."""

    name: str
    terms: list[str]
    indptr: np.ndarray  # int64, len(terms) + 1
    indices: np.ndarray  # int32 rows, column by column
    tf: np.ndarray  # uint16 term counts
    lengths: np.ndarray  # int32 terms per row
    ids: list[str]
    files: list[str]
    shared: list[dict[str, Any]]
    art: np.ndarray  # int32 row -> article entry
    row_meta: np.ndarray  # int64 (rows, len(ROW_KEYS))
    extra: dict[int, dict[str, Any]]
    texts: Texts

    def __post_init__(self) -> None:
        self.vocab = {t: i for i, t in enumerate(self.terms)}

    @property
    def rows(self) -> int:
        return len(self.ids)

    def meta(self, row: int) -> dict[str, Any]:
        if row in self.extra:
            return dict(self.extra[row])
        meta = dict(self.shared[int(self.art[row])])
        for key, value in zip(ROW_KEYS, self.row_meta[row].tolist(), strict=True):
            if value != MISSING:
                meta[key] = value
        return meta

    def column(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, counts) of ``term`` in this segment, or None."""
        col = self.vocab.get(term)
        if col is None:
            return None
        a, b = int(self.indptr[col]), int(self.indptr[col + 1])
        return self.indices[a:b], self.tf[a:b]


def _split_meta(meta: Mapping[str, Any]) -> tuple[dict[str, Any], list[int] | None]:
    rest = {k: v for k, v in meta.items() if k not in ROW_KEYS}
    ints: list[int] = []
    for key in ROW_KEYS:
        value = meta.get(key)
        if value is None:
            ints.append(MISSING)
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            ints.append(value)
        else:
            return rest, None
    return rest, ints


class SegmentBuilder:
    """Builds a segment from chunks fed in pages (bounded memory: tokens are turned into
    arrays page by page, texts appended to one blob)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.vocab: dict[str, int] = {}
        self.ids: list[str] = []
        self.files: list[str] = []
        self.shared: list[dict[str, Any]] = []
        self._entry: dict[str, int] = {}
        self.art: list[int] = []
        self.row_meta: list[list[int]] = []
        self.extra: dict[int, dict[str, Any]] = {}
        self.blob = bytearray()
        self.offsets: list[int] = [0]
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._tf: list[np.ndarray] = []
        self.lengths: list[int] = []

    def add(self, chunks: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
        page = list(chunks)
        if not page:
            return
        base = len(self.ids)
        for cid, text, meta in page:
            row = len(self.ids)
            self.ids.append(cid)
            file = str(meta.get("file", cid.rsplit("#", 1)[0]))
            rest, ints = _split_meta(meta)
            entry = self._entry.get(file)
            if entry is None:
                entry = self._entry[file] = len(self.files)
                self.files.append(file)
                self.shared.append(rest)
            self.art.append(entry)
            if ints is None or rest != self.shared[entry]:
                self.extra[row] = dict(meta)
                ints = [MISSING] * len(ROW_KEYS)
            self.row_meta.append(ints)
            self.blob += text.encode("utf-8")
            self.offsets.append(len(self.blob))
        tokens = tokenize([index_text(t, m) for _, t, m in page])
        vocab = self.vocab
        flat = [vocab.setdefault(term, len(vocab)) for doc in tokens for term in doc]
        lens = [len(doc) for doc in tokens]
        self.lengths.extend(lens)
        if not flat:
            return
        rows = np.repeat(np.arange(base, base + len(page), dtype=np.int64), lens)
        keys = (rows << 32) | np.asarray(flat, dtype=np.int64)
        uniq, counts = np.unique(keys, return_counts=True)
        self._rows.append((uniq >> 32).astype(np.int32))
        self._cols.append((uniq & 0xFFFFFFFF).astype(np.int32))
        self._tf.append(np.minimum(counts, TF_MAX).astype(np.uint16))

    def build(self) -> Segment:
        n_terms = len(self.vocab)
        rows = np.concatenate(self._rows) if self._rows else np.zeros(0, np.int32)
        cols = np.concatenate(self._cols) if self._cols else np.zeros(0, np.int32)
        tf = np.concatenate(self._tf) if self._tf else np.zeros(0, np.uint16)
        order = np.lexsort((rows, cols))
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(cols, minlength=n_terms), out=indptr[1:])
        terms = [""] * n_terms
        for term, i in self.vocab.items():
            terms[i] = term
        return Segment(
            name=self.name,
            terms=terms,
            indptr=indptr,
            indices=rows[order],
            tf=tf[order],
            lengths=np.asarray(self.lengths, dtype=np.int32),
            ids=self.ids,
            files=self.files,
            shared=self.shared,
            art=np.asarray(self.art, dtype=np.int32),
            row_meta=np.asarray(self.row_meta, dtype=np.int64).reshape(-1, len(ROW_KEYS)),
            extra=self.extra,
            texts=Texts(bytes(self.blob), np.asarray(self.offsets, dtype=np.int64)),
        )


def build_segment(name: str, chunks: Iterable[tuple[str, str, Mapping[str, Any]]]) -> Segment:
    """One segment of ``chunks`` (id, text, metadata), fed in pages of 2,000."""
    builder = SegmentBuilder(name)
    page: list[tuple[str, str, Mapping[str, Any]]] = []
    for chunk in chunks:
        page.append(chunk)
        if len(page) >= 2000:
            builder.add(page)
            page = []
    builder.add(page)
    return builder.build()


def merge_segments(name: str, parts: Sequence[tuple[Segment, np.ndarray]]) -> Segment:
    """One segment of the live rows (``live``: a bool per row) of ``parts``: compaction."""
    builder = SegmentBuilder(name)
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    tf_out: list[np.ndarray] = []
    blob = bytearray()
    for seg, live in parts:
        keep = np.flatnonzero(live)
        if not len(keep):
            continue
        new_row = np.full(seg.rows, -1, dtype=np.int64)
        new_row[keep] = np.arange(len(builder.ids), len(builder.ids) + len(keep))
        for r in keep.tolist():
            meta = seg.meta(r)
            builder.ids.append(seg.ids[r])
            rest, ints = _split_meta(meta)
            file = seg.files[int(seg.art[r])]
            entry = builder._entry.get(file)
            if entry is None:
                entry = builder._entry[file] = len(builder.files)
                builder.files.append(file)
                builder.shared.append(rest)
            builder.art.append(entry)
            if ints is None or rest != builder.shared[entry]:
                builder.extra[len(builder.ids) - 1] = meta
                ints = [MISSING] * len(ROW_KEYS)
            builder.row_meta.append(ints)
            blob += seg.texts.raw(r)
            builder.offsets.append(len(blob))
            builder.lengths.append(int(seg.lengths[r]))
        cmap = np.asarray(
            [builder.vocab.setdefault(t, len(builder.vocab)) for t in seg.terms], dtype=np.int32
        )
        col_of = np.repeat(np.arange(len(seg.terms), dtype=np.int32), np.diff(seg.indptr))
        alive = live[seg.indices]
        rows_out.append(new_row[seg.indices[alive]].astype(np.int32))
        cols_out.append(cmap[col_of[alive]])
        tf_out.append(np.asarray(seg.tf[alive]))
    builder.blob = blob
    builder._rows, builder._cols, builder._tf = rows_out, cols_out, tf_out
    return builder.build()


class RowMetas(Sequence[dict[str, Any]]):
    """The table's chunk metadata by row, built on demand (a fresh dict each time)."""

    def __init__(self, table: Bm25Table) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table.ids)

    def __getitem__(self, row: Any) -> Any:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        seg, local = self._table.locate(int(row))
        return seg.meta(local)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for seg in self._table.segments:
            for r in range(seg.rows):
                yield seg.meta(r)


class RowTexts(Sequence[str]):
    """The table's chunk texts by row, read from the segments' blobs on demand."""

    def __init__(self, table: Bm25Table) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table.ids)

    def __getitem__(self, row: Any) -> Any:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        seg, local = self._table.locate(int(row))
        return seg.texts[local]

    def __iter__(self) -> Iterator[str]:
        for seg in self._table.segments:
            for r in range(seg.rows):
                yield seg.texts[r]


class Bm25Table:
    """Segments, the live rows among them, and what the index was built from: ``generation``
    (the store's, when last brought in step) and ``fingerprints`` (file -> a digest of its
    article record; a changed digest means its chunks are fetched again).

    Rows are numbered across the segments in order; ``ids``, ``metas`` and ``texts`` are indexed
    by row (dead rows keep theirs: nothing returns them)."""

    def __init__(
        self,
        generation: int,
        segments: Sequence[Segment],
        live: np.ndarray | None,
        fingerprints: Mapping[str, str],
    ) -> None:
        self.generation = generation
        self.segments = list(segments)
        self.fingerprints = dict(fingerprints)
        sizes = [s.rows for s in self.segments]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        total = int(self.starts[-1])
        self.live = np.ones(total, dtype=bool) if live is None else live.astype(bool)
        if len(self.live) != total:
            raise ValueError("live mask does not match the segments")
        self.ids: list[str] = [i for s in self.segments for i in s.ids]
        self.metas = RowMetas(self)
        self.texts = RowTexts(self)
        self._lengths = (
            np.concatenate([s.lengths for s in self.segments]).astype(np.float64)
            if self.segments
            else np.zeros(0)
        )
        offsets = np.cumsum([0] + [len(s.files) for s in self.segments])
        self._art = (
            np.concatenate(
                [
                    s.art.astype(np.int64) + o
                    for s, o in zip(self.segments, offsets[:-1], strict=True)
                ]
            )
            if self.segments
            else np.zeros(0, np.int64)
        )
        self._entries = [(si, e) for si, s in enumerate(self.segments) for e in range(len(s.files))]
        self.n_live = int(self.live.sum())
        self.avgdl = float(self._lengths[self.live].mean()) if self.n_live else 0.0

    def locate(self, row: int) -> tuple[Segment, int]:
        if row < 0 or row >= len(self.ids):
            raise IndexError(row)
        si = int(np.searchsorted(self.starts, row, side="right")) - 1
        return self.segments[si], row - int(self.starts[si])

    @property
    def entries(self) -> list[tuple[int, int]]:
        """(segment, article entry within it) of every article entry, numbered across segments."""
        return self._entries

    @property
    def art(self) -> np.ndarray:
        """Each row's article entry (an index into :attr:`entries`)."""
        return self._art

    @property
    def dead(self) -> int:
        return len(self.ids) - self.n_live

    def rows_of(self, files: Iterable[str]) -> np.ndarray:
        """The rows (live or not) of ``files``' chunks."""
        wanted = set(files)
        hit = np.asarray(
            [self.segments[si].files[e] in wanted for si, e in self._entries], dtype=bool
        )
        if not hit.any():
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(hit[self._art])

    def mask(self, keep: Any) -> np.ndarray:
        """Live rows whose metadata ``keep`` accepts (a chunk's metadata -> bool), judged once
        per article where its chunks share the metadata a filter looks at."""
        ok = np.asarray(
            [bool(keep(self.segments[si].shared[e])) for si, e in self._entries], dtype=bool
        )
        out = ok[self._art] if len(self._art) else np.zeros(0, dtype=bool)
        for si, seg in enumerate(self.segments):
            for local in seg.extra:
                out[int(self.starts[si]) + local] = bool(keep(seg.meta(local)))
        return out & self.live

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 of every row for the query's terms (a repeated term counts again, as in
        bm25s); dead rows score 0."""
        out = np.zeros(len(self.ids), dtype=np.float64)
        if not self.n_live:
            return out
        n, avgdl = self.n_live, self.avgdl
        for term, times in Counter(query_terms).items():
            parts = [
                (hit[0].astype(np.int64) + int(self.starts[si]), hit[1])
                for si, seg in enumerate(self.segments)
                if (hit := seg.column(term)) is not None
            ]
            if not parts:
                continue
            rows = np.concatenate([p[0] for p in parts])
            tf = np.concatenate([p[1] for p in parts]).astype(np.float64)
            alive = self.live[rows]
            df = int(alive.sum())
            if not df:
                continue
            rows, tf = rows[alive], tf[alive]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            norm = K1 * (1 - B + B * self._lengths[rows] / avgdl)
            out[rows] += times * idf * tf / (norm + tf)
        return out

    def top(
        self, query_terms: Sequence[str], n: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The ``n`` best (row, score) with a positive score, best first (within ``mask``)."""
        scores = self.scores(query_terms)
        if mask is not None:
            scores = scores * mask
        k = min(n, len(scores))
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(k)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(r), float(scores[r])) for r in best if scores[r] > 0]
