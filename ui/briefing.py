"""Briefing: a one-page, cited briefing of the whole index, a topic or a date range — summary,
timeline (with a chart of the dated events), key actors, figures, disagreements, what to watch —
downloadable as Markdown and PDF."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from rag import Briefing, BriefItem, BriefScope, Dossier, briefing_markdown, briefing_pdf
from ui import state
from ui.chat import contexts_for
from ui.components import (
    Context,
    citation_label,
    context_of,
    date_label,
    date_range_input,
    generator_label,
    markers,
    md_escape,
    show_context,
    show_error,
)

VIEW = "briefing_view"


@dataclass(frozen=True)
class View:
    """A briefing as this session shows it: the record, its downloads, the cited contexts."""

    briefing: Briefing
    markdown: str
    pdf: bytes
    contexts: dict[int, Context] = field(default_factory=dict)
    saved: bool = False  # loaded from the last run rather than generated in this session


def make_view(d: Dossier, b: Briefing, saved: bool = False) -> View:

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "briefing.pdf"
        briefing_pdf(b, path)
        pdf = path.read_bytes()
    return View(b, briefing_markdown(b), pdf, contexts_for(d, b.citations), saved)


def scope_inputs(status: dict[str, Any]) -> BriefScope:
    topic = st.text_input(
        "Topic (optional)",
        key="brief_topic",
        placeholder="e.g. Putin's visit to North Korea — empty: every article",
    )
    since, until = date_range_input(status["files"], "brief")
    return BriefScope(topic.strip() or None, since, until)


def generate(d: Dossier, scope: BriefScope, generator: str | None) -> View | None:
    bar = st.progress(0.0, text="Selecting articles …")

    def progress(done: int, total: int, stage: str) -> None:
        bar.progress(
            min(done / total, 1.0) if total else 1.0,
            text=f"{stage[:1].upper()}{stage[1:]} ({done}/{total})",
        )

    try:
        b = d.brief(
            topic=scope.topic,
            since=scope.since,
            until=scope.until,
            progress=progress,
            generator=generator,
        )
        view = make_view(d, b)
    except Exception as exc:
        bar.empty()
        show_error(exc)
        return None
    bar.progress(1.0, text=f"Briefing written in {b.seconds:.1f} s")
    return view


# ---- rendering ---------------------------------------------------------------------------------
def item_line(item: BriefItem, previous: str | None, text: str | None = None) -> str:
    shown = item.text if text is None else text
    line = f"{md_escape(shown)} {markers([c.id for c in item.citations])}"
    if item.support > 1:
        line += f" *({item.support} sources)*"
    if item.new and previous:
        line += " :green-badge[new]"
    if not item.supported:
        line += " ⚠ *not supported by its citations*"
    return line


def timeline_rows(items: Sequence[BriefItem]) -> list[dict[str, Any]]:
    rows = []
    for i in items:
        d = i.date
        if d is None or d.year is None:
            continue
        first = i.citations[0] if i.citations else None
        text = " ".join(i.text.split())
        rows.append(
            {
                "date": pd.Timestamp(d.year, d.month or 1, d.day or 1),
                "when": d.label() + (" (year inferred)" if d.inferred else ""),
                "status": i.status or "happened",
                "event": text if len(text) <= 160 else text[:157] + "…",
                "source": (f"{first.outlet or 'unknown outlet'} · {first.file}" if first else ""),
                "reported": date_label(first.published) if first else "",
                "citation": ", ".join(f"[{c.id}]" for c in i.citations),
            }
        )
    return rows


def timeline_chart(items: Sequence[BriefItem]) -> alt.Chart | None:
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
                scale=alt.Scale(padding=16),
            ),
            y=alt.Y("status:N", title=None, sort=["happened", "planned"]),
            color=alt.Color(
                "status:N",
                legend=None,
                scale=alt.Scale(domain=["happened", "planned"], range=["#4c78a8", "#f58518"]),
            ),
            tooltip=[
                alt.Tooltip("when:N", title="when"),
                alt.Tooltip("event:N"),
                alt.Tooltip("source:N"),
                alt.Tooltip("reported:N"),
                alt.Tooltip("citation:N"),
            ],
        )
        .properties(height=160)
        .interactive(bind_y=False)
    )


def show_timeline(b: Briefing) -> None:
    st.subheader("Timeline")
    chart = timeline_chart(b.timeline)
    if chart is not None:
        st.altair_chart(chart, width="stretch", key="brief_timeline_chart")
    lines = []
    for i in b.timeline:
        when = md_escape(i.date.label() if i.date else "date unknown")
        if i.date and i.date.inferred:
            when += "\\*"
        tags = (" · *planned*" if i.status == "planned" else "") + (
            " · *disputed*" if i.disputed else ""
        )
        line = f"- **{when}**{tags} — {item_line(i, b.previous)}"
        if i.citations:
            first = i.citations[0]
            line += (
                f" *— reported {md_escape(date_label(first.published))}, "
                f"{md_escape(first.outlet or first.file)}*"
            )
        lines.append(line)
    st.markdown("\n".join(lines))
    for note in dict.fromkeys(i.date.inferred for i in b.timeline if i.date and i.date.inferred):
        st.caption(f"\\* {md_escape(note)}")


def show_sections(b: Briefing) -> None:
    prev = b.previous
    if b.summary:
        st.subheader("Summary")
        st.markdown("\n".join(f"- {item_line(i, prev)}" for i in b.summary))
    if b.timeline:
        show_timeline(b)
    if b.actors:
        st.subheader("Key actors")
        lines = []
        for a in b.actors:
            extra = [x for x in (a.role, ", ".join(f"“{x}”" for x in a.aliases)) if x]
            head = f"**{md_escape(a.name)}**"
            if extra:
                head += f" ({md_escape('; '.join(extra))})"
            lines.append(f"- {head}")
            lines += [f"    - {item_line(i, prev)}" for i in a.items]
        st.markdown("\n".join(lines))
    if b.figures:
        st.subheader("Key figures")
        st.markdown(
            "\n".join(f"- **{md_escape(i.figure)}** — {item_line(i, prev)}" for i in b.figures)
        )
    if b.disagreements:
        st.subheader("Where the sources disagree")
        lines = []
        for i in b.disagreements:
            sides = " vs ".join(f"“{md_escape(v)}” **\\[{c}\\]**" for v, c in i.values)
            lines.append(f"- Sources differ on {md_escape(i.about or 'this')}: {sides}")
        st.markdown("\n".join(lines))
    if b.watch:
        st.subheader("What to watch")
        st.markdown("\n".join(f"- {item_line(i, prev)}" for i in b.watch))


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
            st.markdown("New articles: " + ", ".join(f"`{f}`" for f in b.new_articles))
        for i in b.dropped:
            st.markdown(f"- \\[{md_escape(i.section)}\\] {md_escape(i.text)}")
        if not (new or b.dropped or b.new_articles):
            st.caption("Nothing: the articles in scope say what they said before.")


def show_view(view: View) -> None:
    b = view.briefing
    st.caption(
        f"{md_escape(b.scope.describe())} · {len(b.articles)} articles · "
        f"generated {md_escape(b.generated_at.replace('T', ' ')[:16])} UTC by "
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
    if b.citations:
        st.subheader("Sources")
        for c in b.citations:
            with st.expander(citation_label(c), icon=":material/format_quote:"):
                show_context(view.contexts.get(c.id) or context_of(None, 0, 0, c.quote), c)


def render() -> None:
    d = state.dossier()
    st.title("Briefing")
    from ui.library import indexed_status

    status = indexed_status(d)
    if status is None:
        return
    scope = scope_inputs(status)
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
        view = generate(d, scope, generator)
        if view is not None:
            st.session_state[VIEW] = view
    view = st.session_state.get(VIEW)
    if view is None or view.briefing.scope.key != scope.key:
        prev = d.previous_briefing(scope)
        view = make_view(d, prev, saved=True) if prev is not None else None
        if view is not None:
            st.session_state[VIEW] = view
    if view is None:
        st.caption("No briefing of this scope yet: generate one.")
        return
    show_view(view)


if __name__ == "__main__":
    render()
