"""The BM25 index follows the store by applying what changed: an ingest of new, changed and
removed articles and a metadata correction are caught up without reading every chunk again, and
the caught-up table scores exactly as one built afresh; another process reads what was saved."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.embed import FakeEmbedder
from index.store import Store
from rag.records import Filters
from rag.retrieval import bm25 as bm25_module
from rag.retrieval.bm25 import Bm25Index, fingerprint
from rag.retrieval.bm25_segments import tokenize
from rag.service import Dossier
from tests.conftest import make_settings

QUERIES = ["Putin visit", "North Korea summit", "election", "the visit of officials"]


def _dossier(data: Path) -> Dossier:
    return Dossier(make_settings(data), embedder=FakeEmbedder())


def _scores_by_id(index: Bm25Index, query: str) -> dict[str, float]:
    table = index.table()
    scores = table.scores(tokenize([query])[0])
    return {table.ids[r]: float(scores[r]) for r in np.flatnonzero(table.live)}


def _assert_as_fresh(index: Bm25Index) -> None:
    fresh = Bm25Index(index.store, None)
    table, want = index.table(), fresh.table()
    live_ids = [table.ids[r] for r in np.flatnonzero(table.live)]
    assert sorted(live_ids) == sorted(want.ids)
    for r in np.flatnonzero(table.live):
        row = want.ids.index(table.ids[r])
        assert table.texts[int(r)] == want.texts[row]
        assert table.metas[int(r)] == want.metas[row]
    for q in QUERIES:
        ours, ref = _scores_by_id(index, q), _scores_by_id(fresh, q)
        assert ours.keys() == ref.keys()
        np.testing.assert_allclose([ours[k] for k in ref], list(ref.values()), rtol=1e-9)


class _Spy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fetched: list[list[str]] = []
        self.full_reads = 0
        real_of, real_iter = Store.chunks_of, Store.iter_chunks
        spy = self

        def chunks_of(store: Store, files: Iterable[str], batch: int = 200) -> Iterator[Any]:
            files = list(files)
            spy.fetched.append(sorted(files))
            return real_of(store, files, batch)

        def iter_chunks(store: Store, page: int = 5000) -> Iterator[Any]:
            spy.full_reads += 1
            return real_iter(store, page)

        monkeypatch.setattr(Store, "chunks_of", chunks_of)
        monkeypatch.setattr(Store, "iter_chunks", iter_chunks)


def test_changes_are_applied_not_rebuilt(
    tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(monkeypatch)
    d = _dossier(tmp_path / "data")
    d.ingest(sample_copy)
    assert d.search("Putin visit", k=3, mode="bm25")
    index = d.retriever().bm25
    assert spy.full_reads == 1 and index.stats["full_builds"] == 1

    names = sorted(p.name for p in sample_copy.glob("*.txt"))
    new = sample_copy / "zz_new.txt"
    new.write_text(
        "Harvest festival opens in Ulm\n\nFarmers brought pumpkins to the harvest festival "
        "in Ulm on Saturday, where the mayor praised the record harvest of the year.\n"
    )
    d.ingest(sample_copy)
    hits = d.search("pumpkins harvest festival", k=3, mode="bm25")
    assert hits and hits[0].file == "zz_new.txt"
    assert spy.full_reads == 1 and spy.fetched == [["zz_new.txt"]]
    assert index.stats["record_reads"] == 1, "only the record the write log names is read"
    _assert_as_fresh(index)

    changed = sample_copy / names[0]
    changed.write_text(changed.read_text() + "\n\nA late paragraph about zeppelins over Bonn.\n")
    (sample_copy / names[1]).rename(tmp_path / "gone.txt")
    spy.fetched.clear()
    d.ingest(sample_copy)
    hits = d.search("zeppelins Bonn", k=3, mode="bm25")
    assert hits and hits[0].file == names[0]
    assert spy.fetched == [[names[0]]], "only the changed article is read"
    gone = (tmp_path / "gone.txt").read_text()
    assert all(p.file != names[1] for p in d.search(gone, k=50, mode="bm25"))
    _assert_as_fresh(index)

    spy.fetched.clear()
    d.correct(names[2], {"outlet": "Corrected Outlet"})
    title = (sample_copy / names[2]).read_text().split("\n", 1)[0]
    only = d.search(title, k=50, filters=Filters(outlets=("Corrected Outlet",)), mode="bm25")
    assert only and {p.file for p in only} == {names[2]}
    assert spy.fetched == [[names[2]]]
    _assert_as_fresh(index)
    assert index.stats["full_builds"] == 1 and index.stats["catch_ups"] == 3

    # The next process reads the saved table: no build, no catch-up.
    spy.fetched.clear()
    reads = spy.full_reads
    other = _dossier(tmp_path / "data")
    assert other.search("zeppelins Bonn", k=3, mode="bm25")[0].file == names[0]
    stats = other.retriever().bm25.stats
    assert stats["full_builds"] == stats["catch_ups"] == 0 and stats["loads"] == 1
    assert spy.full_reads == reads and spy.fetched == []


def test_compaction_merges_segments_and_keeps_scores(
    tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bm25_module, "MAX_SEGMENTS", 2)
    d = _dossier(tmp_path / "data")
    d.ingest(sample_copy)
    index = d.retriever().bm25
    index.table()
    for i in range(3):
        (sample_copy / f"new{i}.txt").write_text(
            f"Report {i} on the harbour\n\nThe harbour of town {i} reopened after the storm, "
            "officials said on Monday, and ferries resumed their routes.\n"
        )
        d.ingest(sample_copy)
        assert d.search(f"harbour town {i}", k=3, mode="bm25")
    assert index.stats["compactions"] >= 1 and index.stats["full_builds"] == 1
    table = index.table()
    assert len(table.segments) <= 2
    _assert_as_fresh(index)
    folder = index.folder
    assert folder is not None
    named = {s.name for s in table.segments}
    assert {p.name for p in folder.iterdir() if p.name.startswith("seg-")} == named


def test_many_changes_build_afresh(
    tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bm25_module, "REBUILD_SHARE", 0.0)
    monkeypatch.setattr(bm25_module, "REBUILD_MIN", 0)
    d = _dossier(tmp_path / "data")
    d.ingest(sample_copy)
    index = d.retriever().bm25
    index.table()
    first = sorted(sample_copy.glob("*.txt"))[0]
    first.write_text(first.read_text() + "\n\nAn added line on tariffs.\n")
    d.ingest(sample_copy)
    assert d.search("tariffs", k=3, mode="bm25")
    assert index.stats["full_builds"] == 2 and index.stats["catch_ups"] == 0
    _assert_as_fresh(index)


def test_a_damaged_cache_is_built_again(tmp_path: Path, sample_copy: Path) -> None:
    d = _dossier(tmp_path / "data")
    d.ingest(sample_copy)
    folder = d.retriever().bm25.folder
    assert d.search("Putin visit", k=3, mode="bm25") and folder is not None
    for seg in folder.glob("seg-*"):
        shutil.rmtree(seg)
    other = _dossier(tmp_path / "data")
    assert other.search("Putin visit", k=3, mode="bm25")
    assert other.retriever().bm25.stats["full_builds"] == 1


def test_fingerprint_ignores_mtime_only() -> None:
    state = {"sha256": "a", "title": "T", "mtime_ns": 1}
    assert fingerprint(state) == fingerprint({**state, "mtime_ns": 2})
    assert fingerprint(state) != fingerprint({**state, "title": "U"})


def test_filter_masks_are_remembered_per_table(tmp_path: Path, sample_copy: Path) -> None:
    d = _dossier(tmp_path / "data")
    d.ingest(sample_copy)
    index = d.retriever().bm25
    name = sorted(p.name for p in sample_copy.glob("*.txt"))[0]
    only = Filters(files=(name,))
    first = index.search("Putin visit", 5, only)
    assert first and all(index.table().metas[r]["file"] == name for r, _ in first)
    assert index._masks_of is index.table() and only in index._masks
    assert index.search("Putin visit", 5, only) == first
    (sample_copy / "zz.txt").write_text("Putin visit news\n\nPutin will visit the city soon.\n")
    d.ingest(sample_copy)
    again = index.search("Putin visit", 5, only)
    assert index._masks_of is index.table(), "a new table, new masks"
    assert again and all(index.table().metas[r]["file"] == name for r, _ in again)


def test_an_unwritable_cache_leaves_the_table_in_memory(tmp_path: Path, sample_copy: Path) -> None:
    d = _dossier(tmp_path / "data")
    d.ingest(sample_copy)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    index = Bm25Index(d.store(), blocker / "cache")
    assert index.search("Putin visit", 3, Filters())
    assert index.stats["full_builds"] == 1 and blocker.is_file()
