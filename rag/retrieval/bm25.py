"""BM25 over the index's chunks: bm25s (the engine under llama-index's BM25Retriever), tokenised
with stopwords out and PyStemmer's English stems.

The table is built from the chunk texts read back from Chroma (chunks of recorded articles only),
kept in memory and saved on disk under the index's chunks collection and generation — a number
that never repeats, even across ``--rebuild`` — so it is rebuilt only after something changed,
and one process reuses what another saved.
Later chunks of an article are indexed with its title in front: the headline names the subject the
body refers to by pronoun ("he", "the visit").
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.store import Store
from rag.records import Filters
from rag.retrieval.filters import matches
from rag.text.terms import stemmer


def tokenize(texts: Sequence[str]) -> Any:
    import bm25s

    return bm25s.tokenize(list(texts), stopwords="en", stemmer=stemmer(), show_progress=False)


@dataclass
class Bm25Table:
    generation: int
    model: Any
    ids: list[str]
    metas: list[dict[str, Any]]
    texts: list[str]


class Bm25Index:
    """The BM25 table of ``store``'s chunks, cached under ``cache_dir`` (None: memory only)."""

    def __init__(self, store: Store, cache_dir: Path | None) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self._table: Bm25Table | None = None
        self._lock = threading.Lock()

    def _current_generation(self) -> int:
        return self.store.generation

    def table(self) -> Bm25Table:
        gen = self._current_generation()
        with self._lock:
            if self._table is None or self._table.generation != gen:
                self._table = self._load(gen) or self._build(gen)
            return self._table

    def _cache_path(self, gen: int) -> Path | None:
        if self.cache_dir is None:
            return None
        # '+' cannot occur in a Chroma name: no index's glob matches another's folders.
        return self.cache_dir / f"bm25+{self.store.name}+{self.store.chunks.id}+{gen}"

    def _load(self, gen: int) -> Bm25Table | None:
        path = self._cache_path(gen)
        if path is None or not (path / "chunks.json").exists():
            return None
        import bm25s

        try:
            model = bm25s.BM25.load(str(path), show_progress=False)
            data = json.loads((path / "chunks.json").read_text())
        except (OSError, ValueError):
            return None
        return Bm25Table(gen, model, data["ids"], data["metas"], data["texts"])

    def _build(self, gen: int) -> Bm25Table:
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
            model.index(
                tokenize(
                    [
                        f"{m.get('title', '')}\n{t}" if m.get("n") else t
                        for t, m in zip(texts, metas, strict=True)
                    ]
                ),
                show_progress=False,
            )
        built = Bm25Table(gen, model, ids, metas, texts)
        path = self._cache_path(gen)
        if path is not None and texts:
            self._save(built, path)
        return built

    def _save(self, table: Bm25Table, path: Path) -> None:
        """Write to a temporary folder, drop older generations, then rename into place."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp{time.monotonic_ns()}")
        try:
            table.model.save(str(tmp), show_progress=False)
            (tmp / "chunks.json").write_text(
                json.dumps({"ids": table.ids, "metas": table.metas, "texts": table.texts})
            )
            for pattern in (f"bm25+{self.store.name}+*", f"bm25-{self.store.name}-*"):
                for old in path.parent.glob(pattern):
                    if old != tmp and ".tmp" not in old.name:
                        shutil.rmtree(old, ignore_errors=True)
            tmp.rename(path)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)

    def search(self, query: str, n: int, filters: Filters) -> list[tuple[int, float]]:
        """(row in the table, score) best first."""
        table = self.table()
        if not table.ids:
            return []
        mask = None
        if not filters.empty:
            mask = np.array([matches(m, filters) for m in table.metas], dtype=np.float32)
            if not mask.any():
                return []
        q = tokenize([query])
        if not q.ids or not q.ids[0]:
            return []
        docs, scores = table.model.retrieve(
            q, k=min(n, len(table.ids)), show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
