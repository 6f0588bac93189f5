"""The Chroma side of the index: an embedded ``PersistentClient`` by default, a Chroma server
(``HttpClient``) when a URL is configured — the same code either way (``index.chroma``).

Three collections per index:

* ``<name>_current`` — no records, only metadata: which chunks and articles collections are the
  index now, its **generation** (a number that grows with every write and never repeats, even
  across rebuilds: the data-version marker other processes and the BM25 cache key on), and the
  files a write in progress touches (an intent, cleared when the write completes);
* the chunks collection — one record per chunk: its embedding, its text, and metadata (file,
  span, title, outlet, publication date, the article's hash) so retrieval can filter and cite
  without another lookup;
* the articles collection — one record per article: the full cleaned text (so any passage can be
  shown in context), its metadata and ingest state (hashes, size, mtime), embedded as the mean of
  its chunks.

An article's chunks are written before its record, so a chunk whose article has no record (or
another hash) is a write that died half way: ``index.repair.reconcile`` removes it, readers never
return it. A rebuild writes new collections (:meth:`Store.build`) and switches the pointer to
them in one metadata write when they are complete (:meth:`Store.switch`): until then the old
index answers, whole. The chunks collection carries the index's identity (embedder, chunking,
pipeline version); opening an index with different settings is refused with a message that says
how to rebuild.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from index import dates, faults
from index.changes import changed_between, log_change
from index.chroma import (
    IndexError_,
    IndexMismatchError,
    IndexMissingError,
    IndexReplacedError,
    StoreUnavailableError,
    collection_names,
    open_client,
)
from index.records import Article, Chunk
from index.store_reads import ChunkHit, Metadata, StoreReads

__all__ = [
    "ArticleWrite",
    "ChunkHit",
    "IndexError_",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexReplacedError",
    "Store",
    "StoreUnavailableError",
    "index_collections",
    "mean_vector",
    "open_client",
    "published_ts",
]


def _clean_meta(meta: Mapping[str, Any]) -> Metadata:
    """Chroma metadata holds no None: absent values are simply left out."""
    return {k: v for k, v in meta.items() if v is not None}


def published_ts(published: str | None) -> int | None:
    """Publication time as a UTC epoch second, for range filters in Chroma (a naive time is UTC,
    whatever the machine's zone): :func:`index.dates.published_ts`."""
    return dates.published_ts(published)


def _article_base(article: Article) -> dict[str, Any]:
    return {
        "file": article.file,
        "title": article.meta.title,
        "outlet": article.meta.outlet,
        "author": article.meta.author,
        "published": article.meta.published,
        "published_ts": published_ts(article.meta.published),
    }


def next_generation(previous: int) -> int:
    """A generation after ``previous`` that no earlier index of this name had: the clock in
    nanoseconds, or one more than ``previous`` if the clock is behind."""
    return max(previous + 1, time.time_ns())


def index_collections(client: Any, name: str) -> list[str]:
    """The collections of index ``name``: its pointer, its chunks and articles, rebuilds'."""
    pattern = re.compile(rf"^{re.escape(name)}((__r[0-9a-f]+)?_(chunks|articles)|_current)$")
    return sorted(n for n in collection_names(client) if pattern.match(n))


@dataclass(frozen=True)
class ArticleWrite:
    """One article to write: its chunks and their vectors, its record's vector and state.
    ``replacing`` says the article may have older chunks to delete (an update)."""

    article: Article
    chunks: Sequence[Chunk]
    vectors: Sequence[Sequence[float]]
    doc_vector: Sequence[float]
    state: Mapping[str, Any]
    replacing: bool = False


class Store(StoreReads):
    """One Dossier index in one Chroma client."""

    def __init__(
        self, client: Any, name: str, identity: Mapping[str, str | int] | None, create: bool
    ) -> None:
        self.client = client
        self.name = name
        self._building = False
        self._gen = 0
        existing = collection_names(client)
        pointer, legacy = f"{name}_current", (f"{name}_chunks", f"{name}_articles")
        if pointer in existing:
            meta = dict(client.get_collection(pointer).metadata or {})
            chunks_name, articles_name = str(meta["chunks"]), str(meta["articles"])
        elif legacy[0] in existing or create:
            chunks_name, articles_name = legacy
        else:
            chunks_name = articles_name = ""
        if chunks_name not in existing:
            if not create:
                raise IndexMissingError(
                    "No articles indexed yet — run `dossier ingest data/articles` "
                    "(or point DOSSIER_DATA_DIR at an existing index)."
                )
            meta = {"hnsw:space": "cosine", **(identity or {})}
            self.chunks = client.create_collection(chunks_name, metadata=meta)
        else:
            self.chunks = client.get_collection(chunks_name)
            if identity is not None:
                self._check_identity(identity)
        self.articles = client.get_or_create_collection(
            articles_name, metadata={"hnsw:space": "cosine"}
        )
        if pointer not in existing:  # a new index, or one made before the pointer existed
            old = int((self.chunks.metadata or {}).get("generation", 0))
            client.get_or_create_collection(
                pointer,
                metadata={
                    "chunks": chunks_name,
                    "articles": articles_name,
                    "generation": next_generation(old),
                    "writing": "",
                },
            )
        self._seen = self.generation

    @classmethod
    def build(cls, client: Any, name: str, identity: Mapping[str, str | int]) -> Store:
        """New, empty collections for a rebuild of index ``name``; the index stays as it was
        (and answers) until :meth:`switch` points it at them."""
        store = cls.__new__(cls)
        store.client, store.name = client, name
        store._building, store._gen, store._seen = True, 0, 0
        token = uuid.uuid4().hex[:12]
        store.chunks = client.create_collection(
            f"{name}__r{token}_chunks", metadata={"hnsw:space": "cosine", **identity}
        )
        store.articles = client.create_collection(
            f"{name}__r{token}_articles", metadata={"hnsw:space": "cosine"}
        )
        return store

    def switch(self) -> None:
        """Make this rebuilt store the index, in one write; then delete the collections it
        replaces. Readers holding the old ones notice (:meth:`changed_elsewhere`) and reopen."""
        faults.point("rebuild-built")
        pointer = self.client.get_or_create_collection(f"{self.name}_current")
        old = dict(pointer.metadata or {})
        gen = next_generation(int(old.get("generation", 0)))
        pointer.modify(
            metadata={
                "chunks": self.chunks.name,
                "articles": self.articles.name,
                "generation": gen,
                "writing": "",
            }
        )
        self._building, self._seen = False, gen
        faults.point("rebuild-switched")
        self.drop_stale()

    def discard(self) -> None:
        """Delete a rebuild's collections that will not be switched to."""
        if self._building:
            try:
                for coll in (self.chunks, self.articles):
                    self.client.delete_collection(coll.name)
            except StoreUnavailableError:
                pass  # the server is gone: the next ingest drops them (drop_stale)

    def drop_stale(self) -> list[str]:
        """Delete this index's collections that the pointer does not name: those a rebuild
        replaced, or left when it died. Only under the ingest lock (a rebuild in progress holds
        it). Returns the names deleted."""
        if self._building:
            return []
        live = {self.chunks.name, self.articles.name, f"{self.name}_current"}
        stale = [n for n in index_collections(self.client, self.name) if n not in live]
        for n in stale:
            self.client.delete_collection(n)
        return stale

    # ---- identity and generation ----------------------------------------------------------
    @property
    def identity(self) -> dict[str, Any]:
        meta = dict(self.chunks.metadata or {})
        return {k: v for k, v in meta.items() if not k.startswith("hnsw:") and k != "generation"}

    def pointer_meta(self) -> dict[str, Any]:
        return dict(self.client.get_collection(f"{self.name}_current").metadata or {})

    @property
    def generation(self) -> int:
        """The index's generation as stored now (another process may have changed it)."""
        if self._building:
            return self._gen
        return int(self.pointer_meta().get("generation", 0))

    def changed_elsewhere(self) -> str | None:
        """Has another process changed the index since this store last saw it? ``"replaced"``:
        rebuilt — these collections are gone, reopen; ``"written"``: new writes — an embedded
        client's vector index misses them until its client is reopened; None: no change."""
        if self._building:
            return None
        meta = self.pointer_meta()
        if meta.get("chunks") != self.chunks.name:
            return "replaced"
        return "written" if int(meta.get("generation", 0)) != self._seen else None

    def catch_up(self) -> None:
        """Take note of other processes' writes (a server's client needs nothing reopened)."""
        self._seen = self.generation

    def _set_pointer(
        self, writing: Iterable[str] | None, bump: bool, changed: Iterable[str] | None = None
    ) -> None:
        if self._building:
            self._gen += int(bump)
            return
        meta = self.pointer_meta()
        if bump:
            prev = int(meta.get("generation", 0))
            meta["generation"] = next_generation(prev)
            meta["changes"] = log_change(
                meta.get("changes"), prev, int(meta["generation"]), changed
            )
        meta["writing"] = json.dumps(sorted(set(writing))) if writing else ""
        self.client.get_collection(f"{self.name}_current").modify(metadata=meta)
        if bump:
            self._seen = int(meta["generation"])

    def bump_generation(self, changed: Iterable[str] | None = None) -> None:
        """Say that the index changed (and that no write is in progress): the articles in
        ``changed`` (None: unknown which) are written, updated or removed."""
        self._set_pointer(None, bump=True, changed=changed)

    def changes_since(self, generation: int) -> set[str] | None:
        """The articles written, updated or removed since ``generation``, from the pointer's
        log of recent writes; None when the log does not reach back that far (or a write did
        not say which articles it changed)."""
        meta = self.pointer_meta()
        return changed_between(meta.get("changes"), generation, int(meta.get("generation", 0)))

    @property
    def building(self) -> bool:
        """A rebuild's store, not (yet) the index."""
        return self._building

    def _check_identity(self, wanted: Mapping[str, str | int]) -> None:
        have = self.identity
        diffs = [
            f"{k}: index has {have.get(k)!r}, settings ask {v!r}"
            for k, v in wanted.items()
            if have.get(k) != v
        ]
        if diffs:
            raise IndexMismatchError(
                "This index was built with other settings (" + "; ".join(diffs) + "). "
                "Rebuild it with `dossier ingest PATH --rebuild`, or point DOSSIER_DATA_DIR "
                "at another folder."
            )

    # ---- writing ------------------------------------------------------------------------
    def write_articles(self, items: Sequence[ArticleWrite]) -> None:
        """Replace the chunks of several articles, then record the articles.

        The files are first named in the pointer as being written; then one Chroma upsert per
        collection per batch (each call is a transaction; per-article calls made writing
        dominate ingest time); the article records last; then the generation is bumped and the
        intent cleared. If the process dies in between, ``index.repair`` finds the files named
        and removes what is half written; the next ingest redoes them.
        """
        if not items:
            return
        self._set_pointer([it.article.file for it in items], bump=False)
        ids: list[str] = []
        vectors: list[list[float]] = []
        documents: list[str] = []
        metas: list[Metadata] = []
        for it in items:
            base = {**_article_base(it.article), "sha256": it.article.sha256}
            for c, v in zip(it.chunks, it.vectors, strict=True):
                ids.append(c.id)
                vectors.append(list(v))
                documents.append(c.text)
                metas.append(
                    _clean_meta(
                        {**base, "n": c.n, "start": c.start, "end": c.end, "tokens": c.tokens}
                    )
                )
        step = self.max_batch()
        for i in range(0, len(ids), step):
            self.chunks.upsert(
                ids=ids[i : i + step],
                embeddings=vectors[i : i + step],
                documents=documents[i : i + step],
                metadatas=metas[i : i + step],
            )
        faults.point("chunks-written")
        self._delete_chunks({it.article.file: len(it.chunks) for it in items if it.replacing})
        for i in range(0, len(items), step):
            part = items[i : i + step]
            self.articles.upsert(
                ids=[it.article.file for it in part],
                embeddings=[list(it.doc_vector) for it in part],
                documents=[it.article.text for it in part],
                metadatas=[
                    _clean_meta(
                        {
                            **_article_base(it.article),
                            **it.state,
                            "chunks": len(it.chunks),
                            "warnings": "; ".join(it.article.warnings) or None,
                        }
                    )
                    for it in part
                ],
            )
        faults.point("records-written")
        self.bump_generation([it.article.file for it in items])

    def max_batch(self) -> int:
        try:
            return max(1, int(self.client.get_max_batch_size()))
        except (AttributeError, TypeError, ValueError):
            return 1000

    def _delete_chunks(self, keep: Mapping[str, int], batch: int = 200) -> None:
        """Delete the chunks numbered ``keep[file]`` or more of each file (0: all of them),
        asked for ``batch`` files at a time (a call per file cost ~0.1 s at 100k chunks)."""
        files = sorted(keep)
        step = self.max_batch()
        for i in range(0, len(files), batch):
            part = files[i : i + batch]
            where = {"file": part[0]} if len(part) == 1 else {"file": {"$in": part}}
            got = self.chunks.get(where=where, include=["metadatas"])
            stale = [
                cid
                for cid, m in zip(got["ids"], got["metadatas"] or [], strict=False)
                if int((m or {}).get("n", 0)) >= keep.get(str((m or {}).get("file")), 0)
            ]
            for j in range(0, len(stale), step):
                self.chunks.delete(ids=stale[j : j + step])

    def remove_articles(self, files: Sequence[str]) -> None:
        """Delete articles: their records first (so no reader lists them), then their chunks."""
        if not files:
            return
        self._set_pointer(files, bump=False)
        self.articles.delete(ids=list(files))
        faults.point("article-removed")
        self._delete_chunks(dict.fromkeys(files, 0))
        self.bump_generation(files)

    def remove_article(self, file: str) -> None:
        self.remove_articles([file])

    def touch_article(self, file: str, mtime_ns: int) -> None:
        """Record a new mtime for an article whose bytes did not change."""
        self.articles.update(ids=[file], metadatas=[{"mtime_ns": mtime_ns}])

    # ---- corrections --------------------------------------------------------------------
    def update_article_meta(self, file: str, fields: Mapping[str, str | None]) -> bool:
        """Overwrite metadata ``fields`` (title, outlet, author, published; None: unknown) on
        ``file``'s record and all its chunks, so filters, answers and briefings see them; the
        generation is bumped (BM25 rebuilds its table). False when ``file`` is not indexed."""
        if not self.articles.get(ids=[file], include=[])["ids"]:
            return False
        meta: dict[str, Any] = {k: fields[k] for k in ("title", "outlet", "author") if k in fields}
        if "published" in fields:
            meta["published"] = fields["published"]
            meta["published_ts"] = published_ts(fields["published"])
        if not meta:
            return True
        self.articles.update(ids=[file], metadatas=[meta])
        got = self.chunks.get(where={"file": file}, include=[])
        ids = list(got["ids"])
        step = self.max_batch()
        for i in range(0, len(ids), step):
            part = ids[i : i + step]
            self.chunks.update(ids=part, metadatas=[dict(meta) for _ in part])
        self.bump_generation([file])
        return True


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    dim = len(vectors[0])
    acc = [0.0] * dim
    for v in vectors:
        for i, x in enumerate(v):
            acc[i] += x
    norm = sum(x * x for x in acc) ** 0.5 or 1.0
    return [x / norm for x in acc]
