"""What common nouns name (rag.answer.nountypes) and how it types a question's focus noun."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embed import Embedder, make_embedder
from rag.answer.analysis import analyse
from rag.answer.nlp import parse
from rag.answer.nountypes import (
    TABLE_FILE,
    NounTypes,
    count_texts,
    isa_nouns,
    load_table,
    noun_kind,
    write_table,
)


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    return make_embedder("minilm-onnx")


def _isa(text: str, name: str) -> list[str]:
    doc = parse(text)
    ent = next(e for e in doc.ents if e.text == name)
    return [t.lemma_.lower() for t in isa_nouns(ent)]


@pytest.mark.parametrize(
    ("text", "name", "nouns"),
    [
        ("Pop singer Adele will open a residency in Las Vegas.", "Adele", ["singer"]),
        ("The retailer, Walmart, cut its prices again on Tuesday.", "Walmart", ["retailer"]),
        ("Amazon, the online retailer, cut its prices on Monday.", "Amazon", ["retailer"]),
    ],
)
def test_a_noun_before_or_apposed_to_a_name_says_what_it_is(
    text: str, name: str, nouns: list[str]
) -> None:
    assert _isa(text, name) == nouns


def test_a_noun_the_name_modifies_is_not_what_it_is() -> None:
    # "US officials": the officials are not the US.
    assert _isa("US officials said the talks would resume in Geneva.", "US") == []


def test_the_table_types_a_noun_when_one_kind_wins_enough_votes() -> None:
    table = NounTypes(
        {
            "attorney": {"PERSON": 9, "GPE": 1},
            "movie": {"WORK_OF_ART": 6, "PERSON": 2},
            "state": {"ORG": 5, "GPE": 4},
            "topic": {"GPE": 1},
        },
        min_count=3,
        min_share=0.6,
    )
    assert table.kind("attorney") == "person"
    assert table.kind("Attorney") == "person"
    assert table.kind("movie") == "other"  # works are names of no typed kind
    assert table.kind("state") is None  # no kind wins: left to the glossary
    assert table.kind("topic") is None  # too few votes
    assert table.kind("crab") is None  # never seen
    assert noun_kind("attorney", table) == "person"


def test_counting_reads_the_names_in_texts() -> None:
    counts = count_texts(
        [
            "Pop singer Adele will open a residency in Las Vegas.",
            "Country singer Dolly Parton gave the money to Vanderbilt University.",
        ]
    )
    assert counts["singer"] == {"PERSON": 2}
    assert all(label not in ("DATE", "MONEY") for per in counts.values() for label in per)


def test_the_table_is_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "nouns.json"
    counts = {"singer": {"PERSON": 4}, "once": {"ORG": 1}}
    write_table(counts, 2, 0.7, {"articles": 2}, path)
    table = load_table(path)
    assert table is not None
    assert table.kind("singer") == "person"
    assert "once" not in table.counts  # seen once: could never type a focus, not kept
    assert (table.min_count, table.min_share) == (2, 0.7)
    assert load_table(tmp_path / "missing.json") is None


# ---- the focus noun typed by the table -------------------------------------------------------
@pytest.mark.slow
def test_the_table_types_the_focus_where_the_glossary_guesses(minilm: Embedder) -> None:
    table = NounTypes({"attorney": {"PERSON": 9}, "movie": {"WORK_OF_ART": 9}}, 3, 0.6)
    attorney = analyse("Which attorney released the statement?", minilm, table)
    assert attorney.wanted == "person"
    assert attorney.labels == ("PERSON",)
    movie = analyse("Which movie topped the box office this week?", minilm, table)
    assert (movie.wanted, movie.labels) == ("other", ())


@pytest.mark.slow
def test_a_date_or_figure_focus_keeps_the_glossarys_reading(minilm: Embedder) -> None:
    table = NounTypes({"year": {"ORG": 30}, "city": {"ORG": 30}}, 3, 0.6)
    assert analyse("In which year did Lord Butler retire?", minilm, table).wanted == "date"
    # A noun the table does not know is left to the glossary.
    empty = NounTypes({}, 1, 1.0)
    assert analyse("In which city did Blair speak?", minilm, empty).wanted == "place"


def test_the_committed_table_is_there_and_types_common_nouns() -> None:
    assert TABLE_FILE.exists(), "run python -m evals.fit_noun_types"
    table = load_table()
    assert table is not None
    assert table.kind("attorney") == "person"
    assert table.kind("firm") == "org"


# ---- the builder's choice of thresholds (evals/fit_noun_types.py) ------------------------------
@pytest.mark.slow
def test_the_builder_chooses_the_surest_thresholds_that_type_best(minilm: Embedder) -> None:
    from evals.fit_noun_types import choose
    from evals.gold import GoldQuestion
    from evals.halves import FIT, article_half

    fit_file = next(f"a{i}.md" for i in range(100) if article_half(f"a{i}.md") == FIT)
    questions = [
        GoldQuestion(
            "q1", "Which attorney released the statement?", "single", (fit_file,), wanted="person"
        ),
        GoldQuestion(
            "q2", "Which movie topped the box office?", "single", (fit_file,), wanted="other"
        ),
    ]
    # "attorney" has 20 votes, "movie" 5 (of works): only a threshold of at most 5 votes types
    # "movie" too, so the surest pair typing both is 5 votes (not 2 or 3), at the lowest share.
    counts = {"attorney": {"PERSON": 20}, "movie": {"WORK_OF_ART": 5}}
    m, share, grid = choose(counts, questions, minilm)
    assert (m, share) == (5, 0.5)
    assert grid["5/0.5"] == 2
    assert grid["12/0.5"] <= 1
