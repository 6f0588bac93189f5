"""Read article files from disk into :class:`RawDoc` records.

Plain text and Markdown are decoded carefully (BOMs, invalid UTF-8 counted and reported), HTML is
reduced to its article text with trafilatura, PDFs are read with pypdf. Any file
that cannot be indexed raises :class:`LoadError` whose message is a short reason for the user.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.dates import read_date
from index.pdf import pdf_date
from index.records import RawDoc
from index.walk import SUPPORTED_SUFFIXES, iter_files

if TYPE_CHECKING:
    from trafilatura.settings import Document

__all__ = ["SUPPORTED_SUFFIXES", "iter_files", "pdf_date"]

MAX_BYTES = 20_000_000

# Canonical ``RawDoc.fields`` keys and the aliases a container format may use for them.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "site", "site_name", "publisher", "publication"),
    "author": ("author", "byline", "authors", "creator"),
    "published": (
        "published",
        "date",
        "published_at",
        "pubdate",
        "datepublished",
        "published_time",
    ),
}


class LoadError(Exception):
    """A file that cannot be indexed; ``str(err)`` is a short human reason."""


class UnreadableError(LoadError):
    """A file that exists but cannot be read now (permissions, an I/O error): unlike a file that
    is not an article, whatever was indexed from it before is kept."""


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``. It is opened without blocking and checked on the
    open descriptor, so a FIFO or device (even one swapped in after the folder was walked) is
    refused, never read; raises :class:`LoadError` (:class:`UnreadableError` for permissions)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        raise UnreadableError("permission denied") from None
    except FileNotFoundError:
        raise LoadError("file not found") from None
    except OSError as err:
        raise UnreadableError(f"cannot read file: {err.strerror or err}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LoadError("not a regular file")
        if st.st_size > max_bytes:
            raise LoadError(
                f"file too large ({st.st_size / 1e6:.1f} MB > {max_bytes / 1e6:g} MB limit)"
            )
        if st.st_size == 0:
            raise LoadError("empty file")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise UnreadableError(f"cannot read file: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew while we looked
        raise LoadError(f"file too large (> {max_bytes / 1e6:g} MB limit)")
    return data


def load_file(path: Path, max_bytes: int = MAX_BYTES) -> RawDoc:
    """Read one file into a :class:`RawDoc`; raise :class:`LoadError` with a reason if it can't."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported file type ({suffix or 'no suffix'})")
    return parse_bytes(path, read_bytes(path, max_bytes))


def parse_bytes(path: Path, data: bytes) -> RawDoc:
    """The :class:`RawDoc` of ``data``, read from ``path`` (its suffix says the format)."""
    suffix = path.suffix.lower()
    if not data.strip():
        raise LoadError("empty file")
    if suffix == ".pdf":
        return _load_pdf(path, data)
    if suffix in (".html", ".htm"):
        return _load_html(path, data)
    text, warnings = decode_text(data)
    fields: dict[str, str] = {}
    if suffix in (".md", ".markdown"):
        text, fields = split_front_matter(text)
    if not text.strip():
        raise LoadError("empty file")
    return RawDoc(path=path, text=text, fields=fields, warnings=tuple(warnings))


_MAGIC = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF-", "a PDF"),
)


def content_problem(name: str, data: bytes) -> str | None:
    """Why ``data`` is not what the suffix of ``name`` says (an upload checked before it is
    saved: a program renamed ``.txt``, a ``.pdf`` that is no PDF), or None when it is."""
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        return None if data.lstrip()[:5] == b"%PDF-" else "not a PDF (no %PDF- header)"
    try:
        decode_text(data)
    except LoadError as exc:
        what = next((w for m, w in _MAGIC if data.startswith(m)), None)
        return f"{what}, not {suffix} text" if what else str(exc)
    return None


