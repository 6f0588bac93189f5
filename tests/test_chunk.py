from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from index.chunk import chunk_text, count_tokens, sentence_spans
from index.clean import clean_text

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "articles"


def test_sentences_keep_abbreviations_and_quotes() -> None:
    text = (
        'The summit has stoked U.S. concerns. "Putin accepted," KCNA said. Mr. Peskov spoke '
        "on Sept. 12 at 7 a.m. local time.\n\nA new paragraph starts here"
    )
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "The summit has stoked U.S. concerns.",
        '"Putin accepted," KCNA said.',
        "Mr. Peskov spoke on Sept. 12 at 7 a.m. local time.",
        "A new paragraph starts here",
    ]


@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*.txt")), ids=lambda p: p.name[:3])
def test_chunks_are_exact_spans_within_budget(path: Path) -> None:
    text = clean_text(path.read_text(encoding="utf-8"))
    chunks = chunk_text(path.name, text, max_tokens=120, overlap_tokens=30)
    assert chunks
    for i, c in enumerate(chunks):
        assert text[c.start : c.end] == c.text
        assert c.id == f"{path.name}#{i}" and c.n == i
        assert c.tokens == count_tokens(c.text)
        assert c.tokens <= 120 + 5  # sentence joins may add a token or two
    # Every sentence of the article lies wholly inside some chunk.
    for s, e in sentence_spans(text):
        assert any(c.start <= s and e <= c.end for c in chunks), text[s:e]
    # Neighbours overlap (share text) but never start at the same place.
    for a, b in itertools.pairwise(chunks):
        assert a.start < b.start <= a.end + 2


def test_overlap_is_whole_sentences() -> None:
    sentences = [f"Sentence number {i} talks about the summit in Vladivostok." for i in range(30)]
    text = " ".join(sentences)
    chunks = chunk_text("f", text, max_tokens=60, overlap_tokens=15)
    assert len(chunks) > 3
    for a, b in itertools.pairwise(chunks):
        assert b.start < a.end, "consecutive chunks should share the last sentence"
        assert text[b.start : a.end].startswith("Sentence number")


def test_overlong_sentence_is_split_at_words() -> None:
    text = "word " * 900
    chunks = chunk_text("f", text.strip(), max_tokens=100, overlap_tokens=0)
    assert len(chunks) >= 9
    assert all(c.tokens <= 101 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_text("f", "") == []
    assert chunk_text("f", "   \n\n  ") == []
