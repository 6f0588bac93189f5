"""`dossier watch`: re-indexing a folder as files appear, change and go."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from index.ingest import IngestBusyError, IngestReport, Skipped, ingest_lock
from rag.cli import build_parser
from rag.cli.watch import change_lines, ingest_when_free, relevant, watch_folder
from rag.service import Dossier

BODY = "The harbour reopened on Friday after repairs, the port authority said. " * 6


@pytest.mark.parametrize(
    ("path", "want"),
    [
        ("/a/story.txt", True),
        ("/a/page.HTML", True),
        ("/a/.story.txt.swp", False),
        ("/a/.hidden.txt", False),
        ("/a/story.txt~", False),
        ("/a/x.part", False),
        ("/a/image.png", False),
    ],
)
def test_relevant_changes(path: str, want: bool) -> None:
    assert relevant(path) is want


def test_one_line_per_change() -> None:
    report = IngestReport(added=["a.txt"], updated=["b.txt"], removed=["c.txt"])
    report.skipped.append(Skipped("d.pdf", "no text"))
    lines = change_lines(report, datetime(2024, 6, 18, 9, 5, 7))
    assert lines == [
        "09:05:07  added    a.txt",
        "09:05:07  updated  b.txt",
        "09:05:07  removed  c.txt",
        "09:05:07  skipped  d.pdf: no text",
    ]
    assert change_lines(IngestReport()) == []


def test_parser_knows_watch() -> None:
    args = build_parser().parse_args(["watch", "some/dir", "--debounce-ms", "50"])
    assert args.path == "some/dir" and args.debounce_ms == 50 and callable(args.func)


def test_busy_index_is_waited_for_then_given_up(fake_dossier: Dossier, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    with ingest_lock(Path(fake_dossier.settings.data_dir)):
        assert ingest_when_free(fake_dossier, folder, wait_s=0.3) is None
        stop = threading.Event()
        stop.set()
        assert ingest_when_free(fake_dossier, folder, stop, wait_s=30) is None
    assert ingest_when_free(fake_dossier, folder) is not None
    assert issubclass(IngestBusyError, Exception)


def _wait_for(lines: list[str], text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in lines):
            return
        time.sleep(0.05)
    raise AssertionError(f"no line with {text!r} within {timeout} s: {lines}")


def test_watch_adds_updates_and_removes(fake_dossier: Dossier, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "first.txt").write_text("Harbour news\n\n" + BODY)
    lines: list[str] = []
    stop = threading.Event()
    worker = threading.Thread(
        target=watch_folder,
        args=(fake_dossier, folder, lines.append, stop),
        kwargs={"debounce_ms": 50},
        daemon=True,
    )
    worker.start()
    try:
        _wait_for(lines, "added    first.txt")
        t0 = time.monotonic()
        (folder / "second.txt").write_text("Port reopens\n\n" + BODY.replace("Friday", "Monday"))
        _wait_for(lines, "added    second.txt")
        assert time.monotonic() - t0 < 10
        (folder / "first.txt").write_text("Harbour news\n\n" + BODY + " A new paragraph. " * 5)
        _wait_for(lines, "updated  first.txt")
        (folder / "second.txt").unlink()
        _wait_for(lines, "removed  second.txt")
        (folder / "notes.png").write_bytes(b"\x89PNG")  # not an article: no ingest, no line
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()
    assert {f["file"] for f in fake_dossier.status()["files"]} == {"first.txt"}
