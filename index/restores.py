"""Lines a reader put back after cleaning removed them, kept beside the index in
``<data_dir>/restores.json`` so they outlive a re-ingest and a ``--rebuild`` (like
``corrections.json``).

A restore names the article's file and a line of its raw text (0-based over
``text.split("\\n")``) together with a hash of that line's stripped text. Ingest asks
:meth:`Restores.lines_for` with the text it has just read and hands the answer to
``clean_article(restore=...)``, which keeps those lines whatever the rules or the learned
statistics say. When the file was edited, a restored line is found again by its text (the
occurrence nearest its old place); a line that is no longer there is no longer restored. The file
is written atomically; an unreadable one is treated as no restores rather than stopping ingest.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from index.atomic import read_articles, write_atomic

FILE_NAME = "restores.json"

_LOCK = threading.Lock()


def line_sha(line: str) -> str:
    """A short hash of a line's stripped text (what identifies a restored line)."""
    return hashlib.sha256(line.strip().encode("utf-8")).hexdigest()[:16]


class RestoreError(ValueError):
    """A restore that cannot be made; ``str(err)`` says why."""


class Restores:
    """The restored lines of one index, read from and written to ``<data_dir>/restores.json``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME

    # ---- reading -------------------------------------------------------------------------------
    def load(self) -> dict[str, list[dict[str, Any]]]:
        """``{file: [{"line": n, "sha": ...}, ...]}``; {} when none or unreadable."""
        articles = read_articles(self.path)
        out: dict[str, list[dict[str, Any]]] = {}
        for file, entries in articles.items():
            if isinstance(entries, list):
                out[str(file)] = [
                    {"line": int(e["line"]), "sha": str(e["sha"])}
                    for e in entries
                    if isinstance(e, dict) and "line" in e and "sha" in e
                ]
        return out

    def of(self, file: str) -> list[dict[str, Any]]:
        return self.load().get(file, [])

    def lines_for(self, file: str, text: str) -> set[int]:
        """The line numbers of ``text`` (``file``'s raw text as read now) that the reader
        restored: each at its recorded place, else where the same text now stands nearest it."""
        entries = self.of(file)
        if not entries:
            return set()
        lines = text.split("\n")
        where: dict[str, list[int]] = {}
        for i, ln in enumerate(lines):
            if ln.strip():
                where.setdefault(line_sha(ln), []).append(i)
        out: set[int] = set()
        for e in entries:
            n, places = int(e["line"]), where.get(str(e["sha"]), [])
            if places:
                out.add(min(places, key=lambda i: (abs(i - n), i)))
        return out

    def listed(self, file: str, text: str) -> list[dict[str, Any]]:
        """``{"line" (1-based), "text"}`` for each restored line of ``file``'s raw ``text``."""
        lines = text.split("\n")
        return [
            {"line": n + 1, "text": lines[n].strip()} for n in sorted(self.lines_for(file, text))
        ]

    @property
    def mtime(self) -> float:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return 0.0

    # ---- writing -------------------------------------------------------------------------------
    def restore(self, file: str, text: str, lines: Iterable[int]) -> list[int]:
        """Record ``lines`` (0-based, of ``file``'s raw ``text``) as restored; the line numbers
        recorded (blank or out-of-range ones are left out)."""
        raw = text.split("\n")
        wanted = sorted({n for n in lines if 0 <= n < len(raw) and raw[n].strip()})
        with _LOCK:
            data = self.load()
            have = {int(e["line"]): e for e in data.get(file, [])}
            for n in wanted:
                have[n] = {"line": n, "sha": line_sha(raw[n])}
            if have:
                data[file] = [have[n] for n in sorted(have)]
            self._write(data)
        return wanted

    def unrestore(self, file: str, lines: Iterable[int] | None = None) -> None:
        """Let cleaning remove ``lines`` of ``file`` again (all its restored lines for None)."""
        with _LOCK:
            data = self.load()
            if file not in data:
                return
            if lines is None:
                data.pop(file)
            else:
                drop = set(lines)
                data[file] = [e for e in data[file] if int(e["line"]) not in drop]
                if not data[file]:
                    data.pop(file)
            self._write(data)

    def change(
        self,
        file: str,
        text: str,
        removed: Iterable[Iterable[Any]],
        lines: Iterable[int],
        undo: bool = False,
    ) -> list[int]:
        """Restore ``lines`` (1-based, as ``dossier status --file`` numbers them) of ``file``'s
        raw ``text``, each one cleaning removed (``removed``: the stored ``[first, last, rule]``
        spans) or restored already; with ``undo``, let cleaning remove them again. Returns the
        restored lines of ``file`` now (1-based)."""
        wanted = sorted(set(lines))
        if undo:
            self.unrestore(file, [n - 1 for n in wanted])
        else:
            have = self.lines_for(file, text)
            raw = text.split("\n")
            gone = {
                i
                for first, last, _rule in removed
                for i in range(int(first), int(last) + 1)
                if i < len(raw) and raw[i].strip()
            }
            bad = [n for n in wanted if n - 1 not in gone | have]
            if bad:
                raise RestoreError(
                    f"{file}: line {', '.join(map(str, bad))} was not removed by cleaning; "
                    f"`dossier status --file {file}` lists the lines that were"
                )
            self.restore(file, text, [n - 1 for n in wanted])
        return sorted(n + 1 for n in self.lines_for(file, text))

    def _write(self, data: Mapping[str, Any]) -> None:
        write_atomic(
            self.path, json.dumps({"version": 1, "articles": data}, ensure_ascii=False, indent=1)
        )


__all__ = ["FILE_NAME", "RestoreError", "Restores", "line_sha"]
