"""Reading an index's Chroma collections (see ``index.store``): article records and states, chunks
in pages, chunks of named articles, nearest chunks. Only chunks of recorded articles are returned
(a chunk whose article has no record is a write in progress, or one that died)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Metadata = dict[str, str | int | float | bool]
PAGE = 5000  # records per read: well under SQLite's 32,766 query variables


@dataclass(frozen=True)
class ChunkHit:
    id: str
    text: str
    meta: Metadata
    distance: float


class StoreReads:
    """The reading half of :class:`index.store.Store`."""

    chunks: Any
    articles: Any

    def article_states(
        self, page: int = PAGE, among: Iterable[str] | None = None
    ) -> dict[str, Metadata]:
        """Every article record's metadata (of ``among``, when given): the ids listed, then the
        records read by id in pages (one read of tens of thousands of records passes SQLite's
        limit on query variables; by id is faster than by offset)."""
        wanted = sorted(self.article_ids(page=page) if among is None else set(among))
        out: dict[str, Metadata] = {}
        for i in range(0, len(wanted), page):
            got = self.articles.get(ids=wanted[i : i + page], include=["metadatas"])
            out.update(
                (f, dict(m or {})) for f, m in zip(got["ids"], got["metadatas"] or [], strict=False)
            )
        return out

    def article_ids(self, among: Iterable[str] | None = None, page: int = PAGE) -> set[str]:
        """The files with an article record (of ``among``, when given), asked in pages."""
        if among is None:
            out: set[str] = set()
            offset = 0
            while True:
                ids = self.articles.get(include=[], limit=page, offset=offset)["ids"]
                out.update(ids)
                if len(ids) < page:
                    return out
                offset += page
        wanted = sorted(set(among))
        found: set[str] = set()
        for i in range(0, len(wanted), page):
            found.update(self.articles.get(ids=wanted[i : i + page], include=[])["ids"])
        return found

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

    def chunk_metas(self, page: int = 5000) -> Iterator[tuple[str, Metadata]]:
        """(id, metadata) of every chunk, recorded article or not (for repairs)."""
        offset = 0
        while True:
            got = self.chunks.get(include=["metadatas"], limit=page, offset=offset)
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=False):
                yield i, dict(m or {})
            if len(got["ids"]) < page:
                return
            offset += page

    def iter_chunks(self, page: int = 5000) -> Iterator[tuple[str, str, Metadata]]:
        """Every chunk (id, text, metadata) of a recorded article, in pages: the input of BM25.
        Chunks whose article has no record (a write in progress, or one that died) are left
        out, so nothing cites them."""
        known = self.article_ids()
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=page, offset=offset)
            for i, d, m in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            ):
                if (m or {}).get("file") in known:
                    yield i, d or "", dict(m or {})
            if len(got["ids"]) < page:
                return
            offset += page

    def chunks_of(
        self, files: Iterable[str], batch: int = 200
    ) -> Iterator[tuple[str, str, Metadata]]:
        """The chunks (id, text, metadata) of ``files`` that have an article record: what BM25
        fetches for the articles that changed since it last looked."""
        wanted = sorted(self.article_ids(files))
        for i in range(0, len(wanted), batch):
            part = wanted[i : i + batch]
            where = {"file": part[0]} if len(part) == 1 else {"file": {"$in": part}}
            got = self.chunks.get(where=where, include=["documents", "metadatas"])
            for cid, d, m in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            ):
                yield cid, d or "", dict(m or {})

    def query(
        self, vector: Sequence[float], k: int, where: Mapping[str, Any] | None = None
    ) -> list[ChunkHit]:
        """The ``k`` nearest chunks of recorded articles (see :meth:`iter_chunks`)."""
        if where:
            n = self.count_chunks()
            if n == 0:
                return []
            got = self.chunks.query(
                query_embeddings=[list(vector)],
                n_results=min(k, n),
                where=dict(where),
                include=["documents", "metadatas", "distances"],
            )
            hits = [
                ChunkHit(i, d or "", dict(m or {}), float(dist))
                for i, d, m, dist in zip(
                    got["ids"][0],
                    (got["documents"] or [[]])[0],
                    (got["metadatas"] or [[]])[0],
                    (got["distances"] or [[]])[0],
                    strict=False,
                )
            ]
            known = self.article_ids(str(h.meta.get("file", "")) for h in hits)
            return [h for h in hits if h.meta.get("file") in known]
        return self.chunks_by_id(self.nearest(vector, k))

    def nearest(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest chunk ids and their distances, nearest first: the vector index
        alone, no text read (a chunk of an unrecorded article may be among them). Chroma caps
        ``k`` at the collection's size itself (counting first costs ~12 ms at 40k chunks)."""
        got = self.chunks.query(query_embeddings=[list(vector)], n_results=k, include=["distances"])
        return list(zip(got["ids"][0], (float(d) for d in got["distances"][0]), strict=True))

    def chunks_by_id(self, nearest: Sequence[tuple[str, float]]) -> list[ChunkHit]:
        """The chunks of ``nearest`` (id, distance) pairs, in that order, with their text and
        metadata; only those of recorded articles. One read by id: reading the text within the
        nearest-neighbour query costs several times more."""
        if not nearest:
            return []
        got = self.chunks.get(ids=[i for i, _ in nearest], include=["documents", "metadatas"])
        found = {
            i: (d or "", dict(m or {}))
            for i, d, m in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            )
        }
        hits = [ChunkHit(i, *found[i], dist) for i, dist in nearest if i in found]
        known = self.article_ids(str(h.meta.get("file", "")) for h in hits)
        return [h for h in hits if h.meta.get("file") in known]
