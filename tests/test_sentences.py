from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from index import chunk
from index.clean import clean_text
from index.sentences import ABBREVIATIONS, is_abbreviation, sentence_spans

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "articles"


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Peskov met Dr. Kim and Gen. Park. They spoke.",
            ["Mr. Peskov met Dr. Kim and Gen. Park.", "They spoke."],
        ),
        (
            "Sept. 12 was fine. No. 10 Downing St. is here.",
            ["Sept. 12 was fine.", "No. 10 Downing St. is here."],
        ),
        (
            "J. R. R. Tolkien wrote it. The U.S. Army agreed.",
            ["J. R. R. Tolkien wrote it.", "The U.S. Army agreed."],
        ),
        (
            "Acme Corp. and Beta Inc. merged. Shares rose.",
            ["Acme Corp. and Beta Inc. merged.", "Shares rose."],
        ),
        (
            "Talks, e.g. on trade, went on. Then a pause.",
            ["Talks, e.g. on trade, went on.", "Then a pause."],
        ),
    ],
)
def test_abbreviations_and_initials_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "He paid $1.5 million, or 3.2 per cent. Shares rose 4.5%.",
            ["He paid $1.5 million, or 3.2 per cent.", "Shares rose 4.5%."],
        ),
        ("Version 2.0 is out. 3 people came.", ["Version 2.0 is out.", "3 people came."]),
        ("It rose 0.5 points. 2024 was worse.", ["It rose 0.5 points.", "2024 was worse."]),
    ],
)
def test_decimal_points_stay_inside_and_a_number_may_start_a_sentence(
    text: str, expected: list[str]
) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Go home!" she said. "Now."', ['"Go home!" she said.', '"Now."']),
        ("He said: “We will win.” Then he left.", ["He said: “We will win.”", "Then he left."]),
        ("(He agreed.) Then more.", ["(He agreed.)", "Then more."]),
        ("Really?! Yes. Wait… What?", ["Really?!", "Yes.", "Wait…", "What?"]),
        ("“Putin accepted,” KCNA said.", ["“Putin accepted,” KCNA said."]),
        ("It ended. and then it went on.", ["It ended. and then it went on."]),  # no capital
    ],
)
def test_quotes_and_brackets_close_the_sentence_they_end(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_line_breaks_always_end_a_sentence_and_spans_carry_no_outer_whitespace() -> None:
    text = "  Headline without a stop\nLine two\n\n   Para two starts. And ends  \n"
    assert sentence_spans(text) == [(2, 25), (26, 34), (39, 55), (56, 64)]
    assert sentences(text) == [
        "Headline without a stop",
        "Line two",
        "Para two starts.",
        "And ends",
    ]
    assert sentence_spans("") == [] and sentence_spans(" \n\n \t") == []


@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*.txt")), ids=lambda p: p.name[:3])
def test_spans_are_ordered_exact_and_cover_every_word(path: Path) -> None:
    text = clean_text(path.read_text(encoding="utf-8"))
    spans = sentence_spans(text)
    assert spans and all(s < e for s, e in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    for s, e in spans:
        assert text[s:e] == text[s:e].strip()
    # Nothing but whitespace lies between sentences.
    gaps = [text[a[1] : b[0]] for a, b in itertools.pairwise(spans)]
    assert all(not g.strip() for g in gaps)
    assert not text[: spans[0][0]].strip() and not text[spans[-1][1] :].strip()


def test_is_abbreviation() -> None:
    text = "Mr. J. Smith of the U.S. went home."
    assert is_abbreviation(text, 3)  # "Mr."
    assert is_abbreviation(text, 6)  # "J."
    assert is_abbreviation(text, 24)  # "U.S."
    assert not is_abbreviation(text, len(text))  # "home."
    assert {"mr", "sept", "u.s"} <= ABBREVIATIONS


def test_chunk_still_exports_the_splitter() -> None:
    assert chunk.sentence_spans is sentence_spans  # rag imports it from index.chunk
