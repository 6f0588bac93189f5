"""Filters on what retrieval and briefings may use: a publication-date range, outlets, files.

Date bounds are computed in UTC (publication times are stored as UTC epoch seconds), so the same
``--since``/``--until`` select the same articles whatever the machine's time zone. An ``until``
date without a time includes its whole day. Undated articles fall outside any date range.
The same filters go to Chroma as a ``where`` clause and to BM25 as a mask over its rows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from index.dates import date_bound
from rag.records import Filters


@lru_cache(maxsize=1024)
def bound_ts(value: str, end: bool) -> int:
    """A ``since`` (``end=False``) or ``until`` (``end=True``) bound as a UTC epoch second
    (remembered: a filter is judged against every article, ~0.01 ms a parse each time)."""
    return int(date_bound(value, end=end).timestamp())


def chroma_where(filters: Filters) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if filters.since:
        clauses.append({"published_ts": {"$gte": bound_ts(filters.since, end=False)}})
    if filters.until:
        clauses.append({"published_ts": {"$lte": bound_ts(filters.until, end=True)}})
    if filters.outlets:
        clauses.append({"outlet": {"$in": list(filters.outlets)}})
    if filters.files:
        clauses.append({"file": {"$in": list(filters.files)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def in_date_range(meta: dict[str, Any], since: str | None, until: str | None) -> bool:
    """Is the chunk or article (its ``published_ts``) inside the date range?"""
    if not (since or until):
        return True
    ts = meta.get("published_ts")
    if ts is None:
        return False
    if since and int(ts) < bound_ts(since, end=False):
        return False
    return not (until and int(ts) > bound_ts(until, end=True))


def matches(meta: dict[str, Any], filters: Filters) -> bool:
    """Does a chunk's metadata pass ``filters``?"""
    if not in_date_range(meta, filters.since, filters.until):
        return False
    if filters.outlets and meta.get("outlet") not in filters.outlets:
        return False
    return not (filters.files and meta.get("file") not in filters.files)
