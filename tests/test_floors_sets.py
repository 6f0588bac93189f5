"""Per-set eval floors: evals/floors.json holds the sample set's (the default of
``--check-floors``), evals/floors-<set>.json another set's, each checked against a run of its own
set and half only."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from evals import cli
from evals.floors import FLOOR_METRICS, load_floors

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("name", "set_name"), [("floors.json", "sample"), ("floors-bbc.json", "bbc")]
)
def test_each_committed_floors_file_is_sane(name: str, set_name: str) -> None:
    floors = load_floors(REPO / "evals" / name)
    assert floors["set"] == set_name and floors["generator"] == "extractive"
    assert floors["why"] and floors["command"].startswith(f"dossier eval --set {set_name}")
    assert set(FLOOR_METRICS) <= set(floors["metrics"])
    for metric, spec in floors["metrics"].items():
        assert 0.0 < spec["floor"] <= spec["measured"] <= 1.0, metric


def _summary(set_name: str, half: str, answer_correct: float) -> dict[str, object]:
    return {
        "set": set_name,
        "generator": "extractive",
        "half": half,
        "metrics": {"answer_correct": answer_correct},
    }


def _args(set_name: str, path: Path | None = None) -> argparse.Namespace:
    return argparse.Namespace(set=set_name, check_floors=str(path or cli.FLOORS))


def test_the_default_floors_file_is_the_sets_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "floors.json").write_text(
        json.dumps({"set": "sample", "metrics": {"answer_correct": {"floor": 0.5}}})
    )
    (tmp_path / "floors-bbc.json").write_text(
        json.dumps(
            {
                "set": "bbc",
                "half": "validation",
                "metrics": {"answer_correct": {"floor": 0.6}},
            }
        )
    )
    monkeypatch.setattr(cli, "FLOORS", tmp_path / "floors.json")
    monkeypatch.setattr(cli, "PACKAGE", tmp_path)
    assert cli._check_floors(_args("sample"), _summary("sample", "all", 0.55)) == 0
    assert cli._check_floors(_args("bbc"), _summary("bbc", "validation", 0.55)) == 1
    assert cli._check_floors(_args("bbc"), _summary("bbc", "validation", 0.65)) == 0
    # bbc floors measured on the validation half do not gate another half
    assert cli._check_floors(_args("bbc"), _summary("bbc", "all", 0.65)) == 2
