"""Ingest learns each outlet's repeated lines (index.boilerplate) and cleans them out: the
statistics are saved beside the index, grow as articles arrive (the article that tipped a line
into chrome gets its older siblings re-indexed), and a rebuild learns them anew."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.boilerplate import STATS_FILE, BoilerplateStats
from index.embed import FakeEmbedder
from index.ingest import ingest, rebuild
from rag.cli import main
from rag.service import Dossier
from tests.conftest import make_settings

CHROME = "The Northgate Gazette weekday edition"
TOPICS = [
    "The council approved a new tram line along the river after a long public consultation.",
    "Local bakers reported record sales during the autumn festival held in the market square.",
    "The school board voted to extend library hours for students preparing for exams.",
    "Volunteers planted four hundred trees in the northern park over a single weekend.",
    "A new bridge opened to cyclists and walkers, linking the two halves of the old town.",
    "The hospital announced a partnership with the university to train more nurses locally.",
    "Heavy rain flooded several streets near the harbour, and pumps worked through the night.",
]


def _article(folder: Path, n: int) -> Path:
    body = TOPICS[n % len(TOPICS)]
    text = (
        f"---\ntitle: Northgate story {n}\noutlet: Northgate Gazette\n"
        f"published: 2024-05-{n + 1:02d}\n---\n{body.split(',')[0]}\n\n"
        f"{body} Officials said the work would take several months to complete. "
        f"Residents welcomed the news at a meeting on the evening of day {n}.\n\n"
        f"{CHROME}\n"
    )
    path = folder / f"story_{n:02d}.md"
    path.write_text(text, encoding="utf-8")
    return path


def _ingest(d: Dossier, folder: Path, stats: BoilerplateStats) -> list[str]:
    report = ingest(folder, d.store(create=True), FakeEmbedder(), d.settings.index, stats=stats)
    return report.added + report.updated


def test_repeated_outlet_line_is_learned_saved_and_cleaned_out(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    data = tmp_path / "data"
    d = Dossier(make_settings(data), embedder=FakeEmbedder())
    for n in range(3):
        _article(folder, n)
    stats = BoilerplateStats.load(data)
    _ingest(d, folder, stats)
    # Three articles of one outlet are too few to learn from: the line stays.
    assert CHROME in d.store().article("story_00.md")[0]  # type: ignore[index]
    for n in range(3, 6):
        _article(folder, n)
    changed = _ingest(d, folder, BoilerplateStats.load(data))
    # With six, the line is chrome: the new articles come clean, the older ones are redone.
    assert sorted(changed) == [f"story_{n:02d}.md" for n in range(6)]
    for n in range(6):
        text, _ = d.store().article(f"story_{n:02d}.md")  # type: ignore[misc]
        assert CHROME not in text and TOPICS[n] in text
    state = d.store().article_states()["story_04.md"]
    rules = [rule for _s, _e, rule in json.loads(state["removed"])]
    assert any(str(r).startswith("repeated") for r in rules)
    saved = BoilerplateStats.load(data)
    assert len(saved) == 6 and (data / STATS_FILE).is_file()
    # Nothing changed on disk: nothing is redone.
    assert _ingest(d, folder, BoilerplateStats.load(data)) == []


def test_rebuild_learns_the_statistics_anew(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    data = tmp_path / "data"
    for n in range(6):
        _article(folder, n)
    d = Dossier(make_settings(data), embedder=FakeEmbedder())
    old = BoilerplateStats.load(data)
    old.observe("gone_from_the_folder.md", "Northgate Gazette", "a line\nanother line")
    old.save()
    report, store = rebuild(
        folder,
        d.client,
        d.settings.index.collection,
        d.store(create=True).identity,
        FakeEmbedder(),
        d.settings.index,
        stats_dir=data,
    )
    assert len(report.added) == 6
    fresh = BoilerplateStats.load(data)
    assert "gone_from_the_folder.md" not in fresh and len(fresh) == 6
    assert CHROME not in store.article("story_03.md")[0]  # type: ignore[index]


def test_status_file_lists_what_cleaning_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(6):
        _article(folder, n)
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    assert main(["ingest", str(folder), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["status", "--file", "story_02.md", "--json"]) == 0
    removed = json.loads(capsys.readouterr().out)["removed"]
    assert [r["text"] for r in removed] == [CHROME]
    assert removed[0]["rule"].startswith("repeated")
    assert main(["status", "--file", "no_such.md"]) == 2
    assert "not indexed" in capsys.readouterr().err
