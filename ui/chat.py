"""Chat: ask the articles; answers stream in, every sentence cites its passage, and each citation
opens that passage inside its article with the cited span highlighted."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from rag import Answer, Citation, Dossier, Filters, Passage
from ui import state
from ui.components import (
    Context,
    citation_label,
    context_html,
    context_of,
    date_label,
    date_range_input,
    generator_label,
    markers,
    md_escape,
    show_context,
    show_error,
)

TURNS = "chat_turns"


@dataclass(frozen=True)
class Turn:
    """One question and its answer. The cited contexts are taken when the answer arrives, so the
    conversation still shows them if an article is re-indexed or deleted later."""

    question: str
    answer: Answer
    contexts: dict[int, Context] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def resolved(self) -> str:
        """The question as the pipeline read it: what a follow-up refers back to."""
        return self.answer.standalone_question or self.question


def turns() -> list[Turn]:
    """This browser session's conversation (never shared between sessions)."""
    return st.session_state.setdefault(TURNS, [])  # type: ignore[no-any-return]


def contexts_for(d: Dossier, citations: Sequence[Citation]) -> dict[int, Context]:
    texts: dict[str, str | None] = {}
    out: dict[int, Context] = {}
    for c in citations:
        if c.file not in texts:
            got = d.article(c.file)
            texts[c.file] = got[0] if got else None
        out[c.id] = context_of(texts[c.file], c.start, c.end, c.quote)
    return out


def answer_markdown(answer: Answer) -> str:
    """The answer's sentences, each followed by its citation markers; ⚠ on unsupported ones."""
    parts = []
    for claim in answer.claims:
        marks = markers([c.id for c in claim.citations])
        flag = "" if claim.supported else " ⚠"
        parts.append(f"{md_escape(claim.text)} {marks}{flag}".strip())
    return " ".join(parts)


def _passage_context(p: Passage) -> Context:
    return Context("", "", p.text, False, False)


def show_refusal(answer: Answer) -> None:
    st.info(f"**Refused** — {md_escape(answer.text)}", icon=":material/block:")
    closest = answer.passages[:3]
    if closest:
        st.markdown("Closest passages (none was close enough to answer from):")
    for p in closest:
        outlet = p.outlet or "unknown outlet"
        label = md_escape(f"{p.title or p.file} — {outlet} · {date_label(p.published)}")
        with st.expander(label, icon=":material/article:"):
            st.caption(f"`{p.file}` · characters {p.start}–{p.end}")
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


def show_answer(turn: Turn, min_support: float) -> None:
    answer = turn.answer
    if answer.standalone_question:
        st.caption(f"read as: {md_escape(answer.standalone_question)}")
    if answer.refused:
        show_refusal(answer)
    else:
        st.markdown(answer_markdown(answer))
        show_flags(answer, min_support)
        for c in answer.citations:
            with st.expander(citation_label(c), icon=":material/format_quote:"):
                show_context(turn.contexts.get(c.id) or context_of(None, 0, 0, c.quote), c)
    for w in answer.warnings:
        st.caption(f"⚠ {md_escape(w)}")
    by = md_escape(generator_label(answer.generator))
    st.caption(f"Answered by {by} in {turn.seconds:.1f} s")


def sidebar_filters(status: dict[str, Any]) -> Filters:
    files = status.get("files", [])
    outlets = sorted({f["outlet"] for f in files if f.get("outlet")})
    with st.sidebar:
        st.subheader("Filters")
        chosen = st.multiselect("Outlets", outlets, key="filter_outlets", placeholder="All outlets")
        since, until = date_range_input(files, "filter")
        if st.button("New conversation", icon=":material/refresh:", key="chat_clear"):
            st.session_state[TURNS] = []
    return Filters(since=since, until=until, outlets=tuple(chosen))


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
            answer = d.ask(
                question, history=[t.resolved for t in history], filters=filters, on_text=on_text
            )
        except Exception as exc:
            placeholder.empty()
            show_error(exc)
            return None
    seconds = time.perf_counter() - t0
    placeholder.empty()
    return Turn(question, answer, contexts_for(d, answer.citations), seconds)


def render() -> None:
    d = state.dossier()
    st.title("Ask the articles")
    from ui.library import indexed_status

    status = indexed_status(d)
    if status is None:
        return
    filters = sidebar_filters(status)
    st.caption(
        f"{status['articles']} articles · {status['chunks']} passages · answers by "
        f"{md_escape(generator_label(d.generator_name))}" + ("" if filters.empty else " · filtered")
    )
    min_support = d.settings.answer.min_support
    history = turns()
    for turn in history:
        with st.chat_message("user"):
            st.markdown(md_escape(turn.question))
        with st.chat_message("assistant"):
            show_answer(turn, min_support)
    question = st.chat_input("Ask a question about the articles")
    if question and question.strip():
        with st.chat_message("user"):
            st.markdown(md_escape(question))
        with st.chat_message("assistant"):
            turn = ask(d, question, history, filters)
            if turn is not None:
                show_answer(turn, min_support)
                history.append(turn)


if __name__ == "__main__":
    render()
