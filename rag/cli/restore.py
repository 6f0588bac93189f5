"""`dossier restore FILE LINE…`: put back lines cleaning removed from an article (numbered as
`dossier status --file FILE` lists them), kept beside the index and re-indexed at once."""

from __future__ import annotations

import argparse
import json
from typing import Any

from index.restores import RestoreError
from rag.cli.args import emit
from rag.errors import UsageError
from rag.service import Dossier


def cmd_restore(args: argparse.Namespace) -> int:
    d = Dossier()
    try:
        done = d.restore(args.file, args.lines, undo=args.undo)
    except RestoreError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        emit(json.dumps(done, ensure_ascii=False))
        return 0
    verb = "let cleaning remove again" if args.undo else "restored"
    emit(
        f"{args.file}: {verb} line(s) {', '.join(map(str, sorted(set(args.lines))))}; "
        f"{'re-indexed' if done['reindexed'] else 'index unchanged'}."
    )
    for r in d.restored_lines(args.file):
        emit(f"  restored line {r['line']:4} {r['text']}")
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser(
        "restore",
        help="put back lines cleaning removed from an article (see `status --file`)",
    )
    s.add_argument("file", help="the article, as `dossier status` names it")
    s.add_argument("lines", nargs="+", type=int, metavar="LINE", help="line numbers to restore")
    s.add_argument("--undo", action="store_true", help="let cleaning remove these lines again")
    s.add_argument("--json", action="store_true", help="print the result as one JSON object")
    s.set_defaults(func=cmd_restore)
