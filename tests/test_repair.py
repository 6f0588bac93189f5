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


def test_opening_an_index_in_step_with_ingest_s_copy_reads_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader opening the index checks for orphans with the chunk counts of ingest's copy of
    the records; orphans and half-done writes are still found and repaired."""
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE_DIR, folder)
    settings = make_settings(tmp_path / "data")
    Dossier(settings, embedder=FakeEmbedder()).ingest(folder)
    reads: list[object] = []
    real = Store.article_states

    def counted(self: Store, *args: object, **kwargs: object) -> object:
        reads.append(kwargs.get("among"))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "article_states", counted)
    reader = Dossier(settings, embedder=FakeEmbedder())
    store = reader.store()
    assert reads == []
    n = store.count_chunks()
    store.chunks.upsert(  # a chunk of a file with no record, that no write named
        ids=["ghost.txt#0"],
        embeddings=[[0.0] * 255 + [1.0]],
        documents=["orphan"],
        metadatas=[{"file": "ghost.txt", "n": 0}],
    )
    assert store.count_chunks() == n + 1
    assert Dossier(settings, embedder=FakeEmbedder()).store().count_chunks() < n + 1
    assert None in reads  # the repair read every record
