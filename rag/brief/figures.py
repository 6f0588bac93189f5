"""The figures a news sentence states, with their qualifier and unit ("around 5 million
artillery shells")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.dates import find_dates
from rag.text.terms import STOPWORDS

# ---- figures -----------------------------------------------------------------------------------
_QUALIFIER = (
    r"(?:(?:around|about|roughly|nearly|almost|some|over|more than|less than|fewer than|"
    r"up to|at least|at most|approximately|an estimated|just over|just under)\s+)?"
)
_FIGURE = re.compile(
    _QUALIFIER
    + r"(?:(?:[$£€¥]|US\$)\s?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:bn|mn|m|k|million|billion|trillion|"
    r"thousand)\b)?|\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:%|per\s?cent\b|percent\b|bn\b|mn\b|m\b|k\b|"
    r"million\b|billion\b|trillion\b|thousand\b|hundred\b))?|"
    r"(?:hundreds|thousands|millions|billions|tens|dozens)(?:\s+of\s+(?:thousands|millions|"
    r"billions))?\b)",
    re.IGNORECASE,
)
_UNIT_STOP = frozenset(
    STOPWORDS
    | {
        "per",
        "than",
        "ago",
        "year-old",
        "years-old",
        "last",
        "next",
        "this",
        "year",
        "month",
        "week",
        "earlier",
        "later",
    }
)
_MAGNITUDE = re.compile(
    r"%|per\s?cent|percent|bn|mn|million|billion|trillion|thousand|hundred|"
    r"[$£€¥]|\d{2,}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    phrase: str  # "around 5 million artillery shells"
    value: str  # "5 million"
    unit: str  # "artillery shells"
    start: int
    end: int

    @property
    def specific(self) -> bool:
        return any(ch.isdigit() for ch in self.value)


def figures_in(text: str) -> list[Figure]:
    """Numbers with their units in a sentence — not dates, years, ages or times."""
    date_spans = [(d.start, d.end) for d in find_dates(text)]
    out: list[Figure] = []
    for m in _FIGURE.finditer(text):
        s, e = m.span()
        core = m.group(0).strip()
        if not core or any(s < de and ds < e for ds, de in date_spans):
            continue
        digits = re.sub(r"[^\d]", "", core)
        if re.fullmatch(r"(?:1[89]|20)\d\d", core):
            continue  # a year
        if text[e : e + 1] in ":/" or text[e : e + 1] == "-" or text[max(0, s - 1) : s] in "-/":
            continue  # times, ratios, "70-year-old", "one-on-one"
        if re.match(r"\s*(?:st|nd|rd|th)\b", text[e : e + 3]):
            continue
        if (
            digits
            and re.fullmatch(r",\s*", text[max(0, s - 2) : s] or "x")
            and text[e : e + 1] == ","
        ):
            continue  # "Kim, 39," — an age
        unit, unit_len = _unit_after(text[e:])
        if not digits and not unit:
            continue
        if not _MAGNITUDE.search(core) and not unit:
            continue  # a bare small number says nothing on its own
        value = re.sub(_QUALIFIER, "", core, count=1, flags=re.IGNORECASE).strip()
        out.append(Figure(text[s : e + unit_len].strip(), value, unit, s, e + unit_len))
    return out


_WORD_AFTER = re.compile(r"\s+([A-Za-z][\w'’-]*)")


def _unit_after(rest: str) -> tuple[str, int]:
    """Up to three words naming what is counted ("artillery shells", "of Russians") and the
    length of text they take."""
    pos = 0
    words: list[str] = []
    lead = re.match(r"\s+of(?=\s)", rest)
    if lead:
        pos = lead.end()
    while len(words) < 3:
        m = _WORD_AFTER.match(rest, pos)
        if not m or m.group(1).lower() in _UNIT_STOP:
            break
        words.append(m.group(1))
        pos = m.end()
        if m.group(1).endswith("s") and len(m.group(1)) > 3:
            break  # a plural noun ends the phrase
    if not words:
        return "", 0
    return " ".join(words), pos
