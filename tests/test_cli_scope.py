"""`dossier ask` answers within the reader's scope: articles left out in the Library are left
out on the command line too, and the scope is stated in the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from rag.cli import main
from rag.service import Dossier
from tests.conftest import make_settings


def test_ask_leaves_out_excluded_articles_and_states_its_scope(
    tmp_path: Path,
    sample_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "data"
    d = Dossier(make_settings(data), embedder=FakeEmbedder())
    d.ingest(sample_copy)
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    question = "When will Putin visit North Korea?"
    assert main(["ask", question, "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    cited = {c["file"] for claim in before["claims"] for c in claim["citations"]}
    assert cited and before["scope"]["articles"] == 5
    for f in cited:
        d.set_included(f, False)
    assert main(["ask", question, "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert not cited & {c["file"] for claim in after["claims"] for c in claim["citations"]}
    assert after["scope"]["articles"] == 5 - len(cited)
    assert sorted(after["scope"]["excluded"]) == sorted(cited)
