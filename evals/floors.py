"""Eval floors: the committed minimum of each metric (``evals/floors.json``) that CI holds a
fresh run of the sample set above (`dossier eval --check-floors`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FLOOR_METRICS = (
    "answer_correct",
    "refusal_precision",
    "refusal_recall",
    "refusal_accuracy",
    "citation_precision",
    "citation_recall",
    "hit@5",
    "mrr@10",
)


def load_floors(path: Path) -> dict[str, Any]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data.get("metrics"), dict):
        raise ValueError(f"{path}: expected an object with a 'metrics' mapping")
    return data


def check_floors(summary: dict[str, Any], floors: dict[str, Any]) -> list[str]:
    """One message per metric below its floor (or missing); empty when all hold."""
    problems: list[str] = []
    for name, spec in floors["metrics"].items():
        floor = float(spec["floor"] if isinstance(spec, dict) else spec)
        value = summary["metrics"].get(name)
        if value is None:
            problems.append(f"{name}: not measured (floor {floor:.3f})")
        elif value < floor:
            problems.append(f"{name}: {value:.3f} is below its floor {floor:.3f}")
    return problems
