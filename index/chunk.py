"""Sentence-aware chunking with exact character spans, token-counted with tiktoken.

Every chunk records ``start``/``end`` offsets into the stored (cleaned) text so that
``text[start:end] == chunk.text`` — citations and the UI's highlighting depend on it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from index.records import Chunk

TOKENIZER_NAME = "cl100k_base"

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) + whitespace, when the
# next thing looks like the start of a sentence. Paragraph breaks always end a sentence.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "st",
        "jr",
        "sr",
        "inc",
        "corp",
        "co",
        "ltd",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "fig",
        "est",
        "approx",
        "dept",
        "univ",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
    ]
)


@lru_cache(maxsize=1)
def _encoding():  # type: ignore[no-untyped-def]
    """tiktoken's cl100k_base from llama-index-core's bundled cache: nothing is downloaded."""
    import importlib.util

    import tiktoken

    # Locate llama-index-core's bundled cache without importing llama-index (seconds of imports).
    spec = importlib.util.find_spec("llama_index.core")
    if spec and spec.origin:
        cache = Path(spec.origin).parent / "_static" / "tiktoken_cache"
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache))
    return tiktoken.get_encoding(TOKENIZER_NAME)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the period at ``text[end-1]`` closes an abbreviation or an initial."""
    start = end - 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start:end].rstrip(".").lstrip("\"'“‘(").lower()
    if word in _ABBREVIATIONS:
        return True
    # Single initials ("J. Smith") and dotted acronyms ("U.S.") are not sentence ends.
    return (len(word) == 1 and word.isalpha()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]?", word))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences, returned as (start, end) spans with no outer whitespace."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in [*_PARAGRAPH.finditer(text), None]:
        para_end = para.start() if para else len(text)
        cursor = pos
        for m in _BOUNDARY.finditer(text, pos, para_end):
            if (
                text[m.start()] == "."
                and m.end() - m.start() == 1
                and _is_abbreviation(text, m.start() + 1)
            ):
                continue
            _add_span(text, cursor, m.end(), spans)
            cursor = m.end()
        _add_span(text, cursor, para_end, spans)
        if para is None:
            break
        pos = para.end()
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _split_long(
    text: str, span: tuple[int, int], max_tokens: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    """Cut a sentence longer than ``max_tokens`` at word boundaries, greedily."""
    start, end = span
    words = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]
    pieces: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(words)):
        if count(text[words[first][0] : words[i][1]]) > max_tokens:
            pieces.append((words[first][0], words[i - 1][1]))
            first = i
    pieces.append((words[first][0], words[-1][1]))
    return pieces


def chunk_text(
    file: str,
    text: str,
    max_tokens: int = 200,
    overlap_tokens: int = 40,
    count: Callable[[str], int] = count_tokens,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens``; neighbours share up to
    ``overlap_tokens`` of whole sentences so a fact that straddles a boundary stays retrievable."""
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for span in sentence_spans(text):
        n = count(text[span[0] : span[1]])
        if n <= max_tokens:
            units.append((*span, n))
        else:
            units.extend(
                (s, e, count(text[s:e])) for s, e in _split_long(text, span, max_tokens, count)
            )

    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (total + units[j][2] <= max_tokens or j == i):
            total += units[j][2]
            j += 1
        start, end = units[i][0], units[j - 1][1]
        chunks.append(
            Chunk(
                id=f"{file}#{len(chunks)}",
                file=file,
                n=len(chunks),
                start=start,
                end=end,
                text=text[start:end],
                tokens=count(text[start:end]),
            )
        )
        if j >= len(units):
            break
        # Step back over trailing sentences that fit in the overlap budget (never all of them).
        back, kept = j, 0
        while back - 1 > i and kept + units[back - 1][2] <= overlap_tokens:
            back -= 1
            kept += units[back][2]
        i = back
    return chunks
