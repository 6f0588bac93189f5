from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from llama_index.core.node_parser import SentenceSplitter

import index.chunk as chunk_module
from index.chunk import chunk_text, count_tokens, sentence_spans, sentence_units
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


def greedy_packing(
    text: str, max_tokens: int, overlap_tokens: int, count: Callable[[str], int] = count_tokens
) -> list[tuple[int, int]]:
    """The packing Dossier did itself before llama-index's SentenceSplitter took over."""
    units = [(s, e, count(text[s:e])) for s, e in sentence_units(text, max_tokens, count)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (total + units[j][2] <= max_tokens or j == i):
            total += units[j][2]
            j += 1
        spans.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        back, kept = j, 0
        while back - 1 > i and kept + units[back - 1][2] <= overlap_tokens:
            back -= 1
            kept += units[back][2]
        i = back
    return spans


@pytest.mark.parametrize("budget", [(200, 40), (120, 30), (64, 16), (100, 0)], ids=str)
@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*.txt")), ids=lambda p: p.name[:3])
def test_llama_index_packs_the_samples_as_dossier_did(path: Path, budget: tuple[int, int]) -> None:
    text = clean_text(path.read_text(encoding="utf-8"))
    chunks = chunk_text(path.name, text, *budget)
    assert [(c.start, c.end) for c in chunks] == greedy_packing(text, *budget)


def test_the_splitter_is_asked_where_the_packing_would_split_further(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A text that is one sentence over budget as the splitter measures it goes to
    llama-index's SentenceSplitter itself."""
    calls: list[str] = []
    split_text = SentenceSplitter.split_text

    def spy(self: SentenceSplitter, text: str) -> list[str]:
        calls.append(text)
        return split_text(self, text)

    monkeypatch.setattr(SentenceSplitter, "split_text", spy)
    text = " ".join(
        f"Sentence number {i} talks about the summit in Vladivostok." for i in range(30)
    )
    packed = chunk_text("f", text, max_tokens=60, overlap_tokens=15)
    assert calls == [] and len(packed) > 3
    monkeypatch.setattr(chunk_module, "_pack", lambda *a: None)
    assert chunk_text("f", text, max_tokens=60, overlap_tokens=15) == packed
    assert calls == [text]


def words(text: str) -> int:
    return len(text.split())


def test_no_chunk_repeats_only_what_its_predecessor_holds() -> None:
    # The overlap ("Three more words.") and the next sentence do not fit together: the overlap
    # gives way, where the old packer emitted a chunk of the overlap alone.
    text = (
        "One two three four five six. Three more words. A sentence of exactly eight words in all."
    )
    chunks = chunk_text("f", text, max_tokens=10, overlap_tokens=4, count=words)
    assert [c.text for c in chunks] == [
        "One two three four five six. Three more words.",
        "A sentence of exactly eight words in all.",
    ]
    assert len(greedy_packing(text, 10, 4, words)) == 3
    for a, b in itertools.pairwise(chunks):
        assert not (a.start <= b.start and b.end <= a.end)


def test_a_word_longer_than_a_chunk_is_cut_at_characters() -> None:
    url = "https://example.com/track?" + "x9Q_" * 400  # no spaces, far over budget
    text = f"Read more at {url} today. The next sentence is short."
    chunks = chunk_text("f", text, max_tokens=50, overlap_tokens=10)
    assert all(c.tokens <= 50 + 2 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert "".join(c.text for c in chunks if c.text.startswith(("x9Q_", "https"))).count("x9Q_")
    assert chunks[-1].text.endswith("The next sentence is short.")


def test_repeated_sentences_get_their_own_spans() -> None:
    text = " ".join(["The talks went on."] * 40)
    chunks = chunk_text("f", text, max_tokens=20, overlap_tokens=5)
    assert [(c.start, c.end) for c in chunks] == greedy_packing(text, 20, 5)
    assert chunks[-1].end == len(text)
    for a, b in itertools.pairwise(chunks):
        assert a.start < b.start and a.end < b.end


def test_an_overlap_as_large_as_the_chunk_still_moves_on() -> None:
    text = " ".join(f"Sentence {i} is here." for i in range(40))
    chunks = chunk_text("f", text, max_tokens=32, overlap_tokens=80)
    assert chunks[-1].end == len(text)
    for a, b in itertools.pairwise(chunks):
        assert a.start < b.start and a.end < b.end
