"""The one bench locator behind both eval sets' find_bench."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from evals import bbc
from evals import realtimeqa as rtqa
from evals.benchdir import BENCH_ENV, BenchMissing


def _bench(root: Path) -> Path:
    bench = root / "shared" / "bench"
    (bench / "bbc").mkdir(parents=True)
    (bench / "bbc" / "bbc.jsonl.gz").write_bytes(gzip.compress(b""))
    (bench / "realtimeqa").mkdir()
    (bench / "realtimeqa" / rtqa.CORPUS_FILE).write_bytes(gzip.compress(b""))
    (bench / "realtimeqa" / rtqa.QUESTIONS_FILE).write_text("")
    return bench


def test_the_environment_may_name_the_bench_or_either_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench(tmp_path)
    for value in (bench, bench / "bbc", bench / "realtimeqa"):
        monkeypatch.setenv(BENCH_ENV, str(value))
        assert bbc.find_bench() == bench
        assert rtqa.find_bench() == bench / "realtimeqa"


def test_a_missing_corpus_names_the_set_and_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _bench(tmp_path)
    (bench / "bbc" / "bbc.jsonl.gz").unlink()
    monkeypatch.setenv(BENCH_ENV, str(bench))
    with pytest.raises(BenchMissing, match=r"BBC corpus data not found: DOSSIER_BENCH_DIR=.*bbc"):
        bbc.find_bench()
    monkeypatch.delenv(BENCH_ENV)
    repo = tmp_path / "shared" / "main"
    repo.mkdir()
    with pytest.raises(BenchMissing, match="shared/bench/bbc above"):
        bbc.find_bench(repo, stop=tmp_path)
    assert rtqa.find_bench(repo, stop=tmp_path) == bench / "realtimeqa"
