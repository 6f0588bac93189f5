"""`dossier` — the command line, one module per verb. Shapes under "Interfaces others rely on"
in DESIGN are a contract.

Only Dossier's own errors (``rag.errors.exit_code_for``) become one line on stderr and an exit
code; anything else is a bug and surfaces as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from rag.cli import ask, brief, ingest, restore, watch
from rag.errors import exit_code_for


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dossier",
        description="Ask questions of a folder of news articles; every sentence cited.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    ingest.register(sub)
    ask.register(sub)
    brief.register(sub)
    watch.register(sub)
    restore.register(sub)
    # Packages above ``rag`` (``evals``) plug in through the ``dossier.commands`` entry-point
    # group, so ``rag`` never imports them.
    for ep in entry_points(group="dossier.commands"):
        ep.load()(sub)
    return p


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
        if code is None:
            raise
        print(f"dossier: {exc}", file=sys.stderr)
        return code
