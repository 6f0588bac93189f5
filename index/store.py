"""The Chroma side of the index: an embedded ``PersistentClient`` by default, a Chroma server
(``HttpClient``) when a URL is configured — the same code either way.

Two collections per index:

* ``<name>_chunks`` — one record per chunk: its embedding, its text, and metadata (file, span,
  title, outlet, publication date) so retrieval can filter and cite without another lookup;
* ``<name>_articles`` — one record per article: the full cleaned text (so any passage can be shown
  in context), its metadata and ingest state (hashes, size, mtime), embedded as the mean of its
  chunks.

The chunks collection carries the index's identity (embedder, chunking, pipeline version); opening
an index with different settings is refused with a message that says how to rebuild.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from index import dates
from index.records import Article, Chunk

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)

Metadata = dict[str, str | int | float | bool]


class IndexError_(Exception):
    """Base of the index layer's errors; messages say what to do next."""


class IndexMismatchError(IndexError_):
    pass


class IndexMissingError(IndexError_):
    pass


class StoreUnavailableError(IndexError_):
    pass


def open_client(data_dir: Path, chroma_url: str | None = None, token: str | None = None) -> Any:
    """An embedded Chroma in ``data_dir/chroma``, or an ``HttpClient`` for ``chroma_url``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                headers=headers,
                settings=settings,
            )
            client.heartbeat()
        except Exception as exc:
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {chroma_url} "
                f"({exc.__class__.__name__}: {exc}). "
                "Start it with `chroma run --host 127.0.0.1 --port 8000 --path DIR`, or unset "
                "DOSSIER_CHROMA_URL to use the embedded index."
            ) from exc
        return client
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


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


@dataclass(frozen=True)
class ChunkHit:
    id: str
    text: str
    meta: Metadata
    distance: float


class Store:
    """One Dossier index in one Chroma client."""

    def __init__(
        self, client: Any, name: str, identity: Mapping[str, str | int] | None, create: bool
    ) -> None:
        self.client = client
        self.name = name
        chunks_name, articles_name = f"{name}_chunks", f"{name}_articles"
        existing = {getattr(c, "name", c) for c in client.list_collections()}
        if chunks_name not in existing:
            if not create:
                raise IndexMissingError(
                    "No articles indexed yet — run `dossier ingest data/articles` "
                    "(or point DOSSIER_DATA_DIR at an existing index)."
                )
            meta = {"hnsw:space": "cosine", "generation": 0, **(identity or {})}
            self.chunks = client.create_collection(chunks_name, metadata=meta)
        else:
            self.chunks = client.get_collection(chunks_name)
            if identity is not None:
                self._check_identity(identity)
        self.articles = client.get_or_create_collection(
            articles_name, metadata={"hnsw:space": "cosine"}
        )

    # ---- identity -----------------------------------------------------------------------
    @property
    def identity(self) -> dict[str, Any]:
        meta = dict(self.chunks.metadata or {})
        return {k: v for k, v in meta.items() if not k.startswith("hnsw:") and k != "generation"}

    @property
    def generation(self) -> int:
        return int((self.chunks.metadata or {}).get("generation", 0))

    def bump_generation(self) -> None:
        meta = {k: v for k, v in (self.chunks.metadata or {}).items() if not k.startswith("hnsw:")}
        meta["generation"] = self.generation + 1
        self.chunks.modify(metadata=meta)

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

        One Chroma upsert per collection per batch (each call is a transaction; per-article
        calls made writing dominate ingest time). The article records are written last: if the
        process dies in between, the next ingest sees those files as not done yet and redoes
        them — chunk ids are deterministic, so that overwrites rather than duplicates.
        """
        ids: list[str] = []
        vectors: list[list[float]] = []
        documents: list[str] = []
        metas: list[Metadata] = []
        for it in items:
            base = _article_base(it.article)
            for c, v in zip(it.chunks, it.vectors, strict=True):
                ids.append(c.id)
                vectors.append(list(v))
                documents.append(c.text)
                metas.append(
                    _clean_meta(
                        {**base, "n": c.n, "start": c.start, "end": c.end, "tokens": c.tokens}
                    )
                )
        step = self._max_batch()
        for i in range(0, len(ids), step):
            self.chunks.upsert(
                ids=ids[i : i + step],
                embeddings=vectors[i : i + step],
                documents=documents[i : i + step],
                metadatas=metas[i : i + step],
            )
        for it in items:
            if it.replacing:
                self._delete_chunks(it.article.file, keep=len(it.chunks))
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

    def _max_batch(self) -> int:
        try:
            return max(1, int(self.client.get_max_batch_size()))
        except Exception:
            return 1000

    def _delete_chunks(self, file: str, keep: int = 0) -> None:
        got = self.chunks.get(where={"file": file}, include=["metadatas"])
        stale = [
            i
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=False)
            if int(m.get("n", 0)) >= keep
        ]
        if stale:
            self.chunks.delete(ids=stale)

    def remove_article(self, file: str) -> None:
        self._delete_chunks(file)
        self.articles.delete(ids=[file])

    # ---- reading ------------------------------------------------------------------------
    def article_states(self) -> dict[str, Metadata]:
        got = self.articles.get(include=["metadatas"])
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"] or [], strict=False)}

    def article(self, file: str) -> tuple[str, Metadata] | None:
        got = self.articles.get(ids=[file], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return (got["documents"] or [""])[0], dict((got["metadatas"] or [{}])[0] or {})

    def article_vector(self, file: str) -> list[float] | None:
        got = self.articles.get(ids=[file], include=["embeddings"])
        embeddings = got.get("embeddings")
        if embeddings is None or len(embeddings) == 0:
            return None
        return [float(x) for x in embeddings[0]]

    def count_chunks(self) -> int:
        return int(self.chunks.count())

    def iter_chunks(self, page: int = 5000) -> Iterator[tuple[str, str, Metadata]]:
        """Every chunk (id, text, metadata), in pages: the input of BM25."""
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            for i, d, m in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            ):
                yield i, d or "", dict(m or {})
            if len(got["ids"]) < page:
                return
            offset += page

    def query(
        self, vector: Sequence[float], k: int, where: Mapping[str, Any] | None = None
    ) -> list[ChunkHit]:
        n = self.count_chunks()
        if n == 0:
            return []
        got = self.chunks.query(
            query_embeddings=[list(vector)],
            n_results=min(k, n),
            where=dict(where) if where else None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            ChunkHit(i, d or "", dict(m or {}), float(dist))
            for i, d, m, dist in zip(
                got["ids"][0],
                (got["documents"] or [[]])[0],
                (got["metadatas"] or [[]])[0],
                (got["distances"] or [[]])[0],
                strict=False,
            )
        ]

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
        step = self._max_batch()
        for i in range(0, len(ids), step):
            part = ids[i : i + step]
            self.chunks.update(ids=part, metadatas=[dict(meta) for _ in part])
        self.bump_generation()
        return True


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    dim = len(vectors[0])
    acc = [0.0] * dim
    for v in vectors:
        for i, x in enumerate(v):
            acc[i] += x
    norm = sum(x * x for x in acc) ** 0.5 or 1.0
    return [x / norm for x in acc]
