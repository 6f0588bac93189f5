"""The pointer's log of recent writes: which articles each generation changed.

Each write that bumps the index's generation appends ``[previous generation, new generation,
files]`` (``files`` None when the write did not say, or named too many to keep); the last
``KEEP`` writes are kept, at most ``MAX_FILES`` files in all. A reader that saw generation ``g``
learns what changed since by following the chain from ``g`` to now — one small metadata read
instead of reading every article record (seconds at tens of thousands of articles).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

KEEP = 32
MAX_FILES = 1000


def _entries(raw: Any) -> list[list[Any]]:
    try:
        log = json.loads(str(raw or "[]"))
    except ValueError:
        return []
    return [e for e in log if isinstance(e, list) and len(e) == 3] if isinstance(log, list) else []


def log_change(raw: Any, prev: int, gen: int, files: Iterable[str] | None) -> str:
    """The log ``raw`` (a JSON string, or None) with the write ``prev -> gen`` appended."""
    named = None if files is None else sorted(set(files))
    if named is not None and len(named) > MAX_FILES:
        named = None
    log = [*_entries(raw), [prev, gen, named]]
    kept: list[list[Any]] = []
    total = 0
    for entry in reversed(log):
        n = len(entry[2]) if entry[2] is not None else 0
        if len(kept) >= KEEP or total + n > MAX_FILES:
            break
        kept.append(entry)
        total += n
    return json.dumps(kept[::-1], separators=(",", ":"))


def changed_between(raw: Any, since: int, now: int) -> set[str] | None:
    """The files changed from generation ``since`` to ``now`` by the log ``raw``; None when the
    log does not link them (too old, or a write of unknown files in between)."""
    if since == now:
        return set()
    step = {int(p): (int(g), f) for p, g, f in _entries(raw)}
    out: set[str] = set()
    cur = since
    for _ in range(len(step)):
        got = step.get(cur)
        if got is None or got[1] is None:
            return None
        cur = got[0]
        out.update(str(f) for f in got[1])
        if cur == now:
            return out
    return None
