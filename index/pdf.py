"""Text and document info of PDF files, read with pypdf: pages reflowed into paragraphs, the
title, author and creation date where the document info states them."""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any


class PdfError(Exception):
    """A PDF that cannot be indexed; ``str(err)`` is a short human reason."""


_PDF_DATE = re.compile(
    r"^D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?\s*(?:([Zz])|([+-])(\d\d)'?(\d\d)?)?"
)
_JUNK_TITLE = re.compile(r"^(untitled|microsoft word\b.*|.*\.(docx?|pdf|odt|rtf|txt|html?))$", re.I)
_TERMINAL = tuple('.!?:;"”’)]')


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg not in self.messages:
            self.messages.append(msg)


def pdf_date(value: str) -> str | None:
    """A PDF date string (``D:20230914071800+02'00'``) as ISO 8601, or None."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    y, mo, d, h, mi, s, z, sign, oh, om = match.groups()
    try:
        tz = None
        if z:
            tz = UTC
        elif sign:
            delta = timedelta(hours=int(oh), minutes=int(om or 0))
            tz = timezone(delta if sign == "+" else -delta)
        dt = datetime(
            int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0), tzinfo=tz
        )
    except ValueError:
        return None
    return dt.isoformat() if h else dt.date().isoformat()


def _reflow(page: str) -> str:
    """Join the hard-wrapped lines of a PDF page into paragraphs (one per line)."""
    lines = [ln.strip() for ln in page.split("\n")]
    width = max((len(ln) for ln in lines), default=0)
    paras: list[str] = []
    for line in lines:
        if not line:
            if paras and paras[-1]:
                paras.append("")
            continue
        prev = paras[-1] if paras else ""
        wrapped = prev and (
            line[0].islower()
            or (len(prev) >= 0.6 * width and not prev.endswith(_TERMINAL) and width >= 40)
        )
        if wrapped:
            joiner = "" if prev.endswith("-") and line[0].islower() else " "
            paras[-1] = prev + joiner + line
        else:
            paras.append(line)
    return "\n".join(p for p in paras if p)


def read_pdf(data: bytes) -> tuple[str, dict[str, str], list[str]]:
    """The text of a PDF (pages reflowed into paragraphs), its title/author/creation date, and
    warnings; raises :class:`PdfError` with a short reason."""
    from pypdf import PdfReader

    collect = _Collect()
    logger = logging.getLogger("pypdf")
    logger.addHandler(collect)
    try:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    opened = bool(reader.decrypt(""))
                except Exception:
                    opened = False
                if not opened:
                    raise PdfError("encrypted PDF (password required)")
            pages = list(reader.pages)
        except PdfError:
            raise
        except Exception as err:
            raise PdfError(f"unreadable PDF: {_reason(err)}") from None
        texts, warnings = [], []
        for n, page in enumerate(pages, 1):
            try:
                texts.append(_reflow((page.extract_text() or "").replace("\r\n", "\n")))
            except Exception as err:
                warnings.append(f"PDF page {n} unreadable: {_reason(err)}")
        try:
            info: Any = reader.metadata or {}
            keys = ("/Title", "/Author", "/CreationDate")
            raw_info = {k: str(info.get(k) or "").strip() for k in keys}
        except Exception:
            raw_info = {}
    finally:
        logger.removeHandler(collect)
    text = "\n\n".join(t for t in texts if t.strip())
    if not text.strip():
        raise PdfError("no extractable text (scanned PDF?)")
    fields: dict[str, str] = {}
    if raw_info.get("/Title") and not _JUNK_TITLE.match(raw_info["/Title"]):
        fields["title"] = raw_info["/Title"]
    if raw_info.get("/Author") and raw_info["/Author"].lower() not in ("anonymous", "unknown"):
        fields["author"] = raw_info["/Author"]
    created = pdf_date(raw_info.get("/CreationDate", ""))
    if created:
        fields["created"] = created
    warnings += [f"PDF: {m}" for m in collect.messages]
    return text, fields, warnings


def _reason(err: Exception) -> str:
    msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return msg[:120]
