"""Bounded model calls: one deadline per call and one per question, retries and streaming included.

A call to the model ends by its deadline whatever the server does: hangs before the first byte,
trickles a chunk every few seconds, or answers 429 again and again. ``one_deadline(seconds)``
opens a scope (a question: its rewrite, draft and judge; or a briefing) whose calls all share one
deadline; outside a scope each call has its own. ``run_until`` is the mechanism: the HTTP work
runs in a worker thread, its streamed pieces reach ``on_text`` in the caller's thread (so a UI
callback runs where the UI expects it), and the caller stops waiting at the deadline, telling the
worker to stop.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from rag.llm.chat import OnText

T = TypeVar("T")
Emit = Callable[[str], None]


class Deadline:
    """A moment on the monotonic clock, ``seconds`` from when it was made."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self.at = clock() + seconds

    def remaining(self) -> float:
        """Seconds left (0 when passed)."""
        return max(0.0, self.at - self._clock())

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0.0


_SCOPE: ContextVar[Deadline | None] = ContextVar("dossier_llm_deadline", default=None)


@contextmanager
def one_deadline(seconds: float | None) -> Iterator[Deadline | None]:
    """Every model call made inside the block (in this thread or task) ends by one deadline,
    ``seconds`` from now; a scope inside another keeps the sooner of the two. ``None`` opens no
    scope: each call keeps its own deadline."""
    if seconds is None:
        yield _SCOPE.get()
        return
    outer = _SCOPE.get()
    mine = Deadline(seconds)
    token = _SCOPE.set(outer if outer is not None and outer.at <= mine.at else mine)
    try:
        yield _SCOPE.get()
    finally:
        _SCOPE.reset(token)


def call_deadline(seconds: float) -> Deadline:
    """The deadline of a call starting now: ``seconds`` from now, or the enclosing scope's
    deadline when that comes sooner."""
    mine = Deadline(seconds)
    outer = _SCOPE.get()
    return outer if outer is not None and outer.at <= mine.at else mine


def run_until(
    deadline: Deadline,
    work: Callable[[Emit, threading.Event], T],
    on_text: OnText | None,
    expired: Callable[[], BaseException],
) -> T:
    """``work(emit, stop)`` in a worker thread, its result (or exception) here; each ``emit``
    reaches ``on_text`` in this thread. At the deadline ``stop`` is set, and ``expired()`` is
    raised here; the worker is expected to notice ``stop`` (or its own timeouts) and end."""
    box: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
    stop = threading.Event()

    def emit(text: str) -> None:
        if not stop.is_set():
            box.put(("text", text))

    def run() -> None:
        try:
            box.put(("done", work(emit, stop)))
        except BaseException as exc:  # handed to the caller, who raises it
            box.put(("raise", exc))

    threading.Thread(target=run, name="dossier-llm-call", daemon=True).start()
    while True:
        try:
            kind, value = box.get(timeout=deadline.remaining())
        except queue.Empty:
            stop.set()
            raise expired() from None
        if kind == "text":
            if on_text is not None:
                on_text(value)
        elif kind == "done":
            return cast(T, value)
        else:
            stop.set()
            raise value
