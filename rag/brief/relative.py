"""Relative days in briefing lines resolved to dates: "on Monday" in an article published on
Thursday 20 June 2024 reads "on Monday (17 Jun 2024)", so a line lifted out of its article still
says when. Uses the same finder and resolver as the timeline (``rag.text.dates``)."""

from __future__ import annotations

from rag.text.dates import find_dates, parse_published, resolve, tense_at

_RELATIVE_KINDS = ("wd", "rel", "ago")


def _label(year: int, month: int | None, day: int | None, precision: str) -> str:
    from datetime import date

    if precision in ("day", "week") and month and day:
        d = date(year, month, day)
        return f"week of {d.day} {d:%b %Y}" if precision == "week" else f"{d.day} {d:%b %Y}"
    if precision == "month" and month:
        return f"{date(year, month, 1):%B %Y}"
    return str(year)


def resolve_relative_dates(text: str, published: str | None) -> str:
    """``text`` with each relative day ("Monday", "yesterday", "last week", "two days ago")
    followed by the date it means, against the ``published`` date; unchanged without one."""
    ref = parse_published(published)
    if ref is None:
        return text
    out: list[str] = []
    pos = 0
    for m in find_dates(text):
        if m.kind not in _RELATIVE_KINDS:
            continue
        d = resolve(m, ref, tense_at(text, m.start, m.end))
        if d.year is None:
            continue
        label = _label(d.year, d.month, d.day, d.precision)
        end = m.end
        if text[end : end + 2] == "'s":
            end += 2
        if text[end:].lstrip().startswith("("):
            continue  # already dated in the text
        out.append(text[pos:end] + f" ({label})")
        pos = end
    out.append(text[pos:])
    return "".join(out)
