"""Briefing: a one-page, cited briefing of the whole index, a topic or a date range."""

from __future__ import annotations

import streamlit as st

from ui import state


def render() -> None:
    state.dossier()
    st.title("Briefing")
    st.info("Briefings are not available in this build yet.")


if __name__ == "__main__":
    render()
