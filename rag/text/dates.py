"""Dates of events in news sentences, kept apart from the article's publication date.

``find_dates`` spots absolute dates ("June 18-19", "in July 2000", "14 September 2023", "in
2000") and relative ones ("Thursday", "last year", "this week", "four years ago"); ``resolve``
turns a mention into an ``EventDate`` against the article's publication date when there is one
(a weekday in a past-tense clause is the latest such day on or before publication, in a
future-tense clause the next one on or after it), and leaves the year unknown when there is none
— the text never states it and guessing would be invention. ``tense_at`` reads whether the event
at a mention happened or is planned ("will visit", "is being prepared", "is due").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from index.dates import MONTH_ABBREVIATIONS, MONTH_NAMES, MONTH_PATTERN
from index.dates import MONTHS as MONTH_NUMBERS
from index.dates import WEEKDAYS as WEEKDAY_NUMBERS

# The numbers news spells out, by word ("two goals").
NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_WORDS = {"a": 1, "an": 1, **NUMBER_WORDS}

# Any month name or abbreviation, as one regex alternation (for detectors of "a date is here").
MONTHS = MONTH_PATTERN
MONTH_NAMES_LOWER = tuple(m.lower() for m in MONTH_NAMES)
DATE_RE = re.compile(
    rf"\b(?:(?:{MONTHS})\.?(?:\s+\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?)?(?:,?\s+\d{{4}})?|"
    rf"\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+(?:{MONTHS})\b(?:\s+\d{{4}})?|"
    r"(?:19|20)\d{2}(?:[-/]\d{1,2}[-/]\d{1,2})?|"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(?:yesterday|today|tomorrow|last\s+(?:week|month|year)|next\s+(?:week|month|year)))\b",
    re.IGNORECASE,
)

_M = (
    r"(?P<{}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{}>(?:1[89]|20)\d\d)"
_WD = r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.IGNORECASE))
    for kind, rx in (
        ("iso", r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
        # June 18-19, 2024 / Sept. 13 / June 18
        (
            "mdy",
            r"\b"
            + _M.format("mon")
            + r"\s+"
            + _DAY.format("d")
            + r"(?:\s*(?:-|–|to|and)\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?)?(?:,?\s+"
            + _YEAR.format("y")
            + r")?\b(?!\s*(?:million|billion|%|per))",
        ),
        # 18-19 June 2024 / 14 September 2023 / 13 Sept
        (
            "dmy",
            r"\b"
            + _DAY.format("d")
            + r"(?:\s*(?:-|–)\s*(?P<d2>[0-3]?\d))?\s+(?:of\s+)?"
            + _M.format("mon")
            + r"(?:,?\s+"
            + _YEAR.format("y")
            + r")?\b",
        ),
        # July 2000 / September 1948
        ("my", r"\b" + _M.format("mon") + r",?\s+(?:of\s+)?" + _YEAR.format("y") + r"\b"),
        # in October / early May / by March (a bare month needs a preposition: "may" is a verb)
        (
            "m",
            r"\b(?:in|by|since|until|till|early|late|mid|mid-|last|next|this|of|from|before|"
            r"after|during)\s+(?:-\s*)?" + _M.format("mon") + r"(?![\w-])",
        ),
        # Monday / on Thursday / last Friday
        ("wd", r"\b(?:(?P<mod>last|next|this|on|late|early)\s+)?" + _WD + r"(?:'s)?\b"),
        (
            "rel",
            r"\b(?P<rel>today|yesterday|tomorrow|tonight|(?:this|last|next|past)\s+"
            r"(?:week|month|year|weekend)|earlier\s+this\s+(?:week|month|year)|"
            r"later\s+this\s+(?:week|month|year))\b",
        ),
        (
            "ago",
            r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
            r"twelve)\s+(?P<unit>day|week|month|year)s?\s+ago\b",
        ),
        (
            "y",
            r"(?<![\d$£€.,-])\b"
            + _YEAR.format("y")
            + r"\b(?![-–]\d|\s*(?:%|per|million|billion|years?\b|people|jobs|units))",
        ),
    )
)


@dataclass(frozen=True)
class DateMention:
    start: int  # offsets into the sentence
    end: int
    text: str
    kind: str  # iso | mdy | dmy | my | m | wd | rel | ago | y
    year: int | None = None
    month: int | None = None
    day: int | None = None
    end_day: int | None = None
    weekday: int | None = None
    modifier: str = ""  # last | next | this | on | ...
    relative: str = ""  # today | last year | ...


@dataclass(frozen=True)
class EventDate:
    """The date of an event as far as the text says. ``precision`` is day, week, month, year or
    unknown; ``year`` is None when the text does not state it and it cannot be resolved."""

    year: int | None
    month: int | None = None
    day: int | None = None
    end_day: int | None = None
    precision: str = "day"
    text: str = ""  # as written in the article
    relative: bool = False  # resolved against the publication date
    inferred: str = ""  # why the year was inferred, when the text does not state it

    @property
    def known(self) -> bool:
        return self.year is not None

    @property
    def iso(self) -> str | None:
        """ISO 8601: ``2024-06-18``, ``2023-W37``, ``2023-10``, ``2000``; ``--06-18`` (day and
        month of an unknown year); None when nothing is known."""
        if self.year is None:
            if self.month and self.day:
                return f"--{self.month:02d}-{self.day:02d}"
            return None
        if self.precision == "week" and self.month and self.day:
            return (
                f"{date(self.year, self.month, self.day).isocalendar()[0]}-W"
                f"{date(self.year, self.month, self.day).isocalendar()[1]:02d}"
            )
        if self.precision in ("day", "week") and self.month and self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def sort_key(self) -> tuple[int, int, int, int]:
        """Chronological; dates of unknown year sort after every dated one."""
        return (0 if self.year is not None else 1, self.year or 0, self.month or 0, self.day or 0)

    def label(self) -> str:
        """Compact display: ``18–19 Jun 2024``, ``Jul 2023``, ``2000``, ``June 18-19 (year not
        stated)``."""
        if self.year is None:
            return f"{self.text} (year not stated)" if self.text else "date unknown"
        if self.precision == "week" and self.month and self.day:
            return f"week of {self.day} {MONTH_ABBREVIATIONS[self.month - 1]} {self.year}"
        if self.month and self.day and self.precision == "day":
            days = f"{self.day}–{self.end_day}" if self.end_day else str(self.day)
            return f"{days} {MONTH_ABBREVIATIONS[self.month - 1]} {self.year}"
        if self.month:
            return f"{MONTH_ABBREVIATIONS[self.month - 1]} {self.year}"
        return str(self.year)

    def coarse(self, other: EventDate) -> tuple[tuple[int | None, ...], tuple[int | None, ...]]:
        """Both dates at the precision they share (for comparing what two sources say)."""

        def cut(d: EventDate, level: int) -> tuple[int | None, ...]:
            return (
                (d.year, d.month, d.day)[:level]
                if d.year is not None
                else ((None, d.month, d.day)[:level])
            )

        level = min(_level(self), _level(other))
        a, b = cut(self, level), cut(other, level)
        if self.year is None or other.year is None:  # compare month/day only
            a, b = a[1:], b[1:]
        return a, b

    def to_json(self) -> dict[str, Any]:
        return {
            "iso": self.iso,
            "label": self.label(),
            "year": self.year,
            "month": self.month,
            "day": self.day,
            "end_day": self.end_day,
            "precision": self.precision,
            "text": self.text,
            "relative": self.relative,
            "inferred": self.inferred,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> EventDate:
        return cls(
            d.get("year"),
            d.get("month"),
            d.get("day"),
            d.get("end_day"),
            d.get("precision", "day"),
            d.get("text", ""),
            bool(d.get("relative")),
            d.get("inferred", ""),
        )


def _level(d: EventDate) -> int:
    if d.precision == "day" and d.day:
        return 3
    return 2 if d.month else 1


def _month(name: str) -> int:
    return MONTH_NUMBERS[
        name.lower().rstrip(".")[:4]
        if name.lower().startswith("sept")
        else name.lower().rstrip(".")[:3]
    ]


def find_dates(sentence: str) -> list[DateMention]:
    """Date mentions in a sentence, left to right, without overlaps (the longest wins)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(sentence):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            g = m.groupdict()
            text = sentence[s:e]
            if kind == "m":
                text = m.group("mon")
            elif kind == "wd" and (g.get("mod") or "").lower() not in ("last", "next", "this"):
                text = m.group("wd")
            mention = _mention(kind, g, s, e, text.rstrip(".") if len(text) > 5 else text)
            if mention is None:
                continue
            taken.append((s, e))
            found.append(mention)
    return sorted(found, key=lambda d: d.start)


