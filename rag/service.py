"""The one object the CLI, the UI and the evals hold: settings plus the embedder, the index and
the generator, each built once, lazily, and passed down explicitly (no global state)."""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

from index.embed import Embedder, make_embedder
from index.ingest import IngestReport, Progress, ingest, ingest_lock
from index.store import Store, open_client
from rag.config import Settings


class Dossier:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._lock = threading.RLock()
        self._store: Store | None = None

    # ---- parts ---------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings.index.embedder)
            return self._embedder

    @cached_property
    def client(self) -> Any:
        token = self.settings.chroma_token
        return open_client(
            self.settings.data_dir,
            self.settings.chroma_url,
            token.get_secret_value() if token else None,
        )

    def _identity(self) -> dict[str, str | int]:
        e = self.embedder
        return self.settings.index.identity(e.name, e.dim)

    def store(self, create: bool = False) -> Store:
        """The index; ``create`` makes it when absent (ingest), readers get a helpful error."""
        with self._lock:
            if self._store is None:
                self._store = Store(
                    self.client, self.settings.index.collection, self._identity(), create=create
                )
            return self._store

    # ---- jobs ----------------------------------------------------------------------------
    def ingest(self, path: Path, progress: Progress | None = None, rebuild: bool = False) -> IngestReport:
        with ingest_lock(Path(self.settings.data_dir)):
            if rebuild:
                self.drop_index()
            return ingest(path, self.store(create=True), self.embedder, self.settings.index, progress)

    def drop_index(self) -> None:
        with self._lock:
            name = self.settings.index.collection
            existing = {getattr(c, "name", c) for c in self.client.list_collections()}
            for suffix in ("_chunks", "_articles"):
                if name + suffix in existing:
                    self.client.delete_collection(name + suffix)
            self._store = None

    def status(self) -> dict[str, Any]:
        store = self.store()
        states = store.article_states()
        return {
            "articles": len(states),
            "chunks": store.count_chunks(),
            "identity": store.identity,
            "settings": self.settings.describe(),
            "files": [
                {
                    "file": f,
                    "title": s.get("title"),
                    "outlet": s.get("outlet"),
                    "published": s.get("published"),
                    "chunks": s.get("chunks", 0),
                    "duplicate_of": s.get("duplicate_of"),
                }
                for f, s in sorted(states.items())
            ],
        }
