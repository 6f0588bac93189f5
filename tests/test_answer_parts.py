"""Two-part questions (rag.answer.parts), dates that bound a question rather than scope it
(rag.answer.analysis), the scope filter on quoted sentences (rag.answer.extractive.in_scope) and
per-part retrieval (rag.answer.pipeline)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from rag.answer.analysis import analyse
from rag.answer.extractive import Candidate, in_scope
from rag.answer.parts import split_question
from rag.records import Filters, Passage


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Who chairs the water board, and when did the board approve the new dam?",
            [
                "Who chairs the water board?",
                "When did the board approve the new dam (the water board)?",
            ],
        ),
        (  # no comma, two wh-clauses
            "What did Merkel say and what did Macron do?",
            ["What did Merkel say?", "What did Macron do?"],
        ),
        (  # a preposition before the second wh-word
            "Who founded the bakery, and in which town did it open its first shop?",
            [
                "Who founded the bakery?",
                "In which town did it open its first shop (founded the bakery)?",
            ],
        ),
    ],
)
def test_splits_at_an_and_that_opens_a_second_wh_clause(question: str, parts: list[str]) -> None:
    assert split_question(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "Who are the leaders of France and Germany?",
        "What is the capital of Peru and Chile?",
        "In which month and year did the bridge open?",
        "Who and what caused the outage?",
        "When did the river flood?",
    ],
)
def test_one_question_is_not_split(question: str) -> None:
    assert split_question(question) == [question]


def test_a_pronoun_takes_the_first_parts_entity() -> None:
    parts = split_question("Who is Canada's finance minister, and who is its foreign minister?")
    assert parts == ["Who is Canada's finance minister?", "Who is Canada's foreign minister?"]
    parts = split_question(
        "Where did Angela Merkel study physics, and which party did she lead from 2000?"
    )
    assert parts[1] == "Which party did Angela Merkel lead from 2000?"


def test_a_pronoun_with_an_antecedent_in_its_own_part_is_left() -> None:
    parts = split_question(
        "How much did Oslo spend on roads, and which bank raised its rates in March?"
    )
    assert parts[1] == "Which bank raised its rates in March?"


def test_an_elliptical_part_takes_the_rest_of_the_first() -> None:
    assert split_question("Who founded Acme Corp and when?") == [
        "Who founded Acme Corp?",
        "When (founded Acme Corp)?",
    ]


def test_a_definite_noun_takes_its_first_mention() -> None:
    parts = split_question(
        "Which ministry announced the sale of the state airline, and when will the sale close?"
    )
    assert parts[1] == "When will the sale close (the sale of the state airline)?"


# ---- time scope and bounds -------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "What did the council decide before the 2022 election?",
        "How many homes were built after 2019?",
        "Which firms have closed since January 2020?",
    ],
)
def test_a_date_after_before_after_since_bounds_and_does_not_scope(question: str) -> None:
    assert analyse(question).scope is None


def test_a_date_in_the_question_scopes_it() -> None:
    scope = analyse("Which firm won the contract in May 2021?").scope
    assert scope is not None and (scope.start.isoformat(), scope.end.isoformat()) == (
        "2021-05-01",
        "2021-05-31",
    )


def test_a_question_without_a_verb_is_scoped() -> None:
    scope = analyse("The price of gold in 2004?").scope
    assert scope is not None and scope.text == "2004"


def _cand(text: str, score: float) -> Candidate:
    return Candidate(1, "a.txt", 0, len(text), text, score, 0.5, 0.5, True, frozenset())


def test_sentences_dated_outside_the_scope_are_dropped() -> None:
    scope = analyse("Where did the summit take place in 2023?").scope
    cands = [
        _cand("The first summit took place in Geneva in July 2000.", 0.9),
        _cand("Leaders met in Vienna for the summit in September 2023.", 0.8),
        _cand("The summit was held in Oslo, officials said.", 0.7),
    ]
    kept = in_scope(cands, scope)
    assert [c.text[:10] for c in kept] == ["Leaders me", "The summit"]
    assert in_scope(cands[:1], scope) == cands[:1]  # none left: all kept
    assert in_scope(cands, None) == cands


# ---- per-part retrieval ----------------------------------------------------------------------
class _Retriever:
    def __init__(self) -> None:
        self.queries: list[str] = []

    def retrieve(
        self, query: str, k: int | None = None, filters: Filters | None = None
    ) -> list[Passage]:
        self.queries.append(query)
        tag = "a" if "minister" in query else "b"
        return [Passage(f"{tag}{i}", f"{tag}.txt", 0, 5, "text.", 1.0) for i in range(3)]


def test_each_part_of_a_two_part_question_is_retrieved() -> None:
    from rag.answer.pipeline import AnswerPipeline

    retriever = _Retriever()
    pipeline = AnswerPipeline(retriever, None, None)  # type: ignore[arg-type]
    got: Sequence[Passage] = pipeline._retrieve(
        "Who is Peru's finance minister, and how many goals did Chile score?", None, None
    )
    assert retriever.queries == [
        "Who is Peru's finance minister?",
        "How many goals did Chile score?",
    ]
    assert [p.id for p in got] == ["a0", "b0", "a1", "b1", "a2", "b2"]
    retriever.queries.clear()
    pipeline._retrieve("Who is Peru's finance minister?", None, None)
    assert retriever.queries == ["Who is Peru's finance minister?"]