def _mention(kind: str, g: dict[str, Any], s: int, e: int, text: str) -> DateMention | None:
    year = int(g["y"]) if g.get("y") else None
    if kind == "iso":
        return DateMention(s, e, text, kind, year, int(g["m"]), int(g["d"]))
    if kind in ("mdy", "dmy"):
        day = int(g["d"])
        end_day = int(g["d2"]) if g.get("d2") else None
        if not 1 <= day <= 31 or (end_day is not None and not day < end_day <= 31):
            return None
        if (
            g["mon"].lower() == "may"
            and kind == "mdy"
            and year is None
            and not g["mon"][0].isupper()
        ):
            return None  # "may 5" is a verb and a number; "May 5" is a date
        return DateMention(s, e, text, kind, year, _month(g["mon"]), day, end_day)
    if kind == "my":
        return DateMention(s, e, text, kind, year, _month(g["mon"]))
    if kind == "m":
        mon = g["mon"]
        if (
            mon.lower() in ("may", "mar", "jan", "dec", "sep", "oct", "nov")
            and not mon[0].isupper()
        ):
            return None  # "in may", "by mar…": not a month unless capitalised
        return DateMention(s, e, text, kind, None, _month(mon))
    if kind == "wd":
        wd = g["wd"]
        if not wd[0].isupper():
            return None
        return DateMention(
            s,
            e,
            text,
            kind,
            weekday=WEEKDAY_NUMBERS[wd.lower()],
            modifier=(g.get("mod") or "").lower(),
        )
    if kind == "rel":
        return DateMention(s, e, text, kind, relative=" ".join(g["rel"].lower().split()))
    if kind == "ago":
        n = g["n"].lower()
        count = int(n) if n.isdigit() else _NUMBER_WORDS[n]
        return DateMention(s, e, text, kind, relative=f"{count} {g['unit'].lower()}")
    if kind == "y":
        return DateMention(s, e, text, kind, year)
    return None


