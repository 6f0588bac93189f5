"""Fault injection for crash tests: a process can be made to die at a named write boundary.

``DOSSIER_FAULT=NAME`` (or ``NAME:N``, the N-th time the boundary is passed, counting from 1)
makes :func:`point` kill the process with SIGKILL there — the same death as ``kill -9`` or a power
cut, with no ``finally`` blocks, no flushes and no lock releases, but at an exact place rather than
after a guessed delay. ``NAME:N:stop`` stops it there instead (SIGSTOP: frozen with its locks
held, until the test sends SIGCONT or SIGKILL). Unset (always, outside tests), :func:`point` costs
one dictionary lookup.

The boundaries (each named where it is passed):

* ``chunks-written`` — a batch's chunks are in Chroma, its article records not yet;
* ``records-written`` — a batch's article records are written, the index's generation not bumped;
* ``article-removed`` — an article's record is deleted, its chunks not yet;
* ``rebuild-built`` — a ``--rebuild`` has built its new collections, not yet switched to them;
* ``rebuild-switched`` — the index points at the rebuilt collections, the old ones not yet deleted.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "DOSSIER_FAULT"
POINTS = (
    "chunks-written",
    "records-written",
    "article-removed",
    "rebuild-built",
    "rebuild-switched",
)

_passes: dict[str, int] = {}
_lock = threading.Lock()


def point(name: str) -> None:
    """Pass the write boundary ``name``: die here if ``DOSSIER_FAULT`` says so."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    wanted, _, rest = spec.partition(":")
    if wanted != name:
        return
    nth, _, how = rest.partition(":")
    with _lock:
        _passes[name] = _passes.get(name, 0) + 1
        count = _passes[name]
    if count == (int(nth) if nth else 1):
        os.kill(os.getpid(), signal.SIGSTOP if how == "stop" else signal.SIGKILL)
