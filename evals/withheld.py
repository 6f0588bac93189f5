"""Questions about events the articles never cover: each question asked with its gold articles
withheld.

RealTime QA has no unanswerable questions of its own, yet the commonest way a reader meets one
is a question about news the folder does not hold. Asking every answerable question again over
every indexed article except its gold ones makes one: the answerer should now say the articles
don't say — unless another article states the same answer (RealTime QA's corpus often carries
two reports of one event), which the draft shows by containing the gold answer. Reported:
how many were refused, how many answered with the gold answer from another article (covered),
and the refusal rate over the rest (``uncovered_refusal``), the share of questions about an
uncovered event the answerer declined rather than answered from an unrelated article.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Collection, Sequence
from typing import Any

from evals.gold import GoldQuestion
from evals.metrics import answer_correct
from rag import Filters


def withheld_filters(q: GoldQuestion, files: Collection[str], as_asked: bool) -> Filters:
    """Every indexed article but ``q``'s gold ones (and, as asked, none published after it)."""
    kept = tuple(sorted(set(files) - set(q.gold_files)))
    until = q.asked_on if as_asked and q.asked_on else None
    return Filters(until=until, files=kept)


def run_withheld(
    dossier: Any,
    questions: Sequence[GoldQuestion],
    files: Collection[str],
    *,
    generator: str = "extractive",
    as_asked: bool = False,
    progress: bool = False,
) -> dict[str, Any]:
    """Ask each answerable question with its gold articles withheld; the summary and rows."""
    from tqdm import tqdm

    asked = [q for q in questions if not q.should_refuse and q.gold_files and q.answers]
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for q in tqdm(asked, desc="gold withheld", unit="q", file=sys.stderr, disable=not progress):
        answer = dossier.ask(
            q.question, filters=withheld_filters(q, files, as_asked), generator=generator
        )
        text = " ".join([answer.short_answer or "", answer.text])
        covered = not answer.refused and answer_correct(text, q.answers, q.answers_any)
        rows.append(
            {
                "id": q.id,
                "refused": answer.refused,
                "covered": covered,
                "answer": answer.text[:300],
            }
        )
    return summarize_withheld(rows, time.perf_counter() - t0)


def summarize_withheld(rows: Sequence[dict[str, Any]], seconds: float = 0.0) -> dict[str, Any]:
    """Counts and the refusal rate over the questions no other article answers."""
    refused = sum(bool(r["refused"]) for r in rows)
    covered = sum(bool(r["covered"]) for r in rows)
    uncovered = len(rows) - covered
    return {
        "questions": len(rows),
        "refused": refused,
        "covered": covered,
        "uncovered_refusal": round(refused / uncovered, 3) if uncovered else None,
        "seconds": round(seconds, 1),
        "rows": list(rows),
    }


def describe(summary: dict[str, Any]) -> str:
    """One line for the printed summary."""
    rate = summary["uncovered_refusal"]
    uncovered = summary["questions"] - summary["covered"]
    return (
        f"gold articles withheld: refused {summary['refused']} of {uncovered} questions no other "
        f"article answers ({'–' if rate is None else f'{rate:.3f}'}); {summary['covered']} of "
        f"{summary['questions']} answered right from another article"
    )
