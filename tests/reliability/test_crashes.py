"""Findings 4 and 5: kill -9 at each write boundary (through ``DOSSIER_FAULT``, not by timing)
loses nothing and leaves nothing citable that has no article record."""

from __future__ import annotations

import signal
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from index.embed import FakeEmbedder
from rag.service import Dossier
from tests.conftest import make_settings
from tests.reliability.helpers import cli, cli_json, write_corpus

KILLED = -signal.SIGKILL


def _dossier(data: Path) -> Dossier:
    return Dossier(make_settings(data), embedder=FakeEmbedder())


def _orphans(data: Path) -> set[str]:
    """Files with chunks but no article record, read straight from Chroma (no repair)."""
    client = chromadb.PersistentClient(
        path=str(data / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    names = {c.name for c in client.list_collections()}
    pointer: dict[str, object] = {}
    if "dossier_current" in names:
        pointer = dict(client.get_collection("dossier_current").metadata or {})
    chunks = client.get_collection(str(pointer.get("chunks", "dossier_chunks")))
    articles = client.get_collection(str(pointer.get("articles", "dossier_articles")))
    files = {str(m["file"]) for m in chunks.get(include=["metadatas"])["metadatas"] or []}
    return files - set(articles.get(include=[])["ids"])


def _consistent(d: Dossier) -> dict[str, int]:
    """Every chunk belongs to a recorded article, whose record counts exactly its chunks."""
    status = d.status()
    assert status["chunks"] == sum(f["chunks"] for f in status["files"]), status
    recorded = {f["file"] for f in status["files"]}
    assert {str(m["file"]) for _, _, m in d.store().iter_chunks()} <= recorded
    return {"articles": status["articles"], "chunks": status["chunks"]}


@pytest.mark.parametrize("boundary", ["chunks-written:2", "records-written:2"])
def test_kill_at_a_write_boundary_leaves_nothing_citable_without_a_record(
    tmp_path: Path, boundary: str
) -> None:
    """Finding 5: a kill between the chunk write and the article-record write left chunks with
    no record; `ask` cited them, and once their file was deleted they stayed for good."""
    corpus, data = tmp_path / "corpus", tmp_path / "d"
    write_corpus(corpus, 12)
    proc = cli(
        "ingest", str(corpus), "--quiet", data=data,
        DOSSIER_INDEX__BATCH_CHUNKS="3", DOSSIER_FAULT=boundary,
    )  # fmt: skip
    assert proc.returncode == KILLED, proc.stderr[-2000:]
    orphans = _orphans(data)
    if boundary.startswith("chunks"):
        assert orphans, "the kill lands between the chunk write and the record write"
        for f in orphans:
            (corpus / f).unlink()  # deleted before the next ingest: its chunks must still go
    d = _dossier(data)
    _consistent(d)
    for p in d.search("officials met in city about the summit", k=50):
        assert p.file not in orphans
    answer = d.ask("Where did officials meet about the summit?")
    assert not {c.file for c in answer.citations} & orphans
    r = d.ingest(corpus)
    got = _consistent(d)
    assert got["articles"] == 12 - len(orphans) and not _orphans(data)
    full = _dossier(tmp_path / "fresh")
    full.ingest(corpus)
    assert got["chunks"] == full.status()["chunks"]
    assert len(r.unchanged) + len(r.added) + len(r.updated) == 12 - len(orphans)


def test_kill_while_removing_an_article(tmp_path: Path) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "d"
    write_corpus(corpus, 6)
    assert cli("ingest", str(corpus), "--quiet", data=data).returncode == 0
    (corpus / "a0002.txt").unlink()
    proc = cli("ingest", str(corpus), "--quiet", data=data, DOSSIER_FAULT="article-removed")
    assert proc.returncode == KILLED
    assert _orphans(data) == {"a0002.txt"}
    d = _dossier(data)
    assert _consistent(d)["articles"] == 5
    assert all(p.file != "a0002.txt" for p in d.search("report 2 summit", k=50))


@pytest.mark.parametrize("boundary", ["chunks-written:3", "rebuild-built"])
def test_a_rebuild_that_dies_leaves_the_old_index_whole(tmp_path: Path, boundary: str) -> None:
    """Finding 4: kill -9 during `--rebuild` left a fraction of the articles, unmarked."""
    old, new, data = tmp_path / "old", tmp_path / "new", tmp_path / "d"
    write_corpus(old, 20, topic="summit")
    write_corpus(new, 8, topic="harvest")
    assert cli("ingest", str(old), "--quiet", data=data).returncode == 0
    before = _consistent(_dossier(data))
    proc = cli(
        "ingest", str(new), "--rebuild", "--quiet", data=data,
        DOSSIER_INDEX__BATCH_CHUNKS="2", DOSSIER_FAULT=boundary,
    )  # fmt: skip
    assert proc.returncode == KILLED, proc.stderr[-2000:]
    d = _dossier(data)
    assert _consistent(d) == before, "the old index is whole"
    assert d.search("summit", k=3) and not d.search("harvest", k=3, mode="bm25")
    status = cli_json("status", data=data)
    assert status["articles"] == 20
    # The next rebuild completes, and drops what the dead one left.
    assert len(d.ingest(new, rebuild=True).added) == 8
    assert _consistent(d)["articles"] == 8
    names = {c.name for c in d.client.list_collections()}
    assert len(names) == 3, names  # the pointer, the chunks and the articles


def test_a_rebuild_killed_after_switching_is_complete(tmp_path: Path) -> None:
    old, new, data = tmp_path / "old", tmp_path / "new", tmp_path / "d"
    write_corpus(old, 10)
    write_corpus(new, 4, topic="harvest")
    assert cli("ingest", str(old), "--quiet", data=data).returncode == 0
    proc = cli(
        "ingest", str(new), "--rebuild", "--quiet", data=data, DOSSIER_FAULT="rebuild-switched"
    )
    assert proc.returncode == KILLED
    d = _dossier(data)
    assert _consistent(d)["articles"] == 4
    assert {p.file for p in d.search("harvest", k=10)} <= {f"a{i:04d}.txt" for i in range(4)}
    assert d.ingest(new).unchanged and len({c.name for c in d.client.list_collections()}) == 3
