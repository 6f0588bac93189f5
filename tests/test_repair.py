"""Repair checks reuse the article records ingest has just read (a read costs seconds at tens of
thousands of articles), and still find what a dead write left."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from index.ingest import ingest
from index.repair import needs_reconcile, reconcile
from index.store import Store
from rag.service import Dossier
from tests.conftest import SAMPLE_DIR, make_settings


def _dossier(tmp_path: Path) -> tuple[Dossier, Path]:
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE_DIR, folder)
    return Dossier(make_settings(tmp_path / "data")), folder


def test_an_unchanged_ingest_reads_the_article_records_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d, folder = _dossier(tmp_path)
    store = d.store(create=True)
    ingest(folder, store, FakeEmbedder(), d.settings.index)
    reads: list[int] = []
    real = Store.article_states

    def counted(self: Store, *args: object, **kwargs: object) -> object:
        reads.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "article_states", counted)
    report = ingest(folder, store, FakeEmbedder(), d.settings.index)
    assert not report.added and not report.updated and not report.repaired
    assert len(reads) == 1


def test_given_records_still_reveal_orphan_chunks(tmp_path: Path) -> None:
    d, folder = _dossier(tmp_path)
    store = d.store(create=True)
    ingest(folder, store, FakeEmbedder(), d.settings.index)
    states = store.article_states()
    assert not needs_reconcile(store, states)
    victim = sorted(states)[0]
    store.articles.delete(ids=[victim])  # as if a write died before the record was written
    stale = store.article_states()
    assert needs_reconcile(store, stale)
    assert reconcile(store, stale) == [victim]
    assert not needs_reconcile(store)