# ---- tense -------------------------------------------------------------------------------------
_FUTURE = re.compile(
    r"\b(?:will|won't|shall|would|'ll|is due|are due|due to|is expected|are expected|expected to|"
    r"expects? to|is set to|are set to|plans to|planning to|planned to|scheduled|being prepared|"
    r"being considered|is to|are to|prospective|upcoming|coming (?:days|weeks|months)|"
    r"going to|intends? to|likely to|to visit|to meet|to hold)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|has been|have been|ago|\w{3,}ed|said|told|met|went|took|began|"
    r"held|sent|made|showed|came|gave|saw|left|found|won|lost|rose|fell|paid|brought|bought|"
    r"sold|spent|led|ran|became|built|kept|wrote|spoke|flew|drove|broke|struck|hit|put|set|cut)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[,;:()]|\s(?:and|but|while|whereas|which|although|though|after|before)\s")


def tense_at(sentence: str, pos: int, end: int) -> str:
    """'planned' or 'happened' for the event at ``sentence[pos:end]``: the nearest tense marker
    before it in its clause, else after it in its clause, else anywhere in the sentence."""
    bounds = [0, *[m.start() for m in _CLAUSE.finditer(sentence)], len(sentence)]
    lo = max(b for b in bounds if b <= pos)
    hi = min(b for b in bounds if b >= end)
    before = sentence[lo:pos]
    after = sentence[end:hi]
    for text, last in ((before, True), (after, False), (sentence, False)):
        fut = list(_FUTURE.finditer(text))
        past = [
            p
            for p in _PAST.finditer(text)
            if not any(f.start() <= p.start() < f.end() for f in fut)
        ]
        if not fut and not past:
            continue
        if fut and not past:
            return "planned"
        if past and not fut:
            return "happened"
        # Both: the one nearest the date wins.
        if last:
            return "planned" if fut[-1].start() > past[-1].start() else "happened"
        return "planned" if fut[0].start() < past[0].start() else "happened"
    return "happened"


