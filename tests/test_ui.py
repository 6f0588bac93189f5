"""The Streamlit app, page by page, with ``streamlit.testing.v1.AppTest``: the script runs
in-process against a tmp index of the sample corpus built with the fake embedder."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from index.settings import IndexSettings
from rag.config import Settings
from rag.service import Dossier
from ui.components import Context, context_html, context_of, md_escape
from ui.uploads import UploadRejected, safe_name, save_upload

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


def _citation_expanders(at: AppTest) -> list[object]:
    return [e for e in at.expander if e.label.startswith("\\[")]


# ---------------------------------------------------------------------------- chat


def test_chat_answers_with_inline_citations(app: AppTest) -> None:
    _ask(app, QUESTION)
    answer = next(t for t in _texts(app) if "invited Putin" in t and "**\\[1\\]**" in t)
    assert "Kim Jong Un" in answer
    assert any("Answered by offline extractive" in c.value for c in app.caption)
    assert _citation_expanders(app), "every answer shows its citations"


def test_chat_citation_opens_passage_in_context(app: AppTest) -> None:
    _ask(app, QUESTION)
    exp = _citation_expanders(app)[0]
    assert "Putin to visit North Korea" in exp.label
    assert "Just the News" in exp.label
    body = [m.value for m in exp.markdown]
    passage = next(b for b in body if "<mark>" in b)
    marked = passage.split("<mark>", 1)[1].split("</mark>", 1)[0]
    assert "Kim Jong Un invited Putin to visit North Korea." in marked
    # the article around the span is shown too, and the file/outlet/span are named
    assert passage.index("<mark>") > 30
    assert any(
        "000_d455daceb9b8e86e.txt" in c.value and "characters" in c.value for c in exp.caption
    )


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


def test_outlet_filter_restricts_citations(app: AppTest) -> None:
    app.sidebar.multiselect(key="filter_outlets").set_value(["Newsmax"]).run()
    _ask(app, "What did Putin accept?")
    labels = [e.label for e in _citation_expanders(app)]
    assert labels and all("Newsmax" in label for label in labels)


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
    body = next(t for t in _texts(at) if "Moon" in t)
    assert body.endswith("⚠") and "invited Putin" in body and "**\\[1\\]**" in body
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
        from ui.components import context_of

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
        show_answer(Turn("q", answer, {1: context_of(text, 7, 40, text[7:40])}, 1.0), 0.5)

    at = AppTest.from_function(script, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    body = at.markdown[0].value
    assert body.endswith("⚠") and "\\$5 \\*bn\\*" in body
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
    assert {"Summary", "Timeline", "Key actors", "Sources"} <= set(heads)
    assert any("all indexed articles · 5 articles" in c.value for c in at.caption)
    # every line cites: bold [n] markers in the sections, one expander per citation
    summary = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert "**\\[1\\]" in summary
    sources = [e for e in at.expander if e.label.startswith("\\[")]
    assert sources and any("<mark>" in m.value for m in sources[0].markdown)
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
    at.toggle(key="brief_by_date").set_value(True).run()
    at.date_input(key="brief_dates").set_value((date(2023, 9, 1), date(2023, 9, 30))).run()
    at.button(key="brief_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    view = at.session_state["briefing_view"]
    assert view.briefing.scope.topic == "Kim's visit to Russia"
    assert view.briefing.scope.since == "2023-09-01"
    assert {a.published[:7] for a in view.briefing.articles if a.published} == {"2023-09"}
    assert any("published 2023\\-09\\-01 to 2023\\-09\\-30" in c.value for c in at.caption)


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


# ---------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    "name",
    [
        "../x.txt",
        "a/../../x.txt",
        "..",
        ".env",
        ".hidden.md",
        "",
        "x.exe",
        "noext",
        "evil\x00.txt",
        "semi;colon.txt",
        "star*.txt",
        "con.txt",
        "a" * 200 + ".txt",
    ],
)
def test_unsafe_upload_names_are_rejected(name: str) -> None:
    with pytest.raises(UploadRejected):
        safe_name(name)


@pytest.mark.parametrize(
    ("name", "saved"),
    [
        ("story.txt", "story.txt"),
        ("C:\\Users\\me\\story.HTML", "story.HTML"),
        ("dir/sub/Über Report (2).pdf", "Über Report (2).pdf"),
    ],
)
def test_upload_names_lose_their_folders(name: str, saved: str) -> None:
    assert safe_name(name) == saved


def test_save_upload_stays_inside_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    path = save_upload(folder, "/etc/passwd.txt", b"hello")
    assert path == folder.resolve() / "passwd.txt" and path.read_bytes() == b"hello"
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(UploadRejected):
        save_upload(folder, "link.txt", b"x")
    with pytest.raises(UploadRejected, match="larger"):
        save_upload(folder, "big.txt", b"x" * 11, max_bytes=10)
    assert not (tmp_path / "outside.txt").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["link.txt", "passwd.txt"]


def test_passage_html_escapes_article_text() -> None:
    text = 'Before <script>alert("x")</script> & $1\n\nthe <b>cited</b> span and after.'
    start = text.index("the <b>")
    end = text.index(" and after")
    html = context_html(context_of(text, start, end, text[start:end]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>the &lt;b&gt;cited&lt;/b&gt; span</mark>" in html
    assert "\n" not in html and "$" not in html


def test_context_falls_back_to_the_quote_when_the_article_changed() -> None:
    ctx = context_of("new text entirely", 0, 5, "old q")
    assert ctx == Context("", "old q", "", False, False, found=False)
    long = "word " * 400
    ctx = context_of(long, 1000, 1004, long[1000:1004], window=100)
    assert ctx.cut_before and ctx.cut_after and len(ctx.before) <= 100
