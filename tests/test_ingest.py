"""Ingestion end to end with the fake embedder: incremental runs, bad inputs, identity checks,
kill -9 mid-ingest and resume, and server mode against a real `chroma run`."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from index.store import IndexMismatchError, IndexMissingError
from rag.config import Settings
from rag.service import Dossier
from tests.conftest import make_settings
from tests.reliability.helpers import chroma_server as start_chroma


def test_first_ingest_indexes_sample_with_metadata(
    fake_dossier: Dossier, sample_copy: Path
) -> None:
    report = fake_dossier.ingest(sample_copy)
    assert sorted(report.added) == sorted(p.name for p in sample_copy.glob("*.txt"))
    assert not report.skipped and not report.failed
    status = fake_dossier.status()
    assert status["articles"] == 5 and status["chunks"] >= 5
    by_file = {f["file"]: f for f in status["files"]}
    assert by_file["002_f0b6f554ee90a507.txt"]["outlet"] == "Newsmax"
    assert by_file["002_f0b6f554ee90a507.txt"]["published"].startswith("2023-09-14")
    assert by_file["000_d455daceb9b8e86e.txt"]["published"] is None
    # Stored text is the cleaned article; every chunk is an exact span of it.
    store = fake_dossier.store()
    for cid, text, meta in store.iter_chunks():
        article_text, _ = store.article(str(meta["file"]))  # type: ignore[misc]
        assert article_text[int(meta["start"]) : int(meta["end"])] == text, cid
    text, _ = store.article("003_8774ab1c0d056285.txt")  # type: ignore[misc]
    assert "WATCH TV LIVE" not in text and "Click Here to comment" not in text
    assert "The visit is being prepared." in text
    # The byline or bio the author was read from stays in the stored text, to be cited.
    bio, meta = store.article("000_d455daceb9b8e86e.txt")  # type: ignore[misc]
    assert meta["author"] == "Ben Whedon"
    assert "Ben Whedon is an editor and reporter for Just the News." in bio
    byline, _ = store.article("001_8d517ec488ed0d82.txt")  # type: ignore[misc]
    assert "Written by Henrik Rothen" in byline


def test_rerun_embeds_nothing_and_tracks_changes(tmp_path: Path, sample_copy: Path) -> None:
    emb = FakeEmbedder()
    d = Dossier(make_settings(tmp_path / "data"), embedder=emb)
    d.ingest(sample_copy)
    embedded = emb.texts_embedded

    again = d.ingest(sample_copy)
    assert len(again.unchanged) == 5 and not again.added and not again.updated
    assert emb.texts_embedded == embedded, "an unchanged re-run must embed nothing"

    # touch without changing content: still unchanged (hash check), nothing embedded
    f = sample_copy / "000_d455daceb9b8e86e.txt"
    os.utime(f, (time.time() + 5, time.time() + 5))
    assert len(d.ingest(sample_copy).unchanged) == 5
    assert emb.texts_embedded == embedded

    # change one file, remove another, add a duplicate under a new name
    f.write_text(
        f.read_text() + "\nA new closing paragraph about the Kremlin and Pyongyang talks.\n"
    )
    (sample_copy / "004_89bc57a796e3b746.txt").unlink()
    shutil.copy(sample_copy / "001_8d517ec488ed0d82.txt", sample_copy / "copy_of_001.txt")
    r = d.ingest(sample_copy)
    assert r.updated == ["000_d455daceb9b8e86e.txt"]
    assert r.removed == ["004_89bc57a796e3b746.txt"]
    assert r.added == ["copy_of_001.txt"]
    assert r.duplicates == [("copy_of_001.txt", "001_8d517ec488ed0d82.txt")]
    store = d.store()
    files = {m["file"] for _, _, m in store.iter_chunks()}
    assert "004_89bc57a796e3b746.txt" not in files
    assert "copy_of_001.txt" not in files, "a duplicate is recorded, not embedded twice"
    text, _ = store.article("000_d455daceb9b8e86e.txt")  # type: ignore[misc]
    assert "new closing paragraph" in text
    hits = d.search("closing paragraph Kremlin Pyongyang talks", k=3)
    assert hits[0].file == "000_d455daceb9b8e86e.txt"

    # removing the original makes the duplicate stand on its own
    (sample_copy / "001_8d517ec488ed0d82.txt").unlink()
    r = d.ingest(sample_copy)
    assert r.removed == ["001_8d517ec488ed0d82.txt"] and r.updated == ["copy_of_001.txt"]
    assert any(m["file"] == "copy_of_001.txt" for _, _, m in store.iter_chunks())


def test_bad_inputs_are_reported_and_the_rest_indexed(tmp_path: Path, sample_copy: Path) -> None:
    bad = sample_copy
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 200)
    (bad / "truncated.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n")
    with open(bad / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    (bad / "chrome_only.html").write_text(
        "<html><body><nav>Home | World</nav><p>Trending Now</p><p>Share</p></body></html>"
    )
    body = "Kremlin spokesman Dmitry Peskov said the talks in Pyongyang went well. " * 3
    (bad / "latin1.txt").write_bytes(("Headline caf\xe9\n\n" + body).encode("latin-1"))
    d = Dossier(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    r = d.ingest(bad)
    reasons = {s.file: s.reason for s in r.skipped}
    assert set(reasons) == {
        "empty.txt",
        "binary.txt",
        "truncated.pdf",
        "huge.txt",
        "chrome_only.html",
    }
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "PDF" in reasons["truncated.pdf"]
    assert "large" in reasons["huge.txt"]
    assert "no article text" in reasons["chrome_only.html"]
    assert "latin1.txt" in r.added
    assert any(f == "latin1.txt" for f, _ in r.warnings), "invalid UTF-8 is decoded and said so"
    assert len(r.added) == 6 and r.failed


def test_a_page_of_chrome_alone_is_indexed_by_its_declared_headline(
    tmp_path: Path, fake_dossier: Dossier
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    chrome = "Trending Now\n\nShare\n\nSubscribe to our newsletter\n"
    (folder / "sprite.md").write_text(
        '---\ntitle: "Sprite will no longer be sold in green bottles - CNN"\n'
        'outlet: "CNN"\ndate: "2022-07-27"\n---\n\n' + chrome
    )
    (folder / "untitled.md").write_text('---\noutlet: "CNN"\n---\n\n' + chrome)
    (folder / "walmart.html").write_text(
        "<html><head><title>Walmart is slashing prices on clothing</title></head>"
        "<body><nav>Home | World</nav><p>Share</p></body></html>"
    )
    r = fake_dossier.ingest(folder)
    assert sorted(r.added) == ["sprite.md", "walmart.html"]
    assert [s.file for s in r.skipped] == ["untitled.md"], "no headline declared: nothing to index"
    assert {f for f, w in r.warnings if "headline" in w} == {"sprite.md", "walmart.html"}
    got = fake_dossier.article("sprite.md")
    assert got is not None
    text, meta = got
    assert text == "Sprite will no longer be sold in green bottles"  # the outlet's name dropped
    assert meta["title"] == text and meta["outlet"] == "CNN"
    assert meta["headline_only"] is True  # the reader says why the article is one line
    hits = fake_dossier.search("green bottles Sprite", k=3)
    assert hits and hits[0].file == "sprite.md" and hits[0].text == text
    again = fake_dossier.ingest(folder)
    assert not again.added and sorted(again.unchanged) == ["sprite.md", "walmart.html"]


def test_cli_ingest_json_contract_and_exit_code(tmp_path: Path, sample_copy: Path) -> None:
    (sample_copy / "empty.md").write_text("   \n")
    env = {**os.environ, "DOSSIER_DATA_DIR": str(tmp_path / "d"), "DOSSIER_INDEX__EMBEDDER": "fake"}
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", str(sample_copy), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    out = json.loads(proc.stdout)
    assert {"added", "updated", "unchanged", "removed", "skipped"} <= set(out)
    assert out["added"] == 5 and out["skipped"] == [{"file": "empty.md", "reason": "empty file"}]
    assert proc.returncode == 1, "exit code says something failed"
    (sample_copy / "empty.md").unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", str(sample_copy), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["unchanged"] == 5


def test_index_identity_is_checked(tmp_path: Path, sample_copy: Path) -> None:
    data = tmp_path / "data"
    Dossier(make_settings(data), embedder=FakeEmbedder()).ingest(sample_copy)
    other = Dossier(make_settings(data, chunk_tokens=100), embedder=FakeEmbedder())
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        other.search("Putin")
    with pytest.raises(IndexMismatchError):
        Dossier(make_settings(data), embedder=FakeEmbedder(dim=64)).status()
    rebuilt = other.ingest(sample_copy, rebuild=True)
    assert len(rebuilt.added) == 5
    assert other.search("Putin")


def test_reading_an_empty_data_dir_says_what_to_do(tmp_path: Path) -> None:
    d = Dossier(make_settings(tmp_path / "nothing"), embedder=FakeEmbedder())
    with pytest.raises(IndexMissingError, match="dossier ingest"):
        d.search("anything")


def test_two_data_dirs_are_independent(tmp_path: Path, sample_copy: Path) -> None:
    a = Dossier(make_settings(tmp_path / "a"), embedder=FakeEmbedder())
    b = Dossier(make_settings(tmp_path / "b"), embedder=FakeEmbedder())
    a.ingest(sample_copy)
    b.ingest(sample_copy / "000_d455daceb9b8e86e.txt")
    assert a.status()["articles"] == 5 and b.status()["articles"] == 1


def _make_corpus(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        (folder / f"a{i:04d}.txt").write_text(
            f"Report number {i} on the summit\n\n"
            + " ".join(
                f"Paragraph {j} of report {i} says officials met in city {i % 17}."
                for j in range(12)
            )
        )


def test_kill_9_mid_ingest_leaves_a_usable_index_and_resumes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    n = 600
    _make_corpus(corpus, n)
    env = {
        **os.environ,
        "DOSSIER_DATA_DIR": str(tmp_path / "d"),
        "DOSSIER_INDEX__EMBEDDER": "fake",
        "DOSSIER_INDEX__BATCH_CHUNKS": "4",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(corpus)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stderr is not None
    seen = b""
    deadline = time.time() + 120
    while time.time() < deadline:
        seen += os.read(proc.stderr.fileno(), 4096)
        done = [int(x) for x in re.findall(rb"(\d+)/%d" % n, seen)]
        if done and max(done) >= n // 4:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    d = Dossier(
        Settings(data_dir=tmp_path / "d", index={"embedder": "fake"}),  # type: ignore[arg-type]
        embedder=FakeEmbedder(),
    )
    partial = d.status()["articles"]
    assert 0 < partial < n, "the kill should land mid-ingest"
    assert d.search("officials met in city", k=3), "the partial index still answers"

    r = d.ingest(corpus)
    assert len(r.unchanged) + len(r.added) + len(r.updated) == n
    assert len(r.unchanged) >= partial - 1
    full = Dossier(make_settings(tmp_path / "fresh"), embedder=FakeEmbedder())
    full.ingest(corpus)
    assert d.status()["articles"] == n
    assert d.store().count_chunks() == full.store().count_chunks()


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    with start_chroma(tmp_path / "server-data") as server:
        yield server.url


@pytest.mark.slow
def test_server_mode_with_a_real_chroma_server(
    tmp_path: Path, sample_copy: Path, chroma_server: str
) -> None:
    settings = Settings(
        data_dir=tmp_path / "local", chroma_url=chroma_server, index={"embedder": "fake"}
    )  # type: ignore[arg-type]
    d = Dossier(settings, embedder=FakeEmbedder())
    r = d.ingest(sample_copy)
    assert len(r.added) == 5
    assert not (tmp_path / "local" / "chroma").exists(), "nothing stored locally in server mode"
    # A second client (another machine, say) sees the same index through the server.
    other = Dossier(settings, embedder=FakeEmbedder())
    assert other.status()["articles"] == 5
    hits = other.search("Shoigu visit Pyongyang", k=3)
    assert hits and hits[0].file in {"001_8d517ec488ed0d82.txt", "002_f0b6f554ee90a507.txt"}
    assert len(other.ingest(sample_copy).unchanged) == 5
