"""The reader's scope: which articles a question or a briefing may draw on (filters plus the
articles the reader left out in the Library), stated on what it produced; the parts of a
briefing narrowed to that scope; and the articles of a scope as suggestion sources."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from index.corrections import StoreView
from index.store import Store
from rag.brief import suggest
from rag.brief.build import BriefParts
from rag.brief.records import Briefing
from rag.records import Filters, Passage, Scope
from rag.retrieval.filters import matches
from rag.retrieval.hybrid import Retriever

States = Mapping[str, Mapping[str, Any]]


def reader_scope(
    states: States, excluded: Set[str], filters: Filters | None = None
) -> tuple[Filters, Scope]:
    """The filters retrieval should use (the exclusions added) and the scope to state: outlets,
    dates and how many of the indexed articles (duplicates aside) they leave."""
    filters = filters or Filters()
    originals = {f: m for f, m in states.items() if not m.get("duplicate_of")}
    out = sorted(set(excluded) & set(originals))
    kept = [f for f, m in originals.items() if f not in out and matches(dict(m), filters)]
    scope = Scope(
        filters.outlets, filters.since, filters.until, len(kept), len(originals), tuple(out)
    )
    if out:
        allowed = set(originals) - set(out)
        files = allowed & set(filters.files) if filters.files else allowed
        filters = Filters(filters.since, filters.until, filters.outlets, tuple(sorted(files)))
    return filters, scope


def scoped_parts(parts: BriefParts, effective: Filters) -> BriefParts:
    """``parts`` whose index and retriever see only the articles ``effective`` lets through."""
    kept = {f for f, m in parts.store.article_states().items() if matches(dict(m), effective)}
    return replace(
        parts,
        store=cast(Store, StoreView(parts.store, kept)),
        retriever=cast(Retriever, ScopedRetriever(parts.retriever, kept)),
    )


def reusable(
    prev: Briefing | None, files: Set[str], changed_at: float, generator: str | None
) -> bool:
    """Can the saved briefing ``prev`` stand for a new one of ``files``: the same articles, no
    change to the index since, written the way ``generator`` asks?"""
    return (
        prev is not None
        and {a.file for a in prev.articles} == set(files)
        and _epoch(prev.generated_at) >= changed_at
        and (generator is None or (prev.generator == "extractive") == (generator == "extractive"))
    )


def docs_in(store: Store, filters: Filters, limit: int = 60) -> list[suggest.Doc]:
    """The ``limit`` articles in scope ingested last (then published last), newest first."""
    states = [
        (f, m)
        for f, m in store.article_states().items()
        if not m.get("duplicate_of") and matches(dict(m), filters)
    ]
    states.sort(
        key=lambda fm: (
            int(fm[1].get("ingested_at") or 0),
            int(fm[1].get("mtime_ns") or 0),
            str(fm[1].get("published") or ""),
        ),
        reverse=True,
    )
    docs = []
    for f, m in states[:limit]:
        got = store.article(f)
        if got is not None:
            docs.append(suggest.Doc(f, str(m.get("title") or ""), got[0]))
    return docs


class ScopedRetriever:
    """A retriever that only returns passages of ``files`` (a scoped briefing's topic)."""

    def __init__(self, retriever: Retriever, files: set[str]) -> None:
        self._retriever = retriever
        self.files = files

    def __getattr__(self, name: str) -> Any:
        return getattr(self._retriever, name)

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str | None = None,
    ) -> list[Passage]:
        f = filters or Filters()
        files = self.files & set(f.files) if f.files else self.files
        if not files:
            return []
        scoped = Filters(f.since, f.until, f.outlets, tuple(sorted(files)))
        return self._retriever.retrieve(query, k=k, filters=scoped, mode=mode)


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0
