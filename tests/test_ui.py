"""The Streamlit app, page by page, with ``streamlit.testing.v1.AppTest``: the script runs
in-process against a tmp index of the sample corpus built with the fake embedder."""

from __future__ import annotations

import html
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from index.settings import IndexSettings
from rag.config import Settings
from rag.service import Dossier
from ui.components import md_escape

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "ui" / "app.py")
SAMPLE = REPO / "data" / "articles"
TIMEOUT = 120

QUESTION = "Who invited Putin to visit North Korea?"
UNANSWERABLE = "What is the capital of Peru?"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the sample corpus, indexed once per module with the fake embedder."""
    data = tmp_path_factory.mktemp("ui-index")
    d = Dossier(Settings(data_dir=data, index=IndexSettings(embedder="fake")))
    report = d.ingest(SAMPLE)
    assert report.added and not report.skipped, report.to_json()
    return data


def _env(monkeypatch: pytest.MonkeyPatch, data: Path, sample: Path = SAMPLE) -> None:
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    monkeypatch.setenv("DOSSIER_SAMPLE_DIR", str(sample))


@pytest.fixture
def app(indexed: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The app on the shared (read-only) index."""
    _env(monkeypatch, indexed)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    yield at


@pytest.fixture
def own_index(indexed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the index, for tests that change it."""
    data = tmp_path / "data"
    shutil.copytree(indexed, data)
    _env(monkeypatch, data)
    return data


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _library(at: AppTest) -> Any:
    """The library's table of indexed articles (a pandas DataFrame)."""
    return next(df.value for df in at.dataframe if "chunks" in df.value.columns)


def _answers(at: AppTest) -> list[str]:
    """The answers' HTML blocks (sentences with their [n] links)."""
    return [t for t in _texts(at) if t.startswith('<div class="dz-answer">')]


def _cards(at: AppTest) -> list[str]:
    return [t for t in _texts(at) if t.startswith('<div class="dz-cards">')]


def _panels(at: AppTest) -> str:
    return next((t for t in _texts(at) if t.startswith('<div class="dz-panels">')), "")


def _turns(at: AppTest) -> list[Any]:
    return list(at.session_state["chat_turns"])


# ---------------------------------------------------------------------------- chat


def test_chat_answers_with_clickable_citations_and_source_cards(app: AppTest) -> None:
    _ask(app, QUESTION)
    answer = next(t for t in _answers(app) if "invited Putin" in t)
    assert "Kim Jong Un" in answer
    assert '<a class="dz-cite" href="#dz0-m-1"' in answer and ">[1]</a>" in answer
    assert 'title="' in answer  # the quote on hover
    assert any("Answered by offline extractive" in c.value for c in app.caption)
    assert any("Scope: all 5 articles" in c.value for c in app.caption)
    cards = _cards(app)[0]
    turn = _turns(app)[0]
    cited = list(dict.fromkeys(c.file for c in turn.answer.citations))
    assert [cards.index(f'data-file="{f}"') for f in cited] == sorted(
        cards.index(f'data-file="{f}"') for f in cited
    ), "cards in the order cited"
    assert "passage" in cards


def test_chat_citation_opens_the_whole_article(app: AppTest) -> None:
    _ask(app, QUESTION)
    turn = _turns(app)[0]
    first = turn.answer.citations[0]
    view = turn.articles[first.file]
    panels = _panels(app)
    assert f'data-file="{first.file}"' in panels
    marked = panels.split(f'<mark id="dz0-m-{first.id}">', 1)[1].split("</mark>", 1)[0]
    assert html.unescape(marked.replace("<br>", "\n")) == first.quote
    # the whole article: its first and last words are in the panel
    assert view.text is not None
    assert view.text.split()[0] in panels and view.text.split()[-1].rstrip(".") in panels
    assert view.outlet and view.outlet in panels and first.file in panels


def test_chat_refusal_shows_closest_passages(app: AppTest) -> None:
    _ask(app, UNANSWERABLE)
    refusal = [i.value for i in app.info if "Refused" in i.value]
    assert refusal and "don't say" in refusal[0]
    assert any("Closest passages" in t for t in _texts(app))
    closest = [e for e in app.expander if e.label != "Settings in force"]
    assert 1 <= len(closest) <= 3


def test_follow_up_is_read_as_standalone(app: AppTest) -> None:
    _ask(app, QUESTION)
    _ask(app, "When will he go?")
    read_as = [c.value for c in app.caption if c.value.startswith("read as:")]
    assert read_as and "Putin" in read_as[0]
    # the conversation keeps both turns
    assert len(app.chat_message) == 4


def test_outlet_filter_restricts_citations_and_is_stated(app: AppTest) -> None:
    app.sidebar.multiselect(key="filter_outlets").set_value(["Newsmax"]).run()
    _ask(app, "What did Putin accept?")
    outlets = {c.outlet for c in _turns(app)[0].answer.citations}
    assert outlets == {"Newsmax"}
    assert any("Scope: Newsmax · " in c.value for c in app.caption)


def test_filters_survive_visiting_other_pages(app: AppTest) -> None:
    app.sidebar.multiselect(key="filter_outlets").set_value(["Newsmax"]).run()
    app.switch_page("library.py").run()
    app.switch_page("briefing.py").run()
    app.switch_page("chat.py").run()
    assert app.sidebar.multiselect(key="filter_outlets").value == ["Newsmax"]
    _ask(app, "What did Putin accept?")
    assert any("Scope: Newsmax" in c.value for c in app.caption)


def test_suggested_questions_and_an_overview_answer(own_index: Path) -> None:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    labels = [b.label for b in app.button if (b.key or "").startswith("suggest_")]
    assert labels[0] == "Summarize these articles" and len(labels) >= 3
    app.button(key="suggest_0").click().run()
    assert not app.exception, [e.value for e in app.exception]
    turn = _turns(app)[0]
    assert turn.answer.extra.get("overview") and not turn.answer.refused
    assert _answers(app) and "[1]</a>" in _answers(app)[0]
    assert not [b for b in app.button if (b.key or "").startswith("suggest_")]


def test_sidebar_says_which_settings_are_in_force(app: AppTest) -> None:
    panel = app.sidebar.expander[0]
    assert panel.label == "Settings in force"
    text = panel.markdown[0].value
    assert "embedder**: fake" in text and "extractive" in text and "api\\_key**: not set" in text


def test_two_sessions_keep_their_own_conversations(
    indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _env(monkeypatch, indexed)
    a = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    b = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _ask(a, QUESTION)
    _ask(b, UNANSWERABLE)
    _ask(a, "When will he go?")
    assert [m.markdown[0].value for m in a.chat_message if m.name == "user"] == [
        md_escape(QUESTION),
        md_escape("When will he go?"),
    ]
    assert [m.markdown[0].value for m in b.chat_message if m.name == "user"] == [
        md_escape(UNANSWERABLE)
    ]


def test_question_during_ingest_still_answers(own_index: Path, tmp_path: Path) -> None:
    from ui import state

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    d = state.dossier()  # the same cached Dossier the app uses
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "extra.txt").write_text(
        "Extra report\n\n" + "Officials met on Tuesday to discuss the harvest in detail. " * 20
    )
    started, release = threading.Event(), threading.Event()

    def slow(done: int, total: int, file: str) -> None:
        started.set()
        release.wait(30)

    worker = threading.Thread(target=d.ingest, args=(folder,), kwargs={"progress": slow})
    worker.start()
    try:
        assert started.wait(30), "ingest did not start"
        _ask(at, QUESTION)  # while the ingest holds its lock
        assert any("invited Putin" in t for t in _texts(at))
    finally:
        release.set()
        worker.join(60)
    assert "extra.txt" in {f["file"] for f in d.status()["files"]}


def test_index_errors_are_shown_not_raised(indexed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, indexed)
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake:64")  # not what built the index
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("other settings" in e.value and "--rebuild" in e.value for e in at.error)


def test_library_rebuilds_an_index_made_with_other_settings(
    own_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake:64")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert any("other settings" in e.value for e in at.error)
    at.switch_page("library.py").run()
    assert any("other settings" in e.value for e in at.error)
    at.checkbox(key="rebuild").check().run()
    at.button(key="reindex").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert any("Ingest finished: 5 added" in s.value for s in at.success)
    assert len(_library(at)) == 5


def test_answers_from_a_language_model_stream_and_are_judged(
    indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.openai_server import FakeOpenAIServer, Reply

    reply = (
        "Kim Jong Un invited Putin to visit North Korea. [1] "
        "Putin also promised a base on the Moon. [2]"
    )
    verdicts = '[{"i": 0, "supported": true}, {"i": 1, "supported": false}]'
    with FakeOpenAIServer([Reply(reply, stream_chunk_chars=6), verdicts]) as srv:
        _env(monkeypatch, indexed)
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("DOSSIER_LLM__MODEL", "fake-model")
        monkeypatch.setenv("DOSSIER_LLM__MAX_RETRIES", "0")
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert any("Answers by **fake\\-model**" in c.value for c in at.sidebar.caption)
        _ask(at, QUESTION)
        assert srv.requests[0]["stream"] is True
    body = next(t for t in _answers(at) if "Moon" in t)
    assert body.endswith("⚠</div>") and "invited Putin" in body and ">[1]</a>" in body
    assert any("Sentence 2 is not supported" in w.value for w in at.warning)
    assert any("Answered by fake\\-model" in c.value for c in at.caption)


def test_a_failing_model_falls_back_offline_and_says_so(
    indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.openai_server import FakeOpenAIServer, Reply

    with FakeOpenAIServer([Reply(status=500)]) as srv:
        _env(monkeypatch, indexed)
        monkeypatch.setenv("OPENAI_BASE_URL", srv.base_url)
        monkeypatch.setenv("DOSSIER_LLM__MAX_RETRIES", "0")
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        _ask(at, QUESTION)
    assert any("answered offline instead" in c.value for c in at.caption)
    assert any("Answered by offline extractive" in c.value for c in at.caption)


def test_invalid_settings_are_reported(indexed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, indexed)
    monkeypatch.setenv("DOSSIER_RETRIEVAL__K", "0")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Invalid settings" in e and md_escape("retrieval.k") in e for e in errors)


def test_first_start_offers_the_sample_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = tmp_path / "sample"
    shutil.copytree(SAMPLE, sample)
    _env(monkeypatch, tmp_path / "fresh", sample)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert any("No articles are indexed yet" in i.value for i in at.info)
    at.button(key="index_sample").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value.startswith("5 articles") for c in at.caption)
    assert at.chat_input, "the chat is ready once the sample is indexed"


def test_unsupported_claims_and_bad_citations_are_flagged() -> None:
    def script() -> None:
        from rag.records import Answer, Citation, Claim, InvalidCitation
        from ui.chat import Turn, show_answer

        text = "Intro. The summit was held in Pyongyang. More text follows here."
        c1 = Citation(1, "a.txt", 7, 40, text[7:40], title="T", outlet="O", published="2024-06-19")
        answer = Answer(
            "q",
            "",
            (
                Claim("The summit was held in Pyongyang.", (c1,), True, 0.9),
                Claim("It ended in a treaty on $5 *bn*.", (c1,), False, 0.21),
            ),
            False,
            "gpt-test",
            invalid_citations=(InvalidCitation("7", 1),),
            standalone_question="Where was the summit?",
        )
        show_answer(Turn("q", answer, {}, 1.0), 0.5)

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    body = next(m.value for m in at.markdown if m.value.startswith('<div class="dz-answer">'))
    assert body.endswith("⚠</div>") and "&#36;5 *bn*" in body and "$" not in body
    warnings = [w.value for w in at.warning]
    assert any("Sentence 2 is not supported" in w and "0.21" in w for w in warnings)
    assert any("\\[7\\]" in w and "name no retrieved passage" in w for w in warnings)
    assert any("Answered by gpt\\-test in 1.0 s" in c.value for c in at.caption)
    assert any(c.value == "read as: Where was the summit?" for c in at.caption)


# ---------------------------------------------------------------------------- library


def test_library_lists_indexed_articles(app: AppTest) -> None:
    app.switch_page("library.py").run()
    assert not app.exception
    table = _library(app)
    assert len(table) == 5
    assert {"title", "outlet", "published", "chunks", "file"} <= set(table.columns)
    assert table["chunks"].sum() > 5


def test_upload_rejects_bad_files_and_indexes_good_ones(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("library.py").run()
    uploader = at.file_uploader[0]
    assert ".." not in "".join(uploader.allowed_type)
    good = (
        "Council approves budget\n\nThe city council approved the new budget on Monday "
        "after a long debate about schools, roads and parks. "
    ) * 3
    uploader.set_value(
        [
            ("../escape.txt", b"climbing out", "text/plain"),
            (".hidden.txt", b"hidden", "text/plain"),
            ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf"),
            ("budget.txt", good.encode(), "text/plain"),
        ]
    ).run()
    at.button(key="upload_index").click().run()
    assert not at.exception, [e.value for e in at.exception]
    skipped = {r["file"]: r["reason"] for r in at.dataframe[0].value.to_dict("records")}
    assert "'..'" in skipped["../escape.txt"]
    assert "hidden" in skipped[".hidden.txt"]
    assert skipped.get("broken.pdf")
    uploads = own_index / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["broken.pdf", "budget.txt"]
    assert not (own_index / "escape.txt").exists()
    files = _library(at)["file"].tolist()
    assert "budget.txt" in files and len(files) == 6


def test_delete_an_uploaded_article(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("library.py").run()
    at.file_uploader[0].set_value(
        (
            "note.md",
            b"# Harbour reopens\n\n" + b"The harbour reopened on Friday. " * 8,
            "text/markdown",
        )
    ).run()
    at.button(key="upload_index").click().run()
    assert "note.md" in _library(at)["file"].tolist()
    at.selectbox(key="delete_file").set_value("note.md").run()
    at.button(key="delete").click().run()
    assert any("Delete “" in w.value for w in at.warning), "delete asks first"
    at.button(key="delete_cancel").click().run()
    assert "note.md" in _library(at)["file"].tolist()
    at.selectbox(key="delete_file").set_value("note.md").run()
    at.button(key="delete").click().run()
    at.button(key="delete_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(md_escape("Deleted note.md") in s.value for s in at.success)
    assert "note.md" not in _library(at)["file"].tolist()
    assert not (own_index / "uploads" / "note.md").exists()


def test_reindex_sample_shows_progress_and_report(own_index: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("library.py").run()
    at.button(key="reindex").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Ingest finished: 0 added, 0 updated, 5 unchanged" in s.value for s in at.success)


# ---------------------------------------------------------------------------- evals


def test_evals_page_runs_the_sample_set(app: AppTest) -> None:
    app.switch_page("evals_page.py").run()
    assert not app.exception, [e.value for e in app.exception]
    app.button(key="eval_run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    labels = [m.label for m in app.metric]
    assert "answer correct" in labels and "citation precision" in labels
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")
    assert {b.label for b in app.download_button} == {
        "Download report (Markdown)",
        "Download report (JSON)",
    }
    assert any("Failing questions" in t for t in _texts(app))
    # the set's goals, each met or missed (evals/goals.py)
    assert any("Goals" in t for t in _texts(app))
    goals = [df.value for df in app.dataframe if "goal" in df.value.columns]
    assert goals and "citation precision" in list(goals[0]["goal"])  # a goal of every set
