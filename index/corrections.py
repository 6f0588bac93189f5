"""Corrections a reader makes to an article's metadata (title, outlet, publication date, byline)
and whether the article is included in chat and briefings — kept beside the index in
``<data_dir>/corrections.json`` so they outlive a re-ingest and a ``--rebuild``.

Ingest applies them to the metadata it extracts (:meth:`Corrections.apply`), so a changed file
keeps its corrected outlet; a correction made after ingest is written onto the stored article and
its chunks by ``Store.update_article_meta``. The file is written atomically (a temporary file,
then a rename); an unreadable file is treated as no corrections rather than stopping ingest.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.atomic import read_articles, write_atomic
from index.dates import find_date, read_date
from index.records import Meta

FILE_NAME = "corrections.json"
FIELDS = ("title", "outlet", "published", "author")
"""The metadata a reader may correct (``author`` is the byline)."""

_LOCK = threading.Lock()


class CorrectionError(ValueError):
    """A correction that cannot be stored; ``str(err)`` says why."""


def normalise(field: str, value: Any) -> str | None:
    """A field's corrected value as stored: stripped text, an ISO date for ``published``; an
    empty value means "unknown" (None)."""
    if field not in FIELDS:
        raise CorrectionError(f"unknown field {field!r}; correctable: {', '.join(FIELDS)}")
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    if field == "published":
        stamp = read_date(text) or find_date(text)
        if stamp is None:
            raise CorrectionError(f"not a date: {text!r} (write it as 2024-06-18)")
        return stamp.iso
    return text


class Corrections:
    """The corrections of one index, read from and written to ``<data_dir>/corrections.json``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME

    # ---- reading -------------------------------------------------------------------------------
    def load(self) -> dict[str, dict[str, Any]]:
        """``{file: {field: value, ..., "excluded": True}}``; {} when none or unreadable."""
        articles = read_articles(self.path)
        return {str(f): dict(v) for f, v in articles.items() if isinstance(v, dict)}

    def of(self, file: str) -> dict[str, Any]:
        return self.load().get(file, {})

    def fields(self, file: str) -> dict[str, str | None]:
        """The corrected metadata fields of ``file`` (a None value: corrected to unknown)."""
        return {k: v for k, v in self.of(file).items() if k in FIELDS}

    def excluded(self) -> set[str]:
        """Files the reader left out of chat and briefings."""
        return {f for f, v in self.load().items() if v.get("excluded")}

    @property
    def mtime(self) -> float:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return 0.0

    def apply(self, file: str, meta: Meta) -> Meta:
        """``meta`` with the reader's corrections of ``file`` laid over it (the ingest hook)."""
        fixed = self.fields(file)
        if not fixed:
            return meta
        return replace(
            meta,
            title=fixed.get("title") or meta.title,
            outlet=fixed.get("outlet", meta.outlet),
            author=fixed.get("author", meta.author),
            published=fixed.get("published", meta.published),
        )

    # ---- writing -------------------------------------------------------------------------------
    def correct(self, file: str, fields: Mapping[str, Any]) -> dict[str, str | None]:
        """Record corrected ``fields`` of ``file``; the normalised values recorded."""
        clean = {k: normalise(k, v) for k, v in fields.items()}
        if "title" in clean and not clean["title"]:
            raise CorrectionError("a title cannot be empty")
        with _LOCK:
            data = self.load()
            entry = data.setdefault(file, {})
            entry.update(clean)
            self._write(data)
        return clean

    def reset(self, file: str, fields: Iterable[str] | None = None) -> None:
        """Forget the corrections of ``file`` (all of them, or the named fields)."""
        with _LOCK:
            data = self.load()
            entry = data.get(file)
            if entry is None:
                return
            for k in list(entry) if fields is None else fields:
                if k != "excluded" or fields is not None:
                    entry.pop(k, None)
            if not entry:
                data.pop(file)
            self._write(data)

    def set_included(self, file: str, included: bool) -> None:
        with _LOCK:
            data = self.load()
            entry = data.setdefault(file, {})
            if included:
                entry.pop("excluded", None)
                if not entry:
                    data.pop(file)
            else:
                entry["excluded"] = True
            self._write(data)

    def _write(self, data: Mapping[str, Any]) -> None:
        write_atomic(
            self.path, json.dumps({"version": 1, "articles": data}, ensure_ascii=False, indent=1)
        )


class StoreView:
    """An index seen through the reader's scope: only ``files`` are there. What a briefing of a
    scope reads (article states, texts, chunks); everything else goes to the store itself."""

    def __init__(self, store: Any, files: Iterable[str]) -> None:
        self._store = store
        self.files = frozenset(files)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def article_states(self) -> dict[str, Any]:
        return {f: m for f, m in self._store.article_states().items() if f in self.files}

    def article(self, file: str) -> Any:
        return self._store.article(file) if file in self.files else None

    def iter_chunks(self, page: int = 5000) -> Iterable[tuple[str, str, Any]]:
        for cid, text, meta in self._store.iter_chunks(page):
            if meta.get("file") in self.files:
                yield cid, text, meta
