"""Loading heavy libraries only as far as Dossier needs them.

spaCy's machine-learning layer (thinc) imports torch whenever torch is installed, though the bundled
``en_core_web_sm`` pipeline never runs on it: measured here, that import is 4.3 s of a cold start
and ~150 MB of memory. :func:`import_spacy` imports spaCy with torch hidden from it — unless torch
is loaded already (the torch embedder), when hiding it would change nothing.
"""

from __future__ import annotations

import importlib
import sys
import threading

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
