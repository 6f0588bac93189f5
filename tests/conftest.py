"""Shared fixtures: offline and deterministic by default (fake embedder, Chroma in tmp_path)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from index.embed import FakeEmbedder
from index.settings import IndexSettings
from rag.config import Settings
from rag.service import Dossier

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "data" / "articles"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's model endpoint or index by accident."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    for var in list(os.environ):
        if var.startswith("DOSSIER_") and var not in ("DOSSIER_BENCH_DIR", "DOSSIER_SCREENSHOTS"):
            monkeypatch.delenv(var, raising=False)


def make_settings(data_dir: Path, **index: object) -> Settings:
    return Settings(data_dir=data_dir, index=IndexSettings(embedder="fake", **index))  # type: ignore[arg-type]


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled sample corpus."""
    dest = tmp_path / "articles"
    shutil.copytree(SAMPLE_DIR, dest)
    return dest


@pytest.fixture
def fake_dossier(tmp_path: Path) -> Dossier:
    return Dossier(make_settings(tmp_path / "data"), embedder=FakeEmbedder())


@pytest.fixture(scope="session")
def minilm_dossier(tmp_path_factory: pytest.TempPathFactory) -> Dossier:
    """The real bundled embedder over the sample corpus, ingested once per test session."""
    data = tmp_path_factory.mktemp("minilm-data")
    d = Dossier(Settings(data_dir=data))
    report = d.ingest(SAMPLE_DIR)
    assert len(report.added) == 5, report.to_json()
    return d
