"""Arguments several verbs share, validated when they are parsed: a bad date, ``-k``, question or
``--queries`` file stops the command with a usage message before anything is loaded or answered;
and output that survives a closed pipe."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from typing import Any

from index.dates import BadDateError, date_bound
from rag.errors import UsageError
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


# ---- -k, questions, --queries files, output -------------------------------------------------

MAX_K = 100


def k_arg(value: str) -> int:
    """An argparse ``type`` for ``-k``: a whole number from 1 to :data:`MAX_K`."""
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_K}, not {k}")
    return k


def question_text(value: object, what: str = "the question") -> str:
    """``value`` as a question, or :class:`UsageError` when it is blank or not text."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{what} must be non-empty text, not {json.dumps(value)}")
    return value.strip()


def read_queries(path: str) -> list[tuple[Any, str]]:
    """The (id, question) pairs of a JSONL file (``-`` for stdin), validated in full before
    anything is answered: a bad line names itself and nothing is printed."""
    if path == "-":
        text = sys.stdin.read()
    else:
        try:
            mode = os.stat(path).st_mode
            if stat.S_ISDIR(mode):
                raise UsageError(f"{path} is a folder; give a JSONL file of questions")
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise UsageError(f"{path} is not a regular file; give a JSONL file of questions")
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise UsageError(f"No such file: {path}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not UTF-8 text") from None
        except OSError as exc:
            raise UsageError(f"Cannot read {path}: {exc.strerror or exc}") from None
    out: list[tuple[Any, str]] = []
    errors: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            errors.append(f"line {n} is not JSON ({exc})")
            continue
        if not isinstance(obj, dict) or "question" not in obj:
            errors.append(f"line {n}: expected a JSON object with 'id' and 'question'")
            continue
        try:
            out.append((obj.get("id", n), question_text(obj["question"], f"line {n}: 'question'")))
        except UsageError as exc:
            errors.append(str(exc))
    if errors:
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise UsageError(f"{path}: " + "; ".join(errors[:3]) + more + "; nothing was answered.")
    return out


def emit(text: str) -> None:
    """Print ``text`` and flush; when the reader has gone (``| head``), end quietly with the
    shell's status for a closed pipe rather than a traceback."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(141) from None
