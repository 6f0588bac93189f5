"""Reads of many records go in pages (one read of tens of thousands passes SQLite's limit on
query variables): paged or not, the same records come back."""

from __future__ import annotations

from pathlib import Path

from rag.service import Dossier


def test_paged_reads_return_every_record(fake_dossier: Dossier, sample_copy: Path) -> None:
    fake_dossier.ingest(sample_copy)
    store = fake_dossier.store()
    states = store.article_states()
    assert len(states) == 5
    assert store.article_states(page=2) == states
    assert store.article_ids(page=2) == set(states) == store.article_ids()
    some = [*sorted(states)[:3], "missing.txt"]
    assert store.article_ids(some, page=2) == set(sorted(states)[:3])
    files = sorted(states)[:2]
    got = {cid for cid, _, _ in store.chunks_of(files, batch=1)}
    want = {cid for cid, _, m in store.iter_chunks(page=3) if m["file"] in files}
    assert got == want and got
