"""News metadata of an article: title, outlet, author and publication date.

What the container states (HTML ``<meta>``, Markdown front matter, PDF info) wins; otherwise the
raw text is read for datelines, bylines, author bios and publisher footers. Nothing is guessed: an
article without a dateline has ``published=None`` — a date mentioned in the body ("on June 18-19",
"in April 2019") is an event, not a publication date, and is never used.
"""

from __future__ import annotations

import re
from pathlib import Path

from index.clean import is_date_line
from index.dates import MONTHS, Stamp, find_date, read_date
from index.load import FIELD_ALIASES
from index.records import Meta, RawDoc

HEADER_LINES = 15
"""Datelines and bylines are looked for first in this many non-empty lines at the top."""

WIRES = {
    "afp": "AFP", "agence france-presse": "AFP", "reuters": "Reuters", "thomson reuters": "Reuters",
    "thomson/reuters": "Reuters", "ap": "Associated Press", "associated press": "Associated Press",
    "the associated press": "Associated Press", "dpa": "dpa", "upi": "UPI", "efe": "EFE",
    "xinhua": "Xinhua", "tass": "TASS", "ansa": "ANSA",
}  # fmt: skip

_PREFIX = re.compile(
    r"^\s*(?P<kind>date|published|updated|posted|last updated|last modified|first published"
    r"|publication date|pub date)\b\s*(?:on|at)?\s*[:\-–]?\s*",
    re.I,
)
_NAME = r"[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|van|von|de|da|del|bin|al))*"
_BYLINE = re.compile(
    rf"^(?i:written\s+by|reported\s+by|story\s+by|by)\s*:?\s+(?P<names>{_NAME}"
    rf"(?:\s*(?:,|and|&)\s*{_NAME})*)"
)
_BIO = re.compile(
    r"^(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}) is (?:an?|the) [^.]{0,60}?"
    r"\b(?:reporter|editor|correspondent|writer|journalist|columnist|contributor|producer"
    r"|anchor|host|author|freelancer|intern|fellow)s?\b[^.]{0,60}?\b(?:for|at|with) "
    r"(?:the )?(?P<outlet>[A-Z][^.,;:]*?)\s*(?:[.,;:]|$)"
)
_ORG = r"[A-Z][\w&.'’/-]*(?:\s+(?:[A-Z][\w&.'’/-]*|of|the|and|for|&))*"
_CORP = r",?\s+(?i:Inc|LLC|Ltd|plc|Corp|Corporation|GmbH|Company)\.?"
_CORP_LINE = re.compile(
    rf"^(?:©\s*)?(?:\d{{4}}\s+)?(?P<org>{_ORG}){_CORP}(?:\s+(?i:all rights reserved)\.?)?$"
)
_TRADEMARK = re.compile(rf"trademarks? of (?P<org>{_ORG}){_CORP}")
_COPYRIGHT = re.compile(
    rf"^(?i:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{{4}}\s+)?(?P<org>{_ORG})[\s,.]*(?:\d{{4}})?"
    r"[\s,.]*(?i:all rights reserved\.?)?$"
)
_DOMAIN = re.compile(r"^(?:www\.)?(?P<name>[a-z0-9-]+)\.(?:com|org|net|co\.uk|news|tv)/?$", re.I)


def date_iso(value: str) -> str | None:
    """The date ``value`` states, as ISO 8601 as stated ("2023-09-14T07:18:00-04:00",
    "2023-09-14"): all of it read by dateparser, else the date in it (see :func:`find_date`)."""
    found = read_date(value) or find_date(value)
    return found.iso if found else None


def _dateline(line: str, header: bool) -> tuple[Stamp, bool] | None:
    """A date if ``line`` is a dateline; the flag is True for an "Updated ..." line."""
    prefix = _PREFIX.match(line)
    if prefix:
        found = find_date(line[prefix.end() :])
        if found:
            return found, prefix["kind"].lower().startswith(("updated", "last"))
    short_byline = header and len(line) <= 120 and line.lower().startswith("by ")
    if is_date_line(line) or (short_byline and len(line.split()) <= 12):
        found = find_date(line)
        return (found, False) if found else None
    return None


