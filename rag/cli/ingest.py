"""`dossier ingest PATH` and `dossier status`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rag.cli.args import emit
from rag.cli.progress import progress_bar
from rag.service import Dossier


def cmd_ingest(args: argparse.Namespace) -> int:
    d = Dossier()
    update, close = progress_bar("ingest")
    try:
        report = d.ingest(
            Path(args.path), progress=None if args.quiet else update, rebuild=args.rebuild
        )
    finally:
        close()
    if args.json:
        emit(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        emit(
            f"Indexed {args.path}: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
            f"{len(report.skipped)} skipped — {report.chunks_written} chunks written "
            f"in {report.seconds:.1f}s."
        )
        for f, of in report.duplicates:
            emit(f"  duplicate  {f}  (same text as {of}; not embedded twice)")
        for f, w in report.warnings:
            emit(f"  warning    {f}: {w}")
        for s in report.skipped:
            emit(f"  skipped    {s.file}: {s.reason}")
        for f in report.repaired:
            emit(f"  repaired   {f}: left half written by an ingest that died")
        if report.ignored:
            emit(f"  ({len(report.ignored)} file(s) of other types ignored; --json lists them)")
    return 1 if report.failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    if args.file:
        return _status_file(args)
    st = Dossier().status()
    if args.json:
        emit(json.dumps(st, ensure_ascii=False))
        return 0
    emit(f"{st['articles']} articles, {st['chunks']} chunks")
    for k, v in st["settings"].items():
        emit(f"  {k:13} {v}")
    for f in st["files"]:
        dup = f"  (duplicate of {f['duplicate_of']})" if f["duplicate_of"] else ""
        emit(
            f"  {f['file']:40} {f['published'] or 'date unknown':26} "
            f"{f['outlet'] or 'outlet unknown':16} {f['chunks']:3} chunks  {f['title']}{dup}"
        )
    return 0


def _status_file(args: argparse.Namespace) -> int:
    """One article: what cleaning removed from its raw text, line by line, and by which rule."""
    d = Dossier()
    removed, restored = d.removed_lines(args.file), d.restored_lines(args.file)
    if args.json:
        out = {"file": args.file, "removed": removed, "restored": restored}
        emit(json.dumps(out, ensure_ascii=False))
        return 0
    emit(f"{args.file}: {len(removed)} line(s) removed by cleaning")
    for r in removed:
        emit(f"  line {r['line']:4} [{r['rule']}] {r['text']}")
    for r in restored:
        emit(f"  line {r['line']:4} [restored by you] {r['text']}")
    if removed:
        emit(f"  (put one back: dossier restore {args.file} LINE)")
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser("ingest", help="index a folder (or file) of articles, incrementally")
    s.add_argument("path")
    s.add_argument("--json", action="store_true", help="print the report as one JSON object")
    s.add_argument(
        "--rebuild",
        action="store_true",
        help="build the index anew (the old one answers until the new one is complete)",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("status", help="what is indexed, and which settings are in force")
    s.add_argument("--json", action="store_true")
    s.add_argument("--file", help="one article: the lines cleaning removed and the rule for each")
    s.set_defaults(func=cmd_status)
