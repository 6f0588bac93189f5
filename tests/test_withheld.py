"""Questions asked with their gold articles withheld (evals.withheld)."""

from __future__ import annotations

from evals.gold import GoldQuestion
from evals.withheld import describe, summarize_withheld, withheld_filters


def _q(**kw: object) -> GoldQuestion:
    base: dict[str, object] = {
        "id": "q1",
        "question": "Which team was sold?",
        "type": "single",
        "gold_files": ("a.md",),
        "answers": ("Denver Broncos",),
    }
    return GoldQuestion(**(base | kw))  # type: ignore[arg-type]


def test_every_article_but_the_gold_ones_and_the_date_as_asked() -> None:
    q = _q(asked_on="2022-08-12")
    f = withheld_filters(q, {"a.md", "b.md", "c.md"}, as_asked=False)
    assert f.files == ("b.md", "c.md") and f.until is None
    assert withheld_filters(q, {"a.md", "b.md"}, as_asked=True).until == "2022-08-12"


def test_the_refusal_rate_leaves_out_questions_another_article_answers() -> None:
    rows = [
        {"id": "1", "refused": True, "covered": False},
        {"id": "2", "refused": False, "covered": True},  # another report of the same event
        {"id": "3", "refused": False, "covered": False},  # answered from an unrelated article
        {"id": "4", "refused": True, "covered": False},
    ]
    s = summarize_withheld(rows)
    assert (s["questions"], s["refused"], s["covered"]) == (4, 2, 1)
    assert s["uncovered_refusal"] == round(2 / 3, 3)
    assert "refused 2 of 3" in describe(s)
    assert summarize_withheld([])["uncovered_refusal"] is None
