"""Time awareness: how well an article's publication date fits the time a question speaks of.

"This week", "recently", "last month" speak of the newest articles in scope: the fit falls off with
the days between an article and the newest one. A named date, month or year ("in July 2022",
"on June 18") speaks of articles published in it or shortly after (news reports an event in the
days that follow). Undated articles get no fit either way: the signal is centred so that they
neither win nor vanish. Dates in the question are found by ``rag.text.dates`` (the project's
finder for dates in prose).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from rag.text.dates import find_dates

DAY = 86_400.0

# Relative phrases → how many days back from the newest article they reach.
_RELATIVE_DAYS = {
    "today": 2.0,
    "yesterday": 3.0,
    "tonight": 2.0,
    "this week": 7.0,
    "last week": 14.0,
    "past week": 7.0,
    "this weekend": 4.0,
    "last weekend": 9.0,
    "this month": 31.0,
    "last month": 62.0,
    "past month": 31.0,
    "this year": 365.0,
}
_RECENT = re.compile(
    r"\b(recent(ly)?|latest|newest|just|currently|so far this|this (week|month)|"
    r"(past|last) (few )?(days|weeks))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeCue:
    """What a question says about time. ``kind``: ``none``, ``recent`` (``days``: how far back
    from the newest article in scope) or ``named`` (``start``..``end`` UTC epoch seconds, and the
    ``slack`` after it in which reports still fit)."""

    kind: str = "none"
    days: float = 0.0
    start: float = 0.0
    end: float = 0.0
    slack: float = 0.0


def _ts(y: int, m: int = 1, d: int = 1) -> float:
    return datetime(y, m, d, tzinfo=UTC).timestamp()


def _month_end(y: int, m: int) -> float:
    return _ts(y + 1, 1, 1) if m == 12 else _ts(y, m + 1, 1)


@lru_cache(maxsize=4096)
def time_cue(question: str) -> TimeCue:
    """The question's time cue (the first that says something; cached per question)."""
    for m in find_dates(question):
        if m.kind in ("rel",) and m.relative in _RELATIVE_DAYS:
            return TimeCue("recent", days=_RELATIVE_DAYS[m.relative])
        if m.year is None:
            continue
        if m.month and m.day:
            try:
                start = _ts(m.year, m.month, m.day)
            except ValueError:
                continue
            last = m.end_day or m.day
            return TimeCue(
                "named", start=start, end=start + (last - m.day + 1) * DAY, slack=7 * DAY
            )
        if m.month:
            return TimeCue(
                "named", start=_ts(m.year, m.month), end=_month_end(m.year, m.month), slack=14 * DAY
            )
        return TimeCue("named", start=_ts(m.year), end=_ts(m.year + 1), slack=31 * DAY)
    if _RECENT.search(question):
        return TimeCue("recent", days=14.0)
    return TimeCue()


def date_fit(cue: TimeCue, ts: float | None, newest: float | None) -> float:
    """Fit of a publication time to the cue, centred: +0.5 a perfect fit, -0.5 far off, 0 for
    no cue or an undated article (or nothing dated to be recent against)."""
    if cue.kind == "none" or ts is None or math.isnan(ts):
        return 0.0
    if cue.kind == "recent":
        if newest is None:
            return 0.0
        age_days = max(0.0, (newest - ts) / DAY)
        return math.exp(-age_days / max(cue.days, 1.0)) - 0.5
    if cue.start <= ts < cue.end + cue.slack:
        return 0.5
    gap = cue.start - ts if ts < cue.start else ts - (cue.end + cue.slack)
    width = max(cue.end - cue.start, 7 * DAY)
    return math.exp(-gap / width) - 0.5


# How far back ``recency`` reaches before it bottoms out.
_RECENCY_SPAN_DAYS = 3650.0


def recency(cue: TimeCue, ts: float | None, newest: float | None) -> float:
    """For a "this week" or "recently" question, how recent an article is on a log scale of its
    age against the newest one in scope, centred: +0.5 the newest, falling by each doubling of
    the age in the cue's days, -0.5 ten years back. ``date_fit`` falls off within weeks, so an
    article of last quarter and one of six years ago fit alike; without an end date to the scope,
    where "this week" may be any of the last months, the longer scale still tells them apart. 0
    for any other question and for undated articles."""
    if cue.kind != "recent" or ts is None or math.isnan(ts) or newest is None:
        return 0.0
    age_days = max(0.0, (newest - ts) / DAY)
    days = max(cue.days, 1.0)
    return 0.5 - min(1.0, math.log1p(age_days / days) / math.log1p(_RECENCY_SPAN_DAYS / days))
