"""The eval runner, reports, floors and the RealTime QA loader — offline, with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.peer import LlamaIndexPeer
from evals.report import FILES, format_summary, write_reports
from evals.runner import (
    FLOOR_METRICS,
    GoldQuestion,
    check_floors,
    load_floors,
    load_gold,
    run_eval,
    summary_only,
)
from index.embed import FakeEmbedder
from index.settings import IndexSettings
from rag.cli import main
from rag.config import Settings
from rag.service import Dossier

REPO = Path(__file__).resolve().parents[1]

ARTICLES = {
    "lighthouse.txt": (
        "Harbor town restores its lighthouse\n\n"
        "The town council of Port Ellery voted on Tuesday to restore the old lighthouse. "
        "The restoration will cost 2.4 million dollars, according to the mayor, Ada Crane. "
        "Work on the lighthouse is expected to begin in March and to take two years.\n"
    ),
    "orchard.txt": (
        "Apple harvest breaks records in the valley\n\n"
        "Farmers in the Linden valley picked a record 90,000 tonnes of apples this autumn. "
        "The growers' cooperative said the warm spring helped the blossoms. "
        "Most of the harvest will be sold to cider makers in the north.\n"
    ),
    "ferry.txt": (
        "Island ferry service suspended by storm\n\n"
        "The ferry between Port Ellery and Gull Island was suspended on Sunday because of a storm. "
        "The operator said the service would resume on Wednesday if the wind dropped. "
        "Islanders were advised to stock up on food and fuel.\n"
    ),
}

GOLD = [
    {
        "id": "t1",
        "question": "How much will the restoration of the lighthouse cost?",
        "type": "single",
        "wanted": "number",
        "gold_files": ["lighthouse.txt"],
        "gold_passages": [
            "The restoration will cost 2.4 million dollars, according to the mayor, Ada Crane."
        ],
        "answers": ["2.4 million"],
        "answers_any": False,
    },
    {
        "id": "t2",
        "question": "How many tonnes of apples did farmers in the Linden valley pick?",
        "type": "single",
        "wanted": "number",
        "gold_files": ["orchard.txt"],
        "gold_passages": [
            "Farmers in the Linden valley picked a record 90,000 tonnes of apples this autumn."
        ],
        "answers": ["90,000"],
        "answers_any": False,
    },
    # An answer string that occurs nowhere: a guaranteed failure, which must be listed first.
    {
        "id": "t3",
        "question": "When will the ferry to Gull Island resume service?",
        "type": "single",
        "wanted": "date",
        "gold_files": ["ferry.txt"],
        "gold_passages": [
            "The operator said the service would resume on Wednesday if the wind dropped."
        ],
        "answers": ["a date nobody wrote"],
        "answers_any": False,
    },
    {
        "id": "t4",
        "question": "Who won the chess olympiad in Reykjavik?",
        "type": "unanswerable",
        "wanted": "person",
        "gold_files": [],
        "gold_passages": [],
        "answers": [],
        "answers_any": False,
    },
]


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, index=IndexSettings(embedder="fake"))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / ".work" / "articles"  # below a hidden folder, like .dossier-evals/
    folder.mkdir(parents=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def gold(tmp_path: Path) -> list[GoldQuestion]:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in GOLD), encoding="utf-8")
    return load_gold(path)


@pytest.fixture
def report(tmp_path: Path, corpus: Path, gold: list[GoldQuestion]) -> dict:
    embedder = FakeEmbedder()
    dossier = Dossier(_settings(tmp_path / "data"), embedder=embedder)
    dossier.ingest(corpus)
    peer = LlamaIndexPeer(corpus, embedder, tmp_path / "peer")
    return run_eval(dossier, gold, set_name="tiny", k=10, peer=peer)


def test_load_gold_reads_the_sample_set() -> None:
    questions = load_gold(REPO / "evals" / "data" / "sample.jsonl")
    assert len(questions) == 53
    assert sum(q.should_refuse for q in questions) == 11
    assert len(load_gold(REPO / "evals" / "data" / "sample.jsonl", limit=5)) == 5


def test_report_has_the_expected_shape(report: dict) -> None:
    assert report["n_questions"] == 4 and report["n_answerable"] == 3
    for key in (
        "answer_correct",
        "refusal_accuracy",
        "citation_recall",
        "citation_precision",
        "cited_gold_rate",
        "cited_gold_file_rate",
        "invalid_citation_rate",
        "hit@1",
        "hit@5",
        "mrr@10",
        "passage_recall",
    ):
        assert key in report["metrics"], key
    ours = report["retrieval"]["ours"]
    assert set(ours) == {"hybrid", "vector", "bm25"}
    for s in (*ours.values(), report["retrieval"]["peer"]):
        assert {"hit@1", "hit@5", "mrr@10", "passage_recall", "latency_ms"} <= set(s)
        assert s["latency_ms"]["p50"] <= s["latency_ms"]["p95"]
    splitter = report["retrieval"]["peer_info"]["splitter"]
    assert splitter.startswith("SentenceSplitter(chunk_size=1024")
    # The lexical fake embedder finds these articles by their words, ours and the peer alike.
    assert report["metrics"]["hit@5"] == 1.0
    assert report["retrieval"]["peer"]["hit@5"] == 1.0
    rows = {q["id"]: q for q in report["questions"]}
    assert rows["t3"]["failure"] and "wrong answer" in rows["t3"]["reasons"]
    assert rows["t4"]["should_refuse"] and rows["t4"]["correct"] is None
    assert rows["t1"]["retrieval"]["hybrid"]["gold_rank"] == 1


def test_failures_come_first(report: dict) -> None:
    flags = [q["failure"] for q in report["questions"]]
    assert flags == sorted(flags, reverse=True)
    assert flags[0] is True
    assert report["failures"] and report["failures"][0] in {q["id"] for q in report["questions"]}


def test_reports_are_written(report: dict, tmp_path: Path) -> None:
    paths = write_reports(report, tmp_path / "out")
    assert {p.name for p in paths.values()} == set(FILES.values())
    data = json.loads(paths["json"].read_text())
    assert {"metrics", "retrieval", "questions", "failures", "by_type", "ci95"} <= set(data)
    assert paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = paths["markdown"].read_text()
    assert "## Retrieval (article level, ours vs peer)" in md
    assert md.index("| t3 |") < md.index("| t1 |")  # failures first in the table too
    assert "### t3" in md
    text = format_summary(report)
    assert "peer: llama-index defaults" in text and "failures:" in text
    assert "questions" not in summary_only(report)


def test_retrieval_only_skips_answers(
    tmp_path: Path, corpus: Path, gold: list[GoldQuestion]
) -> None:
    dossier = Dossier(_settings(tmp_path / "data"), embedder=FakeEmbedder())
    dossier.ingest(corpus)
    report = run_eval(dossier, gold, set_name="tiny", modes=("bm25",), answers=False)
    assert report["generator"] == "none" and report["n_answered"] == 0
    assert report["metrics"]["answer_correct"] is None
    assert report["metrics"]["refusal_accuracy"] is None
    assert report["metrics"]["hit@5"] == 1.0
    assert set(report["retrieval"]["ours"]) == {"hybrid", "bm25"}  # the default mode is kept
    assert report["failures"] == [] and report["retrieval"]["peer"] is None
    assert check_floors(summary_only(report), {"metrics": {"answer_correct": {"floor": 0.5}}})
    paths = write_reports(report, tmp_path / "out")
    assert paths["chart"].exists() and "| t1 |" in paths["markdown"].read_text()


def test_check_floors_names_each_metric_below_its_floor(report: dict) -> None:
    summary = summary_only(report)
    low = {"metrics": {m: {"floor": 0.0} for m in FLOOR_METRICS}}
    assert check_floors(summary, low) == []
    high = {
        "metrics": {
            "hit@5": {"floor": 1.0},
            "answer_correct": {"floor": 0.99},
            "no_such_metric": {"floor": 0.1},
        }
    }
    problems = check_floors(summary, high)
    assert len(problems) == 2
    assert any(p.startswith("answer_correct:") and "below its floor" in p for p in problems)
    assert any(p.startswith("no_such_metric:") for p in problems)


def test_committed_floors_are_sane() -> None:
    floors = load_floors(REPO / "evals" / "floors.json")
    assert floors["set"] == "sample" and floors["generator"] == "extractive"
    assert floors["why"]
    assert set(FLOOR_METRICS) <= set(floors["metrics"])
    for name, spec in floors["metrics"].items():
        assert 0.0 < spec["floor"] <= spec["measured"] <= 1.0, name


def test_cli_check_floors_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    floors = tmp_path / "floors.json"
    floors.write_text(
        json.dumps(
            {
                "set": "sample",
                "generator": "extractive",
                "metrics": {"hit@5": {"floor": 0.0}, "answer_correct": {"floor": 1.01}},
            }
        )
    )
    out = tmp_path / "out"
    args = "eval --set sample --limit 3 --no-peer --quiet --json --modes hybrid".split()
    code = main([*args, "--out", str(out), "--check-floors", str(floors)])
    captured = capsys.readouterr()
    assert code == 1
    assert "answer_correct" in captured.err and "hit@5:" not in captured.err
    summary = json.loads(captured.out)
    assert summary["n_questions"] == 3 and summary["set"] == "sample"
    assert (out / "report.json").exists() and (out / "report.png").exists()
