"""Finding 11: the BM25 table is saved on disk, reused by the next process, and keyed by a
generation that never repeats — a rebuild's new index never gets the old index's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from rag.retrieval.bm25 import Bm25Index
from rag.service import Dossier
from tests.conftest import make_settings
from tests.reliability.helpers import write_corpus


def _fresh(data: Path) -> Dossier:
    """What the next CLI process holds: nothing in memory."""
    return Dossier(make_settings(data, batch_chunks=1000), embedder=FakeEmbedder())


def test_the_cache_is_reused_and_never_stale_after_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new, data = tmp_path / "old", tmp_path / "new", tmp_path / "d"
    write_corpus(old, 4, topic="summit")
    write_corpus(new, 4, topic="harvest")
    first = _fresh(data)
    first.ingest(old)  # one batch: the old counter ended at the same value after any rebuild
    assert first.search("summit", k=3, mode="bm25")
    saved = [p for p in (data / "cache").glob("bm25+*") if ".tmp" not in p.name]
    assert len(saved) == 1 and (saved[0] / "manifest.json").exists()

    built: list[int] = []
    real_build = Bm25Index._build

    def counting_build(self: Bm25Index, gen: int) -> object:
        built.append(gen)
        return real_build(self, gen)

    monkeypatch.setattr(Bm25Index, "_build", counting_build)
    assert _fresh(data).search("summit", k=3, mode="bm25")
    assert built == [], "a second process loads the saved table"

    _fresh(data).ingest(new, rebuild=True)
    after = _fresh(data)
    assert {p.file for p in after.search("harvest", k=10, mode="bm25")} == {
        f"a{i:04d}.txt" for i in range(4)
    }
    assert not after.search("summit", k=10, mode="bm25"), "no stale table after --rebuild"
    assert len(built) == 1
    assert len([p for p in (data / "cache").glob("bm25+*") if ".tmp" not in p.name]) == 1
