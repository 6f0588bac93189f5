"""News metadata of an article: title, outlet, author and publication date.

What the container states (HTML ``<meta>``, Markdown front matter, PDF info) wins; otherwise the
raw text is read for datelines, bylines, author bios and publisher footers. Nothing is guessed: an
article without a dateline has ``published=None`` — a date mentioned in the body ("on June 18-19",
"in April 2019") is an event, not a publication date, and is never used.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from index.clean import is_date_line
from index.load import FIELD_ALIASES
from index.records import Meta, RawDoc

HEADER_LINES = 15
"""Datelines and bylines are looked for first in this many non-empty lines at the top."""

TZ_OFFSETS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "IST": 5.5, "SGT": 8, "HKT": 8, "KST": 9, "JST": 9, "AEST": 10,
    "AEDT": 11, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
    "PDT": -7,
}  # fmt: skip
MONTHS = {
    m: n
    for n, names in enumerate(
        ("jan january", "feb february", "mar march", "apr april", "may", "jun june",
         "jul july", "aug august", "sep sept september", "oct october", "nov november",
         "dec december"),
        start=1,
    )
    for m in names.split(" ")
}  # fmt: skip
WIRES = {
    "afp": "AFP", "agence france-presse": "AFP", "reuters": "Reuters", "thomson reuters": "Reuters",
    "thomson/reuters": "Reuters", "ap": "Associated Press", "associated press": "Associated Press",
    "the associated press": "Associated Press", "dpa": "dpa", "upi": "UPI", "efe": "EFE",
    "xinhua": "Xinhua", "tass": "TASS", "ansa": "ANSA",
}  # fmt: skip

_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # noqa: E501
_OFF = r"(?P<off>Z|[+-]\d{2}(?::?\d{2})?)"
_DATES = [
    re.compile(p, re.I)
    for p in (
        rf"(?<!\d)(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:[T ](?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}})(?:\.\d+)?)?\s*{_OFF}?)?(?!\d)",  # noqa: E501
        r"(?<!\d)(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})(?!\d)",
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MON},?\s+(?P<y>\d{{4}})(?!\d)",
        rf"\b{_MON}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*,\s*|\s*-\s*|\s+)(?P<y>\d{{4}})(?!\d)",
        r"(?<!\d)(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})(?!\d)",
    )
]
_ZONES = "|".join(sorted(TZ_OFFSETS, key=len, reverse=True))
_TZ = (
    rf"(?:\s*\(?(?P<tz>(?:UTC|GMT)\s*[+-]\s*\d{{1,2}}(?::?\d{{2}})?|[+-]\d{{2}}:?\d{{2}}|{_ZONES})"
    r"\)?(?![\w+-]))?"
)
_TIMES = [
    re.compile(p, re.I)
    for p in (
        rf"(?<![\d:])(?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}}))?(?!\d)\s*(?P<ampm>[ap]\.?\s?m\b\.?)?{_TZ}",
        rf"(?<![\d:])(?P<H>\d{{1,2}})\s*(?P<ampm>[ap]\.?\s?m\b\.?){_TZ}",
    )
]
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


@dataclass(frozen=True)
class _Found:
    iso: str
    day: str
    precision: int  # 1 date, 2 date and time, 3 date, time and zone


def _tz(name: str | None) -> timezone | None:
    if not name:
        return None
    name = name.strip().upper().replace(" ", "")
    if name in TZ_OFFSETS:
        return timezone(timedelta(hours=TZ_OFFSETS[name]))
    m = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", name)
    if not m:
        return None
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return timezone(-delta if m.group(1) == "-" else delta)


def _find(text: str) -> _Found | None:
    """The first valid date in ``text``, with a time and zone found near it."""
    for pattern in _DATES:
        for m in pattern.finditer(text):
            g = m.groupdict()
            if g.get("a"):  # numeric d/m/y or m/d/y: only when unambiguous
                a, b = int(g["a"]), int(g["b"])
                if (a > 12) == (b > 12):
                    continue
                g["d"], g["m"] = (str(a), str(b)) if a > 12 else (str(b), str(a))
            month = int(g["m"]) if g.get("m") else MONTHS.get(g["mon"].lower().rstrip("."), 0)
            try:
                day = date(int(g["y"]), month, int(g["d"]))
            except ValueError:
                continue  # "2024-28-25"
            if not 1900 <= day.year <= 2100:
                continue
            hour = minute = second = None
            zone = _tz(g.get("off"))
            if g.get("H"):
                hour, minute, second = int(g["H"]), int(g["M"]), int(g["S"] or 0)
            else:  # a time elsewhere on the line: "7:30 AM CET", "Updated 3:45 PM EDT, ..."
                rest = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
                t = next((t for p in _TIMES if (t := p.search(rest))), None)
                if t:
                    tg = t.groupdict()
                    hour, minute, second = (
                        int(tg["H"]),
                        int(tg.get("M") or 0),
                        int(tg.get("S") or 0),
                    )
                    if ampm := (tg["ampm"] or "")[:1].lower():
                        hour = hour % 12 + (12 if ampm == "p" else 0) if 1 <= hour <= 12 else None
                    zone = _tz(tg["tz"])
            if hour is not None:
                with contextlib.suppress(ValueError):  # "25:61"
                    dt = datetime(day.year, day.month, day.day, hour, minute or 0, second or 0,
                                  tzinfo=zone)  # fmt: skip
                    return _Found(dt.isoformat(), day.isoformat(), 3 if zone else 2)
            return _Found(day.isoformat(), day.isoformat(), 1)
    return None


def parse_date(value: str) -> str | None:
    """The first valid date in ``value`` as ISO 8601 ("2023-09-14T07:18:00-04:00", "2023-09-14")."""
    found = _find(value)
    return found.iso if found else None


def _dateline(line: str, header: bool) -> tuple[_Found, bool] | None:
    """A date if ``line`` is a dateline; the flag is True for an "Updated ..." line."""
    prefix = _PREFIX.match(line)
    if prefix:
        found = _find(line[prefix.end() : prefix.end() + 60])
        if found:
            return found, prefix["kind"].lower().startswith(("updated", "last"))
    short_byline = header and len(line) <= 120 and line.lower().startswith("by ")
    if is_date_line(line) or (short_byline and len(line.split()) <= 12):
        found = _find(line)
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
        f for f, _, upd in found if f.day == best.day and f.precision > best.precision and not upd
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
            names = []
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


def _title(fields: dict[str, str], cleaned: str, file: str) -> str:
    title = _field(fields, "title")
    if not title:
        first = next((ln for ln in cleaned.split("\n") if ln.strip()), "")
        title = " ".join(first.lstrip("#").split())
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
        published = parse_date(value)
    published = published or published_from_text(raw.text)
    if not published and fields.get("created"):  # a PDF's creation date, as a last resort
        published = parse_date(fields["created"])
    author = _field(fields, "author")
    author = re.sub(r"^by\s+", "", author, flags=re.I) if author else author_from_text(raw.text)
    outlet = _field(fields, "outlet") or outlet_from_text(raw.text)
    return Meta(
        title=_title(fields, cleaned, file), outlet=outlet, author=author, published=published
    )
