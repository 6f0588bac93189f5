"""What figures words take (rag.answer.figuretypes) and how it narrows a figure question."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embed import Embedder, make_embedder
from rag.answer.analysis import analyse
from rag.answer.figuretypes import (
    TABLE_FILE,
    FigureTypes,
    answer_labels,
    count_texts,
    governor,
    load_table,
    write_table,
)
from rag.answer.nlp import parse


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return make_embedder("minilm-onnx")


def _governs(text: str) -> list[tuple[str, str | None]]:
    doc = parse(text)
    out = []
    for ent in doc.ents:
        if ent.label_ in ("MONEY", "PERCENT", "QUANTITY", "CARDINAL"):
            word = governor(ent)
            out.append((ent.label_, word.lemma_.lower() if word is not None else None))
    return out


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The new bridge would cost £2bn, its critics say.", [("MONEY", "cost")]),
        ("Exports fell by 4% in the second half.", [("PERCENT", "fall")]),
        ("The tickets are sold at a price of £35 each.", [("MONEY", "price")]),
        ("The award is worth £60,000 to the winner.", [("MONEY", "worth")]),
    ],
)
def test_a_figure_is_counted_for_the_word_it_is_the_amount_of(
    text: str, found: list[tuple[str, str | None]]
) -> None:
    assert _governs(text) == found


def test_the_table_keeps_the_fewest_labels_holding_the_share() -> None:
    table = FigureTypes(
        {
            "cost": {"MONEY": 18, "CARDINAL": 2},
            "fall": {"PERCENT": 50, "MONEY": 30, "CARDINAL": 20},
            "gross": {"MONEY": 3},
        },
        min_count=5,
        share=0.8,
    )
    assert table.labels("cost") == ("MONEY",)
    assert table.labels("Cost") == ("MONEY",)
    assert table.labels("fall") == ("PERCENT", "MONEY")  # 0.5, then 0.8 with money
    assert table.labels("gross") is None  # too few figures seen
    assert table.labels("crab") is None  # never seen
    assert FigureTypes(table.counts, 5, 0.95).labels("fall") == ("PERCENT", "MONEY", "CARDINAL")


def test_counting_reads_the_figures_in_texts() -> None:
    counts = count_texts(
        [
            "The new bridge would cost £2bn, its critics say.",
            "The repairs will cost $40m, the council said on Monday.",
        ]
    )
    assert counts["cost"] == {"MONEY": 2}
    assert all(any(c.isalpha() for c in word) for word in counts)  # words, not signs
    assert all(label not in ("DATE", "TIME", "PERSON") for per in counts.values() for label in per)


def test_a_gold_answer_is_typed_where_its_passage_states_it() -> None:
    passage = "Opponents say the new runway would cost £2bn and take ten years."
    assert answer_labels(passage, "£2bn") == {"MONEY"}
    assert answer_labels(passage, "£5bn") == frozenset()  # not stated there


def test_the_table_is_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "figures.json"
    write_table({"cost": {"MONEY": 9}, "once": {"CARDINAL": 1}}, 5, 0.8, {"articles": 2}, path)
    table = load_table(path)
    assert table is not None
    assert table.labels("cost") == ("MONEY",)
    assert "once" not in table.counts  # under min_count: could never type a question
    assert (table.min_count, table.share) == (5, 0.8)
    assert load_table(tmp_path / "missing.json") is None


# ---- the figure question narrowed by the table ------------------------------------------------
_TABLE = FigureTypes(
    {
        "cost": {"MONEY": 40, "CARDINAL": 3},
        "fall": {"PERCENT": 40, "MONEY": 30, "CARDINAL": 10},
        "price": {"MONEY": 20},
        "money": {"MONEY": 12},
    },
    5,
    0.8,
)


def test_how_much_is_narrowed_by_the_verb_the_figure_goes_with() -> None:
    assert analyse("How much will the new bridge cost the city?", figures=_TABLE).labels == (
        "MONEY",
    )
    fall = analyse("By how much did exports fall in the second half?", figures=_TABLE)
    assert (fall.wanted, fall.labels, fall.also) == ("number", ("PERCENT", "MONEY"), ())


def test_the_focus_noun_decides_before_the_verb() -> None:
    info = analyse("How much money did the charity sale raise?", figures=_TABLE)
    assert info.labels == ("MONEY",)


def test_a_word_the_table_does_not_know_keeps_what_how_much_allows() -> None:
    info = analyse("How much music can the new player hold?", figures=_TABLE)
    assert (info.labels, info.also) == (("MONEY", "QUANTITY", "PERCENT"), ("CARDINAL",))
    # A question of another kind is never narrowed.
    assert analyse("Who will pay for the bridge?", figures=_TABLE).labels == ("PERSON",)
    assert analyse("How many bridges will it cost?", figures=_TABLE).labels == (
        "CARDINAL",
        "QUANTITY",
    )


@pytest.mark.slow
def test_what_price_is_narrowed_by_its_focus(minilm: Embedder) -> None:
    info = analyse("What is the price of the new phone?", minilm, figures=_TABLE)
    assert (info.wanted, info.labels) == ("number", ("MONEY",))


def test_the_committed_table_is_there_and_knows_money_words() -> None:
    assert TABLE_FILE.exists(), "run python -m evals.fit_figure_types"
    table = load_table()
    assert table is not None
    assert table.labels("cost") == ("MONEY",)
    assert table.labels("pay") == ("MONEY",)


# ---- the builder's choice of thresholds (evals/fit_figure_types.py) ----------------------------
@pytest.mark.slow
def test_the_builder_chooses_the_strictest_pair_that_loses_no_answer(minilm: Embedder) -> None:
    from evals.fit_figure_types import choose
    from evals.gold import GoldQuestion

    questions = [
        GoldQuestion("q1", "How much will the new bridge cost?", "single", ("a.md",)),
        GoldQuestion("q2", "By how much did exports fall?", "single", ("b.md",)),
    ]
    golds = {"q1": frozenset({"MONEY"}), "q2": frozenset({"MONEY"})}
    # "fall" takes percentages mostly: only a share of at least 0.8 keeps its money answer; of
    # the pairs as strict as that, the one asking the most of the table wins.
    counts = {"cost": {"MONEY": 50}, "fall": {"PERCENT": 70, "MONEY": 25, "CARDINAL": 5}}
    m, share, grid = choose(counts, questions, golds, minilm)
    assert (m, share) == (40, 0.95)
    assert grid["40/0.7"][0] == 1  # loses the "fall" answer
    assert grid["40/0.8"] == [2, 3]  # MONEY; PERCENT and MONEY


def test_a_question_ending_on_its_verb_is_narrowed_by_it() -> None:
    # The tagger reads the final "cost" as a noun; it is still the word the figure goes with.
    info = analyse("How much do tickets for the new musical cost?", figures=_TABLE)
    assert info.labels == ("MONEY",)


def test_the_verb_decides_before_a_last_word_that_is_not_one() -> None:
    table = FigureTypes({**_TABLE.counts, "year": {"CARDINAL": 30}}, 5, 0.8)
    info = analyse("By how much did exports fall last year?", figures=table)
    assert info.labels == ("PERCENT", "MONEY")
