"""Findings 2 and 3: nothing is read from outside the folder given, and a folder that cannot be
read is an error (or a reported skip) that removes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from index.ingest import IngestPathError
from rag.service import Dossier
from tests.conftest import make_settings
from tests.reliability.helpers import cli_unprivileged, shared_tmp, stdout_json, write_corpus

SECRET = "Zebraquokka Xylophant, the password is hunter2."


def _secret_article(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Secret memo\n\n{SECRET} " * 5)
    return path


def _stored_text(d: Dossier) -> str:
    store = d.store()
    texts = [t for _, t, _ in store.iter_chunks()]
    texts += [store.article(f)[0] for f in store.article_states()]  # type: ignore[index]
    return "\n".join(texts)


def test_links_out_of_the_folder_are_reported_not_read(tmp_path: Path, sample_copy: Path) -> None:
    """Finding 2: a link to /etc/passwd (here: a secret file outside) was indexed."""
    outside = tmp_path / "outside"
    secret = _secret_article(outside / "secret.txt")
    _secret_article(outside / "dir" / "more.txt")
    (sample_copy / "passwd.txt").symlink_to(secret)
    (sample_copy / "etc").symlink_to(outside / "dir")
    (sample_copy / "sub").mkdir()
    (sample_copy / "sub" / "up.txt").symlink_to(Path("..") / ".." / "outside" / "secret.txt")
    d = Dossier(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    r = d.ingest(sample_copy)
    reasons = {s.file: s.reason for s in r.skipped}
    for name in ("passwd.txt", "etc", "sub/up.txt"):
        assert "outside the folder" in reasons[name], reasons
    assert len(r.added) == 5
    assert "Zebraquokka" not in _stored_text(d)
    assert not [
        p
        for p in d.search("Zebraquokka Xylophant password hunter2", k=10)
        if "Zebraquokka" in p.text
    ]
    assert r.failed, "a refused link is reported (exit 1)"


def test_links_inside_the_folder_are_followed_once(tmp_path: Path, sample_copy: Path) -> None:
    (sample_copy / "again.txt").symlink_to(sample_copy / "000_d455daceb9b8e86e.txt")
    (sample_copy / "loop").symlink_to(sample_copy)  # a link loop: walked once, not forever
    (sample_copy / "gone.txt").symlink_to(tmp_path / "nothing-here.txt")
    d = Dossier(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    r = d.ingest(sample_copy)
    assert "again.txt" in r.added
    assert ("again.txt", "000_d455daceb9b8e86e.txt") in r.duplicates
    assert {s.file: s.reason for s in r.skipped} == {"gone.txt": "broken link"}
    assert not any(f.startswith("loop/") for f in r.added)


def test_special_files_are_reported_never_opened(tmp_path: Path, sample_copy: Path) -> None:
    """A FIFO named x.txt would block a reader forever: it is reported from its type."""
    from index.walk import walk  # (today's ingest would block on the FIFO: test the walk)

    os.mkfifo(sample_copy / "pipe.txt")
    found = walk(sample_copy)
    assert [(p.rel, p.reason) for p in found.skipped] == [
        ("pipe.txt", "not a regular file (a FIFO)")
    ]
    with pytest.raises(IngestPathError, match="character device"):
        Dossier(make_settings(tmp_path / "data"), embedder=FakeEmbedder()).ingest(Path("/dev/null"))


def test_an_unreadable_subfolder_is_reported_and_keeps_its_articles(
    tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 3, with the failure injected (works as root too)."""
    sub = sample_copy / "sub"
    write_corpus(sub, 3)
    d = Dossier(make_settings(tmp_path / "data"), embedder=FakeEmbedder())
    assert len(d.ingest(sample_copy).added) == 8
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path) == sub or (Path(path) == sample_copy and deny_root):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    deny_root = False
    monkeypatch.setattr("index.walk.os.scandir", scandir)
    r = d.ingest(sample_copy)
    assert r.removed == [] and d.status()["articles"] == 8
    assert {s.file: s.reason for s in r.skipped} == {"sub/": "unreadable folder: permission denied"}
    deny_root = True
    with pytest.raises(IngestPathError, match="nothing in the index was changed"):
        d.ingest(sample_copy)
    assert d.status()["articles"] == 8


def test_chmod_000_as_an_unprivileged_user_removes_nothing() -> None:
    """Finding 3 for real: `chmod 000` on an ingested folder, as a user without root's override,
    made ingest remove all its articles with exit 0."""
    with shared_tmp() as base:
        src, data = base / "src", base / "data"
        write_corpus(src, 3)
        write_corpus(src / "sub", 2, start=10)
        never = base / "never"
        never.mkdir()
        write_corpus(never, 1)
        for p in [src, *src.rglob("*"), never, *never.rglob("*")]:
            p.chmod(0o777 if p.is_dir() else 0o666)
        first = cli_unprivileged("ingest", str(src), "--json", "--quiet", data=data)
        assert first.returncode == 0, first.stderr[-2000:]

        (src / "sub").chmod(0)
        proc = cli_unprivileged("ingest", str(src), "--json", "--quiet", data=data)
        out = stdout_json(proc)
        assert out["removed"] == 0 and out["unchanged"] == 3, out
        denied = "unreadable folder: permission denied"
        assert out["skipped"] == [{"file": "sub/", "reason": denied}]
        assert proc.returncode == 1

        src.chmod(0)
        proc = cli_unprivileged("ingest", str(src), "--json", "--quiet", data=data)
        assert proc.returncode == 2, (proc.stdout, proc.stderr[-2000:])
        assert "permission denied" in proc.stderr and "Traceback" not in proc.stderr
        never.chmod(0)
        proc = cli_unprivileged("ingest", str(never), "--json", "--quiet", data=data)
        assert proc.returncode == 2 and "permission denied" in proc.stderr

        src.chmod(0o777)
        (src / "sub").chmod(0o777)
        status = cli_unprivileged("status", "--json", data=data)
        assert stdout_json(status)["articles"] == 5, "nothing was removed"
