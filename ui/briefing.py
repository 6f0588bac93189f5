"""Briefing: a one-page, cited briefing of the articles in the reader's scope (the sidebar's
outlets and dates, minus excluded articles), optionally of a topic. On screen it is compact like
the PDF: the summary and the timeline chart up front, every other section a click away; sources
grouped per article and named by title and outlet; relative days ("on Monday") resolved to dates;
every ``[n]`` opens its article in the side panel. A topic no article in scope covers gets no
briefing: the page says so and offers the closest topics the articles do cover."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from rag import (
    Briefing,
    BriefItem,
    BriefScope,
    Dossier,
    Filters,
    Scope,
    briefing_markdown,
    briefing_pdf,
    resolve_relative_dates,
)
from ui import scope as reader_scope
from ui import state
from ui.components import generator_label, html_text, md_escape, show_error
from ui.sources import ArticleView, Panels, article_views, links, meta_line
from ui.timeline import split_timeline, timeline_chart

VIEW = "briefing_view"
MISS = "briefing_uncovered"
TOPIC = "brief_topic"
PREFIX = "dzb"


@dataclass(frozen=True)
class View:
    """A briefing as this session shows it: the record, its downloads, the cited articles."""

    briefing: Briefing
    markdown: str
    pdf: bytes
    articles: dict[str, ArticleView] = field(default_factory=dict)
    saved: bool = False  # loaded from the last run rather than generated in this session
    scope: Scope | None = None
    filters: Filters = field(default_factory=Filters)


def make_view(d: Dossier, b: Briefing, saved: bool = False, scope: Scope | None = None) -> View:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "briefing.pdf"
        briefing_pdf(b, path)
        pdf = path.read_bytes()
    views = article_views(d, b.citations)
    return View(b, briefing_markdown(b), pdf, views, saved, scope, reader_scope.current())


def _set_topic(topic: str) -> None:
    st.session_state[TOPIC] = topic
    st.session_state.pop(MISS, None)


def generate(d: Dossier, topic: str | None, filters: Filters, generator: str | None) -> None:
    """Write the briefing (or, for a topic no article covers, say so) into the session."""
    if topic:
        support = d.topic_support(topic, filters)
        if not support.covered:
            st.session_state[MISS] = support
            return
    st.session_state.pop(MISS, None)
    bar = st.progress(0.0, text="Selecting articles …")

    def progress(done: int, total: int, stage: str) -> None:
        bar.progress(
            min(done / total, 1.0) if total else 1.0,
            text=f"{stage[:1].upper()}{stage[1:]} ({done}/{total})",
        )

    try:
        b, scope = d.brief_in_scope(topic, filters, progress=progress, generator=generator)
        view = make_view(d, b, scope=scope)
    except Exception as exc:
        bar.empty()
        show_error(exc)
        return
    bar.empty()
    st.session_state[VIEW] = view


def show_uncovered(topic: str, closest: Sequence[str]) -> None:
    st.warning(
        f"No article in scope covers “{md_escape(topic)}”, so no briefing was written.",
        icon=":material/search_off:",
    )
    if closest:
        st.markdown("Closest topics the articles do cover:")
        cols = st.columns(len(closest))
        for n, (col, t) in enumerate(zip(cols, closest, strict=False)):
            col.button(t, key=f"closest_{n}", on_click=_set_topic, args=(t,), type="secondary")


# ---- rendering ---------------------------------------------------------------------------------
def item_html(item: BriefItem, previous: str | None, lead: str = "") -> str:
    """One briefing line as HTML: relative days dated, links to its passages, its flags."""
    text = html_text(resolve_relative_dates(item.text, item.published))
    line = f"{lead}{text} {links(PREFIX, item.citations)}"
    if item.support > 1:
        line += f" <em>({item.support} sources)</em>"
    if item.new and previous:
        line += ' <span class="dz-new">new</span>'
    if not item.supported:
        line += " ⚠ <em>not supported by its citations</em>"
    return f"<li>{line}</li>"


def items_html(items: Sequence[BriefItem], previous: str | None) -> str:
    return "<ul>" + "".join(item_html(i, previous) for i in items) + "</ul>"


def _html(body: str) -> None:
    st.markdown(f'<div class="dz-answer">{body}</div>', unsafe_allow_html=True)


def timeline_html(items: Sequence[BriefItem], previous: str | None) -> str:
    out = []
    for i in items:
        when = i.date.label() if i.date else "date unknown"
        if i.date and i.date.inferred:
            when += "*"
        tags = (" · <em>planned</em>" if i.status == "planned" else "") + (
            " · <em>disputed</em>" if i.disputed else ""
        )
        out.append(item_html(i, previous, f"<strong>{html_text(when)}</strong>{tags} — "))
    return "<ul>" + "".join(out) + "</ul>"


def show_timeline(b: Briefing) -> None:
    main, background = split_timeline(b.timeline)
    chart = timeline_chart(main)
    if chart is not None:
        st.altair_chart(chart, width="stretch", key="brief_timeline_chart")
    if background:
        _html(
            "<p><strong>Background</strong> (older, kept off the axis):</p>"
            + timeline_html(background, b.previous)
        )
    with st.expander(f"Timeline: all {len(b.timeline)} events", icon=":material/event:"):
        _html(timeline_html(b.timeline, b.previous))
        for note in dict.fromkeys(
            i.date.inferred for i in b.timeline if i.date and i.date.inferred
        ):
            st.caption(f"\\* {md_escape(note)}")


def show_sections(b: Briefing) -> None:
    prev = b.previous
    if b.summary:
        st.subheader("Summary")
        _html(items_html(b.summary, prev))
    if b.timeline:
        st.subheader("Timeline")
        show_timeline(b)
    if b.actors:
        with st.expander(f"Key actors ({len(b.actors)})", icon=":material/groups:"):
            parts = []
            for a in b.actors:
                extra = [x for x in (a.role, ", ".join(f"“{x}”" for x in a.aliases)) if x]
                head = f"<strong>{html_text(a.name)}</strong>"
                if extra:
                    head += f" ({html_text('; '.join(extra))})"
                parts.append(f"<li>{head}{items_html(a.items, prev)}</li>")
            _html("<ul>" + "".join(parts) + "</ul>")
    if b.figures:
        with st.expander(f"Key figures ({len(b.figures)})", icon=":material/numbers:"):
            _html(
                "<ul>"
                + "".join(
                    item_html(i, prev, f"<strong>{html_text(i.figure)}</strong> — ")
                    for i in b.figures
                )
                + "</ul>"
            )
    if b.disagreements:
        with st.expander(
            f"Where the sources disagree ({len(b.disagreements)})", icon=":material/balance:"
        ):
            rows = []
            for i in b.disagreements:
                by_id = {c.id: c for c in i.citations}
                sides = " vs ".join(
                    f"“{html_text(v)}” {links(PREFIX, [by_id[c]] if c in by_id else [])}"
                    for v, c in i.values
                )
                rows.append(f"<li>Sources differ on {html_text(i.about or 'this')}: {sides}</li>")
            _html("<ul>" + "".join(rows) + "</ul>")
    if b.watch:
        with st.expander(f"What to watch ({len(b.watch)})", icon=":material/visibility:"):
            _html(items_html(b.watch, prev))


def show_sources(view: View) -> None:
    """Sources grouped per article, named by title and outlet, with the passages cited."""
    if not view.articles:
        return
    n = len(view.articles)
    with st.expander(f"Sources: {n} article{'s' if n != 1 else ''}", icon=":material/article:"):
        rows = []
        for v in view.articles.values():
            passages = "".join(
                f"<li>{links(PREFIX, [c])} “{html_text(_short(c.quote))}”</li>"
                for c in sorted(v.citations, key=lambda c: c.id)
            )
            count = f"{v.passages} passage{'s' if v.passages != 1 else ''}"
            rows.append(
                f"<li><strong>{html_text(v.title or v.file)}</strong> — {meta_line(v)}"
                f" · {count}<ul>{passages}</ul></li>"
            )
        _html("<ul>" + "".join(rows) + "</ul>")


def _short(text: str, limit: int = 180) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_changes(b: Briefing) -> None:
    if not b.previous:
        return
    new = b.new_items
    parts = [
        f"{len(new)} new item(s)",
        f"{len(b.new_articles)} new article(s)",
        f"{len(b.dropped)} dropped",
    ]
    with st.expander(
        f"What changed since {md_escape(b.previous[:16].replace('T', ' '))}: " + ", ".join(parts),
        icon=":material/difference:",
    ):
        if b.new_articles:
            st.markdown("New articles: " + ", ".join(md_escape(f) for f in b.new_articles))
        for i in b.dropped:
            st.markdown(f"- \\[{md_escape(i.section)}\\] {md_escape(i.text)}")
        if not (new or b.dropped or b.new_articles):
            st.caption("Nothing: the articles in scope say what they said before.")


def show_view(view: View, panels: Panels) -> None:
    b = view.briefing
    where = reader_scope.describe(view.scope) if view.scope else md_escape(b.scope.describe())
    st.caption(
        f"{where} · {len(b.articles)} articles · generated "
        f"{md_escape(b.generated_at.replace('T', ' ')[:16])} UTC by "
        f"{md_escape(generator_label(b.generator))}"
        + (f" in {b.seconds:.1f} s" if b.seconds else "")
        + (" · the last briefing of this scope" if view.saved else "")
    )
    c1, c2 = st.columns(2)
    stem = "briefing" + (
        f"-{b.scope.key}" if b.scope.topic or b.scope.since or b.scope.until else ""
    )
    c1.download_button(
        "Download Markdown",
        view.markdown,
        file_name=f"{stem}.md",
        mime="text/markdown",
        icon=":material/download:",
        key="brief_md",
        on_click="ignore",
    )
    c2.download_button(
        "Download PDF",
        view.pdf,
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key="brief_pdf",
        on_click="ignore",
    )
    for w in b.warnings:
        st.warning(md_escape(w))
    if b.invalid_citations:
        st.warning(
            f"{len(b.invalid_citations)} citation(s) named no passage and were dropped: "
            + md_escape(", ".join(b.invalid_citations))
        )
    show_changes(b)
    show_sections(b)
    show_sources(view)
    panels.add(PREFIX, view.articles)


def render() -> None:
    d = state.dossier()
    st.title("Briefing")
    from ui.library import indexed_status

    status = indexed_status(d)
    if status is None:
        return
    filters = reader_scope.current()
    topic_in = st.text_input(
        "Topic (optional)",
        key=TOPIC,
        placeholder="e.g. Putin's visit to North Korea — empty: every article in scope",
    )
    topic = topic_in.strip() or None
    _, scope = d.in_scope(filters)
    st.caption(reader_scope.describe(scope) + " — change it under Scope in the sidebar.")
    generator = None
    if d.llm is not None:
        generator = st.radio(
            "Written by",
            ["llm", "extractive"],
            horizontal=True,
            key="brief_generator",
            format_func=lambda g: generator_label(d.generator_name if g == "llm" else g),
        )
    if st.button(
        "Generate the briefing", type="primary", key="brief_generate", icon=":material/summarize:"
    ):
        generate(d, topic, filters, generator)
    miss = st.session_state.get(MISS)
    if miss is not None and miss.topic == topic:
        show_uncovered(miss.topic, miss.closest)
        return
    view = st.session_state.get(VIEW)
    wanted = BriefScope(topic, filters.since, filters.until)
    if view is None or view.briefing.scope.key != wanted.key or view.filters != filters:
        prev = d.previous_briefing(wanted) if not filters.outlets else None
        view = make_view(d, prev, saved=True) if prev is not None else None
        if view is not None:
            st.session_state[VIEW] = view
    if view is None:
        st.caption("No briefing of this scope yet: generate one.")
        return
    panels = Panels()
    show_view(view, panels)
    panels.render()


if __name__ == "__main__":
    render()
