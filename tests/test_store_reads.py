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


def test_chunks_of_several_files_are_deleted_together(
    fake_dossier: Dossier, sample_copy: Path
) -> None:
    """Removals and shrinking updates ask for the chunks of many files at once (in batches):
    each file loses exactly the chunks numbered past what it keeps."""
    fake_dossier.ingest(sample_copy)
    store = fake_dossier.store()
    before: dict[str, list[int]] = {}
    for _, _, m in store.iter_chunks():
        before.setdefault(str(m["file"]), []).append(int(m["n"]))
    files = sorted(before)
    keep = {files[0]: 0, files[1]: 1, files[2]: 2}
    store._delete_chunks(keep, batch=2)
    after: dict[str, list[int]] = {}
    for _, m in store.chunk_metas():
        after.setdefault(str(m["file"]), []).append(int(m["n"]))
    assert files[0] not in after
    assert sorted(after[files[1]]) == [0]
    assert sorted(after[files[2]]) == sorted(n for n in before[files[2]] if n < 2)
    assert {f: sorted(ns) for f, ns in after.items() if f not in keep} == {
        f: sorted(ns) for f, ns in before.items() if f not in keep
    }
