"""Repairs after a write that died half way (kill -9, a power cut, a lost server).

A write names its files in the index's pointer before it starts and clears them when it is done
(``Store.write_articles``, ``Store.remove_articles``); a file still named afterwards, or a chunk
whose article has no record at all (an index written before the intent was kept), is checked: a
record must account for exactly its chunks, all of the article's current version. What does not
is removed — chunks and record — and comes back whole with the next ingest. Run under the ingest
lock only: a live ingest's chunks wait for their records, and are not orphans.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from index.locks import IngestBusyError
from index.states_cache import StatesCache
from index.store import Metadata, Store


def needs_reconcile(store: Store, states: Mapping[str, Metadata] | None = None) -> bool:
    """Did a write die half way (files named as being written), or are there chunks that no
    article record accounts for? ``states``: the article records, when the caller has just read
    them (at tens of thousands of articles a read takes seconds)."""
    if store.building:
        return False
    if store.pointer_meta().get("writing"):
        return True
    if states is None:
        states = store.article_states()
    expected = sum(int(s.get("chunks", 0) or 0) for s in states.values())
    return store.count_chunks() != expected


def reconcile(store: Store, states: Mapping[str, Metadata] | None = None) -> list[str]:
    """Remove what half-done writes left: chunks without their article's record (or of another
    version of it), and records whose chunks are incomplete. Returns the files repaired (their
    records are gone: a caller holding ``states`` reads them again when this is not empty)."""
    if not needs_reconcile(store, states):
        return []
    named = json.loads(str(store.pointer_meta().get("writing") or "[]"))
    states = store.article_states()
    by_file: dict[str, list[tuple[str, Metadata]]] = {}
    for cid, meta in store.chunk_metas():
        by_file.setdefault(str(meta.get("file", "")), []).append((cid, meta))
    broken: set[str] = set()
    for f in set(named) | (set(by_file) - set(states)):
        state, chunks = states.get(f), by_file.get(f, [])
        if state is None:
            if chunks:
                broken.add(f)
        elif int(state.get("chunks", 0) or 0) != len(chunks) or any(
            m.get("sha256", state.get("sha256")) != state.get("sha256") for _, m in chunks
        ):
            broken.add(f)
    step = store.max_batch()
    for f in sorted(broken):
        store.articles.delete(ids=[f])
        ids = [cid for cid, _ in by_file.get(f, [])]
        for i in range(0, len(ids), step):
            store.chunks.delete(ids=ids[i : i + step])
    store.bump_generation()
    return sorted(broken)


def repair_if_idle(
    store: Store,
    lock: Callable[[], AbstractContextManager[None]],
    cache_dir: Path | None = None,
) -> None:
    """:func:`reconcile` when a repair is due and no ingest runs (``lock`` is free): a reader
    opening the index cleans up after a dead writer; a live one's chunks are left alone. The
    records' chunk counts come from ingest's copy under ``cache_dir`` (``index.states_cache``)
    when it is in step: opening an index of 33k articles read every record (~6 s)."""
    states = StatesCache(store, cache_dir).current() if cache_dir is not None else None
    if needs_reconcile(store, states):
        try:
            with lock():
                reconcile(store)
        except IngestBusyError:
            pass  # an ingest is running: it repairs first; readers skip orphans meanwhile
