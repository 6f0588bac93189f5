"""Uploaded files, saved so that no name can write outside ``<data_dir>/uploads``: path components
are stripped, ``..``, hidden names and odd characters refused, the type and size checked, the
content checked to be what the name says (a program renamed ``.txt`` is refused, not "Saved"
and then skipped), and the final path checked to lie directly inside the folder."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from rag import SUPPORTED_SUFFIXES, content_problem

MAX_UPLOAD_BYTES = 20_000_000
MAX_NAME_CHARS = 150
_ALLOWED_PUNCT = set(" ._-()[]+,'&")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)


class UploadRejected(ValueError):
    """An upload that is not saved; ``str(err)`` says why."""


def safe_name(name: str) -> str:
    """The name an upload is saved under, or :class:`UploadRejected`."""
    name = unicodedata.normalize("NFC", name or "")
    parts = re.split(r"[/\\]", name)
    if any(p == ".." for p in parts):
        raise UploadRejected("name contains '..'")
    base = parts[-1].strip()
    if not base or base in {".", ".."}:
        raise UploadRejected("empty file name")
    if base.startswith("."):
        raise UploadRejected("hidden file names (starting with '.') are not accepted")
    odd = sorted({ch for ch in base if not (ch.isalnum() or ch in _ALLOWED_PUNCT)})
    if odd:
        shown = ", ".join(repr(ch) for ch in odd[:5])
        raise UploadRejected(f"odd characters in the name ({shown})")
    if len(base) > MAX_NAME_CHARS:
        raise UploadRejected(f"name longer than {MAX_NAME_CHARS} characters")
    if _WINDOWS_RESERVED.match(base):
        raise UploadRejected("reserved device name")
    suffix = Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(SUPPORTED_SUFFIXES)
        raise UploadRejected(f"unsupported file type ({suffix or 'no suffix'}); accepted: {kinds}")
    return base


def save_upload(folder: Path, name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """Write ``data`` to ``folder/safe_name(name)`` atomically; the path written."""
    base = safe_name(name)
    if len(data) > max_bytes:
        raise UploadRejected(f"larger than {max_bytes / 1e6:.0f} MB ({len(data) / 1e6:.1f} MB)")
    if not data:
        raise UploadRejected("empty file")
    problem = content_problem(base, data)
    if problem:
        raise UploadRejected(problem)
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    target = root / base
    if target.parent != root or target.is_symlink() or (target.exists() and not target.is_file()):
        raise UploadRejected("name does not denote a plain file in the uploads folder")
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)  # replaces a link itself, never follows one
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
