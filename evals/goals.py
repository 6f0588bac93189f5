"""The offline answerer's goals per gold set, how far a report is from each, and what fails.

The goals are the answerer issue's (offline, default settings): RealTime QA answer correctness
0.70 and multiple-choice reading 0.60 (and, from the retrieval issue, on the whole corpus:
hit@5 0.85, MRR@10 0.62, p95 search latency at most 100 ms); the sample set's answers right
0.90 with 10 of its 11 unanswerables refused and 41 of its 42 answerables answered; BBC refusal
recall 0.80 on its near misses with 0.90 of the answerables answered; citation precision 0.95
everywhere. A report
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
    metric: str  # a key of the report's metrics, ANSWERED or RETRIEVAL_P95
    target: float
    label: str
    at_most: bool = False  # a ceiling (a latency), not a floor


ANSWERED = "answered"  # the share of the answerable questions not refused
RETRIEVAL_P95 = "retrieval_p95_ms"  # the default retrieval mode's p95 search latency
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
# The retrieval issue's goals, on the whole corpus (a ``--corpus-limit`` subset is easier: its
# report leaves them out). Measured on retrieval-only runs too.
RETRIEVAL_GOALS: dict[str, tuple[Goal, ...]] = {
    "realtimeqa": (
        Goal("hit@5", 0.85, "retrieval hit@5"),
        Goal("mrr@10", 0.62, "retrieval MRR@10"),
        Goal(RETRIEVAL_P95, 100.0, "retrieval p95 latency, ms", at_most=True),
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


def _retrieval_p95(report: Mapping[str, Any]) -> float | None:
    mode = str(report.get("retrieval_mode", "hybrid"))
    ours = ((report.get("retrieval") or {}).get("ours") or {}).get(mode) or {}
    p95 = (ours.get("latency_ms") or {}).get("p95")
    return None if p95 is None else float(p95)


def _denominator(metric: str, report: Mapping[str, Any]) -> int:
    if metric in ("hit@5", "mrr@10"):
        return len(report.get("questions", []))
    rows = [r for r in report.get("questions", []) if r.get("refused") is not None]
    if metric == "refusal_recall":
        return sum(bool(r["should_refuse"]) for r in rows)
    if metric == "citation_precision":
        return sum(not r["refused"] for r in rows)
    return sum(not r["should_refuse"] for r in rows)


def _goals_of(report: Mapping[str, Any], answers: bool) -> tuple[Goal, ...]:
    set_name = str(report.get("set"))
    found = GOALS.get(set_name, ()) if answers else ()
    if not (report.get("corpus") or {}).get("subset"):
        found += RETRIEVAL_GOALS.get(set_name, ())
    return found


def _value(goal: Goal, report: Mapping[str, Any]) -> float | None:
    if goal.metric == ANSWERED:
        return _answered(report.get("questions", []))
    if goal.metric == RETRIEVAL_P95:
        return _retrieval_p95(report)
    value = report["metrics"].get(goal.metric)
    return None if value is None else float(value)


def assess(report: Mapping[str, Any], answers: bool = True) -> list[dict[str, Any]]:
    """Each goal of the report's set (without ``answers``, retrieval's only): measured, target,
    met, and when missed the shortfall and how many more questions would meet it (None where
    the metric was not measured, or for a latency)."""
    out: list[dict[str, Any]] = []
    for goal in _goals_of(report, answers):
        value = _value(goal, report)
        met = None
        if value is not None:
            met = value <= goal.target + 1e-9 if goal.at_most else value >= goal.target - 1e-9
        row: dict[str, Any] = {
            "metric": goal.metric,
            "label": goal.label,
            "target": round(goal.target, 3),
            "at_most": goal.at_most,
            "measured": None if value is None else round(value, 3),
            "met": met,
            "short_by": None,
            "questions_short": None,
        }
        if value is not None and not met:
            row["short_by"] = round(abs(goal.target - value), 3)
            if not goal.at_most:
                n = _denominator(goal.metric, report)
                row["questions_short"] = math.ceil((goal.target - value) * n - 1e-9)
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
    """Add ``goals`` (``assess``) and, where answers were run, ``what_fails`` to a report; a
    retrieval-only run gets retrieval's goals alone (where its set has any)."""
    answers = report.get("generator") != "none"
    found = assess(report, answers)
    if found:
        report["goals"] = found
    if answers:
        report["what_fails"] = what_fails(report)


def result_text(goal: Mapping[str, Any]) -> str:
    """One assessed goal's result in words: met, not measured, or missed by how much."""
    if goal["met"] is None:
        return "not measured"
    if goal["met"]:
        return "met"
    if goal["questions_short"] is None:
        return f"missed by {goal['short_by']:.3f}"
    return f"missed by {goal['short_by']:.3f} ({goal['questions_short']} question(s))"


def fails_text(fails: Mapping[str, int]) -> str:
    """``what_fails`` in words: "cause: n; cause: n"."""
    return "; ".join(f"{k}: {v}" for k, v in fails.items())


def describe(report: Mapping[str, Any]) -> list[str]:
    """Plain-text lines: each goal met or missed (by how much), then what fails."""
    lines: list[str] = []
    for g in report.get("goals", []):
        goal = f"goal {g['label']} {'≤' if g.get('at_most') else '≥'} {g['target']:.3f}"
        if g["measured"] is None:
            lines.append(f"{goal}: not measured")
        elif g["met"]:
            lines.append(f"{goal}: met ({g['measured']:.3f})")
        elif g["questions_short"] is None:
            lines.append(f"{goal}: missed, {g['measured']:.3f} ({g['short_by']:.3f} over)")
        else:
            lines.append(
                f"{goal}: missed, {g['measured']:.3f} "
                f"({g['short_by']:.3f} short: {g['questions_short']} more question(s))"
            )
    fails = report.get("what_fails")
    if fails:
        lines.append("what fails: " + ", ".join(f"{k} {v}" for k, v in fails.items()))
    return lines


__all__ = [
    "CAUSES",
    "GOALS",
    "RETRIEVAL_GOALS",
    "RETRIEVAL_P95",
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
