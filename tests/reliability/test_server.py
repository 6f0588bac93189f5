"""Finding 9, against a real `chroma run`: a server that stops mid-session is exit 6 with the fix
in the message (never a transport traceback), and one server collection has one writer, whatever
data dir each client uses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from index.ingest import IngestBusyError
from index.store import StoreUnavailableError
from rag.config import Settings
from rag.errors import exit_code_for
from rag.service import Dossier
from tests.reliability.helpers import REPO, chroma_server, cli, cli_env, write_corpus

pytestmark = pytest.mark.slow


def _server_dossier(data: Path, url: str) -> Dossier:
    settings = Settings(data_dir=data, chroma_url=url, index={"embedder": "fake"})  # type: ignore[arg-type]
    return Dossier(settings, embedder=FakeEmbedder())


def test_a_server_stopped_mid_session_is_exit_6_with_the_fix(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4)
    with chroma_server(tmp_path / "server") as server:
        d = _server_dossier(tmp_path / "a", server.url)
        d.ingest(corpus)
        assert d.search("officials met", k=3)
        server.stop()
        for call in (
            lambda: d.search("officials met", k=3),
            lambda: d.search("officials met", k=3, mode="vector"),
            d.status,
            lambda: d.ask("Where did officials meet?"),
            lambda: d.ingest(corpus),
        ):
            with pytest.raises(StoreUnavailableError) as err:
                call()
            assert exit_code_for(err.value) == 6
            assert "chroma run" in str(err.value) and server.url in str(err.value)


def test_one_writer_per_server_collection_across_data_dirs(tmp_path: Path) -> None:
    corpus, other = tmp_path / "corpus", tmp_path / "other"
    write_corpus(corpus, 12)
    write_corpus(other, 3, topic="harvest", start=50)
    with chroma_server(tmp_path / "server") as server:
        # An ingest from data dir A, frozen mid-write with its locks held (SIGSTOP at a write
        # boundary, through the fault hook).
        writer = subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--quiet"],
            env=cli_env(
                tmp_path / "a",
                DOSSIER_CHROMA_URL=server.url,
                DOSSIER_INDEX__BATCH_CHUNKS="3",
                DOSSIER_FAULT="chunks-written:2:stop",
            ),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_stopped(writer)
            b = _server_dossier(tmp_path / "b", server.url)
            with pytest.raises(IngestBusyError, match="Another ingest"):
                b.ingest(other, rebuild=True)
            with pytest.raises(IngestBusyError):
                b.ingest(other)
            proc = cli("ingest", str(other), "--rebuild", data=tmp_path / "c",
                       DOSSIER_CHROMA_URL=server.url)  # fmt: skip
            assert proc.returncode == 7, proc.stderr[-2000:]
        finally:
            os.kill(writer.pid, signal.SIGCONT)
        assert writer.wait(timeout=120) == 0, writer.stderr.read() if writer.stderr else ""
        assert _server_dossier(tmp_path / "b", server.url).status()["articles"] == 12

        # A holder killed outright leaves its lock behind: taken over once its process is gone.
        (corpus / "a0003.txt").unlink()
        proc = cli("ingest", str(corpus), data=tmp_path / "a", DOSSIER_CHROMA_URL=server.url,
                   DOSSIER_FAULT="article-removed")  # fmt: skip
        assert proc.returncode == -signal.SIGKILL
        b = _server_dossier(tmp_path / "b", server.url)
        assert len(b.ingest(other, rebuild=True).added) == 3
        assert b.status()["articles"] == 3


def _wait_stopped(proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the writer ended (exit {proc.returncode}) instead of stopping")
        with open(f"/proc/{proc.pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "T":
                return
        time.sleep(0.2)
    pytest.fail("the writer never reached its write boundary")