# --- text decoding -------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}
_ESCAPED = re.compile("[\udc80-\udcff]")


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, list[str]]:
    """Decode file bytes to text with newlines normalised to ``\\n``; return (text, warnings).

    A BOM decides the encoding; otherwise ``encoding`` (e.g. an HTML charset) or UTF-8. Bytes that
    do not decode are replaced by U+FFFD, one per byte, and counted in a warning
    ``"invalid UTF-8: N bytes replaced"``. Raises :class:`LoadError` for binary data and for text
    that is mostly undecodable.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], codec
            break
    else:
        head = data[:8192]
        if b"\x00" in head:
            raise LoadError("binary file (NUL bytes)")
        if head and sum(b in _CONTROL_BYTES for b in head) / len(head) > 0.1:
            raise LoadError("binary file (control characters)")
    encoding = _codec_name(encoding)
    if encoding == "utf-8":
        raw = data.decode("utf-8", errors="surrogateescape")
        text, bad = _ESCAPED.subn("\ufffd", raw)
        label = "UTF-8"
    else:
        text = data.decode(encoding, errors="replace")
        bad = text.count("\ufffd")  # per undecodable sequence for other codecs
        label = encoding
    warnings = []
    if bad:
        if bad > 0.1 * max(len(text), 1):
            raise LoadError("undecodable text")
        warnings.append(f"invalid {label}: {bad} byte{'s' if bad != 1 else ''} replaced")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, warnings


def _codec_name(encoding: str | None) -> str:
    if not encoding:
        return "utf-8"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return "utf-8"
    return "utf-8" if name in ("utf-8", "ascii", "us-ascii") else name


# --- Markdown front matter -----------------------------------------------------------------------

_KEY_VALUE = re.compile(r"^([A-Za-z][\w .-]*?)\s*:\s*(.*?)\s*$")


def split_front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Split a leading ``---`` front-matter block of ``key: value`` lines off Markdown text."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text, {}
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return text, {}
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        match = _KEY_VALUE.match(line)
        if match and match.group(2):
            value = match.group(2)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            fields[match.group(1).strip().lower()] = value
    body = "\n".join(lines[end + 1 :]).lstrip("\n")
    return body, canonical_fields(fields)


def canonical_fields(fields: dict[str, str]) -> dict[str, str]:
    """Add the canonical keys (title, outlet, author, published) from their aliases."""
    out = dict(fields)
    for key, aliases in FIELD_ALIASES.items():
        if not out.get(key):
            value = next((fields[a] for a in aliases if fields.get(a, "").strip()), None)
            if value:
                out[key] = value.strip()
    return out


# --- HTML ----------------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\n\r\f\v\u00a0]+")
_BULLET = re.compile(r"^[-•*]\s+")
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—:]\s+(?P<site>[^|\-–—:]{2,60})$")
_PUBLISHED_KEYS = (
    "article:published_time", "date", "pubdate", "publishdate", "datepublished",
    "og:published_time", "dc.date", "dc.date.issued", "parsely-pub-date", "sailthru.date",
)  # fmt: skip
_AUTHOR_KEYS = ("author", "article:author", "byl", "parsely-author", "sailthru.author")
_HEADLINES = (  # the article's <h1>, else one outside the page's chrome (not the site's logo)
    "//article//h1",
    "//h1[not(ancestor::header or ancestor::nav or ancestor::footer or ancestor::aside)]",
)


def _ld_fields(blobs: list[str]) -> dict[str, str]:
    """headline / datePublished / author / publisher from JSON-LD NewsArticle-like objects."""

    def objects(node: object) -> Iterator[dict[str, Any]]:
        if isinstance(node, list):
            for item in node:
                yield from objects(item)
        elif isinstance(node, dict):
            yield node
            yield from objects(node.get("@graph", []))

    def name(node: object) -> str:
        if isinstance(node, list):
            return ", ".join(n for n in (name(x) for x in node) if n)
        return str(node.get("name") or "") if isinstance(node, dict) else str(node or "")

    out: dict[str, str] = {}
    for blob in blobs:
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        for obj in objects(data):
            if "headline" in obj or "datePublished" in obj:
                found = {
                    "title": obj.get("headline"),
                    "published": obj.get("datePublished"),
                    "author": name(obj.get("author")),
                    "outlet": name(obj.get("publisher")),
                }
                for key, value in found.items():
                    if value and isinstance(value, str):
                        out.setdefault(key, value.strip())
    return out


def _page_fields(tree: Any) -> dict[str, str]:
    """What the page's markup states: ``<meta>`` tags, JSON-LD, ``<title>``, ``<time>``, the
    headline ``<h1>``. Keys: title, outlet, author, published, headline, site (from <title>)."""
    meta: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        value = (el.get("content") or "").strip()
        if key and value and not value.startswith(("http://", "https://")):
            meta.setdefault(key, value)
    ld = _ld_fields([str(s) for s in tree.xpath('//script[contains(@type, "ld+json")]/text()')])
    h1s = [" ".join(h.text_content().split()) for path in _HEADLINES for h in tree.xpath(path)]
    title = next((" ".join(t.text_content().split()) for t in tree.iter("title")), "")
    cut = _TITLE_SUFFIX.search(title)
    times = [str(t).strip() for t in tree.xpath("//time/@datetime") if str(t).strip()]
    fields = {
        "title": next((v for v in (meta.get("og:title"), meta.get("twitter:title")) if v), None)
        or ld.get("title")
        or (title[: cut.start()] if cut else title),
        "outlet": next(
            (meta[k] for k in ("og:site_name", "publisher", "application-name") if meta.get(k)),
            ld.get("outlet"),
        ),
        "author": next((meta[k] for k in _AUTHOR_KEYS if meta.get(k)), ld.get("author")),
        "published": next(
            (meta[k] for k in _PUBLISHED_KEYS if meta.get(k)),
            ld.get("published") or (times[0] if times else None),
        ),
        "headline": next((h for h in h1s if h), None),
        "site": cut["site"].strip() if cut and title[: cut.start()].strip() else None,
    }
    return {k: v for k, v in fields.items() if v}


def _main_text(tree: Any) -> Document:
    """trafilatura's reading of the page: main text without boilerplate, and its metadata. Dates
    only from what the markup states (meta tags, JSON-LD, <time>), never guessed from the text."""
    from trafilatura import bare_extraction
    from trafilatura.settings import Document

    dates = {"extensive_search": False, "original_date": True}
    for precision in (True, False):  # recall when precision finds nothing
        doc = bare_extraction(
            tree, favor_precision=precision, favor_recall=not precision, with_metadata=True,
            include_comments=False, include_tables=False, date_extraction_params=dates,
        )  # fmt: skip
        if isinstance(doc, Document) and (doc.text or "").strip():
            return doc
    return Document()


def extract_html(html: str) -> tuple[str, dict[str, str]]:
    """Readable text of an HTML page (headline first) and its metadata fields.

    The body, title, author, site name and date come from trafilatura, which drops navigation,
    cookie banners, related-article lists, share buttons, scripts and footers; what the page's
    own markup states fills the fields trafilatura misses. A date is given with its time when the
    markup states one for the same day."""
    from trafilatura import load_html

    tree = load_html(html) if html.strip() else None
    if tree is None:
        return "", {}
    marks, doc = _page_fields(tree), _main_text(tree)
    lines = [_BULLET.sub("", ln) for ln in _lines(doc.text or "")]
    headline = marks.get("headline") or doc.title or ""
    if lines and headline and lines[0] != headline:
        lines.insert(0, headline)
    author = re.sub(
        r"^by\s+", "", (doc.author or marks.get("author", "")).replace("; ", ", "), flags=re.I
    )
    published = marks.get("published", "")
    stated = read_date(published) if published else None
    if doc.date and not (
        stated and doc.date in (f"{stated.value:%Y-%m-%d}", f"{stated.utc():%Y-%m-%d}")
    ):
        published = doc.date  # trafilatura's day, unless the markup gives that day with a time
    fields = {
        "title": doc.title or marks.get("title", ""),
        "outlet": doc.sitename or marks.get("outlet") or marks.get("site", ""),
        "author": author,
        "published": published,
    }
    return "\n\n".join(lines), {k: " ".join(v.split()) for k, v in fields.items() if v}


def _lines(text: str) -> list[str]:
    return [ln for ln in (_SPACES.sub(" ", x).strip() for x in text.split("\n")) if ln]


def _load_html(path: Path, data: bytes) -> RawDoc:
    declared = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", data[:4096], re.I)
    charset = declared.group(1).decode("ascii").lower() if declared else None
    if charset in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        charset = "windows-1252"  # what browsers do
    with contextlib.suppress(UnicodeDecodeError):
        data.decode("utf-8")
        charset = None  # valid UTF-8 is UTF-8, whatever the page declares
    text, warnings = decode_text(data, charset)
    body, fields = extract_html(text)
    if not body.strip():
        raise LoadError("no readable text in HTML")
    return RawDoc(path=path, text=body, fields=fields, warnings=tuple(warnings))


def _load_pdf(path: Path, data: bytes) -> RawDoc:
    from index.pdf import PdfError, read_pdf

    try:
        text, fields, warnings = read_pdf(data)
    except PdfError as exc:
        raise LoadError(str(exc)) from None
    return RawDoc(path=path, text=text, fields=fields, warnings=tuple(warnings))
