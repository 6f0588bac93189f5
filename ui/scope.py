"""The reader's scope — outlets and publication dates — chosen once in the sidebar and kept for
the whole session: the widgets are drawn by ``app.py`` on every page, so visiting the Library and
coming back leaves them as they were. Chat and briefings read :func:`current`; the sidebar says
what the scope leaves (articles excluded in the Library included)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from rag import Dossier, Filters, Scope
from ui.components import date_range_input, md_escape

FILTERS = "scope_filters"
OUTLETS = "filter_outlets"


def sidebar(d: Dossier) -> None:
    """Draw the scope widgets and remember the filters they give (none when nothing is
    indexed or the index cannot be read — the page says why)."""
    try:
        status: dict[str, Any] = d.status()
    except Exception:
        st.session_state[FILTERS] = Filters()
        return
    files = status.get("files", [])
    if not files:
        st.session_state[FILTERS] = Filters()
        return
    outlets = sorted({str(f["outlet"]) for f in files if f.get("outlet")})
    if OUTLETS in st.session_state:  # an outlet corrected away is no longer offered
        st.session_state[OUTLETS] = [o for o in st.session_state[OUTLETS] if o in outlets]
    with st.sidebar:
        st.subheader("Scope")
        chosen = st.multiselect("Outlets", outlets, key=OUTLETS, placeholder="All outlets")
        since, until = date_range_input(files, "filter")
        filters = Filters(since=since, until=until, outlets=tuple(chosen))
        _, scope = d.in_scope(filters)
        st.caption(f"Chat and briefings read {md_escape(scope.describe())}.")
        changed = d.index_changed_at()
        if changed:
            when = datetime.fromtimestamp(changed).strftime("%d %b %Y, %H:%M")
            st.caption(f"Index last changed {when}")
    st.session_state[FILTERS] = filters


def current() -> Filters:
    """The filters of this session's scope."""
    got = st.session_state.get(FILTERS)
    return got if isinstance(got, Filters) else Filters()


def describe(scope: Scope | None) -> str:
    """The scope line under an answer or a briefing (Markdown-escaped)."""
    if scope is None:
        return ""
    return "Scope: " + md_escape(scope.describe())
