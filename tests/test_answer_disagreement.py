"""rag/answer/disagreement.py: different values of what is asked, in strong sentences of
different articles, are a disagreement; one article, weak sentences or values of different
granularity are not. The example sentences are made up."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.disagreement import disagreements, normal_value, value_shape
from rag.answer.question import QuestionInfo


@dataclass(frozen=True)
class Sentence:
    passage: int
    file: str
    text: str
    score: float
    overlap: float = 0.5


WHEN = QuestionInfo("When did the minister visit Pyongyang?", "date", ("minister", "visit"))


def test_values_compare_by_month_and_granularity() -> None:
    assert normal_value("July") == normal_value("Jul.") == "jul"
    assert value_shape("jul") == "month"
    assert value_shape("2000") == "year"
    assert value_shape("june 18-19") == "day"
    assert value_shape("42") == "number"


def test_two_articles_with_different_months_disagree() -> None:
    cands = [
        Sentence(1, "a.md", "The minister visited Pyongyang in July.", 0.8),
        Sentence(2, "b.md", "The minister visited Pyongyang in August.", 0.75),
    ]
    found, sides = disagreements(WHEN, cands, 0.85)
    assert len(found) == 1 and [v for v, _ in found[0].values] == ["July", "August"]
    assert sides == cands


def test_no_disagreement_from_one_article_a_weak_sentence_or_unlike_values() -> None:
    one_file = [
        Sentence(1, "a.md", "The minister visited Pyongyang in July.", 0.8),
        Sentence(2, "a.md", "The minister visited Pyongyang in August.", 0.8),
    ]
    assert disagreements(WHEN, one_file, 0.85) == ([], [])
    weak = [one_file[0], Sentence(2, "b.md", "The minister visited Pyongyang in August.", 0.5)]
    assert disagreements(WHEN, weak, 0.85) == ([], [])
    unlike = [
        Sentence(1, "a.md", "The minister visited Pyongyang on June 18-19.", 0.8),
        Sentence(2, "b.md", "The minister visited Pyongyang in 2000.", 0.8),
    ]
    assert disagreements(WHEN, unlike, 0.85) == ([], [])
    other = QuestionInfo("Who visited Pyongyang?", "person", ("visited",))
    assert disagreements(other, one_file, 0.85) == ([], [])
