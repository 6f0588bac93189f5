"""The RealTime QA loader and the eval command line: bench discovery, the corpus as front-matter
markdown, as-asked scopes, where reports go — offline, with the fake embedder."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evals import realtimeqa as rtqa
from evals.peer import LlamaIndexPeer
from evals.report import FILES
from evals.runner import (
    GoldQuestion,
    as_asked_filters,
    run_eval,
)
from index.embed import FakeEmbedder
from index.settings import IndexSettings
from rag.cli import main
from rag.config import Settings
from rag.records import Filters
from rag.service import Dossier

REPO = Path(__file__).resolve().parents[1]


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, index=IndexSettings(embedder="fake"))


def test_realtimeqa_skips_cleanly_without_the_bench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(rtqa.BENCH_ENV, str(tmp_path))
    with pytest.raises(rtqa.BenchMissing, match="DOSSIER_BENCH_DIR"):
        rtqa.find_bench()
    code = main(["eval", "--set", "realtimeqa", "--json", "--work-dir", str(tmp_path / "w")])
    captured = capsys.readouterr()
    assert code == 0
    assert "Skipping the realtimeqa eval" in captured.err
    assert "skipped" in json.loads(captured.out)
    assert not (tmp_path / "w").exists()


def _make_bench(root: Path) -> Path:
    bench = root / "shared" / "bench" / "realtimeqa"
    bench.mkdir(parents=True)
    (bench / rtqa.CORPUS_FILE).write_bytes(gzip.compress(b""))
    (bench / rtqa.QUESTIONS_FILE).write_text("")
    return bench


def test_find_bench_walks_up_to_a_sibling_shared_bench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every walk below stops inside tmp_path (or finds its bench there first), so the machine's
    # own folders — a real shared/bench above the temp dir — can neither help nor hurt.
    monkeypatch.delenv(rtqa.BENCH_ENV, raising=False)
    top = tmp_path / "top"
    _make_bench(tmp_path)  # above `top`: beyond every stop below, so never found
    bench = _make_bench(top)
    repo = top / "main" / "evals"
    repo.mkdir(parents=True)
    assert rtqa.find_bench(repo, stop=top) == bench
    # The nearest wins: a bench beside the checkout itself shadows the one further up…
    near = _make_bench(top / "main")
    assert rtqa.find_bench(repo, stop=top) == near
    # …unless it is incomplete: a folder without the questions is no bench.
    (near / rtqa.QUESTIONS_FILE).unlink()
    assert rtqa.find_bench(repo, stop=top) == bench
    # The walk ends at `stop`, and only there: benches above it are not looked at…
    lone = top / "lone" / "evals"
    lone.mkdir(parents=True)
    with pytest.raises(rtqa.BenchMissing, match="shared/bench/realtimeqa above"):
        rtqa.find_bench(lone, stop=top / "lone")
    # …and without a stop the same walk goes on up and finds the next one.
    assert rtqa.find_bench(lone) == bench


def _tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_cli_eval_writes_reports_under_the_data_dir_not_the_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = REPO / "evals" / "reports"
    before = _tree_state(committed)
    assert before, "the committed reports are the thing this test guards"
    data = tmp_path / "data"
    monkeypatch.chdir(REPO)  # where `dossier eval --set sample` once rewrote evals/reports/
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    code = main("eval --set sample --limit 2 --no-peer --quiet --json --modes hybrid".split())
    captured = capsys.readouterr()
    assert code == 0
    out = data / "evals" / "sample"
    assert {p.name for p in out.iterdir()} == set(FILES.values())
    assert json.loads((out / "report.json").read_text())["n_questions"] == 2
    assert f"reports written to {out.resolve()}" in captured.err
    assert _tree_state(committed) == before


def test_report_dir_defaults_to_the_data_dir_and_honours_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evals.cli import report_dir

    monkeypatch.chdir(tmp_path)
    assert report_dir("sample", None) == Path(".dossier") / "evals" / "sample"
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(tmp_path / "d"))
    assert report_dir("realtimeqa", None) == tmp_path / "d" / "evals" / "realtimeqa"
    assert report_dir("sample", str(tmp_path / "mine")) == tmp_path / "mine"


DOCS = [
    {
        "doc_id": "rtqa_aaa",
        "url": "https://www.cnn.com/2022/06/12/media/show/index.html",
        "title": "'Quiz Show' returns for a second season - CNN",
        "authors": ["Ann Lee"],
        "publish_date": "2022/06/12",
        "text": "New York CNN —\n\nThe quiz show is officially coming back for a second "
        "season, the network announced on Sunday.\n\nFilming starts in the autumn, and the "
        "host returns with the same team of writers and the same studio audience.",
    },
    {
        "doc_id": "rtqa_bbb",
        "url": "https://www.usatoday.com/story/news/2022/07/01/heat-wave/123/",
        "title": "Heat wave grips the Midwest",
        "authors": [],
        "publish_date": "2022/07/01",
        "text": "A heat wave pushed temperatures above 100 degrees in Chicago on Friday.\n\n"
        "Cooling centers opened across the city, and officials urged residents to check on "
        "elderly neighbours.",
    },
    {
        "doc_id": "rtqa_ccc",
        "url": "https://www.theweek.co.uk/news/world-news/957290/ferries",
        "title": '"Why ferries matter" | The Week',
        "authors": ["Kate Sam", "Joe Roe"],
        "publish_date": "2022/08/03",
        "text": "Ferries carry millions of passengers between Britain and Europe every year.\n\n"
        "Operators say bookings have recovered since the pandemic ended, and new routes to "
        "Spain and Ireland open this summer.",
    },
]
QUESTIONS = [
    {
        "question_id": "20220617_0",
        "question_date": "2022/06/16",
        "question": "Which show was renewed for a second season?",
        "choices": ["“Quiz Show”", "“Other”"],
        "answer_index": [0],
        "answer_text": ["“Quiz Show”"],
        "evidence_text": "The quiz show is officially coming back for a second season.",
        "gold_doc_ids": ["rtqa_aaa"],
    },
    {
        "question_id": "20220617_1",
        "question_date": "2022/07/02",
        "question": "Where did a heat wave push temperatures above 100?",
        "choices": ["Chicago", "Boston"],
        "answer_index": [0],
        "answer_text": ["Chicago"],
        "evidence_text": "A heat wave pushed temperatures above 100 degrees in Chicago on Friday.",
        "gold_doc_ids": ["rtqa_bbb"],
    },
]


@pytest.fixture
def fake_bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bench" / "realtimeqa"
    folder.mkdir(parents=True)
    with gzip.open(folder / rtqa.CORPUS_FILE, "wt", encoding="utf-8") as fh:
        for doc in DOCS:
            fh.write(json.dumps(doc) + "\n")
    (folder / rtqa.QUESTIONS_FILE).write_text(
        "".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8"
    )
    monkeypatch.setenv(rtqa.BENCH_ENV, str(tmp_path / "bench"))
    return folder


def test_outlet_and_date_helpers() -> None:
    assert rtqa.outlet_from_url("https://www.cnn.com/2022/x") == "CNN"
    assert rtqa.outlet_from_url("https://e.newsletters.cnn.com/x") == "CNN"
    assert rtqa.outlet_from_url("https://www.usatoday.com/story/x") == "USA Today"
    assert rtqa.outlet_from_url("https://www.theweek.co.uk/news") == "The Week"
    assert rtqa.outlet_from_url("https://www.example.org/a") == "Example"
    assert rtqa.iso_date("2022/06/12") == "2022-06-12"
    assert rtqa.iso_date("") is None and rtqa.iso_date("June 2022") is None
    assert rtqa.clean_answer("“Squid Game”") == "Squid Game"


def test_realtimeqa_corpus_becomes_front_matter_markdown_that_ingest_reads(
    fake_bench: Path, tmp_path: Path
) -> None:
    assert rtqa.find_bench() == fake_bench
    articles = tmp_path / "work" / "articles"
    assert rtqa.write_articles(fake_bench, articles) == {"written": 3, "unchanged": 0, "removed": 0}
    assert sorted(p.name for p in articles.iterdir()) == [
        "rtqa_aaa.md",
        "rtqa_bbb.md",
        "rtqa_ccc.md",
    ]
    assert (articles / "rtqa_aaa.md").read_text().startswith("---\ntitle: ")
    dossier = Dossier(_settings(tmp_path / "data"), embedder=FakeEmbedder())
    assert len(dossier.ingest(articles).added) == 3
    files = {f["file"]: f for f in dossier.status()["files"]}
    # the site's name after the headline is dropped (the outlet is a field of its own)
    assert files["rtqa_aaa.md"]["title"] == "'Quiz Show' returns for a second season"
    assert files["rtqa_aaa.md"]["outlet"] == "CNN"
    assert str(files["rtqa_aaa.md"]["published"]).startswith("2022-06-12")
    assert files["rtqa_bbb.md"]["outlet"] == "USA Today"
    assert str(files["rtqa_bbb.md"]["published"]).startswith("2022-07-01")
    assert files["rtqa_ccc.md"]["title"] == '"Why ferries matter"'
    assert files["rtqa_ccc.md"]["outlet"] == "The Week"
    hits = dossier.search("heat wave Chicago temperatures", k=3)
    assert hits[0].file == "rtqa_bbb.md" and hits[0].outlet == "USA Today"
    # A second pass rewrites nothing, so the incremental ingest finds every file unchanged.
    assert rtqa.write_articles(fake_bench, articles)["unchanged"] == 3
    assert len(dossier.ingest(articles).unchanged) == 3

    questions = rtqa.load_questions(fake_bench)
    assert [q.id for q in questions] == ["20220617_0", "20220617_1"]
    assert questions[0].gold_files == ("rtqa_aaa.md",)
    assert questions[0].answers == ("Quiz Show",) and questions[0].answers_any
    assert questions[1].gold_passages == ()  # the quiz's wording, not the article's
    assert QUESTIONS[1]["evidence_text"] in (questions[1].note or "")
    assert len(rtqa.load_questions(fake_bench, limit=1)) == 1
    assert [q.asked_on for q in questions] == ["2022-06-16", "2022-07-02"]


def test_as_asked_each_question_sees_only_the_articles_published_by_its_date(
    fake_bench: Path, tmp_path: Path
) -> None:
    articles = tmp_path / "work" / "articles"
    rtqa.write_articles(fake_bench, articles)
    embedder = FakeEmbedder()
    dossier = Dossier(_settings(tmp_path / "data"), embedder=embedder)
    dossier.ingest(articles)
    questions = rtqa.load_questions(fake_bench)
    peer = LlamaIndexPeer(articles, embedder, tmp_path / "peer")
    seen = {
        as_asked: run_eval(
            dossier,
            questions,
            set_name="rtqa",
            modes=("hybrid", "bm25"),
            peer=peer,
            answers=False,
            as_asked=as_asked,
        )
        for as_asked in (False, True)
    }
    allowed = {"20220617_0": {"rtqa_aaa.md"}, "20220617_1": {"rtqa_aaa.md", "rtqa_bbb.md"}}
    for row in seen[True]["questions"]:
        for mode in ("hybrid", "bm25"):
            assert set(row["retrieval"][mode]["files"]) <= allowed[row["id"]]
        assert row["peer"]["files"] and set(row["peer"]["files"]) <= allowed[row["id"]]
    later = {f for row in seen[False]["questions"] for f in row["peer"]["files"]}
    assert "rtqa_ccc.md" in later  # without the dates every article is in reach
    assert as_asked_filters(questions[0], True) == Filters(until="2022-06-16")
    assert as_asked_filters(questions[0], False) is None
    assert as_asked_filters(GoldQuestion("x", "q?", "single"), True) is None  # undated


def test_ensure_gitignored(tmp_path: Path) -> None:
    rtqa.ensure_gitignored(tmp_path / "w")
    assert (tmp_path / "w" / ".gitignore").read_text() == "*\n"


def test_cli_eval_usage_mistakes_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", "--set", "sample", "--modes", "hybrid,nope", "--quiet"]) == 2
    assert main(["eval", "--set", "sample", "--corpus-limit", "5", "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "unknown retrieval mode" in err[0] and "--corpus-limit" in err[1]
