"""Files beside the index written whole or not at all: a temporary file in the same folder,
renamed over the old one, so a reader (or a crash) never sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; the temporary file never outlives a
    failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_articles(path: Path) -> dict[str, Any]:
    """The ``"articles"`` object of a JSON file written as ``{"version": …, "articles": {…}}``;
    {} when the file is missing, unreadable or of another shape (a reader's corrections must never
    stop an ingest)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    articles = data.get("articles") if isinstance(data, dict) else None
    return articles if isinstance(articles, dict) else {}


__all__ = ["read_articles", "write_atomic"]
