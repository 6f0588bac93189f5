"""Which files of a folder are articles to index — and, for every other entry, why not.

The walk never leaves the folder: a symbolic link is followed only when what it points to lies
inside the folder given (each real folder is walked once, so a link loop ends), a link out of it
is reported and not read. Only regular files are read: a FIFO, socket or device named ``x.txt`` is
reported, never opened (a FIFO would block the ingest). A folder that cannot be listed is
reported with ``keep=True``: what was indexed from it before stays, since an unreadable folder is
not an empty one. Hidden entries (names starting with ".") are passed over silently; files whose
suffix is not an article type are listed as ``ignored`` (not failures).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


class WalkError(Exception):
    """The path given cannot be walked at all; ``str(err)`` says why and what to do."""


class FolderUnreadableError(WalkError):
    """The folder given exists but cannot be listed (permissions): nothing may be removed."""


class NotArticlesError(WalkError):
    """The path given is neither a folder nor a regular file (``/dev/null``, a FIFO, …)."""


@dataclass(frozen=True)
class Found:
    """A file to index: ``rel`` is its path relative to the folder (through any link inside
    it), ``real`` the real file, inside the folder, and ``st`` its ``os.stat`` as walked (a
    folder of 30k files: a ``Path`` and a second stat per file were most of an unchanged
    re-run's walk)."""

    rel: str
    real: str
    st: os.stat_result

    @property
    def path(self) -> Path:
        return Path(self.real)


@dataclass(frozen=True)
class Passed:
    """An entry not indexed and why. ``keep``: it may be readable later — whatever was indexed
    from it stays in the index."""

    rel: str
    reason: str
    keep: bool = False


@dataclass
class Walk:
    root: Path
    is_dir: bool
    files: list[Found] = field(default_factory=list)
    skipped: list[Passed] = field(default_factory=list)
    ignored: list[Passed] = field(default_factory=list)

    @property
    def kept(self) -> list[str]:
        """Paths (files, and folders ending in "/") whose indexed articles must stay."""
        return [p.rel for p in self.skipped if p.keep]

    def keeps(self, rel: str) -> bool:
        """Does ``rel`` lie in (or is it) an entry that could not be read this time?"""
        return any(rel == k or (k.endswith("/") and rel.startswith(k)) for k in self.kept)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def _reason(exc: OSError) -> str:
    return "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))


def _inside(path: str, root: str) -> bool:
    return path == root or os.path.commonpath([path, root]) == root


def walk(target: Path) -> Walk:
    """Walk ``target`` (a folder, or one file given by name, whatever its suffix: the loader says
    why it is refused). Raises ``FileNotFoundError`` when it does not exist, :class:`WalkError`
    when it cannot be walked."""
    real = os.path.realpath(target)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file or folder: {target}") from None
    except OSError as exc:
        raise FolderUnreadableError(f"cannot read {target}: {_reason(exc)}") from None
    if stat.S_ISREG(st.st_mode):
        root = Path(real).parent
        return Walk(root, False, files=[Found(Path(real).name, real, st)])
    if not stat.S_ISDIR(st.st_mode):
        raise NotArticlesError(f"{target} is {_kind(st.st_mode)}, not a folder or file of articles")
    out = Walk(Path(real), True)
    visited = {(st.st_dev, st.st_ino)}
    stack = [(real, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            if not prefix:
                raise FolderUnreadableError(
                    f"cannot read the folder {target}: {_reason(exc)}"
                ) from None
            out.skipped.append(Passed(prefix, f"unreadable folder: {_reason(exc)}", keep=True))
            continue
        for entry in entries:
            if not entry.name.startswith("."):
                _visit(entry, prefix, real, out, visited, stack)
    out.files.sort(key=lambda f: f.rel.split("/"))
    return out


def _visit(
    entry: os.DirEntry[str],
    prefix: str,
    root: str,
    out: Walk,
    visited: set[tuple[int, int]],
    stack: list[tuple[str, str]],
) -> None:
    rel = prefix + entry.name
    supported = entry.name.lower().endswith(SUPPORTED_SUFFIXES)
    path = entry.path
    try:
        if entry.is_symlink():
            path = os.path.realpath(entry.path)
            if not os.path.exists(path):
                if supported:
                    out.skipped.append(Passed(rel, "broken link", keep=True))
                return
            st = os.stat(path)
            if not _inside(path, root):
                if supported or stat.S_ISDIR(st.st_mode):
                    out.skipped.append(Passed(rel, "link to outside the folder (not followed)"))
                return
        else:
            st = entry.stat(follow_symlinks=False)
    except OSError as exc:
        if supported:
            out.skipped.append(Passed(rel, f"unreadable: {_reason(exc)}", keep=True))
        return
    if stat.S_ISDIR(st.st_mode):
        key = (st.st_dev, st.st_ino)
        if key in visited:
            out.ignored.append(Passed(rel, "a folder already walked (link loop)"))
        else:
            visited.add(key)
            stack.append((path, rel + "/"))
    elif not supported:
        out.ignored.append(Passed(rel, f"unsupported file type ({Path(rel).suffix or 'none'})"))
    elif stat.S_ISREG(st.st_mode):
        out.files.append(Found(rel, path, st))
    else:
        out.skipped.append(Passed(rel, f"not a regular file ({_kind(st.st_mode)})"))


def iter_files(root: Path) -> list[Path]:
    """Files to index under ``root`` (as paths under it), sorted by path; a file given directly
    is returned as is. See :func:`walk` for what is left out, and why."""
    root = Path(root)
    found = walk(root)
    if not found.is_dir:
        return [root]
    return [root / f.rel for f in found.files]
