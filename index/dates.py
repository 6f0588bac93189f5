"""The project's one date module: month and weekday tables, and date strings read with dateparser.

Dates in metadata fields, datelines and the command line's ``--since``/``--until`` are read here
with `dateparser <https://dateparser.readthedocs.io>`_ (English only, which keeps it fast). Dates
*inside* article prose are another matter (``rag.text.dates`` has its own finder there, because
dateparser guesses badly on sentences); this module only supplies the tables it shares.

Nothing here reads the machine's local time zone: a stated offset is kept or converted to UTC,
and a time without a zone is taken as UTC.

- :func:`read_date` / :func:`find_date` — a publication stamp *as stated* (:class:`Stamp`: the
  offset the page gave, or none), for :mod:`index.meta`.
- :func:`parse_date` — the same instant as a UTC-aware ``datetime``.
- :func:`published_ts` — a stored ``published`` ISO string as UTC epoch seconds.
- :func:`date_bound` — a ``--since``/``--until`` value as a UTC-aware bound; raises
  :class:`BadDateError` with what to type instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

MONTH_NAMES: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
"""Full English month names, January first."""

MONTH_ABBREVIATIONS: tuple[str, ...] = tuple(name[:3] for name in MONTH_NAMES)
"""Three-letter month abbreviations: "Jan" … "Dec"."""

MONTHS: dict[str, int] = {
    **{name.lower(): n for n, name in enumerate(MONTH_NAMES, start=1)},
    **{abbr.lower(): n for n, abbr in enumerate(MONTH_ABBREVIATIONS, start=1)},
    "sept": 9,
}
"""Lower-case month name or abbreviation ("september", "sep", "sept") → month number 1–12."""

WEEKDAY_NAMES: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)  # fmt: skip
"""Full English weekday names, Monday first (``datetime.weekday()`` order)."""

WEEKDAYS: dict[str, int] = {name.lower(): n for n, name in enumerate(WEEKDAY_NAMES)}
"""Lower-case full weekday name → ``datetime.weekday()`` number (Monday 0)."""

WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5,
    "sun": 6,
}  # fmt: skip
"""Lower-case weekday abbreviations → weekday number (kept apart: "sun" and "wed" are words)."""

MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
"""Regex alternation of every key of :data:`MONTHS`, longest first, without groups: use it as
``rf"\\b(?:{MONTH_PATTERN})\\b"`` with ``re.IGNORECASE``."""

WEEKDAY_PATTERN = "|".join(sorted([*WEEKDAYS, *WEEKDAY_ABBREVIATIONS], key=len, reverse=True))
"""Regex alternation of weekday names and abbreviations, longest first, without groups."""

LANGUAGES = ["en"]
MAX_LINE_WORDS = 16
""":func:`find_date` looks for a date in at most this many words of a line."""

# "IST" is India in English-language news; dateparser's default reads it as Israel.
_ZONE_OVERRIDES = {"IST": timedelta(hours=5, minutes=30)}
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NUMERIC_YMD = re.compile(r"((?:1[89]|2\d)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)")
_TIME = re.compile(r"\d:\d\d|\d\s*[ap]\.?\s?m\b", re.I)
_EDGE = " \t|,;:-–—·•"


class BadDateError(Exception):
    """A date the user typed (``--since``, ``--until``, a date filter) that cannot be read."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(f"Not a date: {value!r} — use YYYY-MM-DD, e.g. 2024-05-25")


@dataclass(frozen=True)
class Stamp:
    """A date as a page states it: ``value`` is aware when a zone or offset was given, naive when
    not; ``has_time`` says whether a clock time was given at all."""

    value: datetime
    has_time: bool

    @property
    def has_zone(self) -> bool:
        return self.value.tzinfo is not None

    @property
    def precision(self) -> int:
        """1 a date, 2 a date and a time, 3 a date, a time and a zone."""
        return 1 if not self.has_time else 3 if self.has_zone else 2

    @property
    def iso(self) -> str:
        """ISO 8601 as stated: "2024-05-25", "2024-05-25T18:28:00", "…T18:28:00-04:00"."""
        return to_iso(self.value, has_time=self.has_time)

    def utc(self) -> datetime:
        """The instant in UTC (a naive stamp is taken as UTC; a date alone is its midnight)."""
        return to_utc(self.value)