def published_from_text(text: str) -> str | None:
    """The publication date stated by a dateline of ``text``: header area first, then anywhere."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    found = [
        (f, n < HEADER_LINES, updated)
        for n, ln in enumerate(lines)
        if (hit := _dateline(ln, n < HEADER_LINES)) is not None
        for f, updated in [hit]
    ]
    if not found:
        return None
    ranked = sorted(found, key=lambda x: (not x[1], x[2]))  # header first, "Updated" last
    best = ranked[0][0]
    fuller = [
        f
        for f, _, upd in found
        if f.value.date() == best.value.date() and f.precision > best.precision and not upd
    ]
    return max(fuller, key=lambda f: f.precision).iso if fuller else best.iso


def _field(fields: dict[str, str], key: str) -> str | None:
    for alias in (key, *FIELD_ALIASES.get(key, ())):
        value = " ".join(fields.get(alias, "").split())
        if value:
            return value
    return None


def _tidy_org(org: str) -> str:
    org = re.sub(r"[\s,.]*all rights reserved\.?$", "", org.strip(), flags=re.I)
    org = re.sub(_CORP + "$", "", org.strip(" ,.©"), flags=re.I)
    org = re.sub(r"\s+(?:Media(?: Group)?|Publishing|Communications|Holdings)$", "", org)
    return org.strip(" ,.")


def author_from_text(text: str) -> str | None:
    """A byline in the header area, else the name of an author bio near the end."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    for line in lines[:HEADER_LINES]:
        m = _BYLINE.match(line)
        if m:
            names: list[str] = []
            for part in re.split(r"\s*,\s*", m["names"]):
                words = part.split()
                cut = next((i for i, w in enumerate(words) if w.lower() in MONTHS), len(words))
                if len(words[:cut]) < 2 and names:
                    break
                names.append(" ".join(words[:cut]))
            author = ", ".join(n for n in names if n)
            if author:
                return author
    for line in lines[-5:]:
        m = _BIO.match(line)
        if m:
            return m["name"]
    return None


def author_line(text: str, author: str | None) -> int | None:
    """The line of ``text`` (0-based over ``text.split("\\n")``) holding the byline or author
    bio that names ``author``, looked for where ``author_from_text`` looks; None when no line
    does (the name came from a metadata field, or a reader corrected it). Ingest keeps that line
    in the stored text, so an answer about who wrote the article can cite it."""
    if not author:
        return None
    words = author.split(",")[0].split()
    if not words:
        return None
    surname = words[-1].lower()
    lines = text.split("\n")
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    for i in dict.fromkeys([*filled[:HEADER_LINES], *filled[-5:]]):
        line = lines[i].strip()
        if (_BYLINE.match(line) or _BIO.match(line)) and surname in line.lower():
            return i
    return None


def outlet_from_text(text: str) -> str | None:
    """The publisher named by footers ("Newsmax Media, Inc."), bios or domain lines."""
    lines = [ln.strip() for ln in text.split("\n") if 0 < len(ln.strip()) <= 300]
    for line in lines:
        m = _CORP_LINE.match(line) or _TRADEMARK.search(line)
        if m and _tidy_org(m["org"]).lower() not in WIRES:
            return _tidy_org(m["org"])
    for line in lines[-5:]:
        m = _BIO.match(line)
        if m:
            return m["outlet"].strip()
    wire = None
    for line in lines:
        m = _COPYRIGHT.match(line)
        if m and len(m["org"]) <= 60:
            org = _tidy_org(m["org"])
            if org.lower() in WIRES:
                wire = wire or WIRES[org.lower()]
            elif org:
                return org
    for line in lines:
        m = _DOMAIN.match(line)
        if m:
            return m["name"].capitalize() if m["name"].isupper() else m["name"]
    return wire


_TITLE_TAIL = re.compile(r"\s+[|\-–—]\s+(?P<tail>[^|]+?)\s*$")
_ELLIPSIS = re.compile(r"\s*(?:\.{3}|…)$")


def without_site_name(title: str, outlet: str | None) -> str:
    """``title`` without the site's name that pages put after a separator ("Sprite will no
    longer be sold in green bottles - CNN", "… | CNN Politics", "… | The Week UK", a cut-off
    "… | The ..."): dropped when it is the outlet's name (or the start of it); a tail that is
    not ("… - Kennedy", the speaker of a quoted headline) is the headline's own."""
    m = _TITLE_TAIL.search(title)
    if m is None or not outlet:
        return title
    tail, name = _ELLIPSIS.sub("", m["tail"]).lower(), outlet.lower()
    if tail and (tail.startswith(name) or name.startswith(tail)) and m.start() > 0:
        return title[: m.start()]
    return title


def _title(fields: dict[str, str], cleaned: str, file: str, outlet: str | None = None) -> str:
    title = _field(fields, "title")
    if not title:
        first = next((ln for ln in cleaned.split("\n") if ln.strip()), "")
        title = " ".join(first.lstrip("#").split())
    title = without_site_name(title, outlet)
    if not title:
        return Path(file).stem
    if len(title) > 200:
        title = title[:200].rsplit(" ", 1)[0] + "…"
    return title


def extract_meta(raw: RawDoc, cleaned: str, file: str) -> Meta:
    """Metadata of one article: fields first, then the raw text; None where nothing is stated."""
    fields = raw.fields
    published = None
    if value := _field(fields, "published"):
        published = date_iso(value)
    published = published or published_from_text(raw.text)
    if not published and fields.get("created"):  # a PDF's creation date, as a last resort
        published = date_iso(fields["created"])
    author = _field(fields, "author")
    author = re.sub(r"^by\s+", "", author, flags=re.I) if author else author_from_text(raw.text)
    outlet = _field(fields, "outlet") or outlet_from_text(raw.text)
    return Meta(
        title=_title(fields, cleaned, file, outlet),
        outlet=outlet,
        author=author,
        published=published,
    )
