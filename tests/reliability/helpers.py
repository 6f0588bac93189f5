"""Helpers of the reliability suite: the CLI in a child process (optionally stopped or killed at
a write boundary through ``DOSSIER_FAULT``, see ``index.faults``, or run as an unprivileged user),
a real ``chroma run`` server on a free loopback port, and small corpora."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534


def cli_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(
        {
            "DOSSIER_DATA_DIR": str(data),
            "DOSSIER_INDEX__EMBEDDER": "fake",
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": str(REPO),
        }
    )
    env.update(extra)
    return env


def cli(
    *args: str, data: Path, timeout: float = 180, **extra: str
) -> subprocess.CompletedProcess[str]:
    """``dossier ARGS`` in a child process against the index in ``data`` (fake embedder)."""
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        env=cli_env(data, **extra),
        cwd=REPO,
        timeout=timeout,
    )


def stdout_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The one JSON object a command printed (the test fails with its stderr if none)."""
    assert proc.stdout.strip(), proc.stderr[-3000:]
    return dict(json.loads(proc.stdout))


def cli_json(*args: str, data: Path, **extra: str) -> dict[str, Any]:
    proc = cli(*args, "--json", data=data, **extra)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return stdout_json(proc)


_AS_NOBODY = """
import os, sys
import chromadb, chromadb.api.rust, chromadb.api.client  # noqa: F401 - loaded while readable
import rag.cli, rag.cli.ingest, rag.service, index.ingest, index.store, index.embed  # noqa: F401
import llama_index.core.node_parser  # noqa: F401 - chunking imports it on first use
from index.embed import make_embedder
make_embedder("fake")
os.setgid(NOBODY)
os.setuid(NOBODY)
sys.exit(rag.cli.main(sys.argv[1:]))
""".replace("NOBODY", str(NOBODY))


def cli_unprivileged(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    """``dossier ARGS`` as a user without root's override of file permissions: as root, the
    child loads its modules (the interpreter may live under /root), then drops to ``nobody``."""
    if os.geteuid() != 0:
        return cli(*args, data=data)
    return subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, *args],
        capture_output=True,
        text=True,
        env=cli_env(data),
        cwd=REPO,
        timeout=180,
    )


@contextmanager
def shared_tmp() -> Iterator[Path]:
    """A folder an unprivileged child can use (pytest's tmp_path is private to its owner)."""
    path = Path(tempfile.mkdtemp(prefix="dossier-rel-"))
    path.chmod(0o777)
    try:
        yield path
    finally:
        for p in [path, *path.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o777)
        shutil.rmtree(path, ignore_errors=True)


def write_corpus(folder: Path, n: int, topic: str = "summit", start: int = 0) -> list[str]:
    """``n`` small distinct articles ``a0000.txt``…; their names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(start, start + n):
        name = f"a{i:04d}.txt"
        (folder / name).write_text(
            f"Report number {i} on the {topic}\n\n"
            + " ".join(
                f"Paragraph {j} of report {i} says officials met in city {i % 17} about the "
                f"{topic}."
                for j in range(12)
            )
        )
        names.append(name)
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """A real ``chroma run`` on 127.0.0.1 (stop it to see how clients cope)."""

    def __init__(self, path: Path) -> None:
        exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        if not Path(exe).exists():
            pytest.skip("the `chroma` CLI is not installed")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = path / "chroma.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [exe, "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(path)],
            stdout=self._log,
            stderr=self._log,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None:
                    pytest.fail(f"chroma run exited: {self.log_path.read_text()[-2000:]}")
                time.sleep(0.3)
        self.stop()
        pytest.fail("chroma server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


@contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    path.mkdir(parents=True, exist_ok=True)
    server = ChromaServer(path)
    try:
        yield server
    finally:
        server.stop()
