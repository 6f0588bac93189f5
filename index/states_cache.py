"""What ingest knows of every article record, kept beside the index between ingests.

Ingest compares each file with its article record (size, mtime, root, hashes, duplicate-of,
chunk count). Reading every record from Chroma costs seconds at tens of thousands of articles, so
the fields ingest uses are saved after each ingest with the index's generation; the next ingest
reads only the records that the pointer's log of recent writes (``index.changes``) names since
then. Whenever the log does not reach back (a repair, a write that named no files, too many
writes), or the file is missing, damaged or of another index, every record is read again.

Only mtime updates (``Store.touch_article``) leave the generation as it was: ingest updates its
own copy when it makes one, and a copy that missed another's only costs a re-hash of the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from index.atomic import write_atomic
from index.store import Metadata, Store

FILE = "ingest-states.json"
FORMAT = 1
# The record fields ingest reads: the unchanged check, duplicates, the chunk count for repairs.
FIELDS = ("root", "size", "mtime_ns", "raw_sha", "sha256", "duplicate_of", "chunks")


def _kept(state: Metadata) -> Metadata:
    return {k: state[k] for k in FIELDS if k in state}


def _key(store: Store) -> str:
    return f"{store.name}:{store.articles.name}:{store.articles.id}"


class StatesCache:
    """The article records' ingest fields of ``store``, saved under ``folder`` (None: read
    every record, keep nothing)."""

    def __init__(self, store: Store, folder: Path | None) -> None:
        self.store = store
        self.path = folder / FILE if folder is not None and not store.building else None
        self.generation: int | None = None
        self.states: dict[str, Metadata] = {}
        self._saved: int | None = None  # the generation of the file as loaded or saved
        self.read_all = 0  # how many times every record was read
        self.read_some = 0  # records read to catch up

    def _load(self) -> tuple[int, dict[str, Metadata]] | None:
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        if data.get("index") != _key(self.store) or not isinstance(data.get("states"), dict):
            return None
        return int(data.get("generation", 0)), data["states"]

    def current(self) -> dict[str, Metadata]:
        """Every article record's ingest fields as the index holds them now."""
        gen = self.store.generation
        if self.generation is None:
            loaded = self._load()
            if loaded is not None:
                self.generation, self.states = loaded
                self._saved = self.generation
        if self.generation == gen:
            return self.states
        named = None if self.generation is None else self.store.changes_since(self.generation)
        if named is None:
            self.states = {f: _kept(s) for f, s in self.store.article_states().items()}
            self.read_all += 1
        else:
            fresh = self.store.article_states(among=named)
            self.read_some += len(named)
            for f in named:
                self.states.pop(f, None)
            self.states.update((f, _kept(s)) for f, s in fresh.items())
        self.generation = gen
        return self.states

    def touched(self, file: str, mtime_ns: int) -> None:
        """``file``'s record got a new mtime (a write that leaves the generation as it was)."""
        if file in self.states:
            self.states[file] = {**self.states[file], "mtime_ns": mtime_ns}
            self._saved = None

    def save(self) -> None:
        """Bring the copy in step with the index (only the records written since are read)
        and save it; a full disk or a read-only folder only means a full read next time."""
        if self.path is None:
            return
        states = self.current()
        if self._saved == self.generation:
            return  # nothing changed since the file was read
        blob: dict[str, Any] = {
            "format": FORMAT,
            "index": _key(self.store),
            "generation": self.generation,
            "states": states,
        }
        try:
            write_atomic(self.path, json.dumps(blob, separators=(",", ":")))
        except OSError:
            return
        self._saved = self.generation
