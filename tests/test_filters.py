"""Filters: UTC date bounds whatever the machine's zone, Chroma ``where`` clauses, BM25 masks, and
the CLI's date validation at parse time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.dates import published_ts
from rag.records import Filters
from rag.retrieval.filters import bound_ts, chroma_where, in_date_range, matches

REPO = Path(__file__).resolve().parents[1]


def test_until_includes_its_whole_day_in_utc() -> None:
    assert bound_ts("2024-05-25", end=False) == 1716595200  # 2024-05-25T00:00:00Z
    assert bound_ts("2024-05-25", end=True) == 1716681599  # 2024-05-25T23:59:59Z


def test_article_published_late_evening_new_york_is_inside_its_utc_day() -> None:
    ts = published_ts("2024-05-25T18:28:00-04:00")  # 22:28 UTC
    meta = {"published_ts": ts}
    assert in_date_range(meta, "2024-01-01", "2024-05-25")
    assert not in_date_range(meta, "2024-05-26", None)
    assert not in_date_range({}, "2024-01-01", None)  # undated: outside any range
    assert in_date_range({}, None, None)


def test_chroma_where_and_bm25_mask_agree() -> None:
    f = Filters(since="2024-01-01", until="2024-05-25", outlets=("Newsmax",))
    where = chroma_where(f)
    assert where == {
        "$and": [
            {"published_ts": {"$gte": bound_ts("2024-01-01", end=False)}},
            {"published_ts": {"$lte": bound_ts("2024-05-25", end=True)}},
            {"outlet": {"$in": ["Newsmax"]}},
        ]
    }
    inside = {"published_ts": published_ts("2024-03-01"), "outlet": "Newsmax", "file": "a"}
    assert matches(inside, f)
    assert not matches({**inside, "outlet": "CNN"}, f)
    assert not matches({**inside, "published_ts": published_ts("2023-12-31T23:00:00")}, f)
    assert chroma_where(Filters()) is None
    assert chroma_where(Filters(files=("a.txt",))) == {"file": {"$in": ["a.txt"]}}


def _dossier(args: list[str], data: Path, tz: str) -> subprocess.CompletedProcess[str]:
    env = {
        "DOSSIER_DATA_DIR": str(data),
        "DOSSIER_INDEX__EMBEDDER": "fake",
        "HF_HUB_OFFLINE": "1",
        "TZ": tz,
        "PATH": str(Path(sys.executable).parent),
    }
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=REPO,
    )


@pytest.mark.parametrize("ingest_tz", ["Asia/Tokyo", "UTC"])
def test_date_filter_is_the_same_in_every_time_zone(tmp_path: Path, ingest_tz: str) -> None:
    """Article 003 was published 2024-05-25 18:28 in New York: ``--until 2024-05-25`` keeps it
    whether the index was built, or is searched, in Tokyo or in UTC."""
    data = tmp_path / "data"
    done = _dossier(["ingest", str(REPO / "data" / "articles"), "--quiet"], data, ingest_tz)
    assert done.returncode == 0, done.stderr
    for tz in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        out = _dossier(
            ["search", "Putin visit", "--since", "2024-01-01", "--until", "2024-05-25", "--json"],
            data,
            tz,
        )
        assert out.returncode == 0, out.stderr
        files = {r["file"][:3] for r in json.loads(out.stdout)["results"]}
        assert files == {"003"}, (tz, files)


@pytest.mark.parametrize("bad", ["xyz", "2024-02-30", "2024-13-01"])
def test_bad_dates_are_refused_when_arguments_are_parsed(tmp_path: Path, bad: str) -> None:
    out = _dossier(["search", "Putin", "--since", bad], tmp_path / "none", "UTC")
    assert out.returncode == 2
    assert "Not a date" in out.stderr and "YYYY-MM-DD" in out.stderr
    assert "Traceback" not in out.stderr