# ---- resolution --------------------------------------------------------------------------------
def parse_published(published: str | None) -> date | None:
    """The publication date in the article's own time zone (the date part of its ISO stamp)."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _shift_year(y: int, m: int, d: int | None, ref: date, tense: str) -> int:
    """The year of a day/month given without one: the publication year, moved by one when the
    tense says the event lies on the other side of the publication date."""
    probe = date(y, m, min(d or 1, 28))
    if tense == "planned" and probe < ref - timedelta(days=1 if d else 31):
        return y + 1
    if tense == "happened" and probe > ref + timedelta(days=1 if d else 0):
        return y - 1
    return y


def resolve(m: DateMention, ref: date | None, tense: str) -> EventDate:
    """An ``EventDate`` for a mention, against the publication date ``ref`` when known."""
    text = m.text.strip()
    if m.kind == "iso" or (m.kind in ("mdy", "dmy") and m.year):
        return EventDate(m.year, m.month, m.day, m.end_day, "day", text)
    if m.kind in ("mdy", "dmy"):
        assert m.month is not None
        if ref is None:
            return EventDate(None, m.month, m.day, m.end_day, "day", text)
        y = _shift_year(ref.year, m.month, m.day, ref, tense)
        return EventDate(y, m.month, m.day, m.end_day, "day", text, relative=True)
    if m.kind == "my":
        return EventDate(m.year, m.month, None, None, "month", text)
    if m.kind == "m":
        assert m.month is not None
        if ref is None:
            return EventDate(None, m.month, None, None, "month", text)
        y = _shift_year(ref.year, m.month, None, ref, tense)
        return EventDate(y, m.month, None, None, "month", text, relative=True)
    if m.kind == "y":
        return EventDate(m.year, None, None, None, "year", text)
    if ref is None:
        return EventDate(None, None, None, None, "unknown", text)
    if m.kind == "wd":
        assert m.weekday is not None
        delta = (ref.weekday() - m.weekday) % 7
        if m.modifier == "next" or (tense == "planned" and m.modifier != "last"):
            d = ref + timedelta(days=(m.weekday - ref.weekday()) % 7)
            if m.modifier == "next" and d == ref:
                d += timedelta(days=7)
        else:
            d = ref - timedelta(days=delta or (7 if m.modifier == "last" else 0))
        return EventDate(d.year, d.month, d.day, None, "day", text, relative=True)
    if m.kind == "ago":
        n, unit = m.relative.split()
        k = int(n)
        if unit == "year":
            return EventDate(ref.year - k, None, None, None, "year", text, relative=True)
        if unit == "month":
            y, mo = divmod(ref.year * 12 + ref.month - 1 - k, 12)
            return EventDate(y, mo + 1, None, None, "month", text, relative=True)
        d = ref - timedelta(days=k * (7 if unit == "week" else 1))
        return EventDate(
            d.year, d.month, d.day, None, "day" if unit == "day" else "week", text, relative=True
        )
    rel = m.relative
    if rel in ("today", "tonight", "yesterday", "tomorrow"):
        d = ref + timedelta(days={"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[rel])
        return EventDate(d.year, d.month, d.day, None, "day", text, relative=True)
    step = -1 if rel.startswith(("last", "past")) else 1 if rel.startswith("next") else 0
    unit = rel.split()[-1]
    if unit in ("week", "weekend"):
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=step)
        return EventDate(monday.year, monday.month, monday.day, None, "week", text, relative=True)
    if unit == "month":
        y, mo = divmod(ref.year * 12 + ref.month - 1 + step, 12)
        return EventDate(y, mo + 1, None, None, "month", text, relative=True)
    return EventDate(ref.year + step, None, None, None, "year", text, relative=True)


_SINCE = re.compile(r"\bsince\b[^,;]*$", re.IGNORECASE)


def event_dates(sentence: str, ref: date | None) -> list[tuple[DateMention, EventDate, str]]:
    """Every event date of a sentence with its status, leaving out dates that only open a period
    ("since his first term in 2000", "since the 2022 invasion")."""
    out = []
    for m in find_dates(sentence):
        if _SINCE.search(sentence[: m.start]):
            continue
        tense = tense_at(sentence, m.start, m.end)
        out.append((m, resolve(m, ref, tense), tense))
    return out


def best_date(sentence: str, ref: date | None) -> tuple[DateMention, EventDate, str] | None:
    """The sentence's most telling event date: the most precise one that resolved (day before
    month before year), the first among equals; unresolved mentions only as a last resort."""
    found = event_dates(sentence, ref)
    if not found:
        return None

    def rank(item: tuple[DateMention, EventDate, str]) -> tuple[int, int]:
        _, d, _ = item
        resolved = 0 if d.year is not None else (1 if d.month else 2)
        return resolved, -_level(d)

    return min(found, key=rank)


def status_for(d: EventDate, tense: str, ref: date | None) -> str:
    """'planned' only when the event does not already lie before the publication date."""
    if tense != "planned":
        return "happened"
    if ref is not None and d.year is not None:
        last_day = date(d.year, d.month or 12, d.end_day or d.day or (28 if d.month else 31))
        if last_day < ref - timedelta(days=1):
            return "happened"
    return "planned"


def first_on_or_after(month: int, day: int | None, bound: date) -> int:
    """The first year in which ``month``/``day`` falls on or after ``bound``."""
    y = bound.year
    if date(y, month, min(day or 28, 28)) < bound:
        y += 1
    return y
