"""Chat: ask the articles; answers stream in, every sentence cites its passages, and every
``[n]`` opens the whole article in a side panel scrolled to the cited span. Source cards list the
cited articles in the order cited; each answer states the scope it drew on; suggested questions
start an empty conversation; overview requests are answered with the briefing's summary."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import streamlit as st

from rag import Answer, Dossier, Filters, Passage
from ui import scope, state
from ui.components import (
    Context,
    context_html,
    date_label,
    generator_label,
    html_text,
    md_escape,
    show_error,
)
from ui.sources import ArticleView, Panels, article_views, cards_html, links

TURNS = "chat_turns"
PENDING = "chat_pending"


@dataclass(frozen=True)
class Turn:
    """One question and its answer. The cited articles are taken when the answer arrives, so
    the conversation still shows them if an article is re-indexed or deleted later."""

    question: str
    answer: Answer
    articles: dict[str, ArticleView] = field(default_factory=dict)
    seconds: float = 0.0
    n: int = 0  # position in the conversation: names its panels

    @property
    def prefix(self) -> str:
        return f"dz{self.n}"

    @property
    def resolved(self) -> str:
        """The question as the pipeline read it: what a follow-up refers back to."""
        return self.answer.standalone_question or self.question


def turns() -> list[Turn]:
    """This browser session's conversation (never shared between sessions)."""
    got: list[Turn] = st.session_state.setdefault(TURNS, [])
    return got


def answer_html(prefix: str, answer: Answer) -> str:
    """The short answer first (with how many articles state it), then the answer's sentences —
    quoted when there is a short answer — each followed by links to its passages; ⚠ on
    unsupported ones. One HTML block: model output is escaped and never read as Markdown."""
    parts = []
    for claim in answer.claims:
        flag = "" if claim.supported else " ⚠"
        text = f"“{claim.text}”" if answer.short_answer else claim.text
        parts.append(f"{html_text(text)} {links(prefix, claim.citations)}{flag}".strip())
    quotes = " ".join(parts)
    if not answer.short_answer:
        return f'<div class="dz-answer">{quotes}</div>'
    n = answer.corroboration
    also = f' <span class="dz-corroboration">({n} articles)</span>' if n > 1 else ""
    short = f"<strong>{html_text(answer.short_answer)}</strong>"
    head = f'<div class="dz-short-answer">{short}{also}</div>'
    return f'<div class="dz-answer">{head}{quotes}</div>'


def _passage_context(p: Passage) -> Context:
    return Context("", "", p.text, False, False)


def show_refusal(answer: Answer) -> None:
    st.info(f"**Refused** — {md_escape(answer.text)}", icon=":material/block:")
    closest = answer.passages[:3]
    if closest:
        st.markdown("Closest passages (none was close enough to answer from):")
    for p in closest:
        outlet = p.outlet or "outlet unknown"
        label = md_escape(f"{p.title or p.file} — {outlet} · {date_label(p.published)}")
        with st.expander(label, icon=":material/article:"):
            st.caption(f"{md_escape(p.file)} · characters {p.start}–{p.end}")
            st.markdown(context_html(_passage_context(p)), unsafe_allow_html=True)


def show_flags(answer: Answer, min_support: float) -> None:
    for n, claim in enumerate(answer.claims, 1):
        if claim.supported:
            continue
        why = (
            "it cites no passage"
            if not claim.citations
            else f"the verifier scored its support {claim.score:.2f}, below {min_support:.2f}"
        )
        st.warning(
            f"⚠ Sentence {n} is not supported by its cited passage ({why}): "
            f"“{md_escape(claim.text)}” — check the source before relying on it.",
        )
    for d in answer.disagreements:
        sides = " vs ".join(f"{md_escape(v)} \\[{c}\\]" for v, c in d.values)
        st.warning(f"The cited sources disagree: {sides}.", icon=":material/balance:")
    if answer.invalid_citations:
        ids = ", ".join(md_escape(f"[{i.id}]") for i in answer.invalid_citations)
        st.warning(f"The model cited {ids}, which name no retrieved passage; they were not used.")


