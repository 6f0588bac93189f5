"""`dossier brief [--topic ...] [--since ...] [--until ...] --out FILE.md|FILE.pdf [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rag.brief.render import to_markdown, write
from rag.cli.args import add_date_args
from rag.cli.progress import progress_bar
from rag.errors import UsageError
from rag.service import Dossier


def cmd_brief(args: argparse.Namespace) -> int:
    if not args.out and not args.json:
        raise UsageError("Give --out FILE.md|FILE.pdf, or --json to print the briefing.")
    if args.out and Path(args.out).suffix.lower() not in (".md", ".markdown", ".pdf"):
        raise UsageError(f"--out {args.out}: use a .md or a .pdf file name.")
    d = Dossier()
    update, close = progress_bar("brief")
    try:
        b = d.brief(
            topic=args.topic,
            since=args.since,
            until=args.until,
            progress=None if args.quiet or args.json else update,
            generator=None if args.generator == "auto" else args.generator,
            save=not args.no_save,
            vectors=args.vectors,
        )
    finally:
        close()
    pages = write(b, args.out) if args.out else 0
    if args.json:
        out: dict[str, Any] = b.to_json()
        if args.out:
            out["out"] = {"path": str(args.out), "pages": pages}
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for w in b.warnings:
        print(f"warning: {w}", file=sys.stderr)
    n_items = len(b.items)
    what = (
        f"{pages} page{'s' if pages != 1 else ''}"
        if args.out.lower().endswith(".pdf")
        else ("Markdown")
    )
    print(
        f"Wrote {args.out} ({what}): {n_items} items, {len(b.citations)} citations from "
        f"{len(b.articles)} articles in {b.seconds:.1f}s by {b.generator}."
    )
    if b.previous:
        print(
            f"  since {b.previous[:16].replace('T', ' ')}: {len(b.new_items)} new item(s), "
            f"{len(b.dropped)} dropped, {len(b.new_articles)} new article(s)."
        )
    if args.print:
        print(to_markdown(b))
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser("brief", help="a one-page briefing of the articles, every line cited")
    s.add_argument("--topic", help="brief only what retrieval finds for this topic")
    add_date_args(s)
    s.add_argument("--out", help="write the briefing to FILE.md (Markdown) or FILE.pdf")
    s.add_argument("--json", action="store_true", help="print the briefing as one JSON object")
    s.add_argument("--print", action="store_true", help="also print the Markdown")
    s.add_argument("--generator", choices=["auto", "extractive", "llm"], default="auto")
    s.add_argument(
        "--vectors",
        choices=["auto", "embed", "lexical"],
        default="auto",
        help="offline: sentence vectors from the embedder, TF-IDF, or embedder up to "
        "600 sentences and TF-IDF beyond (auto)",
    )
    s.add_argument(
        "--no-save",
        action="store_true",
        help="do not compare with or replace the scope's previous briefing",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_brief)
