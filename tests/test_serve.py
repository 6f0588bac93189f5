"""The app's launcher builds the Dossier and starts loading answering before the first visit;
the page then uses that Dossier."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from rag.service import Dossier
from ui import serve, state


def test_start_builds_once_and_the_page_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DOSSIER_INDEX__EMBEDDER", "fake")
    monkeypatch.setattr(state, "_started", {})
    warmed: list[Dossier] = []
    monkeypatch.setattr(Dossier, "warm_up", lambda self: warmed.append(self))
    d = state.start()
    assert state.start() is d and state.dossier() is d
    for _ in range(100):
        if warmed:
            break
        time.sleep(0.05)
    assert warmed == [d], "answering starts loading in the background"


def test_serve_runs_streamlit_on_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.web import cli

    calls: list[list[str]] = []
    monkeypatch.setattr(state, "start", lambda: None)
    monkeypatch.setattr(cli, "main", lambda: calls.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    assert serve.main(["--server.port", "8599"]) == 0
    assert calls == [["streamlit", "run", str(serve.APP), "--server.port", "8599"]]
