"""Question analysis with spaCy (rag.answer.analysis, rag.answer.question): the wanted answer type
against the gold sets' own ``wanted`` labels, the focus noun, two-part questions, time scope and
follow-ups."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from index.embed import Embedder, make_embedder
from rag.answer.analysis import analyse, kind_of
from rag.answer.question import is_follow_up, question_kind, rewrite_follow_up, split_parts

DATA = Path(__file__).resolve().parents[1] / "evals" / "data"


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return make_embedder("minilm")


def _gold(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.mark.slow
def test_wanted_type_agrees_with_the_sample_gold_labels(minilm: Embedder) -> None:
    rows = _gold("sample.jsonl")
    wrong = [r["id"] for r in rows if question_kind(r["question"], minilm) != r["wanted"]]
    # The two the gold set labels by the answer rather than the question: "Who has accused
    # Russia…" (Washington and Kyiv: place) and "Who won the football match…" (other).
    assert set(wrong) <= {"s27", "s51"}, wrong


@pytest.mark.slow
def test_wanted_type_agrees_with_the_bbc_gold_labels(minilm: Embedder) -> None:
    rows = _gold("bbc.jsonl")
    agree = sum(question_kind(r["question"], minilm) == r["wanted"] for r in rows)
    # Measured 143 of 182 (0.786); the misses are mostly role nouns the label glossary does not
    # place ("Which MSP…", "Which rival…") and race times labelled as numbers.
    assert agree / len(rows) >= 0.75, f"{agree} of {len(rows)}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "labels", "focus"),
    [
        ("How many shells did North Korea send?", ("CARDINAL", "QUANTITY"), "shells"),
        ("Who said the summit was useful?", ("PERSON",), None),
        ("Where did Putin publish an article?", ("GPE", "LOC", "FAC"), None),
        ("In which city did Kim meet Putin?", ("GPE", "LOC", "FAC"), "city"),
        ("Which news agency did the Kremlin tell?", ("ORG",), "news agency"),
        ("On what dates will Putin visit?", ("DATE", "TIME"), "dates"),
        ("What crab were the dumplings made with?", (), "crab"),
    ],
)
def test_wh_word_and_focus_give_the_wanted_labels(
    minilm: Embedder, question: str, labels: tuple[str, ...], focus: str | None
) -> None:
    info = analyse(question, minilm)
    assert info.labels == labels
    assert info.focus == focus


def test_focus_of_which_noun_phrase_without_embedder() -> None:
    info = analyse("Which factories did Kim visit?")
    assert info.focus == "factories" and info.wh == "which"
    assert not info.typed, "without an embedder a focus noun is not typed: a noun phrase"


def test_name_of_asks_for_a_proper_name() -> None:
    info = analyse("What is the name of the space launch facility?")
    assert info.name and info.focus == "launch facility"


def test_kind_of_labels() -> None:
    assert kind_of(["DATE", "TIME"]) == "date"
    assert kind_of(["PERSON"]) == "person"
    assert kind_of(["PERSON", "DATE"]) == "other"
    assert kind_of([]) == "other"


def test_two_part_question_is_split_and_keeps_the_names() -> None:
    parts = split_parts(
        "How did Kim Jong-un travel towards Russia, and in which Russian city was he due to visit "
        "aviation factories?"
    )
    assert len(parts) == 2
    assert parts[0].startswith("How did Kim")
    assert parts[1].startswith("in which Russian city") and "Kim" in parts[1]
    assert split_parts("Who met Putin and Kim in Vladivostok?") == [
        "Who met Putin and Kim in Vladivostok?"
    ]


def test_time_scope_of_a_question() -> None:
    scope = analyse("Which news agency did the Kremlin tell in May 2024?").scope
    assert scope is not None
    assert (scope.start, scope.end) == (date(2024, 5, 1), date(2024, 5, 31))
    year = analyse("What happened to the economy in 2031?").scope
    assert year is not None and (year.start, year.end) == (date(2031, 1, 1), date(2031, 12, 31))
    assert analyse("Who is the Kremlin spokesman?").scope is None


def test_follow_up_takes_the_entities_of_the_previous_question() -> None:
    assert is_follow_up("and when did he go there before?")
    assert not is_follow_up("When did Kim Jong Un visit Russia?")
    out = rewrite_follow_up("and when did he go there before?", ["When did Kim visit Russia?"])
    assert out == "When did Kim go to Russia before?"
    standalone = "Who is the Kremlin spokesman?"
    assert rewrite_follow_up(standalone, ["When did Kim visit Russia?"]) == standalone
