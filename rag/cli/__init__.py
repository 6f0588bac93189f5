"""`dossier` — the command line. Shapes under "Interfaces others rely on" are a contract."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.errors import exit_code_for


def progress_bar(desc: str) -> tuple[Callable[[int, int, str], None], Callable[[], None]]:
    """A tqdm bar on stderr (plain lines when stderr is not a terminal)."""
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int, current: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(
                total=total,
                desc=desc,
                unit="file",
                file=sys.stderr,
                dynamic_ncols=True,
                mininterval=0.2,
            )
        b = bar["bar"]
        b.total = total
        b.n = done
        b.set_postfix_str(current[-40:], refresh=False)
        b.refresh()

    def close() -> None:
        if "bar" in bar:
            bar["bar"].close()

    return update, close


def _dossier() -> Any:
    from rag.service import Dossier

    return Dossier()


def cmd_ingest(args: argparse.Namespace) -> int:
    d = _dossier()
    update, close = progress_bar("ingest")
    try:
        report = d.ingest(
            Path(args.path), progress=None if args.quiet else update, rebuild=args.rebuild
        )
    finally:
        close()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(
            f"Indexed {args.path}: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
            f"{len(report.skipped)} skipped — {report.chunks_written} chunks written "
            f"in {report.seconds:.1f}s."
        )
        for f, of in report.duplicates:
            print(f"  duplicate  {f}  (same text as {of}; not embedded twice)")
        for f, w in report.warnings:
            print(f"  warning    {f}: {w}")
        for s in report.skipped:
            print(f"  skipped    {s.file}: {s.reason}")
    return 1 if report.failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    st = _dossier().status()
    if args.json:
        print(json.dumps(st, ensure_ascii=False))
        return 0
    print(f"{st['articles']} articles, {st['chunks']} chunks")
    for k, v in st["settings"].items():
        print(f"  {k:13} {v}")
    for f in st["files"]:
        dup = f"  (duplicate of {f['duplicate_of']})" if f["duplicate_of"] else ""
        print(
            f"  {f['file']:40} {f['published'] or 'date unknown':26} "
            f"{f['outlet'] or 'outlet unknown':16} {f['chunks']:3} chunks  {f['title']}{dup}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dossier",
        description="Ask questions of a folder of news articles; every sentence cited.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="index a folder (or file) of articles, incrementally")
    s.add_argument("path")
    s.add_argument("--json", action="store_true", help="print the report as one JSON object")
    s.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("status", help="what is indexed, and which settings are in force")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    _extend(sub)
    return p


def _extend(sub: Any) -> None:
    """Commands of other modules. Packages above ``rag`` (``evals``) plug in through the
    ``dossier.commands`` entry-point group, so ``rag`` never imports them."""
    from importlib.metadata import entry_points

    from rag.cli import ask as cli_ask
    from rag.cli import brief as cli_brief

    cli_ask.register(sub)
    cli_brief.register(sub)
    for ep in entry_points(group="dossier.commands"):
        ep.load()(sub)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        code = exit_code_for(exc)
        if code is None and not isinstance(exc, FileNotFoundError | ValueError):
            raise
        print(f"dossier: {exc}", file=sys.stderr)
        return code or 2