def show_answer(turn: Turn, min_support: float, panels: Panels | None = None) -> None:
    answer = turn.answer
    st.markdown(f'<span id="dz-turn-{turn.n}"></span>', unsafe_allow_html=True)
    if answer.standalone_question:
        st.caption(f"read as: {md_escape(answer.standalone_question)}")
    if answer.refused:
        show_refusal(answer)
    else:
        st.markdown(answer_html(turn.prefix, answer), unsafe_allow_html=True)
        show_flags(answer, min_support)
        if turn.articles:
            st.markdown(cards_html(turn.prefix, turn.articles), unsafe_allow_html=True)
            if panels is not None:
                panels.add(turn.prefix, turn.articles)
    if answer.extra.get("overview") and not answer.refused:
        st.page_link("briefing.py", label="Open the full briefing", icon=":material/summarize:")
    for w in answer.warnings:
        st.caption(f"⚠ {md_escape(w)}")
    by = md_escape(generator_label(answer.generator))
    line = f"Answered by {by} in {turn.seconds:.1f} s"
    if answer.scope is not None:
        line += " · " + scope.describe(answer.scope)
    st.caption(line)


def ask(d: Dossier, question: str, history: Sequence[Turn], filters: Filters) -> Turn | None:
    """Ask with the answer streaming into a placeholder; the finished Turn, or None on error."""
    placeholder = st.empty()
    streamed: list[str] = []

    def on_text(delta: str) -> None:
        streamed.append(delta)
        placeholder.markdown(md_escape("".join(streamed)) + " ▌")

    t0 = time.perf_counter()
    with st.spinner("Reading the articles …", show_time=True):
        try:
            answer = d.ask_in_scope(
                question, history=[t.resolved for t in history], filters=filters, on_text=on_text
            )
        except Exception as exc:
            placeholder.empty()
            show_error(exc)
            return None
    seconds = time.perf_counter() - t0
    placeholder.empty()
    views = article_views(d, answer.citations) if not answer.refused else {}
    return Turn(question, answer, views, seconds, n=len(history))


def _suggest(question: str) -> None:
    st.session_state[PENDING] = question


def show_suggestions(d: Dossier) -> None:
    try:
        questions = d.suggestions()
    except Exception as exc:
        show_error(exc)
        return
    if not questions:
        return
    st.markdown("**Start with a question:**")
    for i, q in enumerate(questions):
        st.button(
            q,
            key=f"suggest_{i}",
            icon=":material/lightbulb:",
            on_click=_suggest,
            args=(q,),
            type="tertiary",
        )


def _scroll_to(n: int) -> None:
    """Bring the new answer into view, even when the reader had scrolled up."""
    st.html(
        "<script>setTimeout(() => { const el = document.getElementById("
        f'"dz-turn-{n}"); if (el) el.scrollIntoView({{behavior: "smooth", block: "start"}}); '
        "}, 60);</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def render() -> None:
    d = state.dossier()
    st.title("Ask the articles")
    from ui.library import indexed_status

    status = indexed_status(d)
    if status is None:
        return
    filters = scope.current()
    st.caption(
        f"{status['articles']} articles · {status['chunks']} passages · answers by "
        f"{md_escape(generator_label(d.generator_name))}"
        + ("" if filters.empty else " · filtered (see Scope in the sidebar)")
    )
    min_support = d.settings.answer.min_support
    history = turns()
    panels = Panels()
    for turn in history:
        with st.chat_message("user"):
            st.markdown(md_escape(turn.question))
        with st.chat_message("assistant"):
            show_answer(turn, min_support, panels)
    question = st.chat_input("Ask a question about the articles")
    question = question or st.session_state.pop(PENDING, None)
    if not history and not question:
        show_suggestions(d)
    if question and question.strip():
        with st.chat_message("user"):
            st.markdown(md_escape(question))
        with st.chat_message("assistant"):
            new = ask(d, question, history, filters)
            if new is not None:
                show_answer(new, min_support, panels)
                history.append(new)
                _scroll_to(new.n)
    if history and st.button("New conversation", icon=":material/refresh:", key="chat_clear"):
        st.session_state[TURNS] = []
        st.rerun()
    panels.render()


if __name__ == "__main__":
    render()
