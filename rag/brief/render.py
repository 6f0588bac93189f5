"""A briefing as Markdown (footnoted citations: file and quoted passage) or as a one-page PDF
(reportlab: two columns, small clean type, citations as a compact numbered source list). The PDF
shrinks its type a step at a time until the briefing fits one page, down to a floor."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rag.brief.pdf import page_count, to_pdf
from rag.brief.records import Briefing, BriefItem
from rag.brief.units import shorten
from rag.brief.wording import (
    by_label,
    dated,
    day_label,
    generated_label,
    item_flags,
    oneline,
    reported_label,
    short_file,
    source_name,
    sources_note,
    span_label,
    when_label,
)
from rag.errors import UsageError
from rag.records import Citation


# ---- Markdown ----------------------------------------------------------------------------------
def _md_refs(cites: Sequence[Citation]) -> str:
    return "".join(f"[^{c.id}]" for c in cites)


def _md_line(item: BriefItem, previous: str | None, text: str | None = None) -> str:
    flags = item_flags(item, previous)
    tail = f" *({'; '.join(flags)})*" if flags else ""
    return f"{dated(item, text)} {_md_refs(item.citations)}{sources_note(item)}{tail}"


def to_markdown(b: Briefing) -> str:
    out = [
        f"# Briefing — {b.scope.describe()}",
        "",
        f"*{span_label(b)} · generated {generated_label(b)} by {by_label(b)}"
        + (
            f" · compared with the briefing of {(b.previous or '')[:16].replace('T', ' ')}"
            if b.previous
            else ""
        )
        + "*",
        "",
    ]
    for w in b.warnings:
        out += [f"> **Note:** {w}", ""]
    if b.summary:
        out += ["## Summary", ""] + [f"- {_md_line(i, b.previous)}" for i in b.summary] + [""]
    if b.timeline:
        out += ["## Timeline", ""]
        for i in b.timeline:
            status = " · *planned*" if i.status == "planned" else ""
            disputed = " · *disputed*" if i.disputed else ""
            out.append(
                f"- **{when_label(i)}**{status}{disputed} — {_md_line(i, b.previous)} "
                f"_({reported_label(i)})_"
            )
        notes = [i.date.inferred for i in b.timeline if i.date and i.date.inferred]
        for n in notes:
            out.append(f"\n\\* {n}.")
        out.append("")
    if b.actors:
        out += ["## Key actors", ""]
        for a in b.actors:
            head = f"**{a.name}**"
            extra = [x for x in (a.role, ", ".join(f"“{x}”" for x in a.aliases)) if x]
            if extra:
                head += f" ({'; '.join(extra)})"
            out.append(f"- {head}")
            for i in a.items:
                out.append(f"  - {_md_line(i, b.previous)}")
        out.append("")
    if b.figures:
        out += ["## Key figures", ""]
        out += [f"- **{i.figure}** — {_md_line(i, b.previous)}" for i in b.figures] + [""]
    if b.disagreements:
        out += ["## Where the sources disagree", ""]
        for i in b.disagreements:
            out.append(f"- {_md_disagreement(i, b.previous)}")
        out.append("")
    if b.watch:
        out += ["## What to watch", ""] + [f"- {_md_line(i, b.previous)}" for i in b.watch] + [""]
    if b.previous:
        out += _md_changes(b)
    if b.invalid_citations:
        out += [
            f"*{len(b.invalid_citations)} citation(s) named no passage: "
            f"{', '.join(b.invalid_citations)}*",
            "",
        ]
    out += ["---", ""]
    for c in b.citations:
        out.append(
            f"[^{c.id}]: *{_md_text(source_name(c))}* — {_md_text(c.outlet or 'outlet unknown')}, "
            f"{day_label(c.published)} (`{c.file}`, chars {c.start}–{c.end}): “{oneline(c.quote)}”"
        )
    return "\n".join(out).rstrip() + "\n"


def _md_text(text: str) -> str:
    """Article-supplied text (titles, outlets) with Markdown's active characters escaped."""
    return "".join(f"\\{ch}" if ch in "\\`*_[]<>#|" else ch for ch in text)


def _md_disagreement(i: BriefItem, previous: str | None) -> str:
    by_id = {c.id: c for c in i.citations}
    sides = []
    for value, cid in i.values:
        c = by_id.get(cid)
        src = f"{c.outlet or short_file(c.file)}, {day_label(c.published)}" if c else ""
        sides.append(f"“{value}” [^{cid}] ({src})")
    flags = item_flags(i, previous)
    tail = f" *({'; '.join(flags)})*" if flags else ""
    return f"Sources differ on {i.about or 'this'}: " + " vs ".join(sides) + "." + tail


def _md_changes(b: Briefing) -> list[str]:
    out = [f"## What changed since {(b.previous or '')[:16].replace('T', ' ')}", ""]
    new = b.new_items
    out.append(f"- {len(new)} new item(s), marked *new* above.")
    if b.new_articles:
        out.append("- New articles: " + ", ".join(f"`{f}`" for f in b.new_articles) + ".")
    if b.dropped:
        out.append(f"- No longer in the briefing ({len(b.dropped)}):")
        for i in b.dropped:
            src = ", ".join(dict.fromkeys(c.file for c in i.citations))
            out.append(f"  - [{i.section}] {shorten(oneline(i.text), 30)} ({src})")
    if not new and not b.dropped and not b.new_articles:
        out.append("- Nothing: the articles in scope say what they said before.")
    return [*out, ""]


def write(b: Briefing, path: Path | str) -> int:
    """Write ``path`` as Markdown (.md) or PDF (.pdf); returns the page count (1 for Markdown)."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        return to_pdf(b, p)
    if p.suffix.lower() in (".md", ".markdown", ".txt"):
        p.write_text(to_markdown(b), encoding="utf-8")
        return 1
    raise UsageError(f"Unknown briefing format {p.suffix!r}: use FILE.md or FILE.pdf.")


__all__ = ["page_count", "to_markdown", "to_pdf", "write"]
