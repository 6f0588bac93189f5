"""Folders the app keeps the index in step with: one watcher thread per folder for the whole
process (the index is shared by every session), each running ``dossier watch``'s loop and
keeping its last lines for the Library to show."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from rag import Dossier, watch_folder


@dataclass
class Watcher:
    folder: str
    stop: threading.Event = field(default_factory=threading.Event)
    lines: deque[str] = field(default_factory=lambda: deque(maxlen=50))
    thread: threading.Thread | None = None
    started: float = field(default_factory=time.time)

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


@st.cache_resource(show_spinner=False)
def _watchers(key: str) -> dict[str, Watcher]:
    """The watchers of one data directory (``key``), shared by every session."""
    return {}


def watchers(d: Dossier) -> dict[str, Watcher]:
    return _watchers(str(Path(d.settings.data_dir).resolve()))


def start(d: Dossier, folder: str) -> Watcher:
    """Watch ``folder`` (once: a second call returns the running watcher)."""
    all_ = watchers(d)
    w = all_.get(folder)
    if w is not None and w.alive:
        return w
    w = Watcher(folder)

    def run() -> None:
        try:
            watch_folder(d, Path(folder), w.lines.append, w.stop, initial=True)
        except Exception as exc:  # a vanished folder ends its watcher; the Library says so
            w.lines.append(f"stopped: {exc.__class__.__name__}: {exc}")

    w.thread = threading.Thread(target=run, daemon=True, name=f"dossier-watch-{folder}")
    all_[folder] = w
    w.thread.start()
    return w


def stop(d: Dossier, folder: str) -> None:
    w = watchers(d).pop(folder, None)
    if w is not None:
        w.stop.set()


def running(d: Dossier) -> list[Watcher]:
    return [w for w in watchers(d).values() if w.alive]
