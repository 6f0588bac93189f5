"""Arguments several verbs share, validated when they are parsed: a bad date stops the command
with a usage message before anything is loaded."""

from __future__ import annotations

import argparse

from index.dates import BadDateError, date_bound
from rag.records import Filters


def date_arg(value: str) -> str:
    """An argparse ``type`` for ``--since``/``--until``: the value as given, once readable."""
    try:
        date_bound(value, end=False)
    except BadDateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def add_date_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--since", type=date_arg, help="only articles published on or after this date (YYYY-MM-DD)"
    )
    p.add_argument(
        "--until", type=date_arg, help="only articles published on or before this date (YYYY-MM-DD)"
    )


def add_filter_args(p: argparse.ArgumentParser) -> None:
    add_date_args(p)
    p.add_argument("--outlet", action="append", help="only this outlet (repeatable)")
    p.add_argument("--file", action="append", help="only this file (repeatable)")


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(
        since=args.since,
        until=args.until,
        outlets=tuple(args.outlet or ()),
        files=tuple(args.file or ()),
    )
