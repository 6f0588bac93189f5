"""Chunks of an article with exact character spans: our sentences, packed as llama-index packs.

Sentences come from :mod:`index.sentences` (a sentence longer than a chunk is cut at words, a
word longer than a chunk at characters). They are packed by llama-index's ``SentenceSplitter``
rule: whole sentences up to ``max_tokens`` tiktoken cl100k tokens per chunk, neighbours sharing up
to ``overlap_tokens`` of whole sentences. The splitter is handed the sentences themselves (each
with the whitespace that follows it, so that they tile the text) and counts a sentence's tokens
without that whitespace. Every chunk records ``start``/``end`` offsets into the stored (cleaned)
text so that ``text[start:end] == chunk.text`` — citations and the UI's highlighting depend on it.

:func:`_pack` is the splitter's packing of whole sentences (``_split`` then ``_merge`` of
``SentenceSplitter``, for the one route our sentences take through it): importing llama-index
costs seconds, which an ingest of a few new articles would spend on that import alone. Where the
splitter would take another route (a sentence over ``max_tokens`` as it measures it, one
sentence only), it is asked itself; a test holds the two equal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from index.records import Chunk
from index.sentences import sentence_spans

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter
    from tiktoken import Encoding

__all__ = ["TOKENIZER_NAME", "chunk_text", "count_tokens", "sentence_spans"]

TOKENIZER_NAME = "cl100k_base"
# llama-index splits on this before it asks for sentences; our sentences already end at every
# paragraph, so it must never match: a private-use character that news text does not carry.
_NO_PARAGRAPHS = "\ue000\ue001"


@lru_cache(maxsize=1)
def _encoding() -> Encoding:
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


def _cut(
    text: str, span: tuple[int, int], max_tokens: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    """Cut a span longer than ``max_tokens`` at word boundaries, greedily; a single word longer
    than that is cut at characters."""
    start, end = span
    words = [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]
    pieces: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(words)):
        if count(text[words[first][0] : words[i][1]]) > max_tokens:
            pieces.append((words[first][0], words[i - 1][1]))
            first = i
    pieces.append((words[first][0], words[-1][1]))
    return [p for piece in pieces for p in _cut_word(text, piece, max_tokens, count)]


def _cut_word(
    text: str, span: tuple[int, int], max_tokens: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    start, end = span
    pieces: list[tuple[int, int]] = []
    while count(text[start:end]) > max_tokens:
        lo, hi = start + 1, end - 1  # the longest prefix within budget, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if count(text[start:mid]) <= max_tokens else (lo, mid - 1)
        pieces.append((start, lo))
        start = lo
    return [*pieces, (start, end)]


def sentence_units(
    text: str, max_tokens: int, count: Callable[[str], int] = count_tokens
) -> list[tuple[int, int]]:
    """What chunks are packed from: the sentences of ``text``, none over ``max_tokens``."""
    units: list[tuple[int, int]] = []
    for span in sentence_spans(text):
        if count(text[span[0] : span[1]]) <= max_tokens:
            units.append(span)
        else:
            units.extend(_cut(text, span, max_tokens, count))
    return units


def _splitter(
    max_tokens: int,
    overlap_tokens: int,
    sentences: Callable[[str], list[str]],
    tokens: Callable[[str], list[int]],
) -> SentenceSplitter:
    """llama-index's packer, handed our ``sentences`` of whatever text it splits. A text's
    ``tokens`` are those of its sentences: whitespace between sentences is not counted, as it is
    not when a chunk is measured sentence by sentence."""
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=max_tokens,
        chunk_overlap=min(overlap_tokens, max_tokens),
        tokenizer=tokens,
        chunking_tokenizer_fn=sentences,
        paragraph_separator=_NO_PARAGRAPHS,
        secondary_chunking_regex=None,
        include_metadata=False,
        include_prev_next_rel=False,
    )


def _pack(
    text: str,
    max_tokens: int,
    overlap_tokens: int,
    sentences: Callable[[str], list[str]],
    tokens: Callable[[str], list[int]],
) -> list[str] | None:
    """``SentenceSplitter(chunk_size=max_tokens, chunk_overlap=overlap_tokens, tokenizer=tokens,
    chunking_tokenizer_fn=sentences, paragraph_separator=_NO_PARAGRAPHS).split_text(text)``
    where every split is a whole sentence within ``max_tokens``; None where the splitter would
    split further (then it is asked itself)."""
    overlap = min(overlap_tokens, max_tokens)
    total = len(tokens(text))
    if total <= max_tokens:
        splits = [(text, total)]
    else:
        if _NO_PARAGRAPHS in text:
            return None
        pieces = sentences(text)
        if len(pieces) <= 1:
            return None
        splits = [(p, len(tokens(p))) for p in pieces]
        if any(n > max_tokens for _, n in splits):
            return None
    chunks: list[str] = []
    cur: list[tuple[str, int]] = []
    cur_len = 0
    new = True
    i = 0
    while i < len(splits):
        piece, n = splits[i]
        if cur_len + n > max_tokens and not new:  # close the chunk; the next starts with overlap
            chunks.append("".join(t for t, _ in cur))
            last, cur, cur_len, new = cur, [], 0, True
            j = len(last) - 1
            while j >= 0 and cur_len + last[j][1] <= overlap:
                cur.insert(0, last[j])
                cur_len += last[j][1]
                j -= 1
            continue
        while new and cur and cur_len + n > max_tokens:  # overlap that leaves no room goes
            cur_len -= cur.pop(0)[1]
        cur.append((piece, n))
        cur_len += n
        i += 1
        new = False
    if not new:
        chunks.append("".join(t for t, _ in cur))
    return [c.strip() for c in chunks if c.strip()]


def chunk_text(
    file: str,
    text: str,
    max_tokens: int = 200,
    overlap_tokens: int = 40,
    count: Callable[[str], int] = count_tokens,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens``; neighbours share up to
    ``overlap_tokens`` of whole sentences so a fact that straddles a boundary stays retrievable."""
    tokens: dict[str, list[int]] = {}

    def ids(piece: str) -> list[int]:  # each sentence is encoded once, however often it is asked
        if piece not in tokens:
            tokens[piece] = (
                _encoding().encode(piece, disallowed_special=())
                if count is count_tokens
                else [0] * count(piece)  # a caller's own count: only the number matters
            )
        return tokens[piece]

    def counted(piece: str) -> int:
        return len(ids(piece))

    split: dict[str, list[tuple[int, int]]] = {}

    def units(part: str) -> list[tuple[int, int]]:
        if part not in split:
            split[part] = sentence_units(part, max_tokens, counted)
        return split[part]

    spans = units(text)
    if not spans:
        return []

    def sentences(part: str) -> list[str]:
        starts = [s for s, _ in units(part)]
        return [part[a:b] for a, b in zip(starts, [*starts[1:], len(part)], strict=True)]

    def text_ids(part: str) -> list[int]:
        return [t for s, e in units(part) for t in ids(part[s:e])]

    body = text[spans[0][0] :]
    pieces = _pack(body, max_tokens, overlap_tokens, sentences, text_ids)
    if pieces is None:
        pieces = _splitter(max_tokens, overlap_tokens, sentences, text_ids).split_text(body)
    return [
        Chunk(
            id=f"{file}#{n}",
            file=file,
            n=n,
            start=start,
            end=end,
            text=text[start:end],
            tokens=count(text[start:end]),
        )
        for n, (start, end) in enumerate(_locate(text, spans, pieces, overlap_tokens, counted))
    ]


