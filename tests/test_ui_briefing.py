"""The briefing page, and Library corrections and exclusions reaching the next answer (the
Streamlit app under AppTest, over a copy of the sample index)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.test_ui import (
    APP,
    QUESTION,
    TIMEOUT,
    _ask,
    _cards,
    _library,
    _panels,
    _turns,
    indexed,
    own_index,
)

__all__ = ["indexed", "own_index"]  # fixtures, imported for pytest to find


# ---------------------------------------------------------------------------- briefing


def _subheaders(at: AppTest) -> list[str]:
    return [h.value for h in at.subheader]


def test_briefing_of_the_whole_index(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("briefing.py").run()
    assert any("No briefing of this scope yet" in c.value for c in at.caption)
    at.button(key="brief_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    heads = _subheaders(at)
    assert {"Summary", "Timeline"} <= set(heads)
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Key actors") for label in labels)
    assert "Sources: 5 articles" in labels
    assert any("Scope: all 5 articles · 5 articles" in c.value for c in at.caption)
    # every line cites: [n] links in the sections; sources grouped per article, by title
    summary = next(m.value for m in at.markdown if "<ul><li>" in m.value)
    assert ">[1]</a>" in summary
    sources = next(e for e in at.expander if e.label == "Sources: 5 articles")
    grouped = sources.markdown[0].value
    assert "Just the News" in grouped and "passage" in grouped
    assert "<mark id=" in _panels(at)
    # a chart of the dated events, and both downloads
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert {b.label for b in at.download_button} == {"Download Markdown", "Download PDF"}
    view = at.session_state["briefing_view"]
    assert view.markdown.startswith("# Briefing") and view.pdf.startswith(b"%PDF")
    # the briefing was saved: a new session shows it as the last one of this scope
    again = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    again.switch_page("briefing.py").run()
    assert any("the last briefing of this scope" in c.value for c in again.caption)


def test_briefing_of_a_topic_and_a_date_range(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("briefing.py").run()
    at.text_input(key="brief_topic").set_value("Kim's visit to Russia").run()
    at.sidebar.toggle(key="filter_by_date").set_value(True).run()
    at.sidebar.date_input(key="filter_dates").set_value((date(2023, 9, 1), date(2023, 9, 30))).run()
    at.button(key="brief_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    view = at.session_state["briefing_view"]
    assert view.briefing.scope.topic == "Kim's visit to Russia"
    assert view.briefing.scope.since == "2023-09-01"
    assert {a.published[:7] for a in view.briefing.articles if a.published} == {"2023-09"}
    assert any("published 2023\\-09\\-01 to 2023\\-09\\-30" in c.value for c in at.caption)


def test_briefing_of_an_uncovered_topic_is_not_written(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("briefing.py").run()
    at.text_input(key="brief_topic").set_value("Xi Jinping").run()
    at.button(key="brief_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No article in scope covers “Xi Jinping”" in w.value for w in at.warning)
    assert not at.download_button, "no briefing is shown for it"
    closest = [b for b in at.button if (b.key or "").startswith("closest_")]
    assert closest
    closest[0].click().run()
    assert at.text_input(key="brief_topic").value == closest[0].label
    assert not any("No article in scope covers" in w.value for w in at.warning)


def test_library_correction_reaches_the_next_answer(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("library.py").run()
    file = "000_d455daceb9b8e86e.txt"
    at.selectbox(key="edit_file").set_value(file).run()
    n = at.selectbox(key="edit_file").options.index(
        next(o for o in at.selectbox(key="edit_file").options if file in o)
    )
    at.text_input(key=f"edit_outlet_{n}").set_value("Daily `Planet`")
    at.button(key=f"FormSubmitter:edit_form_{n}-Save corrections").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved corrections" in s.value for s in at.success)
    assert "Daily `Planet`" in _library(at)["outlet"].tolist()
    at.switch_page("chat.py").run()
    _ask(at, QUESTION)
    cards = _cards(at)[0]
    assert "Daily `Planet`" in cards  # HTML: backticks shown as text, never Markdown


def test_library_exclusion_is_stated_on_answers(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("library.py").run()
    file = "000_d455daceb9b8e86e.txt"
    at.selectbox(key="edit_file").set_value(file).run()
    n = next(i for i, o in enumerate(at.selectbox(key="edit_file").options) if file in o)
    at.toggle(key=f"edit_inc_{n}").set_value(False)
    at.button(key=f"FormSubmitter:edit_form_{n}-Save corrections").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("chat.py").run()
    _ask(at, QUESTION)
    assert file not in {c.file for c in _turns(at)[0].answer.citations}
    assert any("4 of 5 articles \\(1 excluded by you\\)" in c.value for c in at.caption)
