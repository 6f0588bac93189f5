"""The offline answerer's goals per gold set, how far a report is from each, and what fails.

The goals are the answerer issue's (offline, default settings): RealTime QA answer correctness
0.70 and multiple-choice reading 0.60; the sample set's answers right 0.90 with 10 of its 11
unanswerables refused and 41 of its 42 answerables answered; BBC refusal recall 0.80 on its
near misses with 0.90 of the answerables answered; citation precision 0.95 everywhere. A report
(``evals/runner.py``) gets each goal with the measured value, whether it is met and, when not,
by how much and how many more questions that is.

What fails sorts the answerable questions not answered right by cause, in order: the gold
answer is nowhere in its gold article's stored text, or the article was skipped at ingest (no
answer quoting that article can hold it — the corpus or the cleaner lost it: a ceiling,
``answer_reachable``; refusing such a question is what the articles allow); refused; the gold
article is not among the retrieved; it was retrieved but the answer quotes other articles only;
the gold article is quoted but not the sentence that holds the answer. Unanswerables answered
are the last cause.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals import metrics as M
from evals.gold import GoldQuestion


@dataclass(frozen=True)
class Goal:
    metric: str  # a key of the report's metrics, or ANSWERED
    target: float
    label: str


ANSWERED = "answered"  # the share of the answerable questions not refused
_PRECISION = Goal("citation_precision", 0.95, "citation precision")
GOALS: dict[str, tuple[Goal, ...]] = {
    "sample": (
        Goal("answer_correct", 0.90, "answer correctness"),
        Goal("refusal_recall", 10 / 11, "unanswerables refused (10 of 11)"),
        Goal(ANSWERED, 41 / 42, "answerables answered (41 of 42)"),
        _PRECISION,
    ),
    "bbc": (
        Goal("refusal_recall", 0.80, "unanswerables refused"),
        Goal(ANSWERED, 0.90, "answerables answered"),
        _PRECISION,
    ),
    "realtimeqa": (
        Goal("answer_correct", 0.70, "answer correctness"),
        Goal("mc_reading", 0.60, "multiple-choice reading"),
        _PRECISION,
    ),
}
CAUSES = (
    "answer not in its gold article",
    "refused",
    "gold article not retrieved",
    "gold article retrieved, not quoted",
    "gold article quoted, not the answer",
    "unanswerable answered",
)


def reachable(q: GoldQuestion, article: Callable[[str], tuple[str, Any] | None]) -> bool | None:
    """Whether the gold answer is in the stored text of the question's gold articles: False too
    when none of them is indexed (ingest skipped them: a page that is only site chrome has no
    article text); None for a question without gold answers or gold articles."""
    if not q.answers or not q.gold_files:
        return None
    texts = [found[0] for f in q.gold_files if (found := article(f)) is not None]
    return bool(texts) and M.answer_correct("\n".join(texts), q.answers, q.answers_any)


def _answered(rows: Sequence[Mapping[str, Any]]) -> float | None:
    asked = [r for r in rows if r.get("refused") is not None and not r["should_refuse"]]
    return sum(not r["refused"] for r in asked) / len(asked) if asked else None


def _denominator(metric: str, report: Mapping[str, Any]) -> int:
    rows = [r for r in report.get("questions", []) if r.get("refused") is not None]
    if metric == "refusal_recall":
        return sum(bool(r["should_refuse"]) for r in rows)
    if metric == "citation_precision":
        return sum(not r["refused"] for r in rows)
    return sum(not r["should_refuse"] for r in rows)


def assess(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each goal of the report's set: measured, target, met, and when missed the shortfall and
    how many more questions would meet it (None where the metric was not measured)."""
    out: list[dict[str, Any]] = []
    rows = report.get("questions", [])
    for goal in GOALS.get(str(report.get("set")), ()):
        value = _answered(rows) if goal.metric == ANSWERED else report["metrics"].get(goal.metric)
        row: dict[str, Any] = {
            "metric": goal.metric,
            "label": goal.label,
            "target": round(goal.target, 3),
            "measured": None if value is None else round(float(value), 3),
            "met": None if value is None else bool(value >= goal.target - 1e-9),
            "short_by": None,
            "questions_short": None,
        }
        if value is not None and not row["met"]:
            n = _denominator(goal.metric, report)
            row["short_by"] = round(goal.target - float(value), 3)
            row["questions_short"] = math.ceil((goal.target - float(value)) * n - 1e-9)
        out.append(row)
    return out


def cause(row: Mapping[str, Any], mode: str) -> str | None:
    """Why one answered question failed (one of ``CAUSES``), None when it did not."""
    if row.get("refused") is None:
        return None
    if row["should_refuse"]:
        return None if row["refused"] else "unanswerable answered"
    if row.get("correct") is not False and not row["refused"]:
        return None
    if row.get("reachable") is False:  # refusing it is what the articles allow
        return "answer not in its gold article"
    if row["refused"]:
        return "refused"
    if (row.get("retrieval", {}).get(mode) or {}).get("gold_rank") is None:
        return "gold article not retrieved"
    if not row.get("cited_gold_file_rate"):
        return "gold article retrieved, not quoted"
    return "gold article quoted, not the answer"


def what_fails(report: Mapping[str, Any]) -> dict[str, int]:
    """How many questions fail for each cause (``CAUSES``, in their order; zeros left out)."""
    mode = str(report.get("retrieval_mode", "hybrid"))
    counts = dict.fromkeys(CAUSES, 0)
    for row in report.get("questions", []):
        found = cause(row, mode)
        if found is not None:
            counts[found] += 1
    return {k: v for k, v in counts.items() if v}


def annotate(report: dict[str, Any]) -> None:
    """Add ``goals`` (``assess``) and ``what_fails`` to a report whose answers were run."""
    if report.get("generator") != "none":
        report["goals"] = assess(report)
        report["what_fails"] = what_fails(report)


def result_text(goal: Mapping[str, Any]) -> str:
    """One assessed goal's result in words: met, not measured, or missed by how much."""
    if goal["met"] is None:
        return "not measured"
    if goal["met"]:
        return "met"
    return f"missed by {goal['short_by']:.3f} ({goal['questions_short']} question(s))"


def fails_text(fails: Mapping[str, int]) -> str:
    """``what_fails`` in words: "cause: n; cause: n"."""
    return "; ".join(f"{k}: {v}" for k, v in fails.items())


def describe(report: Mapping[str, Any]) -> list[str]:
    """Plain-text lines: each goal met or missed (by how much), then what fails."""
    lines: list[str] = []
    for g in report.get("goals", []):
        if g["measured"] is None:
            lines.append(f"goal {g['label']} ≥ {g['target']:.3f}: not measured")
        elif g["met"]:
            lines.append(f"goal {g['label']} ≥ {g['target']:.3f}: met ({g['measured']:.3f})")
        else:
            lines.append(
                f"goal {g['label']} ≥ {g['target']:.3f}: missed, {g['measured']:.3f} "
                f"({g['short_by']:.3f} short: {g['questions_short']} more question(s))"
            )
    fails = report.get("what_fails")
    if fails:
        lines.append("what fails: " + ", ".join(f"{k} {v}" for k, v in fails.items()))
    return lines


__all__ = [
    "CAUSES",
    "GOALS",
    "Goal",
    "annotate",
    "assess",
    "cause",
    "describe",
    "fails_text",
    "reachable",
    "result_text",
    "what_fails",
]
