"""Finding 7: the same relative name in two folders never silently replaces an article; `file`
stays the path relative to the folder given to ingest (the CLI contract)."""

from __future__ import annotations

from pathlib import Path

from index.embed import FakeEmbedder
from rag.service import Dossier
from tests.conftest import make_settings
from tests.reliability.helpers import cli_json


def _article(path: Path, subject: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"{subject} makes the news\n\n" + f"Reporters wrote at length about {subject} today. " * 4
    )
    return path


def test_a_second_folder_with_the_same_name_is_refused_clearly(tmp_path: Path) -> None:
    _article(tmp_path / "corpA" / "bbc_0000.txt", "Aardvarks")
    _article(tmp_path / "other" / "bbc_0000.txt", "Zeppelins")
    data = tmp_path / "d"
    first = cli_json("ingest", str(tmp_path / "corpA"), "--quiet", data=data)
    assert first["added"] == 1
    second = cli_json("ingest", str(tmp_path / "other"), "--quiet", data=data)
    assert second["updated"] == 0 and second["added"] == 0
    [skip] = second["skipped"]
    assert skip["file"] == "bbc_0000.txt"
    assert "another folder" in skip["reason"] and str(tmp_path / "corpA") in skip["reason"]
    d = Dossier(make_settings(data), embedder=FakeEmbedder())
    text, meta = d.store().article("bbc_0000.txt")  # type: ignore[misc]
    assert "Aardvarks" in text and meta["root"] == str((tmp_path / "corpA").resolve())
    hits = cli_json("search", "Aardvarks", data=data)["results"]
    assert hits and hits[0]["file"] == "bbc_0000.txt"


def test_a_folder_that_moved_takes_its_own_place(tmp_path: Path) -> None:
    _article(tmp_path / "corpA" / "bbc_0000.txt", "Aardvarks")
    d = Dossier(make_settings(tmp_path / "d"), embedder=FakeEmbedder())
    d.ingest(tmp_path / "corpA")
    (tmp_path / "corpA").rename(tmp_path / "renamed")
    r = d.ingest(tmp_path / "renamed")
    assert r.updated == ["bbc_0000.txt"] and not r.skipped
    assert d.status()["articles"] == 1
