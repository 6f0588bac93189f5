"""BM25 segments and tables on disk: one folder per index (``bm25+<name>+<chunks id>``), one
sub-folder per segment, written once and never changed, and a ``manifest.json`` naming the
segments in force, their dead rows, the generation and the articles' fingerprints.

A segment is written to a temporary folder and renamed into place; the manifest is replaced in
one rename. Writers hold an ``flock`` on the folder's ``lock`` file (one process brings the table
in step at a time, the others then read what it wrote); segments no manifest names are deleted
by the writer after it replaced the manifest.
"""

from __future__ import annotations

import fcntl
import json
import mmap
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from rag.retrieval.bm25_segments import Bm25Table, Segment, Texts

FORMAT = 1
_ARRAYS = ("indptr", "indices", "tf", "lengths", "art", "row_meta", "offsets")


def segment_name() -> str:
    return f"seg-{time.time_ns()}-{os.getpid()}"


def write_segment(folder: Path, seg: Segment) -> Segment:
    """Save ``seg`` under ``folder/seg.name``; returns it reading its texts from the file."""
    path = folder / seg.name
    tmp = folder / f".tmp-{seg.name}"
    tmp.mkdir(parents=True)
    try:
        arrays = {
            "indptr": seg.indptr,
            "indices": seg.indices,
            "tf": seg.tf,
            "lengths": seg.lengths,
            "art": seg.art,
            "row_meta": seg.row_meta,
            "offsets": seg.texts.offsets,
        }
        for key, arr in arrays.items():
            np.save(tmp / f"{key}.npy", np.ascontiguousarray(arr))
        extra = {str(k): v for k, v in seg.extra.items()}
        (tmp / "rows.json").write_text(
            json.dumps(
                {
                    "terms": seg.terms,
                    "ids": seg.ids,
                    "files": seg.files,
                    "shared": seg.shared,
                    "extra": extra,
                },
                separators=(",", ":"),
            )
        )
        blob = seg.texts.blob
        with open(tmp / "texts.bin", "wb") as fh:
            fh.write(blob if isinstance(blob, bytes) else bytes(blob))
        tmp.rename(path)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return read_segment(folder, seg.name)


def _map(path: Path) -> bytes | mmap.mmap:
    if path.stat().st_size == 0:
        return b""
    with open(path, "rb") as fh:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def read_segment(folder: Path, name: str) -> Segment:
    """A saved segment; its big arrays and texts memory-mapped (pages load as queries touch
    them). Raises OSError or ValueError when it is missing or damaged."""
    path = folder / name
    arr = {k: np.load(path / f"{k}.npy", mmap_mode="r", allow_pickle=False) for k in _ARRAYS}
    rows = json.loads((path / "rows.json").read_text())
    return Segment(
        name=name,
        terms=list(rows["terms"]),
        indptr=np.asarray(arr["indptr"]),
        indices=arr["indices"],
        tf=arr["tf"],
        lengths=np.asarray(arr["lengths"]),
        ids=list(rows["ids"]),
        files=list(rows["files"]),
        shared=list(rows["shared"]),
        art=np.asarray(arr["art"]),
        row_meta=arr["row_meta"],
        extra={int(k): v for k, v in rows["extra"].items()},
        texts=Texts(_map(path / "texts.bin"), np.asarray(arr["offsets"])),
    )


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def write_manifest(folder: Path, table: Bm25Table) -> None:
    """Name ``table``'s segments (already written), dead rows, generation and fingerprints in
    one rename; then delete the segments no longer named."""
    segments = []
    for si, seg in enumerate(table.segments):
        a, b = int(table.starts[si]), int(table.starts[si + 1])
        dead = np.flatnonzero(~table.live[a:b]).tolist()
        segments.append({"name": seg.name, "dead": dead})
    data = {
        "format": FORMAT,
        "generation": table.generation,
        "segments": segments,
        "fingerprints": table.fingerprints,
    }
    tmp = folder / f".tmp-manifest-{os.getpid()}-{time.monotonic_ns()}"
    tmp.write_text(json.dumps(data, separators=(",", ":")))
    os.replace(tmp, folder / "manifest.json")
    keep = {seg.name for seg in table.segments}
    for old in folder.iterdir():
        if old.name.startswith(("seg-", ".tmp-seg-")) and old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def read_table(
    folder: Path, manifest: dict[str, Any], loaded: dict[str, Segment]
) -> Bm25Table | None:
    """The table ``manifest`` describes; segments already in ``loaded`` (by name) are reused.
    None when a segment is missing or damaged (it is built again)."""
    segments: list[Segment] = []
    lives: list[np.ndarray] = []
    try:
        for entry in manifest["segments"]:
            name = str(entry["name"])
            seg = loaded.get(name) or read_segment(folder, name)
            live = np.ones(seg.rows, dtype=bool)
            live[np.asarray(entry["dead"], dtype=np.int64)] = False
            segments.append(seg)
            lives.append(live)
        live_all = np.concatenate(lives) if lives else np.zeros(0, dtype=bool)
        return Bm25Table(
            int(manifest["generation"]),
            segments,
            live_all,
            {str(k): str(v) for k, v in manifest["fingerprints"].items()},
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


@contextmanager
def folder_lock(folder: Path) -> Iterator[bool]:
    """One writer of ``folder`` at a time (across processes). Yields False when the folder
    cannot be written (a read-only cache): the table then lives in memory only."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fh = open(folder / "lock", "w")  # noqa: SIM115  # held for the block below
    except OSError:
        yield False
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
