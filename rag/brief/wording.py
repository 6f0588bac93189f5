"""How a briefing names things in every format: days, spans, sources, flags, dates of events,
articles by title; relative days followed by the dates they mean."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rag.brief.records import Briefing, BriefItem
from rag.brief.relative import resolve_relative_dates
from rag.brief.units import shorten
from rag.records import Citation
from rag.text.dates import parse_published


def day_label(published: str | None) -> str:
    d = parse_published(published)
    return f"{d.day} {d:%b %Y}" if d else "date unknown"


def span_label(b: Briefing) -> str:
    dates = sorted(d for a in b.articles if (d := parse_published(a.published)))
    undated = sum(1 for a in b.articles if not parse_published(a.published))
    parts = [f"{len(b.articles)} article{'s' if len(b.articles) != 1 else ''}"]
    if dates:
        parts.append(range_label(dates[0], dates[-1]))
    if undated:
        parts.append(f"{undated} undated")
    return " · ".join(parts)


def range_label(a: date, z: date) -> str:
    return f"published {a.day} {a:%b %Y}" + (f" – {z.day} {z:%b %Y}" if z != a else "")


def generated_label(b: Briefing) -> str:
    return b.generated_at.replace("T", " ")[:16] + " UTC"


def by_label(b: Briefing) -> str:
    if b.generator != "extractive":
        return b.generator
    how = b.extra.get("vectors")
    return f"offline extractive ({how} vectors)" if how == "lexical" else "offline extractive"


def sources_note(item: BriefItem) -> str:
    return f" ({item.support} sources)" if item.support > 1 else ""


def item_flags(item: BriefItem, previous: str | None) -> list[str]:
    out = []
    if item.new and previous:
        out.append(f"new since {previous[:10]}")
    if not item.supported:
        out.append("not supported by its citations")
    return out


def when_label(item: BriefItem) -> str:
    d = item.date
    if d is None:
        return ""
    label = d.label()
    return label + ("*" if d.inferred else "")


def reported_label(item: BriefItem) -> str:
    first = item.citations[0] if item.citations else None
    if first is None:
        return ""
    outlet = first.outlet or shorten(source_name(first), 8)
    if not parse_published(first.published):
        return f"publication date unknown, {outlet}"
    return f"reported {day_label(first.published)}, {outlet}"


def short_file(file: str) -> str:
    name = Path(file).name
    return name if len(name) <= 26 else name[:22] + "…" + name[-4:]


def dated(item: BriefItem, text: str | None = None) -> str:
    """The item's line with relative days ("on Monday") followed by the date they mean, read
    against the publication date of the article it quotes."""
    body = text if text is not None else item.text
    published = item.citations[0].published if item.citations else None
    return resolve_relative_dates(body, published)


def source_name(c: Citation) -> str:
    """An article as a reader names it: its title, else its file name."""
    return c.title or short_file(c.file)


def oneline(text: str) -> str:
    return " ".join(text.split())