def _locate(
    text: str,
    units: list[tuple[int, int]],
    chunks: list[str],
    overlap_tokens: int,
    count: Callable[[str], int],
) -> list[tuple[int, int]]:
    """The span of each chunk the splitter returned: it runs from the start of a sentence to the
    end of one, begins after the previous chunk's start and ends after the previous chunk's end.
    Where the same words recur, the start whose overlap with the previous chunk is within
    ``overlap_tokens`` (the splitter's own rule), earliest first, is taken."""
    starts = [s for s, _ in units]
    end_of = {e: i for i, (_, e) in enumerate(units)}
    spans: list[tuple[int, int]] = []
    first, last = -1, -1  # unit indices of the previous chunk
    for chunk in chunks:
        found: list[tuple[int, int]] = []
        for a in range(first + 1, min(last + 2, len(units)) if spans else 1):
            b = end_of.get(starts[a] + len(chunk), -1)
            if b > last and text.startswith(chunk, starts[a]):
                found.append((a, b))
        if not found:
            raise RuntimeError(f"chunk not found in its text: {chunk[:60]!r}")
        if len(found) > 1:  # the same sentences recur: the splitter's overlap rule decides
            found = [
                (a, b)
                for a, b in found
                if a > last
                or sum(count(text[s:e]) for s, e in units[a : last + 1]) <= overlap_tokens
            ] or found
        first, last = found[0]
        spans.append((starts[first], units[last][1]))
    return spans
