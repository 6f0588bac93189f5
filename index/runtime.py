"""Loading heavy libraries only as far as Dossier needs them, and handing back memory.

spaCy's machine-learning layer (thinc) imports torch whenever torch is installed, though the bundled
``en_core_web_sm`` pipeline never runs on it: measured here, that import is 4.3 s of a cold start
and ~150 MB of memory. :func:`import_spacy` imports spaCy with torch hidden from it — unless torch
is loaded already (the torch embedder), when hiding it would change nothing.

:func:`release_memory` asks glibc to return freed heap memory to the system after a big job (a
full BM25 build, an ingest): the job's many short-lived objects leave the heap fragmented, and
measured at 20k chunks the process's memory after a BM25 build fell from 465 to 220 MB.

:func:`cycles_unchecked` holds the cycle collector off while a table of many small acyclic objects
is built: each of its full passes walks every object the process holds, which at 100k chunks was a
third of building the article table after an index change.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()


def import_spacy() -> None:
    """Import spaCy (and thinc) without torch; a no-op once spaCy or torch is imported."""
    with _lock:
        if "spacy" in sys.modules or "torch" in sys.modules:
            return
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
        try:
            importlib.import_module("spacy")
        finally:
            if sys.modules.get("torch", 0) is None:
                del sys.modules["torch"]


@contextmanager
def cycles_unchecked() -> Iterator[None]:
    """The cycle collector off for the block (as it was after it): for building many small
    objects that hold no cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def release_memory() -> bool:
    """Return freed heap memory to the system (glibc's ``malloc_trim``); False where the C
    library has no such call."""
    gc.collect()
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True
