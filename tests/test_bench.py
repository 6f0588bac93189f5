"""The speed benchmarks' own logic (their figures are measured, never asserted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals import bench_answer, bench_embed, bench_ingest, bench_scale


def test_percentiles_interpolate() -> None:
    xs = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert bench_answer.percentile(xs, 0.5) == 3.0
    assert bench_answer.percentile(xs, 0.0) == 1.0 and bench_answer.percentile(xs, 1.0) == 5.0
    assert bench_answer.percentile([1.0, 2.0], 0.95) == pytest.approx(1.95)
    assert bench_scale.pct(xs, 0.5) == 3.0
    assert bench_embed._median([3.0, 1.0, 2.0, 10.0]) == 2.5
    s = bench_answer.summary([10.0, 20.0, 30.0])
    assert s == {"n": 3, "p50_ms": 20.0, "p95_ms": 29.0, "max_ms": 30.0}


def test_sample_questions_load() -> None:
    qs = bench_answer.questions(limit=3)
    assert len(qs) == 3 and all(isinstance(q, str) and q for q in qs)


def test_coverage_counts_each_character_once() -> None:
    spans = {"a": [(0, 10), (5, 15), (20, 30)], "b": [(0, 4)]}
    assert bench_ingest.covered(spans, {"a": 40, "b": 10}) == pytest.approx((15 + 10 + 4) / 50)
    assert bench_ingest.covered({}, {}) == 0.0


def test_window_reads_at_most_256_pieces() -> None:
    w = bench_ingest.Window()
    short, long = "A short sentence.", "word " * 600
    assert w.read_chars([short]) == [len(short)]
    (read,) = w.read_chars([long])
    assert 0 < read < len(long)
    assert w.pieces([long[:read]])[0] <= bench_ingest.WINDOW


def test_copies_are_distinct() -> None:
    words = [bench_scale.copy_word(n) for n in range(200)]
    assert len(set(words)) == 200 and words[0] == "alpha" and words[12] == "alphaalpha"
    row = {"doc_id": "x", "title": "Markets fall", "text": "Markets fall\nShares fell.\nThen rose."}
    one, two = bench_scale.article_text(row, 0), bench_scale.article_text(row, 1)
    assert one != two
    assert one.startswith("Alpha edition: Markets fall\n\n")
    assert "Shares fell. (alpha edition.)" in one and "(bravo edition.)" in two


def test_scale_bench_runs_on_a_tiny_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "The council approved the budget on Monday after a long debate. " * 6
    rows: list[dict[str, Any]] = [
        {"doc_id": f"d{i}", "title": f"Budget story {i}", "text": f"{body}\nItem {i} passed."}
        for i in range(12)
    ]
    monkeypatch.setattr(bench_scale, "bbc_rows", lambda: rows)
    out = bench_scale.run(chunks=30, n_queries=5, work=tmp_path)
    assert out["build"]["chunks"] >= 30
    assert out["incremental"]["added"] == 10
    assert out["incremental"]["chunks_embedded"] > 0
    assert set(out["retrieval"]) == {"hybrid", "vector", "bm25"}
    assert out["disk_mb"]["index"] > 0
    inc = out["incremental"]
    after = inc["first_query_after"]
    assert after["bm25"]["full_builds"] == 0, "BM25 catches up, it is not rebuilt"
    assert after["bm25"]["catch_ups"] == 1
    assert inc["ingest_s"] == pytest.approx(inc["embedding_s"] + inc["rest_s"], abs=0.02)
    assert {"walk", "records", "prepare", "write"} <= set(inc["rest_by_phase_s"])
    assert after["total_s"] >= after["bm25_catch_up_s"]
    assert out["incremental_removal"]["removed"] == 10
    assert out["unchanged_rerun"]["chunks_embedded"] == 0
    fresh = out["fresh_process_rss"]
    assert fresh["answering_mb"] >= fresh["index_open_mb"] > 0


def test_scale_bench_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[int, int, Path]] = []

    def fake_run(chunks: int, n_queries: int, work: Path) -> dict[str, Any]:
        seen.append((chunks, n_queries, work))
        return {"ok": True}

    monkeypatch.setattr(bench_scale, "run", fake_run)
    assert bench_scale.main(["--chunks", "30", "--queries", "5", "--work-dir", str(tmp_path)]) == 0
    assert seen == [(30, 5, tmp_path)]
    monkeypatch.setattr(bench_scale, "answer_only", lambda d, q: {"data": str(d), "q": q})
    capsys.readouterr()
    assert bench_scale.main(["--answer-only", str(tmp_path), "one", "two"]) == 0
    assert json.loads(capsys.readouterr().out) == {"data": str(tmp_path), "q": ["one", "two"]}