def to_utc(value: datetime) -> datetime:
    """``value`` as a UTC-aware datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_iso(value: datetime | date, has_time: bool = True) -> str:
    """ISO 8601 without fractions of a second; the date alone when ``has_time`` is False."""
    if not isinstance(value, datetime):
        return value.isoformat()
    if not has_time:
        return value.date().isoformat()
    return value.replace(microsecond=0).isoformat()


@lru_cache(maxsize=4)
def _parser(kind: str) -> Any:
    """A dateparser parser: "stated" keeps the page's offset (naive stays naive), "utc" converts
    to UTC. Neither consults the local time zone for absolute dates."""
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {
        "REQUIRE_PARTS": ["day", "month", "year"],
        "IGNORE_SURROUNDING_TEXT": kind == "line",
        "TIMEZONE_ABBREVIATIONS": _ZONE_OVERRIDES,
    }
    if kind == "utc":
        settings |= {"TIMEZONE": "UTC", "TO_TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True}
    return DateDataParser(languages=LANGUAGES, settings=settings)


def _ambiguous(text: str) -> bool:
    """A numeric date whose day and month could be swapped ("09/10/2023"): never guessed."""
    return any(
        int(m[1]) <= 12 and int(m[2]) <= 12 and m[1].lstrip("0") != m[2].lstrip("0")
        for m in _NUMERIC_DMY.finditer(text)
    )


def _stamp(text: str, kind: str) -> Stamp | None:
    text = text.strip(_EDGE)
    # An explicit year rules out relative dates ("2 hours ago"), which depend on today.
    if not text or not _YEAR.search(text) or _ambiguous(text):
        return None
    data = _parser(kind).get_date_data(text)
    found: datetime | None = data.date_obj
    if found is None or not 1900 <= found.year <= 2100 or str(found.year) not in text:
        return None
    has_time = "time" in (getattr(data, "parts", None) or ()) or bool(_TIME.search(text))
    return Stamp(found, has_time)


@lru_cache(maxsize=4096)
def read_date(text: str) -> Stamp | None:
    """The date that all of ``text`` states (a metadata field: "2023-09-14T07:18:00-04:00",
    "Thursday, 14 September 2023 07:18 AM EDT"), as stated; None unless it names a day, a month
    and a four-digit year."""
    return _stamp(" ".join(text.split()), "stated")


@lru_cache(maxsize=4096)
def find_date(line: str) -> Stamp | None:
    """The date in a short line that carries other words too (a dateline: "By Jane Doe |
    September 14, 2023", " date 2024-05-25 WATCH TV LIVE"), as stated.

    dateparser first reads the line ignoring unknown words at its edges; failing that, the
    longest run of words around a year that it reads wins, leftmost first."""
    line = " ".join(line.split()[:MAX_LINE_WORDS])
    found = read_date(line) or _stamp(line, "line")
    if found:
        return found
    words = line.split()
    years = [i for i, w in enumerate(words) if _YEAR.search(w)]
    windows = sorted(
        {(a, b) for y in years for a in range(y + 1) for b in range(y + 1, len(words) + 1)},
        key=lambda w: (w[0] - w[1], w[0]),
    )
    for a, b in windows:
        if (a, b) != (0, len(words)) and (found := read_date(" ".join(words[a:b]))):
            return found
    return None


def parse_date(text: str) -> datetime | None:
    """The instant a metadata field or dateline states, as a UTC-aware datetime (a time without
    a zone is UTC, a date alone its midnight UTC); None when ``text`` states no full date."""
    text = " ".join(text.split())
    found = _stamp(text, "utc") or find_date(text)
    return found.utc() if found else None


def published_ts(published: str | None) -> int | None:
    """A stored publication date (ISO 8601, as :class:`Stamp.iso` writes it) as UTC epoch
    seconds; a naive time or a date alone is UTC. None when absent or unreadable."""
    if not published or not published.strip():
        return None
    try:
        value = datetime.fromisoformat(published.strip())
    except ValueError:
        parsed = parse_date(published)
        return int(parsed.timestamp()) if parsed else None
    return int(to_utc(value).timestamp())


def date_bound(value: str, end: bool) -> datetime:
    """A ``--since`` (``end=False``) or ``--until`` (``end=True``) value as a UTC-aware bound.

    Accepts YYYY-MM-DD, full ISO 8601 ("2024-05-25T18:00:00+02:00") and what dateparser reads in
    English ("1 May 2024", "May 2024", "2024", "yesterday"). A time without a zone is UTC. Without
    a time, ``since`` is the first second of the day, month or year named and ``until`` the last
    (23:59:59 UTC), so ``--until 2024-05-25`` includes all of that day. Raises
    :class:`BadDateError` for anything else.
    """
    text = " ".join(str(value).split())
    if not text:
        raise BadDateError(value)
    found: datetime | None
    ymd = _NUMERIC_YMD.fullmatch(text)
    try:
        if ymd:  # year first: only ever year-month-day, never dateparser's other guesses
            year, month, day = (int(g) for g in ymd.groups())
            found = datetime(year, month, day)
            precise = False
        else:
            found = datetime.fromisoformat(text)
            precise = bool(_TIME.search(text)) or "T" in text.upper()
    except ValueError:
        if ymd:
            raise BadDateError(value) from None
        found, precise = _natural_bound(text, end)
    if found is None or not 1 < found.year < 9999:
        raise BadDateError(value)
    if not precise:
        found = datetime.combine(found.date(), time(23, 59, 59) if end else time(0, 0, 0))
    return to_utc(found)


def _natural_bound(text: str, end: bool) -> tuple[datetime | None, bool]:
    """dateparser's reading of a bound, the missing day or month taken first or last."""
    from dateparser.date import DateDataParser

    prefer = "last" if end else "first"
    parser = DateDataParser(
        languages=LANGUAGES,
        settings={
            "TIMEZONE": "UTC",
            "TO_TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DAY_OF_MONTH": prefer,
            "PREFER_MONTH_OF_YEAR": prefer,
            "RELATIVE_BASE": datetime.now(UTC).replace(tzinfo=None),
            "TIMEZONE_ABBREVIATIONS": _ZONE_OVERRIDES,
        },
    )
    if _ambiguous(text):
        return None, False
    data = parser.get_date_data(text)
    return data.date_obj, "time" in (getattr(data, "parts", None) or ())
