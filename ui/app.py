"""Dossier's Streamlit app: ``python -m ui.serve`` (or ``streamlit run ui/app.py``).

One module per page (chat, briefing, library, evals); the embedder, the index and the generator
are built once per process (``ui.state``) and shared; each browser session keeps its own
conversation in ``st.session_state``. Settings come from the environment (``DOSSIER_*``,
``OPENAI_API_KEY``, ``OPENAI_BASE_URL``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from pydantic import ValidationError

from ui import scope, state
from ui.components import CSS, generator_label, md_escape
from ui.sources import PANEL_CSS

HERE = Path(__file__).resolve().parent


def main() -> None:
    st.set_page_config(page_title="Dossier", page_icon=":material/newspaper:", layout="wide")
    st.markdown(CSS + PANEL_CSS, unsafe_allow_html=True)
    pages = [
        st.Page(HERE / "chat.py", title="Chat", icon=":material/forum:", default=True),
        st.Page(HERE / "briefing.py", title="Briefing", icon=":material/summarize:"),
        st.Page(HERE / "library.py", title="Library", icon=":material/library_books:"),
        st.Page(
            HERE / "evals_page.py", title="Evals", icon=":material/analytics:", url_path="evals"
        ),
    ]
    page = st.navigation(pages)
    try:
        d = state.dossier()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        st.error(
            md_escape(
                f"Invalid settings in the environment ({problems}). Fix the DOSSIER_* "
                "variables and restart the app."
            ),
            icon=":material/error:",
        )
        st.stop()
    st.sidebar.caption(f"Answers by **{md_escape(generator_label(d.generator_name))}**")
    scope.sidebar(d)  # on every page: the scope survives visits to the other pages
    state.settings_panel(d)
    page.run()


main()
