"""Files beside the index are replaced whole, and a failed write leaves the old file and no
temporary file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.atomic import read_articles, write_atomic


def test_writes_then_replaces_whole(tmp_path: Path) -> None:
    path = tmp_path / "new" / "corrections.json"
    write_atomic(path, "first ✓")
    write_atomic(path, "second")
    assert path.read_text(encoding="utf-8") == "second"
    assert [p.name for p in path.parent.iterdir()] == ["corrections.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "restores.json"
    write_atomic(path, "old")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "half \ud800 a surrogate cannot be written")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["restores.json"]


def test_read_articles_tolerates_what_a_reader_cannot_use(tmp_path: Path) -> None:
    path = tmp_path / "corrections.json"
    assert read_articles(path) == {}  # missing
    write_atomic(path, '{"version": 1, "articles": {"a.txt": {"title": "T"}}}')
    assert read_articles(path) == {"a.txt": {"title": "T"}}
    for junk in ("not json", "[1, 2]", '{"articles": [1]}', '{"version": 1}'):
        write_atomic(path, junk)
        assert read_articles(path) == {}
