"""A briefing as Markdown (footnoted citations: file and quoted passage) or as a one-page PDF
(reportlab: two columns, small clean type, citations as a compact numbered source list). The PDF
shrinks its type a step at a time until the briefing fits one page, down to a floor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from rag.brief.records import Briefing, BriefItem
from rag.brief.relative import resolve_relative_dates
from rag.brief.units import shorten
from rag.errors import UsageError
from rag.records import Citation
from rag.text.dates import parse_published


# ---- shared wording ----------------------------------------------------------------------------
def _day(published: str | None) -> str:
    d = parse_published(published)
    return f"{d.day} {d:%b %Y}" if d else "date unknown"


def _span(b: Briefing) -> str:
    dates = sorted(d for a in b.articles if (d := parse_published(a.published)))
    undated = sum(1 for a in b.articles if not parse_published(a.published))
    parts = [f"{len(b.articles)} article{'s' if len(b.articles) != 1 else ''}"]
    if dates:
        parts.append(_range(dates[0], dates[-1]))
    if undated:
        parts.append(f"{undated} undated")
    return " · ".join(parts)


def _range(a: date, z: date) -> str:
    return f"published {a.day} {a:%b %Y}" + (f" – {z.day} {z:%b %Y}" if z != a else "")


def _generated(b: Briefing) -> str:
    return b.generated_at.replace("T", " ")[:16] + " UTC"


def _by(b: Briefing) -> str:
    if b.generator != "extractive":
        return b.generator
    how = b.extra.get("vectors")
    return f"offline extractive ({how} vectors)" if how == "lexical" else "offline extractive"


def _sources(item: BriefItem) -> str:
    return f" ({item.support} sources)" if item.support > 1 else ""


def _flags(item: BriefItem, previous: str | None) -> list[str]:
    out = []
    if item.new and previous:
        out.append(f"new since {previous[:10]}")
    if not item.supported:
        out.append("not supported by its citations")
    return out


def _when(item: BriefItem) -> str:
    d = item.date
    if d is None:
        return ""
    label = d.label()
    return label + ("*" if d.inferred else "")


def _reported(item: BriefItem) -> str:
    first = item.citations[0] if item.citations else None
    if first is None:
        return ""
    outlet = first.outlet or shorten(_source_name(first), 8)
    if not parse_published(first.published):
        return f"publication date unknown, {outlet}"
    return f"reported {_day(first.published)}, {outlet}"


def _short_file(file: str) -> str:
    name = Path(file).name
    return name if len(name) <= 26 else name[:22] + "…" + name[-4:]


# ---- Markdown ----------------------------------------------------------------------------------
def _md_refs(cites: Sequence[Citation]) -> str:
    return "".join(f"[^{c.id}]" for c in cites)


def _dated(item: BriefItem, text: str | None = None) -> str:
    """The item's line with relative days ("on Monday") followed by the date they mean, read
    against the publication date of the article it quotes."""
    body = text if text is not None else item.text
    published = item.citations[0].published if item.citations else None
    return resolve_relative_dates(body, published)


def _source_name(c: Citation) -> str:
    """An article as a reader names it: its title, else its file name."""
    return c.title or _short_file(c.file)


def _md_line(item: BriefItem, previous: str | None, text: str | None = None) -> str:
    flags = _flags(item, previous)
    tail = f" *({'; '.join(flags)})*" if flags else ""
    return f"{_dated(item, text)} {_md_refs(item.citations)}{_sources(item)}{tail}"


def to_markdown(b: Briefing) -> str:
    out = [
        f"# Briefing — {b.scope.describe()}",
        "",
        f"*{_span(b)} · generated {_generated(b)} by {_by(b)}"
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
                f"- **{_when(i)}**{status}{disputed} — {_md_line(i, b.previous)} _({_reported(i)})_"
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
            f"[^{c.id}]: *{_md_text(_source_name(c))}* — {_md_text(c.outlet or 'outlet unknown')}, "
            f"{_day(c.published)} (`{c.file}`, chars {c.start}–{c.end}): “{_oneline(c.quote)}”"
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
        src = f"{c.outlet or _short_file(c.file)}, {_day(c.published)}" if c else ""
        sides.append(f"“{value}” [^{cid}] ({src})")
    flags = _flags(i, previous)
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
            out.append(f"  - [{i.section}] {shorten(_oneline(i.text), 30)} ({src})")
    if not new and not b.dropped and not b.new_articles:
        out.append("- Nothing: the articles in scope say what they said before.")
    return [*out, ""]


def _oneline(text: str) -> str:
    return " ".join(text.split())


# ---- PDF ---------------------------------------------------------------------------------------
def to_pdf(b: Briefing, path: Path | str, one_page: bool = True) -> int:
    """Write the PDF; returns its page count. With ``one_page`` the type shrinks (8.2 pt down to
    6 pt) until everything fits one page; what still does not fit flows onto a second."""
    sizes = [8.2, 7.8, 7.4, 7.0, 6.6, 6.3, 6.0] if one_page else [8.2]
    pages = 0
    for size in sizes:
        pages = _pdf(b, Path(path), size)
        if pages <= 1:
            break
    return pages


def _pdf(b: Briefing, path: Path, size: float) -> int:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Paragraph

    margin, gap, head_h = 12 * mm, 6 * mm, 16 * mm
    width, height = A4
    col_w = (width - 2 * margin - gap) / 2
    body_h = height - 2 * margin - head_h
    frames = [
        Frame(
            margin,
            height - margin - head_h,
            width - 2 * margin,
            head_h,
            id="head",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        ),
        Frame(
            margin,
            margin,
            col_w,
            body_h,
            id="left",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        ),
        Frame(
            margin + col_w + gap,
            margin,
            col_w,
            body_h,
            id="right",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        ),
    ]
    pages = {"n": 0}

    def on_page(canvas: Any, doc: Any) -> None:
        pages["n"] += 1
        c = canvas
        c.saveState()
        c.setFont("Helvetica", 6)
        c.setFillColor(colors.grey)
        c.drawRightString(
            width - margin,
            margin / 2,
            f"Dossier briefing · every line cited · page {pages['n']}",
        )
        c.restoreState()

    doc = BaseDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title="Dossier briefing",
        author="Dossier",
    )
    doc.addPageTemplates([PageTemplate(id="brief", frames=frames, onPage=on_page)])
    lead = size * 1.2
    ink = colors.HexColor("#1a1a1a")
    accent = colors.HexColor("#8a1c1c")
    muted = colors.HexColor("#666666")
    st = {
        "title": ParagraphStyle(
            "t", fontName="Helvetica-Bold", fontSize=size + 7, leading=size + 9, textColor=ink
        ),
        "meta": ParagraphStyle(
            "m", fontName="Helvetica", fontSize=size - 0.8, leading=size + 1, textColor=muted
        ),
        "h": ParagraphStyle(
            "h",
            fontName="Helvetica-Bold",
            fontSize=size + 1.4,
            leading=size + 3,
            spaceBefore=size * 0.7,
            spaceAfter=size * 0.25,
            textColor=accent,
            keepWithNext=1,
        ),
        "actor": ParagraphStyle(
            "a",
            fontName="Helvetica",
            fontSize=size,
            leading=lead,
            textColor=ink,
            leftIndent=size * 0.9,
            bulletIndent=0,
            spaceAfter=size * 0.15,
            keepWithNext=1,
        ),
        "p": ParagraphStyle(
            "p",
            fontName="Helvetica",
            fontSize=size,
            leading=lead,
            textColor=ink,
            alignment=TA_LEFT,
            spaceAfter=size * 0.3,
        ),
        "li": ParagraphStyle(
            "li",
            fontName="Helvetica",
            fontSize=size,
            leading=lead,
            textColor=ink,
            leftIndent=size * 0.9,
            bulletIndent=0,
            spaceAfter=size * 0.25,
        ),
        "sub": ParagraphStyle(
            "sub",
            fontName="Helvetica",
            fontSize=size,
            leading=lead,
            textColor=ink,
            leftIndent=size * 1.8,
            bulletIndent=size * 0.9,
            spaceAfter=size * 0.2,
        ),
        "src": ParagraphStyle(
            "src", fontName="Helvetica", fontSize=size - 1.6, leading=size - 0.4, textColor=muted
        ),
        "warn": ParagraphStyle(
            "w", fontName="Helvetica-Oblique", fontSize=size - 0.5, leading=lead, textColor=accent
        ),
    }

    def refs(cites: Sequence[Citation]) -> str:
        ids = ",".join(str(c.id) for c in cites)
        return f' <font size="{size - 2:.1f}" color="#8a1c1c"><super>{ids}</super></font>'

    def line(item: BriefItem, text: str | None = None, max_words: int = 38) -> str:
        body = escape(shorten(_oneline(_dated(item, text)), max_words))
        extra = []
        if item.support > 1:
            extra.append(f"{item.support} sources")
        extra += _flags(item, b.previous)
        tail = f' <font color="#666666">({"; ".join(extra)})</font>' if extra else ""
        return body + refs(item.citations) + tail

    flow: list[object] = [
        Paragraph(f"Briefing — {escape(b.scope.describe())}", st["title"]),
        Paragraph(
            escape(
                f"{_span(b)} · generated {_generated(b)} by {_by(b)}"
                + (f" · compared with {b.previous[:10]}" if b.previous else "")
            ),
            st["meta"],
        ),
        FrameBreak(),
    ]
    for w in b.warnings:
        flow.append(Paragraph(escape(f"Note: {w}"), st["warn"]))

    def section(title: str) -> None:
        flow.append(Paragraph(escape(title), st["h"]))

    if b.summary:
        section("Summary")
        flow.append(Paragraph(" ".join(line(i, max_words=60) for i in b.summary), st["p"]))
    if b.timeline:
        section("Timeline")
        for i in b.timeline:
            tags = [
                t
                for t in (
                    "planned" if i.status == "planned" else "",
                    "disputed" if i.disputed else "",
                )
                if t
            ]
            tag = f" <i>{', '.join(tags)}</i>" if tags else ""
            flow.append(
                Paragraph(
                    f"<b>{escape(_when(i))}</b>{tag} — {line(i, max_words=30)}"
                    f' <font color="#666666" size="{size - 1:.1f}">[{escape(_reported(i))}]</font>',
                    st["li"],
                    bulletText="•",
                )
            )
        for n in (i.date.inferred for i in b.timeline if i.date and i.date.inferred):
            flow.append(Paragraph(f"* {escape(n)}.", st["src"]))
    if b.actors:
        section("Key actors")
        for a in b.actors:
            role = f' <font color="#666666">— {escape(a.role)}</font>' if a.role else ""
            flow.append(Paragraph(f"<b>{escape(a.name)}</b>{role}", st["actor"], bulletText="•"))
            for i in a.items:
                flow.append(Paragraph(line(i, max_words=34), st["sub"], bulletText="–"))
    if b.figures:
        section("Key figures")
        for i in b.figures:
            flow.append(
                Paragraph(
                    f"<b>{escape(i.figure)}</b> — {line(i, max_words=30)}", st["li"], bulletText="•"
                )
            )
    if b.disagreements:
        section("Where the sources disagree")
        for i in b.disagreements:
            by_id = {c.id: c for c in i.citations}
            sides = []
            for value, cid in i.values:
                c = by_id.get(cid)
                src = f"{c.outlet or _short_file(c.file)}, {_day(c.published)}" if c else ""
                sides.append(f"<b>“{escape(value)}”</b>{refs([c] if c else [])} ({escape(src)})")
            flow.append(
                Paragraph(
                    f"{escape(i.about or 'this')[:1].upper()}"
                    f"{escape(i.about or 'this')[1:]}: " + " vs ".join(sides),
                    st["li"],
                    bulletText="•",
                )
            )
    if b.watch:
        section("What to watch")
        for i in b.watch:
            flow.append(Paragraph(line(i, max_words=34), st["li"], bulletText="•"))
    if b.previous:
        section(f"What changed since {b.previous[:10]}")
        msg = f"{len(b.new_items)} new item(s)"
        if b.new_articles:
            msg += f" from {len(b.new_articles)} new article(s)"
        msg += f"; {len(b.dropped)} item(s) dropped"
        if b.dropped:
            msg += ": " + "; ".join(escape(shorten(_oneline(i.text), 12)) for i in b.dropped[:4])
        flow.append(Paragraph(msg + ".", st["p"]))
    section("Sources")
    verbatim = {c.id for i in b.items for c in i.citations if _oneline(i.text) == _oneline(c.quote)}
    by_file: dict[str, list[Citation]] = {}
    for c in b.citations:
        by_file.setdefault(c.file, []).append(c)
    for file, cites in by_file.items():
        first = cites[0]
        spans = []
        for c in cites:
            quote = "" if c.id in verbatim else f" “{escape(shorten(_oneline(c.quote), 12))}”"
            spans.append(f"<b>{c.id}</b>&nbsp;{c.start}–{c.end}{quote}")
        flow.append(
            Paragraph(
                f"<b>{escape(_source_name(first))}</b> — "
                f"{escape(first.outlet or 'outlet unknown')}, {escape(_day(first.published))} "
                f'<font color="#666666">({escape(file)})</font>: ' + " · ".join(spans),
                st["src"],
            )
        )
    doc.build(flow)
    return pages["n"]


def page_count(path: Path | str) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def write(b: Briefing, path: Path | str) -> int:
    """Write ``path`` as Markdown (.md) or PDF (.pdf); returns the page count (1 for Markdown)."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        return to_pdf(b, p)
    if p.suffix.lower() in (".md", ".markdown", ".txt"):
        p.write_text(to_markdown(b), encoding="utf-8")
        return 1
    raise UsageError(f"Unknown briefing format {p.suffix!r}: use FILE.md or FILE.pdf.")
