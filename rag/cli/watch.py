"""`dossier watch PATH`: keep the index in step with a folder as files change.

The folder is ingested once, then watched (the ``watchfiles`` library: native file-system events,
changes debounced into batches); each batch of changes to supported files re-runs the
incremental ingest, which re-indexes what changed, adds what is new and removes what is gone,
and prints one line per changed file. The app runs the same loop in a thread
(:func:`watch_folder`).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from index.ingest import IngestBusyError, IngestReport
from index.load import SUPPORTED_SUFFIXES
from rag.service import Dossier

Say = Callable[[str], None]


def relevant(path: str) -> bool:
    """A change worth re-indexing: a supported article file, not hidden, not a temp file."""
    p = Path(path)
    if any(part.startswith(".") for part in p.parts[-1:]):
        return False
    return p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.endswith(("~", ".part", ".tmp"))


def change_lines(report: IngestReport, when: datetime | None = None) -> list[str]:
    """One line per file the ingest changed: ``HH:MM:SS  added    file``."""
    stamp = (when or datetime.now()).strftime("%H:%M:%S")
    lines = [f"{stamp}  {kind:8} {f}" for kind, files in _kinds(report) for f in files]
    lines += [f"{stamp}  skipped  {s.file}: {s.reason}" for s in report.skipped]
    return lines


def _kinds(report: IngestReport) -> Iterable[tuple[str, list[str]]]:
    return (("added", report.added), ("updated", report.updated), ("removed", report.removed))


def ingest_when_free(
    d: Dossier, path: Path, stop: threading.Event | None = None, wait_s: float = 60.0
) -> IngestReport | None:
    """Ingest ``path``, waiting while another ingest holds the index; None when stopped or
    still busy after ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return d.ingest(path)
        except IngestBusyError:
            if time.monotonic() > deadline or (stop is not None and stop.wait(0.25)):
                return None
            if stop is None:
                time.sleep(0.25)


def watch_folder(
    d: Dossier,
    path: Path,
    say: Say = print,
    stop: threading.Event | None = None,
    debounce_ms: int = 300,
    initial: bool = True,
) -> None:
    """Ingest ``path`` (when ``initial``), then re-ingest on every batch of relevant changes
    until ``stop`` is set; ``say`` gets one line per changed file."""
    import watchfiles

    path = path.resolve()
    if initial:
        report = ingest_when_free(d, path, stop)
        if report is not None:
            for line in change_lines(report):
                say(line)
    for changes in watchfiles.watch(
        path,
        watch_filter=lambda _change, p: relevant(p),
        debounce=debounce_ms,
        step=50,
        stop_event=stop,
        raise_interrupt=False,
    ):
        if not changes:
            continue
        report = ingest_when_free(d, path, stop)
        if report is None:
            continue
        for line in change_lines(report):
            say(line)


def cmd_watch(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.is_dir():
        print(f"dossier: not a folder: {path}", file=sys.stderr)
        return 2
    d = Dossier()

    def say(line: str) -> None:
        print(line, flush=True)

    say(f"watching {path} — one line per change; Ctrl-C to stop")
    watch_folder(d, path, say, debounce_ms=args.debounce_ms, initial=not args.no_initial)
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser("watch", help="re-index a folder as its files change")
    s.add_argument("path")
    s.add_argument(
        "--debounce-ms",
        type=int,
        default=300,
        help="changes within this many milliseconds are indexed together (default 300)",
    )
    s.add_argument(
        "--no-initial", action="store_true", help="do not ingest the folder before watching"
    )
    s.set_defaults(func=cmd_watch)
