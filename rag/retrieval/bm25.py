"""BM25 over the index's chunks, kept in step with the store by applying what changed.

The table (``rag.retrieval.bm25_segments``) is built once from every chunk of a recorded article;
after that, when the store's **generation** moves (any write, in any process), the index reads
the records of the articles the writes since then named (``Store.changes_since``: the pointer's
log of recent writes; every record when the log does not reach back), compares them with the
fingerprints it indexed them under, fetches the chunks of the articles that are new or changed
(text, metadata corrections), appends them as a new segment and marks the rows of changed and
removed articles dead. When dead rows or segments pile up, the live rows are merged into one segment
(compaction: no read of the store). Scores equal bm25s's over the same chunks (same tokenisation:
stopwords out, PyStemmer's English stems; same parameters).

Saved on disk under the index's chunks collection (``rag.retrieval.bm25_disk``; a ``--rebuild``
makes a new collection and so a new folder), so one process reuses what another brought in step,
and chunk texts are memory-mapped from there rather than held in memory.
Later chunks of an article are indexed with its title in front: the headline names the subject
the body refers to by pronoun ("he", "the visit").
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from index.runtime import release_memory
from index.store import Store
from rag.records import Filters
from rag.retrieval import bm25_disk
from rag.retrieval.bm25_segments import Bm25Table, Segment, build_segment, merge_segments, tokenize
from rag.retrieval.filters import matches

__all__ = ["Bm25Index", "Bm25Table", "fingerprint", "tokenize"]

# A full build instead of catching up when more than this share (and this many) of the articles
# changed.
REBUILD_SHARE = 0.3
REBUILD_MIN = 50
# Compaction: merge the live rows into one segment past this many segments or dead share.
MAX_SEGMENTS = 8
MAX_DEAD_SHARE = 0.2
# Record fields that do not change what an article's chunks hold.
_VOLATILE = ("mtime_ns",)


def fingerprint(state: Mapping[str, Any]) -> str:
    """A digest of an article's record: it changes whenever the article's chunks may have
    (a new text, a re-ingest, a corrected title, outlet or date)."""
    fields = {k: v for k, v in state.items() if k not in _VOLATILE}
    blob = json.dumps(fields, sort_keys=True, default=str).encode()
    return hashlib.blake2b(blob, digest_size=12).hexdigest()


class Bm25Index:
    """The BM25 table of ``store``'s chunks, saved under ``cache_dir`` (None: memory only).
    ``table()`` and ``search()`` are safe to call from several threads."""

    def __init__(self, store: Store, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._table: Bm25Table | None = None
        self._segments: dict[str, Segment] = {}
        self._lock = threading.Lock()
        self._masks: dict[Filters, np.ndarray] = {}  # of the table ``_masks_of``
        self._masks_of: Bm25Table | None = None
        self.stats = {
            "full_builds": 0,
            "catch_ups": 0,
            "compactions": 0,
            "loads": 0,
            "record_reads": 0,  # article records read to catch up
        }

    def _current_generation(self) -> int:
        return self.store.generation

    @property
    def folder(self) -> Path | None:
        if self.cache_dir is None:
            return None
        # '+' cannot occur in a Chroma name: no index's glob matches another's folders.
        return self.cache_dir / f"bm25+{self.store.name}+{self.store.chunks.id}"

    def table(self) -> Bm25Table:
        gen = self._current_generation()
        with self._lock:
            table = self._table
            if table is not None and table.generation == gen:
                return table
            folder = self.folder
            if folder is None:
                table = self._in_step(table, gen)
            else:
                with bm25_disk.folder_lock(folder) as writable:
                    if writable:
                        table = self._newer_on_disk(folder, table)
                    table = self._in_step(table, gen)
            self._table = table
            self._segments = {s.name: s for s in table.segments}
            return table

    # ---- keeping in step -------------------------------------------------------------------
    def _in_step(self, table: Bm25Table | None, gen: int) -> Bm25Table:
        if table is not None and table.generation == gen:
            return table
        if table is not None:
            caught = self._catch_up(table, gen)
            if caught is not None:
                return caught
        return self._build(gen)

    def _newer_on_disk(self, folder: Path, table: Bm25Table | None) -> Bm25Table | None:
        """What another process saved, when newer than ``table`` (generations only grow)."""
        manifest = bm25_disk.read_manifest(folder)
        if manifest is None:
            return table
        if table is not None and int(manifest.get("generation", 0)) <= table.generation:
            return table
        loaded = bm25_disk.read_table(folder, manifest, self._segments)
        if loaded is None:
            return table
        self.stats["loads"] += 1
        return loaded

    def _build(self, gen: int) -> Bm25Table:
        """Every chunk of a recorded article, read from the store."""
        self.stats["full_builds"] += 1
        fingerprints = {f: fingerprint(s) for f, s in self.store.article_states().items()}
        seg = build_segment(bm25_disk.segment_name(), self.store.iter_chunks())
        table = self._save(Bm25Table(gen, [seg] if seg.rows else [], None, fingerprints), True)
        del seg
        release_memory()  # the build's short-lived objects (hundreds of MB at 100k chunks)
        return table

    def _catch_up(self, table: Bm25Table, gen: int) -> Bm25Table | None:
        """``table`` brought to ``gen`` by applying what changed; None when so much changed
        that a full build is cheaper."""
        old = table.fingerprints
        named = self.store.changes_since(table.generation)
        if named is None:  # the log does not reach back: compare every record
            now = {f: fingerprint(s) for f, s in self.store.article_states().items()}
        else:  # only the records of the articles the writes since named
            states = self.store.article_states(among=named)
            now = {f: fp for f, fp in old.items() if f not in named}
            now.update((f, fingerprint(s)) for f, s in states.items())
        self.stats["record_reads"] += len(now) if named is None else len(named)
        changed = [f for f, fp in now.items() if old.get(f) != fp]
        removed = [f for f in old if f not in now]
        if len(changed) + len(removed) > max(REBUILD_MIN, REBUILD_SHARE * max(len(now), 1)):
            return None
        self.stats["catch_ups"] += 1
        live = table.live.copy()
        live[table.rows_of([*changed, *removed])] = False
        segments = list(table.segments)
        new = build_segment(bm25_disk.segment_name(), self.store.chunks_of(changed))
        if new.rows:
            segments.append(new)
            live = np.concatenate([live, np.ones(new.rows, dtype=bool)])
        caught = Bm25Table(gen, segments, live, now)
        if len(caught.segments) > MAX_SEGMENTS or caught.dead > MAX_DEAD_SHARE * max(
            len(caught.ids), 1
        ):
            caught = self._save(self._compact(caught), fresh=True)
            release_memory()
            return caught
        return self._save(caught, fresh=False)

    def _compact(self, table: Bm25Table) -> Bm25Table:
        self.stats["compactions"] += 1
        parts = [
            (seg, table.live[int(table.starts[i]) : int(table.starts[i + 1])])
            for i, seg in enumerate(table.segments)
        ]
        merged = merge_segments(bm25_disk.segment_name(), parts)
        return Bm25Table(
            table.generation, [merged] if merged.rows else [], None, table.fingerprints
        )

    def _save(self, table: Bm25Table, fresh: bool) -> Bm25Table:
        """Write ``table``'s new segments and its manifest (``fresh``: a new base, so other
        indexes of this name — older rebuilds' — are dropped)."""
        folder = self.folder
        if folder is None:
            return table
        try:
            folder.mkdir(parents=True, exist_ok=True)
            segments = [
                seg if (folder / seg.name).is_dir() else bm25_disk.write_segment(folder, seg)
                for seg in table.segments
            ]
            table = Bm25Table(table.generation, segments, table.live, table.fingerprints)
            bm25_disk.write_manifest(folder, table)
        except OSError:
            return table  # a full disk or a read-only cache: answer from memory
        if fresh:
            self._drop_others(folder)
        return table

    def _drop_others(self, folder: Path) -> None:
        for pattern in (f"bm25+{self.store.name}+*", f"bm25-{self.store.name}-*"):
            for old in folder.parent.glob(pattern):
                if old != folder and ".tmp" not in old.name:
                    shutil.rmtree(old, ignore_errors=True)

    # ---- searching ---------------------------------------------------------------------------
    def mask(self, table: Bm25Table, filters: Filters) -> np.ndarray:
        """The rows of ``table`` that ``filters`` keep, remembered for the table's lifetime (the
        same filters are asked again and again: a reader's scope, the UI's sidebar)."""
        with self._lock:
            got = self._masks.get(filters) if self._masks_of is table else None
        if got is None:
            got = table.mask(lambda m: matches(m, filters))
            with self._lock:
                if self._masks_of is not table or len(self._masks) >= 32:
                    self._masks, self._masks_of = {}, table
                self._masks[filters] = got
        return got

    def search(self, query: str, n: int, filters: Filters) -> list[tuple[int, float]]:
        """(row in the table, score) best first."""
        table = self.table()
        if not table.n_live:
            return []
        mask = None
        if not filters.empty:
            mask = self.mask(table, filters)
            if not mask.any():
                return []
        terms = tokenize([query])[0]
        if not terms:
            return []
        return table.top(terms, n, mask)
