"""The briefing as a one-page PDF (reportlab), type shrunk until it fits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

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
    span_label,
    when_label,
)
from rag.records import Citation


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
        body = escape(shorten(oneline(dated(item, text)), max_words))
        extra = []
        if item.support > 1:
            extra.append(f"{item.support} sources")
        extra += item_flags(item, b.previous)
        tail = f' <font color="#666666">({"; ".join(extra)})</font>' if extra else ""
        return body + refs(item.citations) + tail

    flow: list[object] = [
        Paragraph(f"Briefing — {escape(b.scope.describe())}", st["title"]),
        Paragraph(
            escape(
                f"{span_label(b)} · generated {generated_label(b)} by {by_label(b)}"
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
                    f"<b>{escape(when_label(i))}</b>{tag} — {line(i, max_words=30)}"
                    f' <font color="#666666" size="{size - 1:.1f}">'
                    f"[{escape(reported_label(i))}]</font>",
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
                src = f"{c.outlet or short_file(c.file)}, {day_label(c.published)}" if c else ""
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
            msg += ": " + "; ".join(escape(shorten(oneline(i.text), 12)) for i in b.dropped[:4])
        flow.append(Paragraph(msg + ".", st["p"]))
    section("Sources")
    verbatim = {c.id for i in b.items for c in i.citations if oneline(i.text) == oneline(c.quote)}
    by_file: dict[str, list[Citation]] = {}
    for c in b.citations:
        by_file.setdefault(c.file, []).append(c)
    for file, cites in by_file.items():
        first = cites[0]
        spans = []
        for c in cites:
            quote = "" if c.id in verbatim else f" “{escape(shorten(oneline(c.quote), 12))}”"
            spans.append(f"<b>{c.id}</b>&nbsp;{c.start}–{c.end}{quote}")
        flow.append(
            Paragraph(
                f"<b>{escape(source_name(first))}</b> — "
                f"{escape(first.outlet or 'outlet unknown')}, {escape(day_label(first.published))} "
                f'<font color="#666666">({escape(file)})</font>: ' + " · ".join(spans),
                st["src"],
            )
        )
    doc.build(flow)
    return pages["n"]


def page_count(path: Path | str) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)
