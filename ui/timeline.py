"""The briefing's timeline chart, its axis scaled to where the events cluster: events far older
than the rest (a 2000 visit recalled in 2024 reporting) are listed apart as background instead
of stretching the axis until the events that matter bunch up at one edge."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from rag import BriefItem
from ui.components import date_label


def event_day(item: BriefItem) -> date | None:
    d = item.date
    if d is None or d.year is None:
        return None
    return date(d.year, d.month or 1, d.day or 1)


def background_cutoff(days: Sequence[date], min_gap_days: int = 120) -> date | None:
    """The first day of the main cluster when older events lie far apart from it, else None.

    Repeatedly: the largest gap between consecutive events splits off the older side as
    background when that side holds at most a third of the events and the gap is wider than
    ``min_gap_days`` and than twice the span of the newer side."""
    ordered = sorted(days)
    cut: date | None = None
    while len(ordered) >= 3:
        gaps = [(b - a).days for a, b in itertools.pairwise(ordered)]
        i = max(range(len(gaps)), key=lambda k: (gaps[k], -k))
        older, newer = ordered[: i + 1], ordered[i + 1 :]
        span = (newer[-1] - newer[0]).days
        if len(older) * 3 > len(ordered) or gaps[i] < max(min_gap_days, 2 * span):
            break
        cut = newer[0]
        ordered = newer
    return cut


def split_timeline(items: Sequence[BriefItem]) -> tuple[list[BriefItem], list[BriefItem]]:
    """(main events, older background events); undated items stay with the main ones."""
    days = [d for i in items if (d := event_day(i)) is not None]
    cut = background_cutoff(days)
    if cut is None:
        return list(items), []
    main = [i for i in items if (d := event_day(i)) is None or d >= cut]
    background = [i for i in items if (d := event_day(i)) is not None and d < cut]
    return main, background


def timeline_rows(items: Sequence[BriefItem]) -> list[dict[str, Any]]:
    rows = []
    for i in items:
        day = event_day(i)
        if day is None or i.date is None:
            continue
        first = i.citations[0] if i.citations else None
        text = " ".join(i.text.split())
        source = ""
        if first:
            source = f"{first.title or first.file} — {first.outlet or 'outlet unknown'}"
        rows.append(
            {
                "date": pd.Timestamp(day),
                "when": i.date.label() + (" (year inferred)" if i.date.inferred else ""),
                "status": i.status or "happened",
                "event": text if len(text) <= 160 else text[:157] + "…",
                "source": source,
                "reported": date_label(first.published) if first else "",
                "citation": ", ".join(f"[{c.id}]" for c in i.citations),
            }
        )
    return rows


def timeline_chart(items: Sequence[BriefItem]) -> alt.Chart | None:
    """Dots of the dated events on a time axis (only the main cluster: see split_timeline)."""
    rows = timeline_rows(items)
    if not rows:
        return None
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_circle(size=160, opacity=0.85)
        .encode(
            x=alt.X(
                "date:T",
                title="event date (drag to pan, scroll to zoom)",
                scale=alt.Scale(padding=24, nice=False),
            ),
            y=alt.Y("status:N", title=None, sort=["happened", "planned"]),
            color=alt.Color(
                "status:N",
                legend=None,
                scale=alt.Scale(domain=["happened", "planned"], range=["#2f5f8f", "#b85c00"]),
            ),
            tooltip=[
                alt.Tooltip("when:N", title="when"),
                alt.Tooltip("event:N"),
                alt.Tooltip("source:N"),
                alt.Tooltip("reported:N"),
                alt.Tooltip("citation:N"),
            ],
        )
        .properties(height=130)
        .interactive(bind_y=False)
    )
