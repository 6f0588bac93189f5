"""The article records' ingest fields kept beside the index: an ingest reads only the records
written since the last one, and sees exactly what reading every record would show."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from index.states_cache import FIELDS, FILE, StatesCache
from index.store import Store
from rag.service import Dossier


class Reads:
    """Every ``Store.article_states`` call: None for all records, else the files asked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[set[str] | None] = []
        real = Store.article_states

        def spy(store: Store, page: int = 5000, among: Iterable[str] | None = None) -> Any:
            wanted = None if among is None else set(among)
            self.calls.append(wanted)
            return real(store, page, wanted)

        monkeypatch.setattr(Store, "article_states", spy)

    def full(self) -> int:
        return sum(c is None for c in self.calls)


def _cache_file(d: Dossier) -> Path:
    return Path(d.settings.data_dir) / "cache" / FILE


def _truth(d: Dossier) -> dict[str, Any]:
    every = d.store().article_states()
    return {f: {k: s[k] for k in FIELDS if k in s} for f, s in every.items()}


def test_a_rerun_reads_no_record_and_a_change_reads_only_its_own(
    fake_dossier: Dossier, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dossier.ingest(sample_copy)
    assert _cache_file(fake_dossier).is_file()
    reads = Reads(monkeypatch)
    again = fake_dossier.ingest(sample_copy)
    assert len(again.unchanged) == 5 and reads.calls == []

    new = sample_copy / "new.txt"
    new.write_text("Fresh news\n\n" + "The council met on Monday to vote. " * 30, "utf-8")
    (sample_copy / "001_8d517ec488ed0d82.txt").unlink()
    added = fake_dossier.ingest(sample_copy)
    assert added.added == ["new.txt"] and added.removed == ["001_8d517ec488ed0d82.txt"]
    assert reads.full() == 0  # the end of the ingest reads what it wrote and removed, only
    assert {"new.txt", "001_8d517ec488ed0d82.txt"} in reads.calls
    saved = json.loads(_cache_file(fake_dossier).read_text("utf-8"))
    assert saved["states"] == _truth(fake_dossier)
    assert saved["generation"] == fake_dossier.store().generation


def test_writes_by_others_are_caught_up(fake_dossier: Dossier, sample_copy: Path) -> None:
    fake_dossier.ingest(sample_copy)
    fake_dossier.correct("002_f0b6f554ee90a507.txt", {"outlet": "Other"})  # bumps the generation
    fake_dossier.remove("000_d455daceb9b8e86e.txt")
    cache = StatesCache(fake_dossier.store(), Path(fake_dossier.settings.data_dir) / "cache")
    assert cache.current() == _truth(fake_dossier)
    assert cache.read_all == 0 and cache.read_some == 2
    report = fake_dossier.ingest(sample_copy)  # the removed file comes back
    assert report.added == ["000_d455daceb9b8e86e.txt"]


def test_a_touched_file_is_hashed_once(
    fake_dossier: Dossier, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dossier.ingest(sample_copy)
    f = sample_copy / "003_8774ab1c0d056285.txt"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    assert fake_dossier.ingest(sample_copy).unchanged == sorted(
        p.name for p in sample_copy.glob("*.txt")
    )
    touched: list[str] = []
    real = Store.touch_article

    def spy(store: Store, file: str, mtime_ns: int) -> None:
        touched.append(file)
        real(store, file, mtime_ns)

    monkeypatch.setattr(Store, "touch_article", spy)
    fake_dossier.ingest(sample_copy)
    assert touched == []  # the new mtime was kept with the rest


@pytest.mark.parametrize("damage", ["garbage", "other-index", "missing"])
def test_a_bad_copy_means_every_record_is_read(
    fake_dossier: Dossier, sample_copy: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    fake_dossier.ingest(sample_copy)
    path = _cache_file(fake_dossier)
    if damage == "garbage":
        path.write_text("{not json", "utf-8")
    elif damage == "other-index":
        data = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps({**data, "index": "x:y:z", "states": {}}), "utf-8")
    else:
        path.unlink()
    reads = Reads(monkeypatch)
    report = fake_dossier.ingest(sample_copy)
    assert len(report.unchanged) == 5 and not report.added and reads.full() == 1
    assert json.loads(path.read_text("utf-8"))["states"] == _truth(fake_dossier)


def test_a_rebuild_starts_a_new_copy(fake_dossier: Dossier, sample_copy: Path) -> None:
    fake_dossier.ingest(sample_copy)
    fake_dossier.ingest(sample_copy, rebuild=True)
    report = fake_dossier.ingest(sample_copy)
    assert len(report.unchanged) == 5 and not report.added
    saved = json.loads(_cache_file(fake_dossier).read_text("utf-8"))
    assert saved["states"] == _truth(fake_dossier)
    assert fake_dossier.store().articles.name in saved["index"]
