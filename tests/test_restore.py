"""Restoring a line cleaning removed (index.restores): kept beside the index, honoured by ingest
(the article is re-cleaned and re-indexed at once, the learned statistics do not remove it
again), surviving a re-ingest and a --rebuild; `dossier restore` and `status --file`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.restores import FILE_NAME, RestoreError, Restores
from rag.cli import main
from tests.test_ingest_boilerplate import CHROME, _article

TEXT = "Headline\n\nA body line.\n\nRead more\n\nAnother body line."


def test_restores_are_saved_and_found_again_after_an_edit(tmp_path: Path) -> None:
    r = Restores(tmp_path)
    assert r.lines_for("a.txt", TEXT) == set()
    assert r.restore("a.txt", TEXT, [4, 1, 99]) == [4]  # blank and out-of-range lines left out
    assert json.loads((tmp_path / FILE_NAME).read_text())["articles"]["a.txt"][0]["line"] == 4
    assert Restores(tmp_path).lines_for("a.txt", TEXT) == {4}
    edited = "Headline\n\nA new first line.\n\n" + TEXT.split("\n\n", 1)[1]
    assert edited.split("\n")[6] == "Read more"
    assert r.lines_for("a.txt", edited) == {6}  # moved down two lines: found by its text
    assert r.lines_for("a.txt", TEXT.replace("Read more", "Read less")) == set()
    assert r.listed("a.txt", TEXT) == [{"line": 5, "text": "Read more"}]
    r.unrestore("a.txt", [4])
    assert r.load() == {}


def test_an_unreadable_file_is_no_restores(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    assert Restores(tmp_path).load() == {}


def test_change_accepts_only_removed_lines(tmp_path: Path) -> None:
    r = Restores(tmp_path)
    spans = [[4, 4, "read-more"]]
    with pytest.raises(RestoreError, match="line 3 was not removed"):
        r.change("a.txt", TEXT, spans, [3])
    assert r.change("a.txt", TEXT, spans, [5]) == [5]
    assert r.change("a.txt", TEXT, [], [5]) == [5]  # restored already: no longer in the spans
    assert r.change("a.txt", TEXT, spans, [5], undo=True) == []


def _store_text(data: Path, file: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from rag.config import Settings
    from rag.service import Dossier

    got = Dossier(Settings(data_dir=data)).store().article(file)
    assert got is not None
    return got[0]


def test_restore_end_to_end_survives_reingest_and_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(6):
        _article(folder, n)
    data = tmp_path / "data"
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    assert main(["ingest", str(folder), "--quiet"]) == 0
    assert CHROME not in _store_text(data, "story_02.md", monkeypatch)
    capsys.readouterr()
    assert main(["status", "--file", "story_02.md", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    (line,) = [r["line"] for r in shown["removed"] if r["text"] == CHROME]
    assert shown["restored"] == []

    # a line cleaning kept cannot be "restored"
    assert main(["restore", "story_02.md", str(line - 2)]) == 2
    assert "was not removed by cleaning" in capsys.readouterr().err

    assert main(["restore", "story_02.md", str(line), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"file": "story_02.md", "restored": [line], "reindexed": True}
    assert CHROME in _store_text(data, "story_02.md", monkeypatch)  # re-indexed now
    assert CHROME not in _store_text(data, "story_03.md", monkeypatch)  # only that article
    assert main(["status", "--file", "story_02.md", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["restored"] == [{"line": line, "text": CHROME}]
    assert CHROME not in [r["text"] for r in shown["removed"]]

    # more articles of the outlet (the statistics change, siblings are re-cleaned): still kept
    for n in range(6, 9):
        _article(folder, n)
    assert main(["ingest", str(folder), "--quiet"]) == 0
    assert CHROME in _store_text(data, "story_02.md", monkeypatch)
    assert CHROME not in _store_text(data, "story_07.md", monkeypatch)
    assert main(["ingest", str(folder), "--quiet", "--rebuild"]) == 0
    assert CHROME in _store_text(data, "story_02.md", monkeypatch)

    assert main(["restore", "story_02.md", str(line), "--undo"]) == 0
    assert CHROME not in _store_text(data, "story_02.md", monkeypatch)
    assert main(["restore", "no_such.md", "3"]) == 2
