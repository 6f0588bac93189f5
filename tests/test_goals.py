"""The eval's goals and failure causes (evals.goals)."""

from __future__ import annotations

from typing import Any

import pytest

from evals.goals import (
    GOALS,
    RETRIEVAL_P95,
    annotate,
    assess,
    cause,
    describe,
    reachable,
    what_fails,
)
from evals.gold import GoldQuestion


def _row(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "should_refuse": False,
        "refused": False,
        "correct": True,
        "reachable": True,
        "cited_gold_file_rate": 1.0,
        "retrieval": {"hybrid": {"gold_rank": 1}},
    }
    row.update(kw)
    return row


def _report(set_name: str, metrics: dict[str, float], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"set": set_name, "metrics": metrics, "questions": rows, "retrieval_mode": "hybrid"}


def test_a_missed_goal_says_by_how_much_and_how_many_questions() -> None:
    rows = [_row(should_refuse=True, refused=i < 6, correct=None) for i in range(11)]
    rows += [_row() for _ in range(42)]
    report = _report(
        "sample",
        {"answer_correct": 0.88, "refusal_recall": 6 / 11, "citation_precision": 1.0},
        rows,
    )
    by_metric = {g["metric"]: g for g in assess(report)}
    assert set(by_metric) == {g.metric for g in GOALS["sample"]}
    recall = by_metric["refusal_recall"]
    assert recall["met"] is False and recall["questions_short"] == 4  # 6 of 11 -> 10 of 11
    assert recall["short_by"] == pytest.approx(10 / 11 - 6 / 11, abs=1e-3)
    correct = by_metric["answer_correct"]
    assert correct["met"] is False and correct["questions_short"] == 1  # 0.02 of 42 answerables
    assert by_metric["answered"]["met"] is True and by_metric["answered"]["measured"] == 1.0
    assert by_metric["citation_precision"]["met"] is True


def test_a_goal_at_its_target_is_met_and_an_unmeasured_one_says_so() -> None:
    report = _report("realtimeqa", {"answer_correct": 0.70, "mc_reading": None}, [_row()])  # type: ignore[dict-item]
    by_metric = {g["metric"]: g for g in assess(report)}
    assert by_metric["answer_correct"]["met"] is True
    assert by_metric["mc_reading"]["met"] is None
    lines = describe({**report, "goals": assess(report)})
    assert any("not measured" in line for line in lines)
    assert any("met (0.700)" in line for line in lines)
    assert assess(_report("another", {}, [])) == []


def test_each_failure_gets_its_first_cause() -> None:
    mode = "hybrid"
    assert cause(_row(), mode) is None
    assert cause(_row(refused=True, correct=False), mode) == "refused"
    assert cause(_row(correct=False, reachable=False), mode) == "answer not in its gold article"
    # a refusal of a question whose answer its article does not hold is the ceiling, not a miss
    assert cause(_row(refused=True, correct=False, reachable=False), mode) == (
        "answer not in its gold article"
    )
    not_found = _row(correct=False, retrieval={mode: {"gold_rank": None}})
    assert cause(not_found, mode) == "gold article not retrieved"
    assert cause(_row(correct=False, cited_gold_file_rate=0.0), mode) == (
        "gold article retrieved, not quoted"
    )
    assert cause(_row(correct=False), mode) == "gold article quoted, not the answer"
    assert cause(_row(should_refuse=True, correct=None), mode) == "unanswerable answered"
    assert cause(_row(should_refuse=True, refused=True, correct=None), mode) is None
    assert cause(_row(refused=None), mode) is None  # not asked (retrieval only)


def test_what_fails_counts_the_causes_in_order() -> None:
    rows = [_row(), _row(correct=False), _row(correct=False), _row(refused=True, correct=False)]
    fails = what_fails(_report("bbc", {}, rows))
    assert fails == {"refused": 1, "gold article quoted, not the answer": 2}
    assert list(fails) == ["refused", "gold article quoted, not the answer"]


def _q(answers: tuple[str, ...], files: tuple[str, ...], any_: bool = False) -> GoldQuestion:
    return GoldQuestion("q", "Which?", "single", files, answers=answers, answers_any=any_)


def test_reachable_reads_the_gold_articles_stored_text() -> None:
    store: dict[str, tuple[str, dict[str, Any]]] = {
        "a.md": ("The Tony Awards were held on Sunday.", {}),
        "b.md": ("Nothing here.", {}),
    }
    article = store.get
    assert reachable(_q(("Tony Awards",), ("a.md",)), article) is True
    assert reachable(_q(("Tony Awards",), ("b.md",)), article) is False
    # all of a two-part answer must be there, unless any one spelling will do
    assert reachable(_q(("Tony Awards", "Radio City"), ("a.md", "b.md")), article) is False
    assert reachable(_q(("Radio City", "Tonys", "Tony"), ("a.md",), any_=True), article) is True
    assert reachable(_q((), ("a.md",)), article) is None  # unanswerable
    assert reachable(_q(("x",), ("missing.md",)), article) is False  # skipped at ingest


def test_annotate_adds_goals_only_where_answers_were_run() -> None:
    answered = {**_report("bbc", {"refusal_recall": 0.9}, [_row(correct=False)]), "generator": "x"}
    annotate(answered)
    assert answered["goals"][0]["metric"] == "refusal_recall"
    assert answered["what_fails"] == {"gold article quoted, not the answer": 1}
    retrieval_only = {**_report("bbc", {}, []), "generator": "none"}
    annotate(retrieval_only)
    assert "goals" not in retrieval_only and "what_fails" not in retrieval_only


def _retrieval_report(hit5: float, mrr: float, p95: float, subset: bool) -> dict[str, Any]:
    report = _report("realtimeqa", {"hit@5": hit5, "mrr@10": mrr}, [_row() for _ in range(53)])
    report["retrieval"] = {"ours": {"hybrid": {"latency_ms": {"p50": p95 / 2, "p95": p95}}}}
    report["corpus"] = {"subset": subset}
    return {**report, "generator": "none"}


def test_retrieval_goals_on_the_whole_corpus_only_and_in_retrieval_only_runs() -> None:
    whole = _retrieval_report(41 / 53, 0.621, 140.0, subset=False)
    annotate(whole)
    by_metric = {g["metric"]: g for g in whole["goals"]}
    assert set(by_metric) == {"hit@5", "mrr@10", RETRIEVAL_P95}  # no answers: no answer goals
    assert "what_fails" not in whole
    hit5 = by_metric["hit@5"]
    assert hit5["met"] is False and hit5["questions_short"] == 5  # 41 of 53 -> 46 of 53
    assert by_metric["mrr@10"]["met"] is True
    p95 = by_metric[RETRIEVAL_P95]  # a ceiling: 140 ms is 40 over 100
    assert p95["met"] is False and p95["short_by"] == 40.0 and p95["questions_short"] is None
    lines = describe(whole)
    assert any("p95 latency, ms ≤ 100.000: missed, 140.000 (40.000 over)" in x for x in lines)
    fast = _retrieval_report(0.9, 0.7, 45.0, subset=False)
    assert all(g["met"] for g in assess(fast, answers=False))
    subset = _retrieval_report(0.9, 0.7, 45.0, subset=True)  # an easier corpus: not judged
    annotate(subset)
    assert "goals" not in subset
    answered = {**_retrieval_report(0.9, 0.7, 45.0, subset=False), "generator": "x"}
    assert {g["metric"] for g in assess(answered)} >= {"answer_correct", "hit@5"}
